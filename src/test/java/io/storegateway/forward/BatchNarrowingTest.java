package io.storegateway.forward;

import io.storegateway.broker.UpdateMessages.QueuedUpdate;
import io.storegateway.hq.HqJson;
import io.storegateway.hq.UpdateResult;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateJson;
import io.storegateway.update.UpdateType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How a batch HQ refused as a whole (400/422) is narrowed down to the update(s) at fault
 * ({@link BatchNarrower} through {@link HqPoster#postNarrowing}): halves are posted through
 * {@code direct:post-to-hq}, here a route in a bare Camel context that answers as HQ would.
 */
class BatchNarrowingTest {

    private final List<List<String>> posted = new ArrayList<>();
    private final HqPoster poster = new HqPoster(new HqBatchRequest("hq-token"));
    private Set<String> refused = Set.of();
    private int transientOnCall = -1;
    private CamelContext camel;

    @BeforeEach
    void startFakeHq() throws Exception {
        camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(HqPoster.POST_ENDPOINT).process(BatchNarrowingTest.this::answerAsHq);
            }
        });
        camel.start();
    }

    @AfterEach
    void stopFakeHq() throws Exception {
        camel.close();
    }

    /** HQ refuses a request that holds any refused update, with its reason; applies all others. */
    private void answerAsHq(Exchange exchange) throws Exception {
        assertThat(exchange.getMessage().getHeader("Authorization")).isEqualTo("Bearer hq-token");
        JsonNode body = UpdateJson.MAPPER.readTree(exchange.getMessage().getBody(String.class));
        List<String> ids = new ArrayList<>();
        body.path("updates").forEach(u -> ids.add(u.path("updateId").asText()));
        posted.add(ids);
        if (posted.size() == transientOnCall) {
            throw new ConnectException("Connection refused");
        }
        List<String> bad = ids.stream().filter(refused::contains).toList();
        if (!bad.isEmpty()) {
            throw new HttpOperationFailedException("http://hq/api/v1/updates", 422, "Unprocessable", null, Map.of(),
                    "{\"message\":\"unknown sku in " + String.join(",", bad) + "\"}");
        }
        ObjectNode answer = UpdateJson.MAPPER.createObjectNode();
        ArrayNode results = answer.putArray("results");
        ids.forEach(id -> results.add(HqJson.toJson(new UpdateResult(id, UpdateResult.Status.APPLIED, null, null))));
        exchange.getMessage().setBody(answer.toString());
    }

    private static List<QueuedUpdate> updates(int n) {
        return IntStream.range(0, n).mapToObj(i -> new QueuedUpdate(
                new InventoryUpdate("u" + i, "till-1", UpdateType.ADJUST_QUANTITY, "SKU-" + i, null, null, null, 1L,
                        Instant.parse("2026-12-01T10:00:00Z"), null, false),
                "http", Instant.parse("2026-12-01T10:00:01Z"), null)).toList();
    }

    private static HttpOperationFailedException refusal() {
        return new HttpOperationFailedException("http://hq/api/v1/updates", 422, "Unprocessable", null, Map.of(), "");
    }

    @Test
    void onlyTheRefusedUpdateIsRejectedAndTheOthersKeepHqsAnswerInOrder() throws Exception {
        refused = Set.of("u5");

        List<UpdateResult> results = poster.postNarrowing(camel, updates(8), refusal());

        assertThat(results).extracting(UpdateResult::updateId).containsExactly("u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7");
        assertThat(results).extracting(UpdateResult::status).containsExactly(
                UpdateResult.Status.APPLIED, UpdateResult.Status.APPLIED, UpdateResult.Status.APPLIED, UpdateResult.Status.APPLIED,
                UpdateResult.Status.APPLIED, UpdateResult.Status.REJECTED, UpdateResult.Status.APPLIED, UpdateResult.Status.APPLIED);
        assertThat(results.get(5).reason()).isEqualTo("HQ answered 422: unknown sku in u5");
    }

    @Test
    void aKnownRefusalIsNotPostedAgainAndEachHalfIsPostedOnce() throws Exception {
        refused = Set.of("u5");

        poster.postNarrowing(camel, updates(8), refusal());

        // [u0..u3] applied; [u4..u7] refused → [u4,u5] refused → [u4] applied, [u5] refused; [u6,u7] applied
        assertThat(posted).containsExactly(
                List.of("u0", "u1", "u2", "u3"), List.of("u4", "u5", "u6", "u7"),
                List.of("u4", "u5"), List.of("u4"), List.of("u5"), List.of("u6", "u7"));
    }

    @Test
    void withoutAKnownRefusalTheWholeListIsPostedFirst() throws Exception {
        List<UpdateResult> results = poster.postNarrowing(camel, updates(3), null);

        assertThat(posted).containsExactly(List.of("u0", "u1", "u2"));
        assertThat(results).extracting(UpdateResult::status).containsOnly(UpdateResult.Status.APPLIED);
    }

    @Test
    void everyRefusedUpdateEndsAloneAndRejected() throws Exception {
        refused = Set.of("u0", "u3", "u4");

        List<UpdateResult> results = poster.postNarrowing(camel, updates(5), null);

        assertThat(results).extracting(UpdateResult::status).containsExactly(UpdateResult.Status.REJECTED,
                UpdateResult.Status.APPLIED, UpdateResult.Status.APPLIED, UpdateResult.Status.REJECTED, UpdateResult.Status.REJECTED);
    }

    @Test
    void aTransientFailureOnTheWayIsThrownSoTheWholeBatchGoesBack() {
        refused = Set.of("u5");
        transientOnCall = 2;

        assertThatThrownBy(() -> poster.postNarrowing(camel, updates(8), refusal()))
                .satisfies(e -> assertThat(HqFailures.classify(e)).isEqualTo(HqFailures.Kind.TRANSIENT));
        assertThat(posted).as("nothing after the failure").hasSize(2);
    }

    @Test
    void aSingleRefusedUpdateIsRejectedWithoutAnotherCall() throws Exception {
        List<UpdateResult> results = poster.postNarrowing(camel, updates(1), refusal());

        assertThat(posted).isEmpty();
        assertThat(results).singleElement().extracting(UpdateResult::status).isEqualTo(UpdateResult.Status.REJECTED);
    }
}
