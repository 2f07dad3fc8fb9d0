package io.storegateway.mirror;

import io.storegateway.update.InventoryUpdate;

import java.time.Instant;

/** One accepted update as the mirror knows it. */
public record UpdateRow(InventoryUpdate update, String channel, Instant receivedAt, UpdateStatus status,
                        String reason, Long hqVersion) {
}
