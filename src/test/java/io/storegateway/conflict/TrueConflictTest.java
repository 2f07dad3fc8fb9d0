package io.storegateway.conflict;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
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
 * A CONFLICT answer is a true conflict only when HQ changed, after the update's base version, a field
 * the update writes, and not through this store's own updates; last-write-wins compares with the time
 * of that change. Before, the store's own updates, arriving after its change was made, moved HQ's
 * record time past it, and HQ "won" with the store's own timestamp. Here on the whole path (the
 * catalogue, HQ's changes feed, the simulator's versions); last-write-wins against the time of HQ's
 * change of the field, and a redelivered batch, are settled in HqAnswerApplierTest.
 */
@ExtendWith(ClosesTestGateways.class)
class TrueConflictTest {

    private static final String SKU = "SKU-0001";

    private TestGateway t;
    private TerminalClient terminal;

    private void start(String name, Map<String, String> settings) {
        t = TestGateway.started(name, 3, settings);
        terminal = t.terminal();
        t.hq.stop();
    }

    private void post(String json) {
        assertThat(terminal.post(json).status()).isEqualTo(202);
    }

    private static String set(String id, String field, String value, Instant at) {
        String type = field.equals("price") ? "SET_PRICE" : "SET_QUANTITY";
        return "{\"updateId\":\"" + id + "\",\"terminalId\":\"till-1\",\"type\":\"" + type + "\",\"sku\":\"" + SKU + "\",\""
                + field + "\":" + value + ",\"baseVersion\":1,\"occurredAt\":\"" + at + "\"}";
    }

    private ProductRecord hq() {
        return t.hq.product(TestGateway.STORE, SKU).orElseThrow();
    }

    private void hqEdits(String price, long quantity) {
        t.hq.editAtHq(TestGateway.STORE, new ProductRecord(SKU, null, price == null ? null : new BigDecimal(price), quantity, 0, null, false));
    }

    private void awaitSettled(String... ids) {
        t.hq.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (String id : ids) {
                if ("QUEUED".equals(terminal.update(id).path("status").asText())) {
                    return false;
                }
            }
            return true;
        });
    }

    @Test
    void theStoresOwnSaleDoesNotMakeHqWinAPriceHqNeverChanged() {
        // The worked example: HQ sets the quantity to 10; then the store sells 3 and sets the price 3.33,
        // a millisecond after HQ's change by the clocks (and before its sale reaches HQ).
        start("true-conflict-example", Map.of());
        hqEdits(null, 10);
        Instant afterHq = hq().updatedAt().plusMillis(1);
        post(TerminalClient.adjust("tc-sale", SKU, -3));
        post(set("tc-price", "price", "3.33", afterHq));

        awaitSettled("tc-sale", "tc-price");

        assertThat(terminal.update("tc-price").path("status").asText()).isEqualTo("APPLIED");
        assertThat(hq().price()).isEqualByComparingTo("3.33");
        assertThat(hq().quantity()).isEqualTo(7);
    }

    @Test
    void hqChangingOnlyAnotherFieldIsNoConflictEvenUnderHqWins() {
        start("true-conflict-other-field", Map.of("gateway.conflict.policy", "HQ_WINS"));
        long before = hq().quantity();
        hqEdits("9.99", before); // HQ changes the price only
        post(set("to-count", "quantity", "42", Instant.now()));

        awaitSettled("to-count");

        assertThat(terminal.update("to-count").path("status").asText()).isEqualTo("APPLIED");
        assertThat(hq().quantity()).isEqualTo(42);
        assertThat(hq().price()).as("HQ's change is kept").isEqualByComparingTo("9.99");
    }
}
