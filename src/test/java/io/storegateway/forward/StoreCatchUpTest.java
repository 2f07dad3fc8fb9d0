package io.storegateway.forward;

import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateType;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a forced re-send carries of the SKU's later updates in its batch, field by field. */
class StoreCatchUpTest {

    private static final Instant AT = Instant.parse("2026-12-03T10:00:00Z");

    private static InventoryUpdate u(String id, UpdateType type, String name, String price, Long quantity, Long delta) {
        return new InventoryUpdate(id, "till-1", type, "SKU-1", name, price == null ? null : new BigDecimal(price), quantity, delta,
                AT, type == UpdateType.ADJUST_QUANTITY ? null : 1L, false);
    }

    @Test
    void laterSalesBecomeOneCatchUpAdjustmentAfterASetQuantity() {
        StoreCatchUp c = StoreCatchUp.of(u("s", UpdateType.SET_QUANTITY, null, null, 2L, null),
                List.of(u("a1", UpdateType.ADJUST_QUANTITY, null, null, null, -3L), u("a2", UpdateType.ADJUST_QUANTITY, null, null, null, -1L)));
        assertThat(c.superseded()).isFalse();
        assertThat(c.change().quantity()).isEqualTo(2);
        assertThat(c.adjustment().delta()).as("below zero is a valid result of sales").isEqualTo(-4);
        assertThat(c.adjustment().updateId()).isEqualTo(StoreCatchUp.idFor("s")).hasSizeLessThanOrEqualTo(64);
        assertThat(c.forced(7).force()).isTrue();
        assertThat(c.forced(7).baseVersion()).isEqualTo(7);
    }

    @Test
    void aLaterSetGivesItsValueAndOnlyTheSalesAfterItCount() {
        StoreCatchUp c = StoreCatchUp.of(u("up", UpdateType.UPSERT_PRODUCT, "Tea", "1.00", 5L, null), List.of(
                u("a", UpdateType.ADJUST_QUANTITY, null, null, null, -1L),
                u("q", UpdateType.SET_QUANTITY, null, null, 20L, null),
                u("p", UpdateType.SET_PRICE, null, "2.50", null, null),
                u("b", UpdateType.ADJUST_QUANTITY, null, null, null, 4L)));
        assertThat(c.change().name()).isEqualTo("Tea");
        assertThat(c.change().price()).isEqualByComparingTo("2.50");
        assertThat(c.change().quantity()).isEqualTo(20);
        assertThat(c.adjustment().delta()).isEqualTo(4);
    }

    @Test
    void aPriceChangeIsNotTouchedBySalesAndALaterDeleteSupersedesIt() {
        StoreCatchUp price = StoreCatchUp.of(u("p", UpdateType.SET_PRICE, null, "3.33", null, null),
                List.of(u("a", UpdateType.ADJUST_QUANTITY, null, null, null, -3L)));
        assertThat(price.change().price()).isEqualByComparingTo("3.33");
        assertThat(price.adjustment()).isNull();

        assertThat(StoreCatchUp.of(u("p", UpdateType.SET_PRICE, null, "3.33", null, null),
                List.of(u("d", UpdateType.DELETE_PRODUCT, null, null, null, null))).superseded()).isTrue();
    }
}
