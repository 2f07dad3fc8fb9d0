package io.storegateway.forward;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.storegateway.config.GatewaySettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The breaker's trial calls during a long outage are not news: one line when it opens, one when it closes. */
class HqBreakerLogTest {

    private final AtomicBoolean hqAnswers = new AtomicBoolean(true);
    private final CircuitBreaker breaker = HqCircuitBreaker.from(
            GatewaySettings.of(Map.of(HqCircuitBreaker.WAIT_OPEN_MS, "60000")), hqAnswers::get);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(HqCircuitBreaker.class);

    @BeforeEach
    void listen() {
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(log);
    }

    @Test
    void aLongOutageIsOneLineWhenTheBreakerOpensAndOneWhenItCloses() {
        breaker.transitionToOpenState();
        for (int trial = 0; trial < 5; trial++) {
            breaker.transitionToHalfOpenState();
            breaker.transitionToOpenState();
        }
        breaker.transitionToHalfOpenState();
        breaker.transitionToClosedState();

        List<ILoggingEvent> lines = worthKnowing();
        assertThat(lines).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN, Level.INFO);
        assertThat(lines.get(0).getFormattedMessage()).contains("CLOSED -> OPEN").contains("a trial call every 60000 ms");
        assertThat(lines.get(1).getFormattedMessage()).contains("HALF_OPEN -> CLOSED").contains("forwarding resumes");
        assertThat(lines).allSatisfy(e -> assertThat(e.getKeyValuePairs())
                .anySatisfy(kv -> assertThat(kv.key + "=" + kv.value).isEqualTo("event=breaker")));
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

        assertThat(worthKnowing()).isEmpty();
    }

    @Test
    void eachNewOpeningIsNewsAgain() {
        breaker.transitionToOpenState();
        breaker.transitionToClosedState();
        breaker.transitionToOpenState();
        breaker.transitionToClosedState();

        assertThat(worthKnowing()).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN, Level.INFO, Level.WARN, Level.INFO);
    }

    private List<ILoggingEvent> worthKnowing() {
        return log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).toList();
    }
}
