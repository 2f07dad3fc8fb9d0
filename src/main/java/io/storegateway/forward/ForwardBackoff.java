package io.storegateway.forward;

import io.storegateway.config.GatewaySettings;
import io.storegateway.tasks.BackgroundTasks;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long forwarding waits after a failed HQ call: exponential, with jitter and a cap. It never
 * gives up; the updates stay in the queue however long HQ is away. Logs a change of state once, and
 * not during an outage that watch-hq reports.
 */
public final class ForwardBackoff {

    public static final String INITIAL_MS = "gateway.forward.backoff.initial-ms";
    public static final String MULTIPLIER = "gateway.forward.backoff.multiplier";
    public static final String MAX_MS = "gateway.forward.backoff.max-ms";
    public static final String JITTER = "gateway.forward.backoff.jitter";
    public static final long DEFAULT_INITIAL_MS = 500;
    static final double DEFAULT_MULTIPLIER = 2.0;
    public static final long DEFAULT_MAX_MS = 30_000;
    static final double DEFAULT_JITTER = 0.2;

    private static final Logger LOG = LoggerFactory.getLogger(ForwardBackoff.class);

    private final long initialMs;
    private final double multiplier;
    private final long maxMs;
    private final double jitter;
    private final Clock clock;

    private int failures;
    private volatile BackgroundTasks tasks;
    private long nextAttemptAt;
    private long totalFailures;

    ForwardBackoff(long initialMs, double multiplier, long maxMs, double jitter, Clock clock) {
        this.initialMs = initialMs;
        this.multiplier = multiplier;
        this.maxMs = maxMs;
        this.jitter = jitter;
        this.clock = clock;
    }

    public static ForwardBackoff from(GatewaySettings s, Clock clock) {
        return new ForwardBackoff(s.getLong(INITIAL_MS, DEFAULT_INITIAL_MS), s.getDouble(MULTIPLIER, DEFAULT_MULTIPLIER),
                s.getLong(MAX_MS, DEFAULT_MAX_MS), s.getDouble(JITTER, DEFAULT_JITTER), clock);
    }

    public synchronized boolean waiting() {
        return failures > 0 && clock.millis() < nextAttemptAt;
    }

    public synchronized long delayAfter(int failureCount) {
        double raw = initialMs * Math.pow(multiplier, Math.max(0, failureCount - 1));
        long capped = (long) Math.min(maxMs, raw);
        double spread = capped * jitter;
        return Math.max(0, Math.round(capped - spread + ThreadLocalRandom.current().nextDouble() * 2 * spread));
    }

    /** Failures and recoveries also go to the background tasks' record (status and metrics). */
    public void reportTo(BackgroundTasks tasks) {
        this.tasks = tasks;
    }

    public synchronized void failed(int batchSize, String reason) {
        failures++;
        totalFailures++;
        long delay = delayAfter(failures);
        nextAttemptAt = clock.millis() + delay;
        // The background tasks' rule decides what is news: not an outage, which watch-hq logs itself.
        if (tasks != null && tasks.failed(BackgroundTasks.FORWARDING, reason)) {
            LOG.atWarn().addKeyValue("event", "forwarding-failing")
                    .log("HQ calls fail although HQ answers its health check ({} in a row); {} update(s) stay queued and are retried: {}",
                            failures, batchSize, reason);
        } else {
            LOG.debug("HQ call failed (attempt {}), next try in {} ms: {}", failures, delay, reason);
        }
    }

    public synchronized void succeeded() {
        if (tasks != null && failures > 0 && tasks.succeeded(BackgroundTasks.FORWARDING)) {
            LOG.atInfo().addKeyValue("event", "forwarding-resumed")
                    .log("HQ answers again after {} failed attempt(s); forwarding resumes", failures);
        }
        failures = 0;
        nextAttemptAt = 0;
    }

    /** Try at once (for example when connectivity comes back). */
    public synchronized void retryNow() {
        nextAttemptAt = 0;
    }

    public synchronized long totalFailures() {
        return totalFailures;
    }

    public synchronized int consecutiveFailures() {
        return failures;
    }
}
