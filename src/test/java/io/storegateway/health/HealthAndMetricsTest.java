package io.storegateway.health;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.mirror.UpdateStatus;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** /observe/health names the broker, mirror and HQ checks; /observe/metrics has what IT graphs. */
@ExtendWith(ClosesTestGateways.class)
class HealthAndMetricsTest {

    private TestGateway t;

    @Test
    void healthNamesTheBrokerMirrorAndHqChecksAndHqGoingAwayOnlyAffectsReadiness() {
        t = TestGateway.started("health", 3, Map.of("gateway.connectivity.interval-ms", "300"));
        TerminalClient anonymous = new TerminalClient(t.baseUrl(), null);
        await().atMost(Duration.ofSeconds(10)).until(() -> anonymous.get("/observe/health").status() == 200);

        TerminalClient.Reply up = anonymous.get("/observe/health");
        Map<String, String> checks = checks(up.json());
        assertThat(up.json().path("status").asText()).isEqualTo("UP");
        assertThat(checks).containsEntry("broker", "UP").containsEntry("mirror", "UP").containsEntry("hq", "UP");

        t.hq.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> anonymous.get("/observe/health").status() == 503);
        TerminalClient.Reply down = anonymous.get("/observe/health");
        assertThat(checks(down.json())).containsEntry("hq", "DOWN").containsEntry("broker", "UP").containsEntry("mirror", "UP");
        assertThat(down.body()).contains("HQ is unreachable since");
        TerminalClient.Reply live = anonymous.get("/observe/health/live");
        assertThat(live.status()).isEqualTo(200);
        assertThat(checks(live.json())).containsKeys("broker", "mirror").doesNotContainKey("hq");
        assertThat(anonymous.get("/observe/health/ready").status()).isEqualTo(503);

        t.hq.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> anonymous.get("/observe/health").status() == 200);
    }

    @Test
    void metricsCountUpdatesByChannelAndOutcomeAndTimeHqCalls() {
        t = TestGateway.started("metrics", 3);
        TerminalClient terminal = t.terminal();
        assertThat(terminal.post(TerminalClient.adjust("m-1", "SKU-0001", 1)).status()).isEqualTo(202);
        assertThat(terminal.post(TerminalClient.adjust("m-2", "SKU-0002", 1)).status()).isEqualTo(202);
        assertThat(terminal.post(TerminalClient.adjust("m-1", "SKU-0001", 1)).status()).isEqualTo(202);
        assertThat(terminal.post("{\"sku\":").status()).isEqualTo(400);
        assertThat(terminal.post("{}", "text/plain").status()).isEqualTo(415);
        await().atMost(Duration.ofSeconds(20)).until(() -> t.gateway().acceptedUpdates().count(UpdateStatus.APPLIED) == 2);

        String metrics = new TerminalClient(t.baseUrl(), null).get("/observe/metrics").body();
        assertThat(metrics)
                .contains("gateway_updates_accepted_total{channel=\"HTTP\"} 2.0")
                .contains("gateway_updates_accepted_total{channel=\"JMS\"} 0.0")
                .contains("gateway_updates_duplicate_total{channel=\"HTTP\"} 1.0")
                .contains("gateway_updates_rejected_total{channel=\"HTTP\",reason=\"validation\"} 1.0")
                .contains("gateway_updates_rejected_total{channel=\"HTTP\",reason=\"media_type\"} 1.0")
                .contains("gateway_backlog ")
                .contains("gateway_dlq ")
                .contains("gateway_invalid ")
                .contains("gateway_forwarded_batches_total")
                .contains("gateway_forwarded_updates_total 2.0")
                .contains("gateway_forward_retries_total")
                .contains("gateway_hq_breaker_state{state=\"CLOSED\"} 1.0")
                .contains("gateway_hq_online 1.0")
                .contains("gateway_conflicts_open 0.0")
                .contains("gateway_reconcile_drift_total")
                .contains("gateway_sync_lag_seconds 0.0");
        assertThat(metrics).containsPattern("gateway_hq_request_seconds_bucket\\{call=\"updates\",outcome=\"ok\",le=\"[0-9.]+\"} [1-9]");
        assertThat(metrics).containsPattern("gateway_hq_request_seconds_count\\{call=\"health\",outcome=\"ok\"} [1-9]");
    }

    private static Map<String, String> checks(JsonNode health) {
        Map<String, String> byName = new HashMap<>();
        health.path("checks").forEach(c -> byName.put(c.path("name").asText(), c.path("status").asText()));
        return byName;
    }
}
