package io.storegateway.mirror;

import io.storegateway.hq.UpdateResult;
import io.storegateway.update.InventoryUpdate;

import java.time.Instant;

/** One update of a forwarded batch together with HQ's answer for it. */
public record HqVerdict(InventoryUpdate update, String channel, Instant receivedAt, UpdateResult result) {
}
