package io.storegateway.mirror;

import io.storegateway.update.UpdateType;

import java.time.Instant;

/** One accepted update as the mirror knows it: what it was for, and where it stands. */
public record UpdateRow(String updateId, String sku, UpdateType type, String channel, Instant receivedAt,
                        UpdateStatus status, String reason, Long hqVersion) {
}
