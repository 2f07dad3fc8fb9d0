package io.storegateway.forward;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.broker.Queues;
import io.storegateway.hq.ProductRecord;
import io.storegateway.mirror.UpdateStatus;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** With HQ away the store keeps working; when HQ returns everything drains and the mirror equals HQ. */
@ExtendWith(ClosesTestGateways.class)
class OfflineQueueingTest {

    private static final int SKUS = 20;
    private static final int UPDATES = 200;

    private TestGateway t;

    @Test
    void updatesQueueWhileHqIsDownAndDrainWhenItReturns() {
        t = TestGateway.started("offline", SKUS);
        TerminalClient terminal = t.terminal();
        t.hq.stop();

        Map<String, Integer> deltas = postAdjustments(terminal, "off");

        assertThat(t.gateway().acceptedUpdates().count(UpdateStatus.QUEUED)).isEqualTo(UPDATES);
        await().atMost(Duration.ofSeconds(10)).until(() -> t.gateway().backlog() == UPDATES);
        deltas.forEach((sku, delta) -> {
            JsonNode p = terminal.product(sku);
            assertThat(p.path("syncState").asText()).as(sku).isEqualTo("PENDING");
            assertThat(p.path("pending").asInt()).as(sku).isEqualTo(UPDATES / SKUS);
            assertThat(p.path("quantity").asLong()).as(sku).isEqualTo(100 + delta);
            assertThat(p.at("/hq/quantity").asLong()).as(sku).isEqualTo(100);
        });

        t.hq.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> t.gateway().acceptedUpdates().count(UpdateStatus.APPLIED) == UPDATES);
        assertThat(t.gateway().acceptedUpdates().count(UpdateStatus.QUEUED)).isZero();
        // The mirror records HQ's answer just before the batch is committed off the queue.
        await().atMost(Duration.ofSeconds(10)).until(() -> t.gateway().backlog() == 0);
        assertThat(t.gateway().depth(Queues.DLQ)).isZero();
        assertThat(t.hq.appliedCount(TestGateway.STORE)).isEqualTo(UPDATES);
        assertMirrorEqualsHq(terminal);
    }

    @Test
    void hqAnswering503KeepsUpdatesQueuedWithoutDeadLettering() {
        t = TestGateway.started("offline-503", SKUS);
        TerminalClient terminal = t.terminal();
        t.hq.setFault("down", 1.0, 0);

        postAdjustments(terminal, "svc");
        // Several back-off cycles (100 ms doubling to a 500 ms cap) pass while HQ answers 503.
        await().atMost(Duration.ofSeconds(20)).until(() -> t.hq.appliedCount(TestGateway.STORE) == 0
                && t.gateway().backlog() == UPDATES);
        assertThat(t.gateway().depth(Queues.DLQ)).isZero();

        t.hq.setFault("none", 1.0, 0);

        await().atMost(Duration.ofSeconds(60)).until(() -> t.gateway().acceptedUpdates().count(UpdateStatus.APPLIED) == UPDATES);
        assertThat(t.gateway().depth(Queues.DLQ)).isZero();
        assertMirrorEqualsHq(terminal);
    }

    @Test
    void aFailedCallIsFollowedByTheBackOffNotByAnotherCallAtOnce() {
        // Before, the route's next poll was already waiting for the batch's lane when HQ's call failed,
        // took the batch back at once and sent it again: each failure was two calls, and the breaker
        // counted both.
        t = TestGateway.started("offline-backoff", SKUS, Map.of(
                "gateway.forward.backoff.initial-ms", "5000",
                "gateway.forward.backoff.max-ms", "5000",
                "gateway.forward.backoff.jitter", "0"));
        TerminalClient terminal = t.terminal();
        t.hq.setFault("down", 1.0, 0);

        assertThat(terminal.post(TerminalClient.adjust("bo-1", "SKU-0001", 1)).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> t.forwardRetries() >= 1);
        await().during(Duration.ofMillis(2000)).atMost(Duration.ofMillis(2500)).until(() -> t.forwardRetries() == 1);

        t.hq.setFault("none", 1.0, 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> "APPLIED".equals(terminal.update("bo-1").path("status").asText()));
    }

    private static Map<String, Integer> postAdjustments(TerminalClient terminal, String prefix) {
        Map<String, Integer> deltas = new HashMap<>();
        for (int i = 0; i < UPDATES; i++) {
            String sku = String.format("SKU-%04d", 1 + i % SKUS);
            int delta = i % 3 == 0 ? -1 : 2;
            deltas.merge(sku, delta, Integer::sum);
            TerminalClient.Reply r = terminal.post(TerminalClient.adjust(prefix + "-" + i, sku, delta));
            assertThat(r.status()).as(r.body()).isEqualTo(202);
        }
        return deltas;
    }

    private void assertMirrorEqualsHq(TerminalClient terminal) {
        for (ProductRecord hq : t.hq.inventory(TestGateway.STORE)) {
            JsonNode p = terminal.product(hq.sku());
            assertThat(p.path("syncState").asText()).as(hq.sku()).isEqualTo("SYNCED");
            assertThat(p.path("name").asText()).as(hq.sku()).isEqualTo(hq.name());
            assertThat(p.path("price").decimalValue()).as(hq.sku()).isEqualByComparingTo(hq.price());
            assertThat(p.path("quantity").asLong()).as(hq.sku()).isEqualTo(hq.quantity());
            assertThat(p.path("version").asLong()).as(hq.sku()).isEqualTo(hq.version());
            assertThat(p.at("/hq/quantity").asLong()).as(hq.sku()).isEqualTo(hq.quantity());
        }
    }
}
