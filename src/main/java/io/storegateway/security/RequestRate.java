package io.storegateway.security;

import io.storegateway.config.GatewaySettings;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * How many HTTP requests each user (each token) may make: a token bucket per user that holds at
 * most {@link #BURST} requests and refills at {@link #PER_SECOND}. A till sending a few updates a
 * second never notices it; a runaway client or a stolen token cannot flood the gateway, and one user
 * over its rate does not slow the others. Per user, not per connection, so opening more connections
 * does not help. 0 for either setting switches the limit off.
 */
public final class RequestRate {

    public static final String PER_SECOND = "gateway.security.rate.per-second";
    public static final String BURST = "gateway.security.rate.burst";
    public static final double DEFAULT_PER_SECOND = 500;
    public static final double DEFAULT_BURST = 1000;

    private static final double NANOS_PER_SECOND = 1_000_000_000d;

    private final double perSecond;
    private final double burst;
    private final LongSupplier nanoTime;
    /** One bucket per user of the users file, so this map is as small as that file. */
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    RequestRate(double perSecond, double burst, LongSupplier nanoTime) {
        if (perSecond < 0 || burst < 0 || Double.isNaN(perSecond) || Double.isNaN(burst)) {
            throw new IllegalArgumentException(PER_SECOND + " and " + BURST + " must be 0 (no limit) or more");
        }
        if (perSecond > 0 && burst > 0 && burst < 1) {
            throw new IllegalArgumentException(BURST + " must be at least 1 (or 0: no limit)");
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoTime = nanoTime;
    }

    public static RequestRate from(GatewaySettings settings) {
        return new RequestRate(settings.getDouble(PER_SECOND, DEFAULT_PER_SECOND),
                settings.getDouble(BURST, DEFAULT_BURST), System::nanoTime);
    }

    public static RequestRate unlimited() {
        return new RequestRate(0, 0, System::nanoTime);
    }

    public boolean limited() {
        return perSecond > 0 && burst > 0;
    }

    public double perSecond() {
        return perSecond;
    }

    /**
     * Takes one request from the user's bucket: 0 when the request may go ahead, else the whole
     * seconds (at least 1) until it may, for {@code Retry-After}. A refused request takes nothing.
     */
    public long secondsToWait(Principal user) {
        if (!limited()) {
            return 0;
        }
        return buckets.computeIfAbsent(user.name(), name -> new Bucket(burst, nanoTime.getAsLong())).take();
    }

    private final class Bucket {
        private double tokens;
        private long refilledAt;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }

        synchronized long take() {
            long now = nanoTime.getAsLong();
            tokens = Math.min(burst, tokens + (now - refilledAt) / NANOS_PER_SECOND * perSecond);
            refilledAt = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / perSecond));
        }
    }
}
