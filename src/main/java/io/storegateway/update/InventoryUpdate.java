package io.storegateway.update;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One validated update (message version 1). Fields that do not belong to the type are null.
 * {@code force} is only ever set by the gateway itself (conflict policy "store wins").
 */
public record InventoryUpdate(
        String updateId,
        String terminalId,
        UpdateType type,
        String sku,
        String name,
        BigDecimal price,
        Long quantity,
        Long delta,
        Instant occurredAt,
        Long baseVersion,
        boolean force) {

    /** The same change, sent again on top of HQ's current version and marked to win (policy "store wins"). */
    public InventoryUpdate forcedOnto(long hqVersion) {
        return new InventoryUpdate(updateId, terminalId, type, sku, name, price, quantity, delta, occurredAt, hqVersion, true);
    }

    public InventoryUpdate withUpdateId(String id) {
        return new InventoryUpdate(id, terminalId, type, sku, name, price, quantity, delta, occurredAt, baseVersion, force);
    }
}
