package io.storegateway.forward;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.storegateway.CapturedLog;
import io.storegateway.TestClock;
import io.storegateway.tasks.BackgroundTasks;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Failed HQ calls are news only while HQ answers its health check; an outage has its own line (HqConnectivity). */
class ForwardBackoffTest {

    private final AtomicBoolean hqAnswers = new AtomicBoolean(true);
    private final TestClock clock = new TestClock();
    private final ForwardBackoff backoff = new ForwardBackoff(100, 2.0, 1000, 0.0, clock);

    @RegisterExtension
    final CapturedLog log = CapturedLog.of(ForwardBackoff.class);

    @BeforeEach
    void reportToTheTasks() {
        backoff.reportTo(new BackgroundTasks(hqAnswers::get, clock));
    }

    @Test
    void callsFailingWhileHqAnswersAreOneWarningAndOneRecovery() {
        backoff.failed(10, "HTTP 500");
        assertThat(log.worthKnowing()).as("the first failure may be an outage watch-hq has not seen yet").isEmpty();
        backoff.failed(10, "HTTP 500");
        backoff.failed(10, "HTTP 500");
        backoff.succeeded();

        assertThat(log.worthKnowing()).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN, Level.INFO);
        assertThat(log.worthKnowing().get(0).getFormattedMessage()).contains("2 in a row").contains("HTTP 500");
        assertThat(log.worthKnowing().get(1).getFormattedMessage()).contains("after 3 failed attempt(s)");
    }

    @Test
    void failuresDuringAnOutageAddNothingToItsOwnLines() {
        hqAnswers.set(false);
        for (int i = 0; i < 10; i++) {
            backoff.failed(10, "Connection refused");
        }
        hqAnswers.set(true);
        backoff.succeeded();

        assertThat(log.worthKnowing()).isEmpty();
        assertThat(backoff.totalFailures()).isEqualTo(10);
    }
}
