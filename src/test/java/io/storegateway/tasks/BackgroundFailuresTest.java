package io.storegateway.tasks;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * HQ starts refusing the gateway's token while its health check still answers: the poll of HQ's changes
 * fails, and IT sees it (the status names the task, since when and HQ's answer; the metric is 1) until
 * the token is accepted again. Before, the route logged it at DEBUG and nothing showed.
 */
@ExtendWith(ClosesTestGateways.class)
class BackgroundFailuresTest {

    private TestGateway t;

    @Test
    void hqRefusingTheTokenOnItsChangesShowsInTheStatusAndTheMetricsUntilItRecovers() {
        t = TestGateway.started("background-failures", 3, Map.of("gateway.changes.interval-ms", "200"));
        TerminalClient admin = new TerminalClient(t.baseUrl(), TestGateway.ADMIN_TOKEN);
        await().atMost(Duration.ofSeconds(20)).until(() -> !task(admin).path("lastSuccessAt").isNull());

        t.hq.setRequiredToken("a-token-the-gateway-does-not-have");
        await().atMost(Duration.ofSeconds(20)).until(() -> task(admin).path("failing").asBoolean());
        JsonNode failing = task(admin);
        assertThat(failing.path("lastError").asText()).contains("401");
        assertThat(failing.path("failingSince").isNull()).isFalse();
        assertThat(admin.get("/observe/metrics").body())
                .contains("gateway_task_failing{task=\"" + BackgroundTasks.HQ_CHANGES + "\"} 1.0")
                .contains("gateway_task_failing{task=\"" + BackgroundTasks.CATALOGUE + "\"} 0.0");

        t.hq.setRequiredToken(TestGateway.HQ_TOKEN);
        await().atMost(Duration.ofSeconds(20)).until(() -> !task(admin).path("failing").asBoolean());
        assertThat(admin.get("/observe/metrics").body()).contains("gateway_task_failing{task=\"" + BackgroundTasks.HQ_CHANGES + "\"} 0.0");
    }

    @Test
    void aBatchFailingAgainAndAgainNamesTheUpdateItHoldsBackAndTheReason() {
        t = TestGateway.started("stuck-batch", 3, Map.of("gateway.forward.backoff.initial-ms", "50",
                "gateway.forward.backoff.max-ms", "200", "gateway.hq.breaker.wait-in-open-ms", "200"));
        TerminalClient admin = new TerminalClient(t.baseUrl(), TestGateway.ADMIN_TOKEN);
        t.hq.setFault("error", 1.0, 0);
        assertThat(t.terminal().post(TerminalClient.adjust("stuck-1", "SKU-0002", 1)).status()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(20)).until(() -> task(admin, BackgroundTasks.FORWARDING).path("failuresInARow").asLong() >= 2);
        JsonNode forwarding = task(admin, BackgroundTasks.FORWARDING);
        assertThat(forwarding.path("failing").asBoolean()).isTrue();
        assertThat(forwarding.path("lastError").asText()).contains("500");
        assertThat(forwarding.path("oldestQueuedUpdate").asText()).isEqualTo("stuck-1 (SKU-0002)");

        t.hq.setFault("none", 1.0, 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> !task(admin, BackgroundTasks.FORWARDING).path("failing").asBoolean());
        assertThat(task(admin, BackgroundTasks.FORWARDING).has("oldestQueuedUpdate")).isFalse();
    }

    private static JsonNode task(TerminalClient admin) {
        return task(admin, BackgroundTasks.HQ_CHANGES);
    }

    private static JsonNode task(TerminalClient admin, String name) {
        return admin.get("/admin/v1/status").json().path("tasks").path(name);
    }
}
