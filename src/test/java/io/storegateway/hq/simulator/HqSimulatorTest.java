package io.storegateway.hq.simulator;

import io.storegateway.hq.HqJson;
import io.storegateway.hq.ProductRecord;
import io.storegateway.hq.UpdateResult;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateJson;
import io.storegateway.update.UpdateType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HqSimulatorTest {

    private static final String STORE = "store-1";
    private static final Instant OCCURRED = Instant.parse("2025-01-01T10:00:00Z");

    private HqSimulator hq;
    private HttpClient http;

    @BeforeEach
    void startSimulator() {
        hq = new HqSimulator(0).start();
        hq.seedDemoCatalogue(STORE, 5);
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    @AfterEach
    void stopSimulator() {
        hq.stop();
    }

    // ---- protocol semantics ----

    @Test
    void healthAnswersUp() throws Exception {
        HttpResponse<String> response = get("/hq/v1/health");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("status").asText()).isEqualTo("UP");
    }

    @Test
    void seedsADemoCatalogueSortedBySku() {
        assertThat(hq.inventory(STORE)).extracting(ProductRecord::sku)
                .containsExactly("SKU-0001", "SKU-0002", "SKU-0003", "SKU-0004", "SKU-0005");
        assertThat(hq.inventory(STORE)).allSatisfy(r -> {
            assertThat(r.quantity()).isEqualTo(100);
            assertThat(r.version()).isEqualTo(1);
            assertThat(r.name()).isNotBlank();
            assertThat(r.price()).isPositive();
            assertThat(r.deleted()).isFalse();
        });
    }

    @Test
    void appliesAnUpdateAndRaisesTheVersionByOne() throws Exception {
        UpdateResult result = sendOne(setPrice("u-1", "SKU-0001", "2.50", 1L));

        assertThat(result.status()).isEqualTo(UpdateResult.Status.APPLIED);
        assertThat(result.record().version()).isEqualTo(2);
        assertThat(result.record().price()).isEqualByComparingTo("2.50");
        assertThat(result.record().updatedAt()).isNotNull();
        assertThat(hq.product(STORE, "SKU-0001")).contains(result.record());
        assertThat(hq.appliedCount(STORE)).isEqualTo(1);
    }

    @Test
    void answersDuplicateForAnUpdateIdSeenBeforeAndChangesNothing() throws Exception {
        sendOne(setQuantity("u-1", "SKU-0001", 7, 1L));

        UpdateResult again = sendOne(setQuantity("u-1", "SKU-0001", 9, null));

        assertThat(again.status()).isEqualTo(UpdateResult.Status.DUPLICATE);
        assertThat(again.record().quantity()).isEqualTo(7);
        assertThat(again.record().version()).isEqualTo(2);
        assertThat(hq.appliedCount(STORE)).isEqualTo(1);
    }

    @Test
    void answersConflictForAStaleBaseVersionUnlessForced() throws Exception {
        hq.editAtHq(STORE, new ProductRecord("SKU-0001", null, new BigDecimal("3.00"), 100, 0, null, false));

        UpdateResult stale = sendOne(setPrice("u-1", "SKU-0001", "2.50", 1L));
        UpdateResult forced = sendOne(forced(setPrice("u-1", "SKU-0001", "2.50", 1L)));

        assertThat(stale.status()).isEqualTo(UpdateResult.Status.CONFLICT);
        assertThat(stale.reason()).contains("baseVersion 1").contains("version 2");
        assertThat(stale.record().price()).isEqualByComparingTo("3.00");
        assertThat(forced.status()).isEqualTo(UpdateResult.Status.APPLIED);
        assertThat(forced.record().price()).isEqualByComparingTo("2.50");
        assertThat(forced.record().version()).isEqualTo(3);
    }

    @Test
    void adjustQuantityAlwaysAppliesEvenWithAStaleBaseVersionAndBelowZero() throws Exception {
        hq.editAtHq(STORE, new ProductRecord("SKU-0001", null, null, 100, 0, null, false));

        UpdateResult result = sendOne(adjust("u-1", "SKU-0001", -150, 1L));

        assertThat(result.status()).isEqualTo(UpdateResult.Status.APPLIED);
        assertThat(result.record().quantity()).isEqualTo(-50);
        assertThat(result.record().version()).isEqualTo(3);
    }

    @Test
    void rejectsChangesToUnknownAndDeletedSkusAndAnswersInOrder() throws Exception {
        List<UpdateResult> results = send(List.of(
                setQuantity("u-1", "SKU-9999", 5, null),
                update("u-2", UpdateType.DELETE_PRODUCT, "SKU-0002", null, null, null, 1L),
                setPrice("u-3", "SKU-0002", "1.00", null)));

        assertThat(results).extracting(UpdateResult::updateId).containsExactly("u-1", "u-2", "u-3");
        assertThat(results.get(0).status()).isEqualTo(UpdateResult.Status.REJECTED);
        assertThat(results.get(0).reason()).isEqualTo("unknown sku");
        assertThat(results.get(0).record()).isNull();
        assertThat(results.get(1).status()).isEqualTo(UpdateResult.Status.APPLIED);
        assertThat(results.get(1).record().deleted()).isTrue();
        assertThat(results.get(1).record().version()).isEqualTo(2);
        assertThat(results.get(2).status()).isEqualTo(UpdateResult.Status.REJECTED);
        assertThat(results.get(2).record().deleted()).isTrue();
    }

    @Test
    void upsertCreatesAnUnknownSkuAndRevivesADeletedOne() throws Exception {
        sendOne(update("u-1", UpdateType.DELETE_PRODUCT, "SKU-0003", null, null, null, 1L));

        List<UpdateResult> results = send(List.of(
                update("u-2", UpdateType.UPSERT_PRODUCT, "SKU-NEW", "Kiwi", new BigDecimal("0.40"), 12L, null),
                update("u-3", UpdateType.UPSERT_PRODUCT, "SKU-0003", "Bread again", null, 3L, 2L)));

        assertThat(results).extracting(UpdateResult::status)
                .containsOnly(UpdateResult.Status.APPLIED);
        assertThat(results.get(0).record())
                .extracting(ProductRecord::name, ProductRecord::quantity, ProductRecord::version, ProductRecord::deleted)
                .containsExactly("Kiwi", 12L, 1L, false);
        assertThat(results.get(1).record())
                .extracting(ProductRecord::name, ProductRecord::quantity, ProductRecord::version, ProductRecord::deleted)
                .containsExactly("Bread again", 3L, 3L, false);
    }

    @Test
    void pagesThroughTheInventoryInSkuOrderIncludingDeletedProducts() throws Exception {
        sendOne(update("u-1", UpdateType.DELETE_PRODUCT, "SKU-0004", null, null, null, null));

        JsonNode first = json(get("/hq/v1/stores/" + STORE + "/inventory?limit=2"));
        JsonNode second = json(get("/hq/v1/stores/" + STORE + "/inventory?limit=2&after=" + first.get("next").asText()));
        JsonNode last = json(get("/hq/v1/stores/" + STORE + "/inventory?limit=2&after=" + second.get("next").asText()));

        assertThat(skus(first.get("items"))).containsExactly("SKU-0001", "SKU-0002");
        assertThat(first.get("next").asText()).isEqualTo("SKU-0002");
        assertThat(skus(second.get("items"))).containsExactly("SKU-0003", "SKU-0004");
        assertThat(second.get("items").get(1).get("deleted").asBoolean()).isTrue();
        assertThat(skus(last.get("items"))).containsExactly("SKU-0005");
        assertThat(last.get("next").isNull()).isTrue();
        assertThat(json(get("/hq/v1/stores/" + STORE + "/inventory")).get("items")).hasSize(5);
    }

    @Test
    void changesFeedListsOnlyEditsMadeAtHqFromTheCursorOn() throws Exception {
        sendOne(setPrice("u-1", "SKU-0001", "9.99", null)); // the store's own change is no HQ edit
        HttpResponse<String> edited = put("/sim/v1/stores/" + STORE + "/products/SKU-0002", "{\"price\":4.20}");
        put("/sim/v1/stores/" + STORE + "/products/SKU-NEW", "{\"name\":\"Kiwi\",\"price\":\"0.40\",\"quantity\":12}");

        JsonNode all = json(get("/hq/v1/stores/" + STORE + "/changes"));
        JsonNode none = json(get("/hq/v1/stores/" + STORE + "/changes?since=" + all.get("cursor").asText()));
        hq.editAtHq(STORE, new ProductRecord("SKU-0003", "Renamed", null, 50, 0, null, false));
        JsonNode later = json(get("/hq/v1/stores/" + STORE + "/changes?since=" + all.get("cursor").asText()));

        assertThat(edited.statusCode()).isEqualTo(200);
        assertThat(json(edited).get("version").asLong()).isEqualTo(2);
        assertThat(skus(all.get("changes"))).containsExactly("SKU-0002", "SKU-NEW");
        assertThat(all.get("changes").get(1).get("version").asLong()).isEqualTo(1);
        assertThat(all.get("cursor").asText()).isEqualTo("2");
        assertThat(none.get("changes")).isEmpty();
        assertThat(none.get("cursor").asText()).isEqualTo("2");
        assertThat(skus(later.get("changes"))).containsExactly("SKU-0003");
        assertThat(later.get("cursor").asText()).isEqualTo("3");
    }

    @Test
    void concurrentBatchesOfOneStoreAllApply() {
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int batch = 0; batch < 100; batch++) {
            int b = batch;
            List<InventoryUpdate> updates = IntStream.range(0, 10)
                    .mapToObj(i -> adjust("b" + b + "-" + i, "SKU-0001", 1, null))
                    .toList();
            calls.add(http.sendAsync(postRequest("/hq/v1/stores/" + STORE + "/updates", batchJson(updates)),
                    HttpResponse.BodyHandlers.ofString()));
        }

        assertThat(calls).allSatisfy(call -> assertThat(call.join().statusCode()).isEqualTo(200));
        assertThat(hq.product(STORE, "SKU-0001")).get()
                .extracting(ProductRecord::quantity, ProductRecord::version)
                .containsExactly(1100L, 1001L);
        assertThat(hq.appliedCount(STORE)).isEqualTo(1000);
    }

    // ---- request errors ----

    @Test
    void answersMalformedJsonWith400AndAnInvalidUpdateWith422() throws Exception {
        HttpResponse<String> malformed = post("/hq/v1/stores/" + STORE + "/updates", "{\"updates\":[");
        HttpResponse<String> invalid = post("/hq/v1/stores/" + STORE + "/updates",
                "{\"updates\":[" + UpdateJson.toJsonString(adjust("u-1", "SKU-0001", 1, null))
                        + ",{\"updateId\":\"u-2\",\"type\":\"NOPE\",\"sku\":\"SKU-0001\",\"occurredAt\":\"" + OCCURRED + "\"}]}");

        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed).get("error").asText()).isEqualTo("bad_request");
        assertThat(json(malformed).get("message").asText()).isNotBlank();
        assertThat(invalid.statusCode()).isEqualTo(422);
        assertThat(json(invalid).get("message").asText()).contains("updates[1]");
        assertThat(hq.appliedCount(STORE)).isZero();
    }

    @Test
    void answersUnknownPathsWith404AndWrongMethodsWith405() throws Exception {
        HttpResponse<String> unknown = get("/hq/v1/nowhere");
        HttpResponse<String> wrongMethod = get("/hq/v1/stores/" + STORE + "/updates");

        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).get("error").asText()).isEqualTo("not_found");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).contains("POST");
        assertThat(json(wrongMethod).get("error").asText()).isEqualTo("method_not_allowed");
    }

    @Test
    void requiresTheBearerTokenOnStoreEndpointsWhenOneIsSet() throws Exception {
        hq.setRequiredToken("s3cret");
        String inventory = "/hq/v1/stores/" + STORE + "/inventory";

        HttpResponse<String> without = get(inventory);
        HttpResponse<String> wrong = send(request(inventory).header("Authorization", "Bearer nope").GET());
        HttpResponse<String> right = send(request(inventory).header("Authorization", "Bearer s3cret").GET());

        assertThat(without.statusCode()).isEqualTo(401);
        assertThat(json(without).get("error").asText()).isEqualTo("unauthorized");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(get("/hq/v1/health").statusCode()).isEqualTo(200);
    }

    // ---- faults ----

    @Test
    void downAnswers503ToEveryHqRequestButSimEndpointsStillWork() throws Exception {
        HttpResponse<String> switched = post("/sim/v1/faults", "{\"mode\":\"down\"}");

        HttpResponse<String> health = get("/hq/v1/health");
        HttpResponse<String> updates = post("/hq/v1/stores/" + STORE + "/updates",
                batchJson(List.of(adjust("u-1", "SKU-0001", 1, null))));

        assertThat(switched.statusCode()).isEqualTo(200);
        assertThat(json(switched).get("mode").asText()).isEqualTo("down");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(json(health).get("error").asText()).isEqualTo("down");
        assertThat(updates.statusCode()).isEqualTo(503);
        assertThat(hq.appliedCount(STORE)).isZero();
        assertThat(get("/sim/v1/faults").statusCode()).isEqualTo(200);
    }

    @Test
    void errorAnswers500AndAppliesNothing() throws Exception {
        hq.setFault("error", 1.0, 0);

        HttpResponse<String> response = post("/hq/v1/stores/" + STORE + "/updates",
                batchJson(List.of(adjust("u-1", "SKU-0001", 1, null))));

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(json(response).get("error").asText()).isNotBlank();
        assertThat(hq.appliedCount(STORE)).isZero();
    }

    @Test
    void errorRateStrikesOnlyThatShareOfRequests() throws Exception {
        hq.setFault("error", 0.5, 0);

        int failures = 0;
        for (int i = 0; i < 200; i++) {
            failures += get("/hq/v1/health").statusCode() == 500 ? 1 : 0;
        }

        assertThat(failures).isBetween(50, 150);
    }

    @Test
    void timeoutHoldsTheRequestWithoutAnswerAndAppliesNothing() {
        hq.setFault("timeout", 1.0, 0);
        HttpRequest request = request("/hq/v1/stores/" + STORE + "/updates")
                .timeout(Duration.ofMillis(300))
                .POST(HttpRequest.BodyPublishers.ofString(batchJson(List.of(adjust("u-1", "SKU-0001", 1, null)))))
                .build();

        assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        assertThat(hq.appliedCount(STORE)).isZero();
    }

    @Test
    void timeoutWithLatencyDropsTheConnectionAfterThatLong() {
        hq.setFault("timeout", 1.0, 300);
        long start = System.nanoTime();

        assertThatThrownBy(() -> get("/hq/v1/health")).isInstanceOf(IOException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void ackLostAppliesTheBatchThenDropsTheConnectionWithoutAnswer() throws Exception {
        hq.setFault("ack-lost", 1.0, 0);
        String batch = batchJson(List.of(setQuantity("u-1", "SKU-0001", 42, 1L)));

        assertThatThrownBy(() -> post("/hq/v1/stores/" + STORE + "/updates", batch))
                .isInstanceOf(IOException.class);
        assertThat(hq.product(STORE, "SKU-0001")).get().extracting(ProductRecord::quantity).isEqualTo(42L);
        assertThat(hq.appliedCount(STORE)).isEqualTo(1);

        hq.setFault("none", 1.0, 0);
        HttpResponse<String> resent = post("/hq/v1/stores/" + STORE + "/updates", batch);
        assertThat(results(resent).get(0).status()).isEqualTo(UpdateResult.Status.DUPLICATE);
    }

    @Test
    void latencyDelaysEveryHqAnswer() throws Exception {
        hq.setFault("none", 1.0, 300);
        long start = System.nanoTime();

        HttpResponse<String> health = get("/hq/v1/health");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(json(get("/sim/v1/faults")).get("latencyMs").asLong()).isEqualTo(300);
    }

    @Test
    void refusesAnUnknownFaultMode() throws Exception {
        HttpResponse<String> response = post("/sim/v1/faults", "{\"mode\":\"sideways\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("message").asText()).contains("ack-lost");
        assertThat(json(get("/sim/v1/faults")).get("mode").asText()).isEqualTo("none");
    }

    // ---- lifecycle ----

    @Test
    void keepsItsStateAcrossStopAndStartOnTheSamePort() throws Exception {
        sendOne(setQuantity("u-1", "SKU-0001", 7, 1L));
        int port = hq.port();

        hq.stop();
        assertThatThrownBy(() -> get("/hq/v1/health")).isInstanceOf(ConnectException.class);
        hq.start();

        assertThat(hq.port()).isEqualTo(port);
        assertThat(get("/hq/v1/health").statusCode()).isEqualTo(200);
        assertThat(sendOne(setQuantity("u-1", "SKU-0001", 7, 1L)).status()).isEqualTo(UpdateResult.Status.DUPLICATE);
        assertThat(hq.product(STORE, "SKU-0001")).get().extracting(ProductRecord::version).isEqualTo(2L);
    }

    // ---- helpers ----

    private static InventoryUpdate update(String id, UpdateType type, String sku, String name, BigDecimal price,
                                          Long quantity, Long baseVersion) {
        return new InventoryUpdate(id, "till-1", type, sku, name, price, quantity, null, OCCURRED, baseVersion, false);
    }

    private static InventoryUpdate setPrice(String id, String sku, String price, Long baseVersion) {
        return update(id, UpdateType.SET_PRICE, sku, null, new BigDecimal(price), null, baseVersion);
    }

    private static InventoryUpdate setQuantity(String id, String sku, long quantity, Long baseVersion) {
        return update(id, UpdateType.SET_QUANTITY, sku, null, null, quantity, baseVersion);
    }

    private static InventoryUpdate adjust(String id, String sku, long delta, Long baseVersion) {
        return new InventoryUpdate(id, "till-1", UpdateType.ADJUST_QUANTITY, sku, null, null, null, delta, OCCURRED,
                baseVersion, false);
    }

    private static InventoryUpdate forced(InventoryUpdate u) {
        return new InventoryUpdate(u.updateId(), u.terminalId(), u.type(), u.sku(), u.name(), u.price(), u.quantity(),
                u.delta(), u.occurredAt(), u.baseVersion(), true);
    }

    private static String batchJson(List<InventoryUpdate> updates) {
        ObjectNode body = UpdateJson.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("updates");
        updates.forEach(u -> list.add(UpdateJson.toJson(u)));
        return body.toString();
    }

    private UpdateResult sendOne(InventoryUpdate update) throws Exception {
        return send(List.of(update)).get(0);
    }

    private List<UpdateResult> send(List<InventoryUpdate> updates) throws Exception {
        HttpResponse<String> response = post("/hq/v1/stores/" + STORE + "/updates", batchJson(updates));
        assertThat(response.statusCode()).isEqualTo(200);
        return results(response);
    }

    private static List<UpdateResult> results(HttpResponse<String> response) throws IOException {
        List<UpdateResult> results = new ArrayList<>();
        json(response).get("results").forEach(n -> results.add(HqJson.resultFromJson(n)));
        return results;
    }

    private static List<String> skus(JsonNode records) {
        List<String> skus = new ArrayList<>();
        records.forEach(r -> skus.add(r.get("sku").asText()));
        return skus;
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        return UpdateJson.MAPPER.readTree(response.body());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(hq.url() + path)).timeout(Duration.ofSeconds(5));
    }

    private HttpRequest postRequest(String path, String body) {
        return request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(postRequest(path, body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> put(String path, String body) throws IOException, InterruptedException {
        return send(request(path).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
