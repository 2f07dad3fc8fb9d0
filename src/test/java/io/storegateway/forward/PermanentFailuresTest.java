package io.storegateway.forward;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.broker.Queues;
import io.storegateway.mirror.UpdateStatus;

import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.QueueBrowser;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What HQ refuses for good is set aside; it never blocks the queue, and HQ refusing the gateway stops it. */
@ExtendWith(ClosesTestGateways.class)
class PermanentFailuresTest {

    private TestGateway t;

    @Test
    void aBatchHqRefusesIsNarrowedToTheUpdateAtFaultAndTheRestGoThrough() throws Exception {
        t = TestGateway.started("narrowing", 10);
        TerminalClient terminal = t.terminal();
        t.hq.refuseBatchesWithSku("SKU-0007");
        t.hq.stop(); // let a whole batch build up, so the refused update travels with others
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String sku = i == 5 ? "SKU-0007" : String.format("SKU-%04d", 1 + i % 4);
            batch.add(TerminalClient.adjust("n-" + i, sku, 1));
        }
        assertThat(terminal.post("[" + String.join(",", batch) + "]").status()).isEqualTo(202);
        t.hq.start();

        await().atMost(Duration.ofSeconds(30)).until(() -> t.gateway().backlog() == 0);
        assertThat(terminal.update("n-5").path("status").asText()).isEqualTo("REJECTED");
        assertThat(terminal.update("n-5").path("reason").asText()).contains("422").contains("SKU-0007");
        assertThat(t.gateway().acceptedUpdates().count(UpdateStatus.APPLIED)).isEqualTo(11);
        assertThat(t.hq.appliedCount(TestGateway.STORE)).isEqualTo(11);
        assertThat(t.hq.product(TestGateway.STORE, "SKU-0007").orElseThrow().quantity()).isEqualTo(100);

        try (ActiveMQConnectionFactory f = new ActiveMQConnectionFactory("tcp://localhost:" + t.brokerPort());
             JMSContext admin = f.createContext("it-admin", TestGateway.ADMIN_TOKEN, JMSContext.AUTO_ACKNOWLEDGE);
             QueueBrowser dlq = admin.createBrowser(admin.createQueue(Queues.DLQ))) {
            // IT may look at the DLQ over JMS (browse), not take from it: that is /admin/v1/dlq's job.
            var onDlq = Collections.list(dlq.getEnumeration());
            assertThat(onDlq).hasSize(1);
            Message dead = (Message) onDlq.get(0);
            assertThat(dead).isInstanceOf(TextMessage.class);
            assertThat(dead.getStringProperty("updateId")).isEqualTo("n-5");
            assertThat(dead.getStringProperty("error")).contains("SKU-0007");
            assertThat(((TextMessage) dead).getText()).contains("\"sku\":\"SKU-0007\"");
        }

        // Later updates, of other SKUs and of the refused one's neighbours, keep flowing.
        assertThat(terminal.post(TerminalClient.adjust("after-1", "SKU-0008", 3)).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> "APPLIED".equals(terminal.update("after-1").path("status").asText()));
    }

    @Test
    void hqRefusingTheGatewaysTokenStopsForwardingKeepsTheUpdatesAndRaisesAnAlert() {
        t = TestGateway.started("access-denied", 5);
        TerminalClient terminal = t.terminal();
        TerminalClient it = new TerminalClient(t.baseUrl(), TestGateway.ADMIN_TOKEN);
        t.hq.setRequiredToken("a-token-the-gateway-does-not-have");

        for (int i = 0; i < 3; i++) {
            assertThat(terminal.post(TerminalClient.adjust("auth-" + i, "SKU-0001", 1)).status()).isEqualTo(202);
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> it.get("/admin/v1/status").json().at("/forwarding/accessDenied").asBoolean());
        var status = it.get("/admin/v1/status").json();
        assertThat(status.at("/forwarding/alert").asText()).contains("401").contains("gateway.hq.token")
                .doesNotContain(TestGateway.HQ_TOKEN);
        assertThat(status.path("backlog").asLong()).isEqualTo(3);
        assertThat(status.path("dlq").asLong()).isZero();
        assertThat(t.hq.appliedCount(TestGateway.STORE)).isZero();

        t.hq.setRequiredToken(TestGateway.HQ_TOKEN);

        await().atMost(Duration.ofSeconds(20)).until(() -> t.gateway().acceptedUpdates().count(UpdateStatus.APPLIED) == 3);
        assertThat(it.get("/admin/v1/status").json().at("/forwarding/accessDenied").asBoolean()).isFalse();
        assertThat(t.hq.product(TestGateway.STORE, "SKU-0001").orElseThrow().quantity()).isEqualTo(103);
    }

    @Test
    void theStatusEndpointIsForAdminsOnly() {
        t = TestGateway.started("status-auth", 1);

        assertThat(t.terminal().get("/admin/v1/status").status()).isEqualTo(403);
        assertThat(new TerminalClient(t.baseUrl(), null).get("/admin/v1/status").status()).isEqualTo(401);
        assertThat(new TerminalClient(t.baseUrl(), TestGateway.ADMIN_TOKEN).get("/admin/v1/status").status()).isEqualTo(200);
    }
}
