package io.storegateway.hq;

import java.math.BigDecimal;
import java.time.Instant;

/** HQ's authoritative state of one product, as HQ sends it (README, The HQ protocol). */
public record ProductRecord(
        String sku,
        String name,
        BigDecimal price,
        long quantity,
        long version,
        Instant updatedAt,
        boolean deleted) {
}
