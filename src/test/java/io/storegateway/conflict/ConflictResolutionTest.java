package io.storegateway.conflict;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.hq.ProductRecord;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Conflicts on the whole path, against a real concurrent edit: the store changes a product while HQ
 * is away, HQ changes the same product meanwhile (through the simulator), then HQ comes back; the
 * outcome reaches the terminal's API, the mirror, the metrics and, for a person to decide, the admin
 * API. Which side each policy lets win is decided in ConflictResolverTest, and what settling does with
 * each decision (mirror, re-send, park) in HqAnswerApplierTest; the forced re-send end to end is in
 * ForcedResendTest.
 */
@ExtendWith(ClosesTestGateways.class)
class ConflictResolutionTest {

    private static final String SKU = "SKU-0001";

    private TestGateway t;
    private TerminalClient terminal;

    private void start(String name, Map<String, String> settings) {
        t = TestGateway.started(name, 3, settings);
        terminal = t.terminal();
        t.hq.stop();
    }

    /** The store sets a new price, based on version 1, at the given terminal time. */
    private void storeSetsPrice(String updateId, String price, Instant occurredAt) {
        TerminalClient.Reply r = terminal.post("{\"updateId\":\"" + updateId + "\",\"terminalId\":\"till-1\",\"type\":\"SET_PRICE\",\"sku\":\""
                + SKU + "\",\"price\":" + price + ",\"baseVersion\":1,\"occurredAt\":\"" + occurredAt + "\"}");
        assertThat(r.status()).isEqualTo(202);
    }

    private void hqSetsPrice(String price) {
        t.hq.editAtHq(TestGateway.STORE, new ProductRecord(SKU, null, new BigDecimal(price),
                t.hq.product(TestGateway.STORE, SKU).orElseThrow().quantity(), 0, null, false));
    }

