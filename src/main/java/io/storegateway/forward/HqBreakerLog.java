package io.storegateway.forward;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import io.github.resilience4j.core.EventConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BooleanSupplier;

/**
 * The HQ breaker's changes as IT reads them: one line when it opens, one when it closes, never the
 * OPEN → HALF_OPEN → OPEN trial that a long outage repeats every wait-in-open-ms (DEBUG). Its
 * opening is news only when forwarding's failure is (BackgroundTasks: HQ answers its health check,
 * and watch-hq has had the time to see an outage); otherwise a later failed trial may still make it
 * news. An outage has its own two lines (HqConnectivity).
 */
final class HqBreakerLog implements EventConsumer<CircuitBreakerOnStateTransitionEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(HqCircuitBreaker.class);

    private final BooleanSupplier forwardingFailureIsNews;
    private final long waitInOpenMs;
    private boolean open;
    private boolean told;

    HqBreakerLog(BooleanSupplier forwardingFailureIsNews, long waitInOpenMs) {
        this.forwardingFailureIsNews = forwardingFailureIsNews;
        this.waitInOpenMs = waitInOpenMs;
    }

    @Override
    public synchronized void consumeEvent(CircuitBreakerOnStateTransitionEvent event) {
        CircuitBreaker.State from = event.getStateTransition().getFromState();
        CircuitBreaker.State to = event.getStateTransition().getToState();
        if (to == CircuitBreaker.State.OPEN) {
            open = true;
            if (!told && forwardingFailureIsNews.getAsBoolean()) {
                told = true;
                LOG.atWarn().addKeyValue("event", "breaker").addKeyValue("state", to.name())
                        .log("Circuit breaker {} -> {}: HQ calls fail although HQ answers its health check; forwarding "
                                + "pauses, with a trial call every {} ms", from, to, waitInOpenMs);
                return;
            }
        } else if (to == CircuitBreaker.State.CLOSED && open) {
            open = false;
            if (told) {
                told = false;
                LOG.atInfo().addKeyValue("event", "breaker").addKeyValue("state", to.name())
                        .log("Circuit breaker {} -> {}: HQ calls succeed again; forwarding resumes", from, to);
                return;
            }
        }
        LOG.debug("Circuit breaker {} -> {}", from, to);
    }
}
