package io.storegateway.mirror;

import io.storegateway.TestMirror;
import io.storegateway.config.GatewaySettings;
import io.storegateway.hq.ProductRecord;

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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per product and field, the mirror keeps when HQ last changed it and whether that change was this
 * store's own (what last-write-wins needs to tell a true conflict from the store's earlier writes).
 * A change counts as the store's only when HQ applied the store's update onto the very version the
 * mirror had; across a gap it is taken as HQ's.
 */
class ProductProvenanceTest {

    private static final Instant T1 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Instant T2 = Instant.parse("2026-12-01T10:00:01Z");
    private static final Instant T3 = Instant.parse("2026-12-01T10:00:02Z");
    private static final Instant T5 = Instant.parse("2026-12-01T10:00:05Z");

    private TestMirror schema;
    private MirrorDatabase db;
    private final Products products = new Products();

    @BeforeEach
    void open() throws Exception {
        schema = TestMirror.forGateway("provenance");
        Map<String, String> settings = new HashMap<>(schema.settings());
        settings.put(GatewaySettings.DATA_DIR, Files.createDirectories(Path.of("target", "test-data"))
                .resolve("provenance-" + System.nanoTime()).toString());
        db = MirrorDatabase.open(GatewaySettings.of(settings));
    }

    @AfterEach
    void close() {
        db.close();
        schema.close();
    }

    @Test
    void eachFieldKnowsItsLastChangeAndWhetherTheStoreMadeIt() {
        // The catalogue: every field is HQ's, at version 1.
        apply(record(1, "Apples", "1.00", 50, T1), null, false);
        assertThat(changes()).containsEntry("price", new Products.FieldChange(1, T1, false))
                .containsEntry("quantity", new Products.FieldChange(1, T1, false))
                .containsEntry("name", new Products.FieldChange(1, T1, false))
                .containsEntry("deleted", new Products.FieldChange(1, T1, false));

        // The store sells 3: HQ applied it as version 2, right after the mirror's 1.
        apply(record(2, "Apples", "1.00", 47, T2), "sold-3", true);
        assertThat(changes()).containsEntry("quantity", new Products.FieldChange(2, T2, true))
                .containsEntry("price", new Products.FieldChange(1, T1, false));

        // HQ changes the price (its changes feed).
        apply(record(3, "Apples", "1.20", 47, T3), null, false);
        assertThat(changes()).containsEntry("price", new Products.FieldChange(3, T3, false))
                .containsEntry("quantity", new Products.FieldChange(2, T2, true));

        // The store's next update lands as version 5: version 4 (a rename at HQ) was never seen, so
        // nothing of 5 is taken for the store's own.
        apply(record(5, "Green apples", "1.20", 44, T5), "sold-3-more", true);
        assertThat(changes()).containsEntry("quantity", new Products.FieldChange(5, T5, false))
                .containsEntry("name", new Products.FieldChange(5, T5, false))
                .containsEntry("price", new Products.FieldChange(3, T3, false));

        // An older record changes nothing.
        apply(record(4, "Apples", "9.99", 1, T3), null, false);
        assertThat(changes()).containsEntry("price", new Products.FieldChange(3, T3, false));
    }

    @Test
    void theLastForeignChangeOfAFieldOutlivesTheStoresLaterChangeOfIt() {
        apply(record(1, "Apples", "1.00", 50, T1), null, false);
        // HQ changes the price (version 2), then the store sets its own price onto it (version 3).
        apply(record(2, "Apples", "1.20", 50, T2), null, false);
        apply(record(3, "Apples", "1.10", 50, T3), "store-price", true);

        assertThat(changes()).containsEntry("price", new Products.FieldChange(3, T3, true));
        // What last-write-wins compares with: HQ's own change at version 2, which the store's hides above.
        assertThat(foreign()).containsEntry("price", new Products.FieldChange(2, T2, false))
                .containsEntry("quantity", new Products.FieldChange(1, T1, false));
    }

    private Map<String, Products.FieldChange> foreign() {
        return db.read(c -> products.findRow(c, "CF-1").orElseThrow().foreign());
    }

    private void apply(ProductRecord r, String updateId, boolean storeApplied) {
        db.inTransaction(c -> {
            products.applyAll(c, List.of(new Products.HqChange(r, updateId, storeApplied)), "TEST", Instant.now());
            return null;
        });
    }

    private Map<String, Products.FieldChange> changes() {
        return db.read(c -> products.findRow(c, "CF-1").orElseThrow().changes());
    }

    private static ProductRecord record(long version, String name, String price, long quantity, Instant at) {
        return new ProductRecord("CF-1", name, new BigDecimal(price), quantity, version, at, false);
    }
}
