package io.storegateway.forward;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.storegateway.CapturedLog;
import io.storegateway.config.GatewaySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The breaker's trial calls during a long outage are not news: one line when it opens, one when it closes. */
class HqBreakerLogTest {

    private final AtomicBoolean hqAnswers = new AtomicBoolean(true);
    private final CircuitBreaker breaker = HqCircuitBreaker.from(
            GatewaySettings.of(Map.of(HqCircuitBreaker.WAIT_OPEN_MS, "60000")), hqAnswers::get);

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
    void whileWatchHqReportsTheOutageTheBreakerAddsNothing() {
        hqAnswers.set(false);
        breaker.transitionToOpenState();
        breaker.transitionToHalfOpenState();
        breaker.transitionToOpenState();
        hqAnswers.set(true);
        // HQ is back: HqConnectivity closes the breaker and says so itself.
        breaker.transitionToClosedState();

        assertThat(log.worthKnowing()).isEmpty();
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
