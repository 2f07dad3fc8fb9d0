package io.storegateway.admin;

import io.storegateway.config.GatewaySettings;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The last hour of the backlog and of the update flow, for the console's chart
 * ({@code GET /admin/v1/history}): every {@code gateway.console.sample-interval-ms} it records the
 * backlog and how many updates were accepted and forwarded per second since the sample before.
 * Kept in memory only: a restart starts a new hour.
 */
public final class ActivityHistory implements AutoCloseable {

    public static final String SAMPLE_INTERVAL_MS = "gateway.console.sample-interval-ms";
    static final long DEFAULT_SAMPLE_INTERVAL_MS = 10_000;
    static final Duration KEPT = Duration.ofHours(1);

    private static final Logger LOG = LoggerFactory.getLogger(ActivityHistory.class);

    /** One sample; rates are per second since the sample before (0 for the first one). */
    record Point(Instant at, long backlog, double acceptedPerSecond, double forwardedPerSecond) {
    }

    private final Clock clock;
    private final LongSupplier backlog;
    private final LongSupplier acceptedTotal;
    private final LongSupplier forwardedTotal;
    private final long intervalMs;
    private final int capacity;
    private final Deque<Point> points = new ArrayDeque<>();
    private ScheduledExecutorService sampler;
    private Instant lastAt;
    private long lastAccepted;
    private long lastForwarded;

    ActivityHistory(Clock clock, long intervalMs, LongSupplier backlog, LongSupplier acceptedTotal, LongSupplier forwardedTotal) {
        this.clock = clock;
        this.intervalMs = intervalMs;
        this.backlog = backlog;
        this.acceptedTotal = acceptedTotal;
        this.forwardedTotal = forwardedTotal;
        this.capacity = (int) (KEPT.toMillis() / intervalMs) + 1;
    }

    /** Reads the interval from the settings and takes the first sample at once. */
    public static ActivityHistory start(GatewaySettings settings, Clock clock, LongSupplier backlog,
                                        LongSupplier acceptedTotal, LongSupplier forwardedTotal) {
        long interval = settings.getLong(SAMPLE_INTERVAL_MS, DEFAULT_SAMPLE_INTERVAL_MS);
        if (interval < 100 || interval > KEPT.toMillis()) {
            throw new IllegalStateException(SAMPLE_INTERVAL_MS + " must be between 100 and " + KEPT.toMillis() + ", not " + interval);
        }
        ActivityHistory history = new ActivityHistory(clock, interval, backlog, acceptedTotal, forwardedTotal);
        history.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "activity-history");
            t.setDaemon(true);
            return t;
        });
        history.sampler.scheduleAtFixedRate(history::sampleQuietly, 0, interval, TimeUnit.MILLISECONDS);
        return history;
    }

    private void sampleQuietly() {
        try {
            sample();
        } catch (RuntimeException e) {
            // The broker may be stopping or busy; a gap in the chart is better than a dead sampler.
            LOG.debug("Activity sample skipped: {}", e.toString());
        }
    }

    synchronized void sample() {
        Instant now = clock.instant();
        long depth = backlog.getAsLong();
        long accepted = acceptedTotal.getAsLong();
        long forwarded = forwardedTotal.getAsLong();
        double seconds = lastAt == null ? 0 : Math.max(0.001, Duration.between(lastAt, now).toMillis() / 1000.0);
        points.addLast(new Point(now, depth,
                seconds == 0 ? 0 : Math.max(0, accepted - lastAccepted) / seconds,
                seconds == 0 ? 0 : Math.max(0, forwarded - lastForwarded) / seconds));
        while (points.size() > capacity) {
            points.removeFirst();
        }
        lastAt = now;
        lastAccepted = accepted;
        lastForwarded = forwarded;
    }

    /** {@code {"intervalMs":N,"points":[{"at","backlog","acceptedPerSecond","forwardedPerSecond"}…]}}, oldest first. */
    public synchronized ObjectNode toJson() {
        ObjectNode body = UpdateJson.MAPPER.createObjectNode();
        body.put("intervalMs", intervalMs);
        ArrayNode items = body.putArray("points");
        for (Point p : points) {
            ObjectNode n = items.addObject();
            n.put("at", p.at().toString());
            if (p.backlog() < 0) {
                n.putNull("backlog"); // a remote broker: the gateway cannot see the queue's depth
            } else {
                n.put("backlog", p.backlog());
            }
            n.put("acceptedPerSecond", round(p.acceptedPerSecond()));
            n.put("forwardedPerSecond", round(p.forwardedPerSecond()));
        }
        return body;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    @Override
    public void close() {
        if (sampler != null) {
            sampler.shutdownNow();
        }
    }
}
