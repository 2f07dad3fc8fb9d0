package io.storegateway.forward;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.broker.Queues;
import io.storegateway.mirror.UpdateStatus;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * HQ answering its health check again after an outage: the first update reaches HQ within 2 s, not at
 * the next back-off tick or when the breaker's wait ends (a long outage, breaker open); and the calls
 * that failed while HQ was away do not open the breaker once HQ answers (a short outage).
 */
@ExtendWith(ClosesTestGateways.class)
class ReconnectTest {

    private TestGateway t;

    @Test
    void drainingStartsWithinTwoSecondsOfHqAnsweringAgainAfterALongOutage() {
        // The back-off grows to 4 s (twice the bound) and an open breaker waits 60 s: without the
        // connectivity watch the backlog would sit for up to a minute after HQ is back. The watch pings
        // every second (the default).
        t = TestGateway.started("reconnect", 5, Map.of(
                "gateway.forward.backoff.initial-ms", "200",
                "gateway.forward.backoff.max-ms", "4000",
                "gateway.hq.breaker.minimum-calls", "3",
                "gateway.hq.breaker.sliding-window-calls", "3",
                "gateway.hq.breaker.wait-in-open-ms", "60000",
                "gateway.connectivity.interval-ms", "1000"));
        TerminalClient terminal = t.terminal();
        await().atMost(Duration.ofSeconds(10)).until(() -> t.gateway().connectivity().online());
        t.hq.stop();
        for (int i = 0; i < 20; i++) {
            assertThat(terminal.post(TerminalClient.adjust("long-" + i, "SKU-0001", 1)).status()).isEqualTo(202);
        }

        // HQ stays away until the back-off has reached its cap (200+400+800+1600+3200 ms, then 4 s
        // ± 20 %) and the breaker is open.
        await().atMost(Duration.ofSeconds(30)).until(() -> t.gateway().status().breakerState().equals("OPEN")
                && !t.gateway().connectivity().online()
                && t.gateway().status().toJson().path("lagSeconds").asLong() >= 8);
        JsonNode offline = new TerminalClient(t.baseUrl(), TestGateway.ADMIN_TOKEN).get("/admin/v1/status").json();
        assertThat(offline.path("online").asBoolean()).isFalse();
        assertThat(offline.path("breaker").asText()).isEqualTo("OPEN");
        assertThat(offline.path("backlog").asLong()).isEqualTo(20);
        assertThat(offline.path("dlq").asLong()).isZero();

        long back = System.nanoTime();
        t.hq.start();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> t.hq.appliedCount(TestGateway.STORE) > 0);
        long firstUpdateMs = (System.nanoTime() - back) / 1_000_000;
        System.out.printf("Reconnect: first update reached HQ %d ms after HQ answered again (outage > back-off cap, breaker open)%n",
                firstUpdateMs);

        assertThat(firstUpdateMs).isLessThan(2000);
        await().atMost(Duration.ofSeconds(20)).until(() -> t.gateway().acceptedUpdates().count(UpdateStatus.APPLIED) == 20);
        JsonNode online = new TerminalClient(t.baseUrl(), TestGateway.ADMIN_TOKEN).get("/admin/v1/status").json();
        assertThat(online.path("online").asBoolean()).isTrue();
        assertThat(online.path("breaker").asText()).isEqualTo("CLOSED");
        assertThat(online.at("/hq/wentOffline").asLong()).isEqualTo(1);
        assertThat(t.gateway().depth(Queues.DLQ)).isZero();
        assertThat(t.hq.product(TestGateway.STORE, "SKU-0001").orElseThrow().quantity()).isEqualTo(120);
        String metrics = new TerminalClient(t.baseUrl(), null).get("/observe/metrics").body();
        assertThat(metrics).contains("gateway_hq_connectivity_changes_total{to=\"offline\"} 1.0")
                .contains("gateway_hq_online 1.0")
                .contains("gateway_hq_breaker_state{state=\"CLOSED\"} 1.0");
    }

    @Test
    void callsThatFailedWhileHqWasAwayDoNotOpenTheBreakerWhenHqAnswersAgain() {
        // A breaker that judges two calls, and one back-off step of a minute: during the outage
        // forwarding fails exactly once, fewer calls than the breaker judges, so it stays CLOSED. Before,
        // that failure stayed in its window: the first call after HQ came back made it one failure in
        // two, the breaker opened on a success, and forwarding paused for its whole wait (in the field: a
        // 30 s pause after an outage of 4-7 s; in CI, a forced re-send refused right after HQ returned).
        t = TestGateway.started("reconnect-short", 5, Map.of(
                "gateway.forward.backoff.initial-ms", "60000",
                "gateway.forward.backoff.max-ms", "60000",
                "gateway.hq.breaker.minimum-calls", "2",
                "gateway.hq.breaker.sliding-window-calls", "2",
                "gateway.hq.breaker.wait-in-open-ms", "60000",
                "gateway.connectivity.interval-ms", "200"));
        TerminalClient terminal = t.terminal();
        await().atMost(Duration.ofSeconds(10)).until(() -> t.gateway().connectivity().online());
        t.hq.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> !t.gateway().connectivity().online());
        assertThat(terminal.post(TerminalClient.adjust("short-1", "SKU-0001", 1)).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> t.forwardRetries() == 1);
        assertThat(t.gateway().status().breakerState()).isEqualTo("CLOSED");

        t.hq.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> "APPLIED".equals(terminal.update("short-1").path("status").asText()));
        assertThat(t.gateway().status().breakerState()).as("HQ's first answer after the outage").isEqualTo("CLOSED");
        assertThat(terminal.post(TerminalClient.adjust("short-2", "SKU-0002", 1)).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> "APPLIED".equals(terminal.update("short-2").path("status").asText()));
        assertThat(t.hq.appliedCount(TestGateway.STORE)).isEqualTo(2);
        assertThat(t.forwardRetries()).isEqualTo(1);
    }
}
