package io.storegateway.routes;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.broker.Queues;
import io.storegateway.config.GatewaySettings;
import io.storegateway.mirror.UpdateStatus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * IT copies forward-to-hq into a second file (or a swap forces a route down mid-batch): two routes
 * then take batches from the one outbound session. A batch must never ride along with another's
 * commit or rollback: with HQ failing now and then, every update still reaches HQ exactly once.
 */
@ExtendWith(ClosesTestGateways.class)
class TwoForwardingRoutesTest {

    private TestGateway t;

    @Test
    void aSecondRouteTakingBatchesLosesNothingWhileHqFailsNowAndThen() throws Exception {
        Path routes = ShippedRoutes.copy("two-forwarders");
        String forward = Files.readString(routes.resolve("forward-to-hq.camel.yaml"));
        Files.writeString(routes.resolve("forward-to-hq-copy.camel.yaml"), forward
                .replace("id: forward-to-hq", "id: forward-to-hq-copy")
                .replace("scheduler:forward-to-hq", "scheduler:forward-to-hq-copy"));
        // A 30 % error rate opens the circuit breaker now and then (half of a window of calls failed): a
        // short wait in open, so its 30 s default cannot outlast the test's deadlines.
        t = TestGateway.started("two-forwarders", 5, Map.of(GatewaySettings.ROUTES_DIR, routes.toString(),
                "gateway.forward.batch-size", "10", "gateway.hq.breaker.wait-in-open-ms", "500"));
        assertThat(t.gateway().camelContext().getRoute("forward-to-hq-copy")).isNotNull();
        t.hq.setFault("error", 0.3, 20);

        TerminalClient terminal = t.terminal();
        int total = 300;
        for (int i = 0; i < total; i += 10) {
            StringBuilder body = new StringBuilder("[");
            for (int j = i; j < i + 10; j++) {
                body.append(j == i ? "" : ",").append(TerminalClient.adjust("two-" + j, "SKU-000" + (1 + j % 5), 1));
            }
            assertThat(terminal.post(body.append(']').toString()).status()).isEqualTo(202);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> t.gateway().forwardStats().updates() > 50);
        t.hq.setFault("none", 0, 0);

        await().atMost(Duration.ofSeconds(60)).until(() -> t.gateway().acceptedUpdates().count(UpdateStatus.APPLIED) == total);
        assertThat(t.hq.appliedCount(TestGateway.STORE)).isEqualTo(total);
        long sum = 0;
        for (int k = 1; k <= 5; k++) {
            sum += t.hq.product(TestGateway.STORE, "SKU-000" + k).orElseThrow().quantity();
        }
        assertThat(sum).as("every +1 applied once").isEqualTo(5 * 100 + total);
        // The last batch's rows can read APPLIED a moment before its JMS transaction commits: the queue
        // empties right after (a batch that never commits would keep it at 10 and fail here).
        await().atMost(Duration.ofSeconds(10)).until(() -> t.gateway().depth(Queues.OUTBOUND) == 0);
        assertThat(t.gateway().depth(Queues.DLQ)).isZero();
    }
}
