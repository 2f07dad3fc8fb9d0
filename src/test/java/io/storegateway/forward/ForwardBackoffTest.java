package io.storegateway.forward;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.storegateway.TestClock;
import io.storegateway.tasks.BackgroundTasks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Failed HQ calls are news only while HQ answers its health check; an outage has its own line (HqConnectivity). */
class ForwardBackoffTest {

    private final AtomicBoolean hqAnswers = new AtomicBoolean(true);
    private final TestClock clock = new TestClock();
    private final ForwardBackoff backoff = new ForwardBackoff(100, 2.0, 1000, 0.0, clock);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ForwardBackoff.class);

    @BeforeEach
    void listen() {
        backoff.reportTo(new BackgroundTasks(hqAnswers::get, clock));
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(log);
    }

    @Test
    void callsFailingWhileHqAnswersAreOneWarningAndOneRecovery() {
        backoff.failed(10, "HTTP 500");
        assertThat(worthKnowing()).as("the first failure may be an outage watch-hq has not seen yet").isEmpty();
        backoff.failed(10, "HTTP 500");
        backoff.failed(10, "HTTP 500");
        backoff.succeeded();

        assertThat(worthKnowing()).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN, Level.INFO);
        assertThat(worthKnowing().get(0).getFormattedMessage()).contains("2 in a row").contains("HTTP 500");
        assertThat(worthKnowing().get(1).getFormattedMessage()).contains("after 3 failed attempt(s)");
    }

    @Test
    void failuresDuringAnOutageAddNothingToItsOwnLines() {
        hqAnswers.set(false);
        for (int i = 0; i < 10; i++) {
            backoff.failed(10, "Connection refused");
        }
        hqAnswers.set(true);
        backoff.succeeded();

        assertThat(worthKnowing()).isEmpty();
        assertThat(backoff.totalFailures()).isEqualTo(10);
    }

    private List<ILoggingEvent> worthKnowing() {
        return log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).toList();
    }
}
