package io.storegateway.forward;

import io.storegateway.CapturedLog;
import io.storegateway.TestClock;
import io.storegateway.config.GatewaySettings;
import io.storegateway.tasks.BackgroundTasks;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The schedule (exponential from the initial delay, capped, with jitter either side; never gives up)
 * and when the next try is due, on a clock the test moves. Failed HQ calls are news only while HQ answers its health check, once watch-hq has had the time to
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

    @Test
    void delaysGrowByTheMultiplierUpToTheCap() {
        ForwardBackoff b = new ForwardBackoff(100, 2.0, 1000, 0.0, new ManualClock());

        assertThat(b.delayAfter(0)).as("no failure yet: the initial delay").isEqualTo(100);
        assertThat(b.delayAfter(1)).isEqualTo(100);
        assertThat(b.delayAfter(2)).isEqualTo(200);
        assertThat(b.delayAfter(3)).isEqualTo(400);
        assertThat(b.delayAfter(4)).isEqualTo(800);
        assertThat(b.delayAfter(5)).isEqualTo(1000);
        assertThat(b.delayAfter(500)).as("however long HQ is away").isEqualTo(1000);
    }

    @Test
    void jitterSpreadsEachDelayEitherSideOfTheScheduleAndNoFurther() {
        ForwardBackoff b = new ForwardBackoff(1000, 2.0, 30_000, 0.2, new ManualClock());
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            long first = b.delayAfter(1);
            long capped = b.delayAfter(100);
            assertThat(first).isBetween(800L, 1200L);
            assertThat(capped).as("the cap is the middle of the spread").isBetween(24_000L, 36_000L);
            seen.add(first);
        }
        assertThat(seen).as("jitter spreads retries of many stores over time").hasSizeGreaterThan(10)
                .anyMatch(d -> d < 950).anyMatch(d -> d > 1050);
    }

    @Test
    void theDefaultsAreHalfASecondDoublingUpToThirtySeconds() {
        ForwardBackoff b = ForwardBackoff.from(GatewaySettings.of(Map.of(ForwardBackoff.JITTER, "0")),
                new ManualClock());

        assertThat(b.delayAfter(1)).isEqualTo(500);
        assertThat(b.delayAfter(2)).isEqualTo(1000);
        assertThat(b.delayAfter(20)).isEqualTo(30_000);
    }

    @Test
    void aFailureMakesForwardingWaitOutTheDelayThenTryAgain() {
        ManualClock time = new ManualClock();
        ForwardBackoff b = new ForwardBackoff(100, 2.0, 1000, 0.0, time);
        assertThat(b.waiting()).as("nothing failed").isFalse();

        b.failed(1, "HTTP 503");
        assertThat(b.waiting()).isTrue();
        time.advance(99);
        assertThat(b.waiting()).isTrue();
        time.advance(1);
        assertThat(b.waiting()).as("100 ms after the first failure").isFalse();

        b.failed(1, "HTTP 503");
        time.advance(199);
        assertThat(b.waiting()).as("the second failure waits 200 ms").isTrue();
        time.advance(1);
        assertThat(b.waiting()).isFalse();
        assertThat(b.consecutiveFailures()).isEqualTo(2);
    }

    @Test
    void retryNowEndsTheWaitButKeepsTheCount() {
        ManualClock time = new ManualClock();
        ForwardBackoff b = new ForwardBackoff(100, 2.0, 1000, 0.0, time);
        b.failed(1, "Connection refused");
        b.failed(1, "Connection refused");
        assertThat(b.waiting()).isTrue();

        b.retryNow();

        assertThat(b.waiting()).isFalse();
        assertThat(b.consecutiveFailures()).as("the next failure still waits longer").isEqualTo(2);
        b.failed(1, "Connection refused");
        time.advance(399);
        assertThat(b.waiting()).isTrue();
    }

    @Test
    void successStartsTheScheduleAgainAndKeepsTheTotal() {
        ManualClock time = new ManualClock();
        ForwardBackoff b = new ForwardBackoff(100, 2.0, 1000, 0.0, time);
        for (int i = 0; i < 5; i++) {
            b.failed(1, "HTTP 500");
        }
        b.succeeded();

        assertThat(b.waiting()).isFalse();
        assertThat(b.consecutiveFailures()).isZero();
        assertThat(b.totalFailures()).isEqualTo(5);
        b.failed(1, "HTTP 500");
        time.advance(100);
        assertThat(b.waiting()).as("back to the initial delay").isFalse();
    }

    /** Stands still until the test moves it. */
    private static final class ManualClock extends Clock {

        private Instant now = Instant.parse("2026-12-01T10:00:00Z");

        void advance(long millis) {
            now = now.plusMillis(millis);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
