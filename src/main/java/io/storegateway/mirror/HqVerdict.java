package io.storegateway.mirror;

import io.storegateway.hq.UpdateResult;
import io.storegateway.update.InventoryUpdate;

import java.time.Instant;

/**
 * One update of a forwarded batch together with HQ's answer for it, and, for a conflict, how the
 * gateway settled it: {@code note} is the reason recorded, {@code parked} whether it waits for a person.
 */
public record HqVerdict(InventoryUpdate update, String channel, Instant receivedAt, UpdateResult result,
                        String note, boolean parked) {

    public HqVerdict(InventoryUpdate update, String channel, Instant receivedAt, UpdateResult result) {
        this(update, channel, receivedAt, result, null, false);
    }
}
