package io.storegateway.forward;

import io.storegateway.CapturedLog;
import io.storegateway.config.GatewaySettings;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The breaker's trial calls are not news: one line when it opens, one when it closes, and none for an outage. */
class HqBreakerLogTest {

    private final AtomicBoolean forwardingFailureIsNews = new AtomicBoolean(true);
    private final CircuitBreaker breaker = HqCircuitBreaker.from(
            GatewaySettings.of(Map.of(HqCircuitBreaker.WAIT_OPEN_MS, "60000")), forwardingFailureIsNews::get);

    @RegisterExtension
    final CapturedLog log = CapturedLog.of(HqCircuitBreaker.class);

    @Test
    void aLongOutageIsOneLineWhenTheBreakerOpensAndOneWhenItCloses() {
        breaker.transitionToOpenState();
        for (int trial = 0; trial < 5; trial++) {
            breaker.transitionToHalfOpenState();
            breaker.transitionToOpenState();
        }
        breaker.transitionToHalfOpenState();
        breaker.transitionToClosedState();

        List<ILoggingEvent> lines = log.worthKnowing();
        assertThat(lines).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN, Level.INFO);
        assertThat(lines.get(0).getFormattedMessage()).contains("CLOSED -> OPEN").contains("a trial call every 60000 ms");
        assertThat(lines.get(1).getFormattedMessage()).contains("HALF_OPEN -> CLOSED").contains("forwarding resumes");
        assertThat(log.events("breaker")).isEqualTo(lines);
    }

    @Test
    void duringAnOutageTheBreakerAddsNothingToItsLines() {
        forwardingFailureIsNews.set(false);
        breaker.transitionToOpenState();
        breaker.transitionToHalfOpenState();
        breaker.transitionToOpenState();
        // HQ is back: HqConnectivity closes the breaker and says so itself.
        breaker.transitionToClosedState();

        assertThat(log.worthKnowing()).isEmpty();
    }

    @Test
    void anOpeningBeforeForwardingsFailureWasNewsIsToldAtTheNextFailedTrial() {
        forwardingFailureIsNews.set(false);
        breaker.transitionToOpenState();
        forwardingFailureIsNews.set(true);
        breaker.transitionToHalfOpenState();
        breaker.transitionToOpenState();
        breaker.transitionToHalfOpenState();
        breaker.transitionToOpenState();
        breaker.transitionToHalfOpenState();
        breaker.transitionToClosedState();

        assertThat(log.worthKnowing()).extracting(ILoggingEvent::getFormattedMessage)
                .satisfiesExactly(open -> assertThat(open).startsWith("Circuit breaker HALF_OPEN -> OPEN"),
                        closed -> assertThat(closed).startsWith("Circuit breaker HALF_OPEN -> CLOSED"));
    }

    @Test
    void eachNewOpeningIsNewsAgain() {
        breaker.transitionToOpenState();
        breaker.transitionToClosedState();
        breaker.transitionToOpenState();
        breaker.transitionToClosedState();

        assertThat(log.worthKnowing()).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN, Level.INFO, Level.WARN, Level.INFO);
    }
}
