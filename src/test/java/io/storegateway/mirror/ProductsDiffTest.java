package io.storegateway.mirror;

import io.storegateway.hq.ProductRecord;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProductsDiffTest {

    @Test
    void onlyChangedFieldsAreReportedAndPriceScaleIsNotAChange() {
        ProductRecord old = new ProductRecord("A", "Apples", new BigDecimal("2.5"), 10, 4, Instant.EPOCH, false);
        ProductRecord now = new ProductRecord("A", "Apples", new BigDecimal("2.50"), 7, 5, Instant.EPOCH, false);

        List<String[]> diff = Products.diff(old, now);

        assertThat(diff).extracting(d -> d[0]).containsExactly("quantity", "version");
        assertThat(diff.get(0)).containsExactly("quantity", "10", "7");
    }

    @Test
    void aNewProductReportsEveryField() {
        ProductRecord now = new ProductRecord("A", "Apples", new BigDecimal("2.50"), 7, 1, Instant.EPOCH, false);

        assertThat(Products.diff(null, now)).extracting(d -> d[0])
                .containsExactly("name", "price", "quantity", "deleted", "version");
    }
}
