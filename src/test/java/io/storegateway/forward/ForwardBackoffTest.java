package io.storegateway.forward;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.storegateway.CapturedLog;
import io.storegateway.TestClock;
import io.storegateway.tasks.BackgroundTasks;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failed HQ calls are news only while HQ answers its health check, once watch-hq has had the time to
 * see an outage (BackgroundTasks decides): an outage has its own lines (HqConnectivity).
 */
class ForwardBackoffTest {

    private final AtomicBoolean hqAnswers = new AtomicBoolean(true);
    private final TestClock clock = new TestClock();
    private final ForwardBackoff backoff = new ForwardBackoff(100, 2.0, 1000, 0.0, clock);

    @RegisterExtension
    final CapturedLog log = CapturedLog.of(ForwardBackoff.class);

    @BeforeEach
    void reportToTheTasks() {
        backoff.reportTo(new BackgroundTasks(hqAnswers::get, clock, Duration.ofSeconds(2)));
    }

    @Test
    void callsFailingWhileHqAnswersAreOneWarningAndOneRecovery() {
        backoff.failed(10, "HTTP 500");
        clock.advance(Duration.ofSeconds(1));
        backoff.failed(10, "HTTP 500");
        assertThat(log.worthKnowing()).as("watch-hq may not have seen an outage yet").isEmpty();
        clock.advance(Duration.ofSeconds(1));
        backoff.failed(10, "HTTP 500");
        backoff.failed(10, "HTTP 500");
        backoff.succeeded();

        assertThat(log.worthKnowing()).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN, Level.INFO);
        assertThat(log.events("forwarding-failing")).hasSize(1).first().extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("3 in a row").contains("HTTP 500");
        assertThat(log.events("forwarding-resumed")).hasSize(1).first().extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("after 4 failed attempt(s)");
    }

    @Test
    void failuresDuringAnOutageAddNothingToItsOwnLines() {
        backoff.failed(10, "Connection refused");
        hqAnswers.set(false);
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofSeconds(30));
            backoff.failed(10, "Connection refused");
        }
        hqAnswers.set(true);
        backoff.succeeded();

        assertThat(log.worthKnowing()).isEmpty();
        assertThat(backoff.totalFailures()).isEqualTo(11);
    }
}
