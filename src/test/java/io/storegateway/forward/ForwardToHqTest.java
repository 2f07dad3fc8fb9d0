package io.storegateway.forward;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.hq.ProductRecord;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** An update posted over HTTP travels to HQ and back into the mirror. */
@ExtendWith(ClosesTestGateways.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForwardToHqTest {

    private TestGateway t;
    private TerminalClient terminal;

    @BeforeAll
    void start() {
        t = TestGateway.started("forward", 10);
        terminal = t.terminal();
    }

    @Test
    void httpUpdateReachesHqAndTheMirrorShowsItSynced() {
        TerminalClient.Reply reply = terminal.post("""
                {"updateId":"u-http-1","terminalId":"till-1","type":"SET_PRICE","sku":"SKU-0003","price":4.25,
                 "occurredAt":"2026-11-27T10:00:00Z"}""");

        assertThat(reply.status()).isEqualTo(202);
        assertThat(reply.json().at("/accepted/0/updateId").asText()).isEqualTo("u-http-1");
        assertThat(reply.json().at("/accepted/0/status").asText()).isEqualTo("QUEUED");

        await().atMost(Duration.ofSeconds(20)).until(() -> "APPLIED".equals(terminal.update("u-http-1").path("status").asText()));
        ProductRecord atHq = t.hq.product(TestGateway.STORE, "SKU-0003").orElseThrow();
        assertThat(atHq.price()).isEqualByComparingTo("4.25");
        assertThat(atHq.version()).isEqualTo(2);

        JsonNode product = terminal.product("SKU-0003");
        assertThat(product.path("syncState").asText()).isEqualTo("SYNCED");
        assertThat(product.path("pending").asInt()).isZero();
        assertThat(product.path("version").asLong()).isEqualTo(atHq.version());
        assertThat(product.path("price").decimalValue()).isEqualByComparingTo("4.25");
        assertThat(product.at("/hq/price").decimalValue()).isEqualByComparingTo("4.25");
        assertThat(terminal.update("u-http-1").path("hqVersion").asLong()).isEqualTo(atHq.version());
    }

    @Test
    void aBatchOfUpdatesIsAppliedInTheOrderItWasAccepted() {
        String batch = "[" + String.join(",",
                "{\"updateId\":\"order-1\",\"terminalId\":\"t\",\"type\":\"SET_QUANTITY\",\"sku\":\"SKU-0004\",\"quantity\":10,\"occurredAt\":\"2026-11-27T10:00:00Z\"}",
                TerminalClient.adjust("order-2", "SKU-0004", -3),
                "{\"updateId\":\"order-3\",\"terminalId\":\"t\",\"type\":\"SET_QUANTITY\",\"sku\":\"SKU-0004\",\"quantity\":50,\"occurredAt\":\"2026-11-27T10:00:01Z\"}",
                TerminalClient.adjust("order-4", "SKU-0004", 2)) + "]";

        assertThat(terminal.post(batch).status()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(20)).until(() -> "APPLIED".equals(terminal.update("order-4").path("status").asText()));
        assertThat(t.hq.product(TestGateway.STORE, "SKU-0004").orElseThrow().quantity()).isEqualTo(52);
        assertThat(terminal.product("SKU-0004").path("quantity").asLong()).isEqualTo(52);
    }

    @Test
    void postingTheSameUpdateTwiceAnswersDuplicateAndAppliesItOnce() {
        String update = TerminalClient.adjust("dup-1", "SKU-0005", 5);

        assertThat(terminal.post(update).json().at("/accepted/0/status").asText()).isEqualTo("QUEUED");
        assertThat(terminal.post(update).json().at("/accepted/0/status").asText()).isEqualTo("DUPLICATE");

        await().atMost(Duration.ofSeconds(20)).until(() -> "APPLIED".equals(terminal.update("dup-1").path("status").asText()));
        assertThat(terminal.post(update).json().at("/accepted/0/status").asText()).isEqualTo("DUPLICATE");
        assertThat(t.hq.product(TestGateway.STORE, "SKU-0005").orElseThrow().quantity()).isEqualTo(105);
    }

    @Test
    void anUpdateHqRejectsIsMarkedRejectedWithTheReason() {
        assertThat(terminal.post(TerminalClient.adjust("unknown-sku-1", "NO-SUCH-SKU", 1)).status()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(20)).until(() -> "REJECTED".equals(terminal.update("unknown-sku-1").path("status").asText()));
        assertThat(terminal.update("unknown-sku-1").path("reason").asText()).contains("unknown sku");
    }

    @Test
    void unknownUpdatesAndProductsAre404() {
        assertThat(terminal.get("/api/v1/updates/never-sent").status()).isEqualTo(404);
        assertThat(terminal.get("/api/v1/products/NEVER-SEEN").status()).isEqualTo(404);
        assertThat(terminal.get("/api/v1/products/NEVER-SEEN").json().path("error").asText()).isEqualTo("not_found");
    }
}
