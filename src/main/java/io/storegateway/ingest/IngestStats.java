package io.storegateway.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Updates accepted, recognised as duplicates and rejected, per channel (HTTP, JMS) and, for
 * rejections, per reason. Read by the metrics and the console.
 */
public final class IngestStats {

    public record Key(String channel, String outcome, String reason) {
    }

    private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();

    void accepted(String channel, int n) {
        add(new Key(channel, "accepted", ""), n);
    }

    void duplicates(String channel, int n) {
        add(new Key(channel, "duplicate", ""), n);
    }

    /** A request or message refused as a whole; counted once, whatever it held. */
    void rejected(String channel, String reason) {
        add(new Key(channel, "rejected", reason), 1);
    }

    private void add(Key key, int n) {
        if (n > 0) {
            counts.computeIfAbsent(key, k -> new LongAdder()).add(n);
        }
    }

    /** All updates accepted so far, both channels. */
    public long acceptedTotal() {
        long sum = 0;
        for (Map.Entry<Key, LongAdder> e : counts.entrySet()) {
            if (e.getKey().outcome().equals("accepted")) {
                sum += e.getValue().sum();
            }
        }
        return sum;
    }

    public long count(Key key) {
        LongAdder a = counts.get(key);
        return a == null ? 0 : a.sum();
    }

    /** Every key the gateway counts, so each shows in a scrape from the start, at zero. */
    public static Key[] keys() {
        return new Key[] {
                new Key(UpdateIntake.CHANNEL_HTTP, "accepted", ""), new Key(UpdateIntake.CHANNEL_JMS, "accepted", ""),
                new Key(UpdateIntake.CHANNEL_HTTP, "duplicate", ""), new Key(UpdateIntake.CHANNEL_JMS, "duplicate", ""),
                new Key(UpdateIntake.CHANNEL_HTTP, "rejected", "validation"),
                new Key(UpdateIntake.CHANNEL_HTTP, "rejected", "media_type"),
                new Key(UpdateIntake.CHANNEL_HTTP, "rejected", "too_large"),
                new Key(UpdateIntake.CHANNEL_HTTP, "rejected", "unavailable"),
                new Key(UpdateIntake.CHANNEL_JMS, "rejected", "validation")};
    }
}
