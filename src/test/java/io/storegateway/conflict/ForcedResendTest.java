package io.storegateway.conflict;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.broker.Queues;
import io.storegateway.hq.ProductRecord;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The store wins a conflict and its change goes to HQ again, forced. What HQ refuses for good then goes
 * to the DLQ like any refused update (before: the batch was retried for ever and the queue stood still),
 * and the SKU's later updates in the same batch keep their effect (before: the forced SET came after
 * them and wiped them out).
 */
@ExtendWith(ClosesTestGateways.class)
class ForcedResendTest {

    private TestGateway t;
    private TerminalClient terminal;

    private void start(String name) {
        t = TestGateway.started(name, 3, Map.of("gateway.conflict.policy", "STORE_WINS"));
        terminal = t.terminal();
        t.hq.stop();
    }

    private void post(String json) {
        assertThat(terminal.post(json).status()).isEqualTo(202);
    }

    private static String setPrice(String id, String sku, String price) {
        return "{\"updateId\":\"" + id + "\",\"terminalId\":\"till-1\",\"type\":\"SET_PRICE\",\"sku\":\"" + sku
                + "\",\"price\":" + price + ",\"baseVersion\":1,\"occurredAt\":\"" + Instant.now() + "\"}";
    }

    private static String setQuantity(String id, String sku, long quantity) {
        return "{\"updateId\":\"" + id + "\",\"terminalId\":\"till-1\",\"type\":\"SET_QUANTITY\",\"sku\":\"" + sku
                + "\",\"quantity\":" + quantity + ",\"baseVersion\":1,\"occurredAt\":\"" + Instant.now() + "\"}";
    }

    private void hqEdits(String sku, String price, long quantity) {
        t.hq.editAtHq(TestGateway.STORE, new ProductRecord(sku, null, price == null ? null : new BigDecimal(price), quantity, 0, null, false));
    }

    @Test
    void aLaterSaleInTheSameBatchKeepsItsEffectWhenTheStoresEarlierSetIsForced() {
        start("forced-order");
        // Offline: the store counts 10 on the shelf, then sells 3; HQ meanwhile sets 50.
        post(setQuantity("fo-1", "SKU-0001", 10));
        post(TerminalClient.adjust("fo-2", "SKU-0001", -3));
        hqEdits("SKU-0001", null, 50);

        t.hq.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> !"QUEUED".equals(terminal.update("fo-1").path("status").asText())
                && !"QUEUED".equals(terminal.update("fo-2").path("status").asText()));
        assertThat(terminal.update("fo-1").path("status").asText()).isEqualTo("APPLIED");
        assertThat(terminal.update("fo-2").path("status").asText()).isEqualTo("APPLIED");
        // The store's count wins, and its sale after it still counts: 10 - 3. (Before: 10, the sale lost.)
        assertThat(t.hq.product(TestGateway.STORE, "SKU-0001").orElseThrow().quantity()).isEqualTo(7);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(terminal.product("SKU-0001").path("quantity").asLong()).isEqualTo(7);
            assertThat(terminal.product("SKU-0001").path("syncState").asText()).isEqualTo("SYNCED");
        });
    }

    @Test
    void aForcedResendHqRefusesForGoodGoesToTheDlqAndTheRestFlows() {
        start("forced-refused");
        post(setPrice("fr-1", "SKU-0001", "1.11"));
        post(TerminalClient.adjust("fr-2", "SKU-0002", 1));
        hqEdits("SKU-0001", "9.99", t.hq.product(TestGateway.STORE, "SKU-0001").orElseThrow().quantity());
        t.hq.refuseForcedUpdatesOf("SKU-0001");

        t.hq.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> "REJECTED".equals(terminal.update("fr-1").path("status").asText()));
        assertThat(terminal.update("fr-1").path("reason").asText()).contains("override");
        assertThat(terminal.update("fr-2").path("status").asText()).isEqualTo("APPLIED");
        await().atMost(Duration.ofSeconds(10)).until(() -> t.gateway().depth(Queues.DLQ) == 1);
        assertThat(t.gateway().depth(Queues.OUTBOUND)).isZero();
        assertThat(t.hq.product(TestGateway.STORE, "SKU-0001").orElseThrow().price()).isEqualByComparingTo("9.99");

        // The queue moves on: a later update goes through.
        post(TerminalClient.adjust("fr-3", "SKU-0002", 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> "APPLIED".equals(terminal.update("fr-3").path("status").asText()));
    }
}
