package io.storegateway.hq;

import java.math.BigDecimal;
import java.time.Instant;

/** HQ's authoritative state of one product, as HQ sends it (docs/HQ-PROTOCOL.md). */
public record ProductRecord(
        String sku,
        String name,
        BigDecimal price,
        long quantity,
        long version,
        Instant updatedAt,
        boolean deleted) {
}
