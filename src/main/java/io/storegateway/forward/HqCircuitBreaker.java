package io.storegateway.forward;

import io.storegateway.config.GatewaySettings;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The circuit breaker around the HQ call (used by the {@code post-to-hq} route through its
 * {@code circuitBreaker} EIP). Only transient failures count against HQ. It moves from OPEN to
 * HALF_OPEN by itself after the wait, and forwarding takes nothing from the queue while it is OPEN.
 * Its changes are logged by {@link HqBreakerLog}.
 */
public final class HqCircuitBreaker {

    public static final String FAILURE_RATE = "gateway.hq.breaker.failure-rate-percent";
    public static final String WINDOW = "gateway.hq.breaker.sliding-window-calls";
    public static final String MINIMUM_CALLS = "gateway.hq.breaker.minimum-calls";
    public static final String WAIT_OPEN_MS = "gateway.hq.breaker.wait-in-open-ms";
    public static final String HALF_OPEN_CALLS = "gateway.hq.breaker.half-open-calls";
    public static final String SLOW_CALL_MS = "gateway.hq.breaker.slow-call-ms";

    private HqCircuitBreaker() {
    }

    public static CircuitBreaker from(GatewaySettings s) {
        return from(s, () -> true);
    }

    /** {@code forwardingFailureIsNews}: whether the breaker's opening is news (HqBreakerLog), not an outage's effect. */
    public static CircuitBreaker from(GatewaySettings s, BooleanSupplier forwardingFailureIsNews) {
        long waitInOpenMs = s.getLong(WAIT_OPEN_MS, 30_000);
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .failureRateThreshold((float) s.getDouble(FAILURE_RATE, 50))
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(s.getInt(WINDOW, 10))
                .minimumNumberOfCalls(s.getInt(MINIMUM_CALLS, 5))
                .waitDurationInOpenState(Duration.ofMillis(waitInOpenMs))
                .permittedNumberOfCallsInHalfOpenState(s.getInt(HALF_OPEN_CALLS, 1))
                .slowCallDurationThreshold(Duration.ofMillis(s.getLong(SLOW_CALL_MS, 10_000)))
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .recordException(HqFailures::countsAgainstHq)
                .writableStackTraceEnabled(false)
                .build();
        CircuitBreaker breaker = CircuitBreaker.of("hq", config);
        breaker.getEventPublisher().onStateTransition(new HqBreakerLog(forwardingFailureIsNews, waitInOpenMs));
        return breaker;
    }

    /**
     * HQ answers again after an outage: the breaker closes and forgets the calls that failed while HQ was
     * away (a transition starts a new window, CLOSED to CLOSED too). Before, a breaker still CLOSED kept
     * them: after a short outage (fewer failed calls than minimum-calls), HQ's first answer took the
     * failure rate over the threshold, the breaker opened on that success, and forwarding paused for
     * wait-in-open-ms just after HQ came back.
     */
    public static void forgetOutage(CircuitBreaker breaker) {
        breaker.transitionToClosedState();
    }
}
