package io.storegateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ActivityHistoryTest {

    private Instant now = Instant.parse("2026-11-27T10:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong forwarded = new AtomicLong();

    @Test
    void ratesArePerSecondSinceTheSampleBefore() {
        ActivityHistory history = new ActivityHistory(clock, 10_000, backlog::get, accepted::get, forwarded::get);
        history.sample();
        now = now.plusSeconds(10);
        backlog.set(40);
        accepted.set(50);
        forwarded.set(10);
        history.sample();

        JsonNode points = history.toJson().path("points");

        assertThat(points).hasSize(2);
        assertThat(points.get(0).path("acceptedPerSecond").asDouble()).isZero();
        assertThat(points.get(1).path("at").asText()).isEqualTo("2026-11-27T10:00:10Z");
        assertThat(points.get(1).path("backlog").asLong()).isEqualTo(40);
        assertThat(points.get(1).path("acceptedPerSecond").asDouble()).isEqualTo(5.0);
        assertThat(points.get(1).path("forwardedPerSecond").asDouble()).isEqualTo(1.0);
    }

    @Test
    void keepsOnlyTheLastHour() {
        ActivityHistory history = new ActivityHistory(clock, 60_000, backlog::get, accepted::get, forwarded::get);
        for (int minute = 0; minute <= 90; minute++) {
            backlog.set(minute);
            history.sample();
            now = now.plus(Duration.ofMinutes(1));
        }

        JsonNode points = history.toJson().path("points");

        assertThat(points).hasSize(61);
        assertThat(points.get(0).path("backlog").asLong()).isEqualTo(30);
        assertThat(points.get(60).path("backlog").asLong()).isEqualTo(90);
    }
}
