package io.storegateway.admin;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.broker.Queues;
import io.storegateway.hq.ProductRecord;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.JMSContext;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** IT lists, replays and discards what was set aside on the DLQ and the invalid queue (docs/OPERATING.md, IT staff). */
@ExtendWith(ClosesTestGateways.class)
class ParkedMessagesTest {

    private TestGateway t;
    private TerminalClient terminal;
    private TerminalClient it;

    @BeforeEach
    void start() {
        t = TestGateway.started("parked", 3);
        terminal = t.terminal();
        it = new TerminalClient(t.baseUrl(), TestGateway.ADMIN_TOKEN);
    }

    @Test
    void anUpdateHqRejectedIsListedAndReplayedOnceHqCanTakeIt() throws Exception {
        assertThat(terminal.post(TerminalClient.adjust("dead-1", "NEW-1", 5)).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> t.gateway().depth(Queues.DLQ) == 1);
        JsonNode listed = it.get("/admin/v1/dlq").json().path("items");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("updateId").asText()).isEqualTo("dead-1");
        assertThat(listed.get(0).path("error").asText()).contains("unknown sku");
        assertThat(terminal.update("dead-1").path("status").asText()).isEqualTo("REJECTED");

        // HQ now knows the product: the rejected update can go through.
        t.hq.editAtHq(TestGateway.STORE, new ProductRecord("NEW-1", "Kiwi", new BigDecimal("0.40"), 10, 0, null, false));
        HttpResponse<String> replayed = send("POST", "/admin/v1/dlq/" + encode(listed.get(0).path("id").asText()) + "/replay");

        assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(200);
        assertThat(UpdateJson.MAPPER.readTree(replayed.body()).path("replayedTo").asText()).isEqualTo(Queues.OUTBOUND);
        await().atMost(Duration.ofSeconds(20)).until(() -> "APPLIED".equals(terminal.update("dead-1").path("status").asText()));
        assertThat(t.hq.product(TestGateway.STORE, "NEW-1").orElseThrow().quantity()).isEqualTo(15);
        assertThat(t.gateway().depth(Queues.DLQ)).isZero();
        assertThat(it.get("/admin/v1/dlq").json().path("items")).isEmpty();
    }

    @Test
    void aDiscardedMessageIsGoneAndASecondDiscardIsNotFound() throws Exception {
        assertThat(terminal.post(TerminalClient.adjust("dead-2", "NEW-2", 1)).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> t.gateway().depth(Queues.DLQ) == 1);
        String id = it.get("/admin/v1/dlq").json().path("items").get(0).path("id").asText();

        assertThat(send("DELETE", "/admin/v1/dlq/" + encode(id)).statusCode()).isEqualTo(200);

        assertThat(t.gateway().depth(Queues.DLQ)).isZero();
        assertThat(send("DELETE", "/admin/v1/dlq/" + encode(id)).statusCode()).isEqualTo(404);
        assertThat(send("POST", "/admin/v1/dlq/" + encode(id) + "/replay").statusCode()).isEqualTo(404);
    }

    @Test
    void anInvalidMessageIsListedWithTheKeysItsBodyNamesAndIsNotReplayedWhileStillInvalid() throws Exception {
        sendToIngest("{\"updateId\":\"bad-1\",\"terminalId\":\"till-1\",\"type\":\"ADJUST_QUANTITY\",\"sku\":\"SKU-0001\","
                + "\"delta\":\"lots\",\"occurredAt\":\"2026-01-01T10:00:00Z\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> t.gateway().depth(Queues.INVALID) == 1);
        JsonNode item = it.get("/admin/v1/invalid").json().path("items").get(0);
        assertThat(item.path("updateId").asText()).isEqualTo("bad-1");
        assertThat(item.path("sku").asText()).isEqualTo("SKU-0001");
        assertThat(item.path("error").asText()).contains("delta");

        HttpResponse<String> replayed = send("POST", "/admin/v1/invalid/" + encode(item.path("id").asText()) + "/replay");

        assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(422);
        JsonNode answer = UpdateJson.MAPPER.readTree(replayed.body());
        assertThat(answer.path("error").asText()).isEqualTo("still_invalid");
        assertThat(answer.path("message").asText()).contains("still invalid").contains("delta");
        JsonNode items = it.get("/admin/v1/invalid").json().path("items");
        assertThat(items).hasSize(1);
        assertThat(items.get(0).path("id").asText()).as("left where it was").isEqualTo(item.path("id").asText());
        assertThat(terminal.get("/api/v1/updates/bad-1").status()).as("never accepted").isEqualTo(404);
    }

    @Test
    void aForcedReplayPutsAnInvalidMessageBackIntoIngestAndADiscardRemovesIt() throws Exception {
        sendToIngest("{not json");
        await().atMost(Duration.ofSeconds(20)).until(() -> t.gateway().depth(Queues.INVALID) == 1);
        JsonNode item = it.get("/admin/v1/invalid").json().path("items").get(0);
        assertThat(item.path("body").asText()).isEqualTo("{not json");
        assertThat(item.path("error").asText()).isNotBlank();
        assertThat(item.path("updateId").isNull()).isTrue();

        // Forced into ingest it is still invalid there, so it comes back, with a new id.
        HttpResponse<String> forced = send("POST", "/admin/v1/invalid/" + encode(item.path("id").asText()) + "/replay?force=true");
        assertThat(forced.statusCode()).as(forced.body()).isEqualTo(200);
        assertThat(UpdateJson.MAPPER.readTree(forced.body()).path("replayedTo").asText()).isEqualTo(Queues.INBOUND);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode items = it.get("/admin/v1/invalid").json().path("items");
            return items.size() == 1 && !items.get(0).path("id").asText().equals(item.path("id").asText());
        });
        String again = it.get("/admin/v1/invalid").json().path("items").get(0).path("id").asText();

        assertThat(send("DELETE", "/admin/v1/invalid/" + encode(again)).statusCode()).isEqualTo(200);
        assertThat(t.gateway().depth(Queues.INVALID)).isZero();
    }

    private void sendToIngest(String body) {
        try (ActiveMQConnectionFactory f = new ActiveMQConnectionFactory("tcp://localhost:" + t.brokerPort());
             JMSContext ctx = f.createContext(TestGateway.TERMINAL_USER, TestGateway.TERMINAL_TOKEN)) {
            ctx.createProducer().send(ctx.createQueue(Queues.INBOUND), body);
        }
    }

    @Test
    void theseCallsAreForAdminsOnly() {
        assertThat(terminal.get("/admin/v1/dlq").status()).isEqualTo(403);
        assertThat(new TerminalClient(t.baseUrl(), null).get("/admin/v1/invalid").status()).isEqualTo(401);
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(t.baseUrl() + path))
                .header("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }
}
