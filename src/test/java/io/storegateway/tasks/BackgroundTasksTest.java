package io.storegateway.tasks;

import io.storegateway.CapturedLog;
import io.storegateway.TestClock;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** One WARN when a task starts failing while HQ answers, one INFO when it recovers; the status says since when and why. */
class BackgroundTasksTest {

    private final AtomicBoolean hqOnline = new AtomicBoolean(true);
    private final TestClock clock = new TestClock();
    private final BackgroundTasks tasks = new BackgroundTasks(hqOnline::get, clock);
    @RegisterExtension
    final CapturedLog log = CapturedLog.of(BackgroundTasks.class);

    @Test
    void aTaskFailingWhileHqAnswersIsLoggedOnceAndItsRecoveryOnce() {
        Exception refused = new IllegalStateException("wrapped", new IOException("HTTP 401 on /changes"));
        tasks.failed(BackgroundTasks.HQ_CHANGES, refused);
        clock.advance(Duration.ofSeconds(30));
        tasks.failed(BackgroundTasks.HQ_CHANGES, refused);
        tasks.failed(BackgroundTasks.HQ_CHANGES, refused);

        assertThat(lines(Level.WARN)).hasSize(1).first().asString().contains(BackgroundTasks.HQ_CHANGES).contains("IOException: HTTP 401 on /changes");
        JsonNode s = tasks.status().path(BackgroundTasks.HQ_CHANGES);
        assertThat(s.path("failing").asBoolean()).isTrue();
        assertThat(s.path("failuresInARow").asLong()).isEqualTo(3);
        assertThat(s.path("lastError").asText()).isEqualTo("IOException: HTTP 401 on /changes");
        assertThat(s.path("failingSince").asText()).isNotEqualTo(s.path("lastFailureAt").asText());
        assertThat(tasks.failing(BackgroundTasks.HQ_CHANGES)).isTrue();
        assertThat(tasks.failing(BackgroundTasks.CATALOGUE)).isFalse();

        tasks.succeeded(BackgroundTasks.HQ_CHANGES);
        tasks.succeeded(BackgroundTasks.HQ_CHANGES);
        assertThat(lines(Level.INFO)).hasSize(1).first().asString().contains("works again after 3 failed tries");
        assertThat(tasks.status().path(BackgroundTasks.HQ_CHANGES).path("failing").asBoolean()).isFalse();
        assertThat(tasks.status().path(BackgroundTasks.HQ_CHANGES).path("lastSuccessAt").isNull()).isFalse();
    }

    @Test
    void failuresDuringAnOutageShowInTheStatusButWarnOnlyOnceHqAnswers() {
        hqOnline.set(false);
        tasks.failed(BackgroundTasks.RECONCILIATION, "Connection refused");
        tasks.failed(BackgroundTasks.RECONCILIATION, "Connection refused");
        assertThat(lines(Level.WARN)).isEmpty();
        assertThat(tasks.failing(BackgroundTasks.RECONCILIATION)).isTrue();

        // Back from the outage and it recovers: nothing was said, nothing to take back.
        hqOnline.set(true);
        tasks.succeeded(BackgroundTasks.RECONCILIATION);
        assertThat(log.all()).isEmpty();

        // HQ answers its health check, yet the task fails: that is news.
        tasks.failed(BackgroundTasks.RECONCILIATION, "HTTP 404 on /inventory");
        assertThat(lines(Level.WARN)).hasSize(1);
    }

    @Test
    void aFailureIsNotNewsBeforeWatchHqHadTheTimeToSeeAnOutage() {
        BackgroundTasks patient = new BackgroundTasks(hqOnline::get, clock, Duration.ofSeconds(4));
        // HQ has just gone away: the task fails before watch-hq found out, then the outage is known.
        patient.failed(BackgroundTasks.HQ_CHANGES, "Connection refused");
        clock.advance(Duration.ofSeconds(5));
        hqOnline.set(false);
        patient.failed(BackgroundTasks.HQ_CHANGES, "Connection refused");
        assertThat(log.all()).isEmpty();

        // HQ answers its health check, and the task still fails once that has had the time to show: news.
        hqOnline.set(true);
        patient.succeeded(BackgroundTasks.HQ_CHANGES);
        assertThat(patient.failed(BackgroundTasks.HQ_CHANGES, "HTTP 401")).isFalse();
        clock.advance(Duration.ofSeconds(4));
        assertThat(patient.failed(BackgroundTasks.HQ_CHANGES, "HTTP 401")).isTrue();
        assertThat(lines(Level.WARN)).hasSize(1).first().asString().contains("2 tries").contains("HTTP 401");
    }

    @Test
    void forwardingLogsItsOwnFailuresAndIsOnlyCountedHere() {
        tasks.failed(BackgroundTasks.FORWARDING, "HTTP 500");
        tasks.succeeded(BackgroundTasks.FORWARDING);
        assertThat(log.all()).isEmpty();
        assertThat(tasks.status().path(BackgroundTasks.FORWARDING).path("lastError").asText()).isEqualTo("HTTP 500");
    }

    private List<String> lines(Level level) {
        return log.all().stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }
}