    private JsonNode settled(String updateId) {
        t.hq.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> !"QUEUED".equals(terminal.update(updateId).path("status").asText()));
        return terminal.update(updateId);
    }

    private void assertMirrorEqualsHq() {
        ProductRecord hq = t.hq.product(TestGateway.STORE, SKU).orElseThrow();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode p = terminal.product(SKU);
            assertThat(p.path("price").decimalValue()).isEqualByComparingTo(hq.price());
            assertThat(p.path("version").asLong()).isEqualTo(hq.version());
            assertThat(p.path("syncState").asText()).isEqualTo("SYNCED");
        });
    }

    @Test
    void aTerminalClockFarInTheFutureCannotWinLastWriteWins() {
        start("conflict-skew", Map.of());
        // The terminal claims tomorrow; HQ's edit comes after the gateway received the update.
        storeSetsPrice("skew-1", "1.11", Instant.now().plus(Duration.ofDays(1)));
        hqSetsPrice("9.99");

        JsonNode update = settled("skew-1");

        assertThat(update.path("status").asText()).isEqualTo("CONFLICT");
        assertThat(update.path("reason").asText()).contains("overridden by HQ").contains("LAST_WRITE_WINS");
        assertThat(t.hq.product(TestGateway.STORE, SKU).orElseThrow().price()).isEqualByComparingTo("9.99");
        assertMirrorEqualsHq();
        assertThat(new TerminalClient(t.baseUrl(), null).get("/observe/metrics").body())
                .contains("gateway_conflict_clamped_clocks_total 1.0");
    }

    @Test
    void aQuantityDeltaMadeOfflineKeepsItsEffectOnHqsEdit() {
        // The policy is never asked (HQ answers APPLIED): HqAnswerApplierTest.answersOtherThanConflictNeverAskThePolicy.
        start("conflict-delta", Map.of());
        // HQ sets 10 while the store, offline, sells 3 (based on the version it last saw).
        t.hq.editAtHq(TestGateway.STORE, new ProductRecord(SKU, null, null, 10, 0, null, false));
        assertThat(terminal.post("{\"updateId\":\"sold-3\",\"terminalId\":\"till-1\",\"type\":\"ADJUST_QUANTITY\",\"sku\":\"" + SKU
                + "\",\"delta\":-3,\"baseVersion\":1,\"occurredAt\":\"" + Instant.now() + "\"}").status()).isEqualTo(202);

        assertThat(settled("sold-3").path("status").asText()).isEqualTo("APPLIED");
        assertThat(t.hq.product(TestGateway.STORE, SKU).orElseThrow().quantity()).isEqualTo(7);
        await().atMost(Duration.ofSeconds(10)).until(() -> terminal.product(SKU).path("quantity").asLong() == 7);
    }

    @Test
    void manualConflictsWaitForAPersonAndAreResolvedThroughTheAdminApi() throws Exception {
        start("conflict-manual", Map.of("gateway.conflict.policy", "MANUAL"));
        storeSetsPrice("manual-1", "1.11", Instant.now());
        hqSetsPrice("9.99");

        JsonNode update = settled("manual-1");

        assertThat(update.path("status").asText()).isEqualTo("CONFLICT");
        assertThat(update.path("reason").asText()).contains("MANUAL");
        assertThat(terminal.product(SKU).path("syncState").asText()).isEqualTo("CONFLICT");
        TerminalClient it = new TerminalClient(t.baseUrl(), TestGateway.ADMIN_TOKEN);
        JsonNode list = it.get("/admin/v1/conflicts").json();
        assertThat(list.path("items")).hasSize(1);
        JsonNode conflict = list.path("items").get(0);
        assertThat(conflict.path("sku").asText()).isEqualTo(SKU);
        assertThat(conflict.at("/local/price").decimalValue()).isEqualByComparingTo("1.11");
        assertThat(conflict.at("/hq/price").decimalValue()).isEqualByComparingTo("9.99");
        assertThat(it.get("/admin/v1/status").json().path("conflicts").asLong()).isEqualTo(1);
        assertThat(terminal.get("/admin/v1/conflicts").status()).isEqualTo(403);

        HttpResponse<String> resolved = adminPost("/admin/v1/conflicts/" + conflict.path("id").asLong() + "/resolve",
                "{\"choose\":\"LOCAL\"}");

        assertThat(resolved.statusCode()).isEqualTo(200);
        String resentAs = UpdateJson.MAPPER.readTree(resolved.body()).path("updateId").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> "APPLIED".equals(terminal.update(resentAs).path("status").asText()));
        assertThat(t.hq.product(TestGateway.STORE, SKU).orElseThrow().price()).isEqualByComparingTo("1.11");
        assertThat(it.get("/admin/v1/conflicts").json().path("items")).isEmpty();
        assertMirrorEqualsHq();
        assertThat(adminPost("/admin/v1/conflicts/" + conflict.path("id").asLong() + "/resolve", "{\"choose\":\"HQ\"}").statusCode())
                .isEqualTo(409);
    }

    @Test
    void aManualConflictCanKeepHqsRecordOrTakeACustomOne() throws Exception {
        start("conflict-manual-choices", Map.of("gateway.conflict.policy", "MANUAL"));
        storeSetsPrice("manual-hq", "1.11", Instant.now());
        hqSetsPrice("9.99");
        settled("manual-hq");
        TerminalClient it = new TerminalClient(t.baseUrl(), TestGateway.ADMIN_TOKEN);
        long first = it.get("/admin/v1/conflicts").json().path("items").get(0).path("id").asLong();

        assertThat(adminPost("/admin/v1/conflicts/" + first + "/resolve", "{\"choose\":\"HQ\"}").statusCode()).isEqualTo(200);
        assertThat(terminal.product(SKU).path("syncState").asText()).isEqualTo("SYNCED");
        assertThat(t.hq.product(TestGateway.STORE, SKU).orElseThrow().price()).isEqualByComparingTo("9.99");

        // A second conflict on the same product, settled with a custom record.
        t.hq.stop();
        long version = t.hq.product(TestGateway.STORE, SKU).orElseThrow().version();
        assertThat(terminal.post("{\"updateId\":\"manual-custom\",\"terminalId\":\"till-1\",\"type\":\"SET_PRICE\",\"sku\":\"" + SKU
                + "\",\"price\":2.22,\"baseVersion\":" + version + ",\"occurredAt\":\"" + Instant.now() + "\"}").status()).isEqualTo(202);
        hqSetsPrice("8.88");
        settled("manual-custom");
        long second = it.get("/admin/v1/conflicts").json().path("items").get(0).path("id").asLong();
        assertThat(adminPost("/admin/v1/conflicts/" + second + "/resolve", "{\"choose\":\"SOMETIMES\"}").statusCode()).isEqualTo(400);

        HttpResponse<String> custom = adminPost("/admin/v1/conflicts/" + second + "/resolve",
                "{\"choose\":\"CUSTOM\",\"record\":{\"name\":\"Apples (organic)\",\"price\":5.55,\"quantity\":42}}");

        assertThat(custom.statusCode()).isEqualTo(200);
        String sentAs = UpdateJson.MAPPER.readTree(custom.body()).path("updateId").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> "APPLIED".equals(terminal.update(sentAs).path("status").asText()));
        ProductRecord hq = t.hq.product(TestGateway.STORE, SKU).orElseThrow();
        assertThat(hq.name()).isEqualTo("Apples (organic)");
        assertThat(hq.price()).isEqualByComparingTo("5.55");
        assertThat(hq.quantity()).isEqualTo(42);
        assertMirrorEqualsHq();
    }

    private HttpResponse<String> adminPost(String path, String json) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(t.baseUrl() + path))
                .header("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
