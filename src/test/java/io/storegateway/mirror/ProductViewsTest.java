package io.storegateway.mirror;

import io.storegateway.hq.ProductRecord;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateType;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The effective view: HQ's record with the store's pending updates applied in order. */
class ProductViewsTest {

    private static final ProductRecord HQ = new ProductRecord("A", "Apples", new BigDecimal("2.00"), 10, 4, Instant.EPOCH, false);

    @Test
    void withoutPendingUpdatesTheViewIsHqsRecordAndSynced() {
        ProductView v = ProductViews.effective("A", HQ, List.of());

        assertThat(v.quantity()).isEqualTo(10);
        assertThat(v.syncState()).isEqualTo(ProductView.SyncState.SYNCED);
        assertThat(v.version()).isEqualTo(4);
    }

    @Test
    void pendingUpdatesApplyInAcceptanceOrder() {
        ProductView v = ProductViews.effective("A", HQ, List.of(
                update(UpdateType.ADJUST_QUANTITY, null, null, -3L),
                update(UpdateType.SET_QUANTITY, null, 50L, null),
                update(UpdateType.ADJUST_QUANTITY, null, null, 2L),
                update(UpdateType.SET_PRICE, new BigDecimal("2.50"), null, null)));

        assertThat(v.quantity()).isEqualTo(52);
        assertThat(v.price()).isEqualByComparingTo("2.50");
        assertThat(v.pending()).isEqualTo(4);
        assertThat(v.syncState()).isEqualTo(ProductView.SyncState.PENDING);
        assertThat(v.hq()).isEqualTo(HQ);
    }

    @Test
    void aProductCreatedOfflineIsVisibleBeforeHqKnowsIt() {
        InventoryUpdate upsert = new InventoryUpdate("u", "t", UpdateType.UPSERT_PRODUCT, "NEW", "Kiwi",
                new BigDecimal("0.40"), 30L, null, Instant.EPOCH, null, false);

        ProductView v = ProductViews.effective("NEW", null, List.of(upsert));

        assertThat(v.name()).isEqualTo("Kiwi");
        assertThat(v.quantity()).isEqualTo(30);
        assertThat(v.version()).isNull();
        assertThat(v.hq()).isNull();
    }

    private static InventoryUpdate update(UpdateType type, BigDecimal price, Long quantity, Long delta) {
        return new InventoryUpdate("u-" + type + quantity + delta, "t", type, "A", null, price, quantity, delta,
                Instant.EPOCH, null, false);
    }
}
