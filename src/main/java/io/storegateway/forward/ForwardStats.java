package io.storegateway.forward;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Counters of forwarding, for status and metrics. */
public final class ForwardStats {

    private final Clock clock;
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong updates = new AtomicLong();
    private final AtomicReference<Instant> lastSyncAt = new AtomicReference<>();

    public ForwardStats(Clock clock) {
        this.clock = clock;
    }

    void forwarded(int count) {
        batches.incrementAndGet();
        updates.addAndGet(count);
        lastSyncAt.set(clock.instant());
    }

    public long batches() {
        return batches.get();
    }

    public long updates() {
        return updates.get();
    }

    public Instant lastSyncAt() {
        return lastSyncAt.get();
    }
}
