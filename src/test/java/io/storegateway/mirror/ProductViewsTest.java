package io.storegateway.mirror;

import io.storegateway.TestMirror;
import io.storegateway.config.GatewaySettings;
import io.storegateway.hq.ProductRecord;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateType;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The effective view: HQ's record with the store's pending updates applied in order, summed up in SQL (SQLite, and PostgreSQL when the run asks for it). */
class ProductViewsTest {

    private static final ProductRecord HQ = new ProductRecord("A", "Apples", new BigDecimal("2.00"), 10, 4, Instant.EPOCH, false);

    private final AtomicInteger ids = new AtomicInteger();
    private TestMirror schema;
    private MirrorDatabase db;
    private AcceptedUpdates updates;
    private ProductViews views;

    @BeforeEach
    void mirror() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "test-data")).resolve("views-" + System.nanoTime());
        schema = TestMirror.forGateway("views");
        Map<String, String> settings = new HashMap<>(schema.settings());
        settings.put(GatewaySettings.DATA_DIR, dir.toString());
        db = MirrorDatabase.open(GatewaySettings.of(settings));
        updates = new AcceptedUpdates(db);
        views = new ProductViews(db, new Products(), new ConflictRecords(db));
    }

    @AfterEach
    void close() {
        db.close();
        schema.close();
    }

    @Test
    void withoutPendingUpdatesTheViewIsHqsRecordAndSynced() {
        ProductView v = ProductViews.effective("A", HQ, ProductViews.Pending.NONE);

        assertThat(v.quantity()).isEqualTo(10);
        assertThat(v.syncState()).isEqualTo(ProductView.SyncState.SYNCED);
        assertThat(v.version()).isEqualTo(4);
    }

    @Test
    void pendingUpdatesApplyInAcceptanceOrder() {
        hqHas(HQ);
        queue(update(UpdateType.ADJUST_QUANTITY, null, null, -3L),
                update(UpdateType.SET_QUANTITY, null, 50L, null),
                update(UpdateType.ADJUST_QUANTITY, null, null, 2L),
                update(UpdateType.SET_PRICE, new BigDecimal("2.50"), null, null));

        ProductView v = views.find("A").orElseThrow();

        assertThat(v.quantity()).isEqualTo(52);
        assertThat(v.price()).isEqualByComparingTo("2.50");
        assertThat(v.name()).isEqualTo("Apples");
        assertThat(v.pending()).isEqualTo(4);
        assertThat(v.syncState()).isEqualTo(ProductView.SyncState.PENDING);
        assertThat(v.hq()).isEqualTo(HQ);
    }

    @Test
    void deltasAloneAddToHqsQuantity() {
        hqHas(HQ);
        queue(update(UpdateType.ADJUST_QUANTITY, null, null, -3L), update(UpdateType.ADJUST_QUANTITY, null, null, -4L));

        assertThat(views.find("A").orElseThrow().quantity()).isEqualTo(3);
    }

    @Test
    void theLastUpsertOrDeleteDecidesWhetherTheProductIsDeleted() {
        hqHas(HQ);
        queue(update(UpdateType.DELETE_PRODUCT, null, null, null));
        assertThat(views.find("A").orElseThrow().deleted()).isTrue();

        queue(new InventoryUpdate("u-" + ids.incrementAndGet(), "t", UpdateType.UPSERT_PRODUCT, "A", "Green apples",
                new BigDecimal("3.10"), 7L, null, Instant.EPOCH, null, false), update(UpdateType.ADJUST_QUANTITY, null, null, 1L));
        ProductView v = views.find("A").orElseThrow();
        assertThat(v.deleted()).isFalse();
        assertThat(v.name()).isEqualTo("Green apples");
        assertThat(v.price()).isEqualByComparingTo("3.10");
        assertThat(v.quantity()).isEqualTo(8);
    }

    @Test
    void aProductCreatedOfflineIsVisibleBeforeHqKnowsIt() {
        queue(new InventoryUpdate("u", "t", UpdateType.UPSERT_PRODUCT, "NEW", "Kiwi",
                new BigDecimal("0.40"), 30L, null, Instant.EPOCH, null, false));

        ProductView v = views.find("NEW").orElseThrow();

        assertThat(v.name()).isEqualTo("Kiwi");
        assertThat(v.quantity()).isEqualTo(30);
        assertThat(v.version()).isNull();
        assertThat(v.hq()).isNull();
        assertThat(views.find("OTHER")).isEmpty();
    }

    private void hqHas(ProductRecord r) {
        db.inTransaction(c -> new Products().apply(c, r, "TEST", null, Instant.now()));
    }

    private void queue(InventoryUpdate... us) {
        updates.recordQueued(List.of(us), "HTTP", Instant.now());
    }

    private InventoryUpdate update(UpdateType type, BigDecimal price, Long quantity, Long delta) {
        return new InventoryUpdate("u-" + ids.incrementAndGet(), "t", type, "A", null, price, quantity, delta,
                Instant.EPOCH, null, false);
    }
}
