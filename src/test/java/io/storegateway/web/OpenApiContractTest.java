package io.storegateway.web;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TestGateway;
import io.storegateway.broker.Queues;
import io.storegateway.hq.ProductRecord;
import io.storegateway.update.UpdateJson;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import jakarta.jms.JMSContext;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The OpenAPI document the gateway serves is true: every operation in it is called on a real gateway
 * (real broker, mirror, HQ simulator, HTTP sockets), for its success and its usual errors, and each
 * request and response is checked against the document; and every route the HTTP server has under
 * {@code /api/v1} and {@code /admin/v1} is in it.
 */
@ExtendWith(ClosesTestGateways.class)
class OpenApiContractTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String SKU = "SKU-0001";

    private TestGateway t;
    private OpenApiInteractionValidator validator;
    private final Set<String> exercised = new TreeSet<>();

    @Test
    void everyOperationAnswersAsTheServedDocumentSays() throws Exception {
        t = TestGateway.started("openapi", 3, Map.of("gateway.conflict.policy", "MANUAL"));
        HttpResponse<String> served = send("GET", "/api/v1/openapi.json", TestGateway.TERMINAL_TOKEN, null);
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(send("GET", "/api/v1/openapi.yaml", TestGateway.ADMIN_TOKEN, null).body()).startsWith("openapi: 3.0.3");
        JsonNode document = UpdateJson.MAPPER.readTree(served.body());
        // The document names the fields a client relies on; an answer may carry more (the status page's
        // detail), so only the validator's own strictness about undeclared fields is switched off.
        validator = OpenApiInteractionValidator.createForInlineApiSpecification(served.body())
                .withLevelResolver(LevelResolver.create().withLevel("validation.schema.additionalProperties",
                        ValidationReport.Level.IGNORE).build())
                .build();

        // terminals
        check("POST", "/api/v1/updates", TestGateway.TERMINAL_TOKEN, adjust("oa-1", SKU, -1), 202);
        check("POST", "/api/v1/updates", TestGateway.TERMINAL_TOKEN, "[" + adjust("oa-1", SKU, -1) + ","
                + "{\"terminalId\":\"till-1\",\"type\":\"UPSERT_PRODUCT\",\"sku\":\"NEW-OA\",\"name\":\"Figs\",\"price\":1.25,"
                + "\"quantity\":4,\"occurredAt\":\"" + Instant.now() + "\"}]", 202);
        check("POST", "/api/v1/updates", TestGateway.TERMINAL_TOKEN, "{\"terminalId\":\"till-1\",\"type\":\"SET_PRICE\",\"sku\":\"X\","
                + "\"price\":-1,\"occurredAt\":\"" + Instant.now() + "\"}", 400, false);
        check("POST", "/api/v1/updates", null, adjust("oa-2", SKU, -1), 401);
        await().atMost(Duration.ofSeconds(20)).until(() -> statusOf("oa-1").equals("APPLIED"));
        check("GET", "/api/v1/updates/oa-1", TestGateway.TERMINAL_TOKEN, null, 200);
        check("GET", "/api/v1/updates/no-such-update", TestGateway.TERMINAL_TOKEN, null, 404);
        check("GET", "/api/v1/products?limit=2", TestGateway.TERMINAL_TOKEN, null, 200);
        check("GET", "/api/v1/products/" + SKU, TestGateway.TERMINAL_TOKEN, null, 200);
        check("GET", "/api/v1/products/NOPE-1", TestGateway.TERMINAL_TOKEN, null, 404);

        // IT: an update HQ rejects (unknown SKU) for the DLQ, an invalid JMS message, a conflict
        check("POST", "/api/v1/updates", TestGateway.TERMINAL_TOKEN, adjust("oa-dead", "NEW-DEAD", 2), 202);
        try (ActiveMQConnectionFactory f = new ActiveMQConnectionFactory("tcp://localhost:" + t.brokerPort());
             JMSContext ctx = f.createContext(TestGateway.TERMINAL_USER, TestGateway.TERMINAL_TOKEN)) {
            ctx.createProducer().send(ctx.createQueue(Queues.INBOUND), "{not json");
        }
        t.hq.editAtHq(TestGateway.STORE, new ProductRecord("SKU-0002", null, new BigDecimal("9.99"), 100, 0, null, false));
        check("POST", "/api/v1/updates", TestGateway.TERMINAL_TOKEN, "{\"updateId\":\"oa-conflict\",\"terminalId\":\"till-1\","
                + "\"type\":\"SET_PRICE\",\"sku\":\"SKU-0002\",\"price\":1.11,\"baseVersion\":1,\"occurredAt\":\"" + Instant.now() + "\"}", 202);
        await().atMost(Duration.ofSeconds(20)).until(() -> t.gateway().depth(Queues.DLQ) == 1 && t.gateway().depth(Queues.INVALID) == 1
                && statusOf("oa-conflict").equals("CONFLICT"));

        check("GET", "/admin/v1/status", TestGateway.ADMIN_TOKEN, null, 200);
        check("GET", "/admin/v1/status", TestGateway.TERMINAL_TOKEN, null, 403);
        check("GET", "/admin/v1/history", TestGateway.ADMIN_TOKEN, null, 200);
        // replayed, each comes back (HQ still rejects it; it is still not JSON, so only a forced replay
        // takes it), then it is discarded
        parkedRoundTrip("dlq", Queues.DLQ, "");
        String stillInvalid = itemId(check("GET", "/admin/v1/invalid", TestGateway.ADMIN_TOKEN, null, 200));
        check("POST", "/admin/v1/invalid/" + encode(stillInvalid) + "/replay", TestGateway.ADMIN_TOKEN, null, 422);
        parkedRoundTrip("invalid", Queues.INVALID, "?force=true");
        String conflict = itemId(check("GET", "/admin/v1/conflicts", TestGateway.ADMIN_TOKEN, null, 200));
        check("POST", "/admin/v1/conflicts/" + conflict + "/resolve", TestGateway.ADMIN_TOKEN, "{\"choose\":\"SOMETIMES\"}", 400, false);
        check("POST", "/admin/v1/conflicts/" + conflict + "/resolve", TestGateway.ADMIN_TOKEN, "{\"choose\":\"HQ\"}", 200);
        check("POST", "/admin/v1/conflicts/" + conflict + "/resolve", TestGateway.ADMIN_TOKEN, "{\"choose\":\"HQ\"}", 409);
        check("POST", "/admin/v1/conflicts/999999/resolve", TestGateway.ADMIN_TOKEN, "{\"choose\":\"HQ\"}", 404);
        check("POST", "/admin/v1/reconcile", TestGateway.ADMIN_TOKEN, null, 200);
        check("GET", "/admin/v1/routes", TestGateway.ADMIN_TOKEN, null, 200);
        check("POST", "/admin/v1/routes/post-to-hq.camel.yaml/rollback", TestGateway.ADMIN_TOKEN, null, 409);
        check("POST", "/admin/v1/routes/no-such.camel.yaml/rollback", TestGateway.ADMIN_TOKEN, null, 404);
        check("POST", "/admin/v1/routes/post-to-hq.camel.yaml/restore", TestGateway.ADMIN_TOKEN, null, 200);
        check("POST", "/admin/v1/routes/no-such.camel.yaml/restore", TestGateway.ADMIN_TOKEN, null, 404);

        assertThat(exercised).as("every operation of the document is called here")
                .containsAll(operationsOf(document));
        assertThat(operationsOf(document)).as("every /api/v1 and /admin/v1 route of the HTTP server is in the document")
                .containsAll(routesOfTheServer());
    }

    private void parkedRoundTrip(String list, String queue, String replayQuery) throws Exception {
        String base = "/admin/v1/" + list + "/";
        String id = itemId(check("GET", "/admin/v1/" + list, TestGateway.ADMIN_TOKEN, null, 200));
        check("POST", base + encode(id) + "/replay" + replayQuery, TestGateway.ADMIN_TOKEN, null, 200);
        await().atMost(Duration.ofSeconds(20)).until(() -> t.gateway().depth(queue) == 1);
        String again = itemId(check("GET", "/admin/v1/" + list, TestGateway.ADMIN_TOKEN, null, 200));
        check("DELETE", base + encode(again), TestGateway.ADMIN_TOKEN, null, 200);
        check("DELETE", base + encode(again), TestGateway.ADMIN_TOKEN, null, 404);
        check("POST", base + encode(again) + "/replay", TestGateway.ADMIN_TOKEN, null, 404);
    }

    private static String adjust(String updateId, String sku, int delta) {
        return "{\"updateId\":\"" + updateId + "\",\"terminalId\":\"till-1\",\"type\":\"ADJUST_QUANTITY\",\"sku\":\"" + sku
                + "\",\"delta\":" + delta + ",\"occurredAt\":\"" + Instant.now() + "\"}";
    }

    private String statusOf(String updateId) throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/updates/" + updateId, TestGateway.TERMINAL_TOKEN, null);
        return r.statusCode() == 200 ? UpdateJson.MAPPER.readTree(r.body()).path("status").asText() : "";
    }

    private static String itemId(HttpResponse<String> list) throws Exception {
        JsonNode items = UpdateJson.MAPPER.readTree(list.body()).path("items");
        assertThat(items).as(list.body()).hasSize(1);
        return items.get(0).path("id").asText();
    }

    private HttpResponse<String> check(String method, String path, String token, String body, int expected) throws Exception {
        return check(method, path, token, body, expected, true);
    }

    /**
     * Calls the gateway and checks the exchange against the document; {@code validRequest} false for a
     * request that is wrong on purpose (its answer is still checked, the request's faults are not).
     */
    private HttpResponse<String> check(String method, String path, String token, String body, int expected, boolean validRequest)
            throws Exception {
        HttpResponse<String> r = send(method, path, token, body);
        assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(expected);

        String rawPath = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        SimpleRequest.Builder request = new SimpleRequest.Builder(Request.Method.valueOf(method), rawPath);
        if (path.contains("?")) {
            for (String pair : path.substring(path.indexOf('?') + 1).split("&")) {
                String[] kv = pair.split("=", 2);
                request.withQueryParam(kv[0], kv[1]);
            }
        }
        if (token != null) {
            request.withAuthorization("Bearer " + token);
        }
        if (body != null) {
            request.withContentType("application/json").withBody(body);
        }
        SimpleResponse.Builder response = SimpleResponse.Builder.status(r.statusCode());
        r.headers().firstValue("Content-Type").ifPresent(response::withContentType);
        if (!r.body().isEmpty()) {
            response.withBody(r.body());
        }
        ValidationReport report = validRequest
                ? validator.validate(request.build(), response.build())
                : validator.validateResponse(rawPath, Request.Method.valueOf(method), response.build());
        assertThat(report.getMessages()).as("%s %s answered %d %s", method, path, r.statusCode(), r.body()).isEmpty();
        exercised.add(method + " " + template(rawPath));
        return r;
    }

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(t.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** "/api/v1/updates/oa-1" → "/api/v1/updates/{updateId}", by the document's own templates. */
    private static String template(String path) {
        String[] concrete = path.split("/");
        for (String t : List.of("/api/v1/updates/{updateId}", "/api/v1/products/{sku}", "/admin/v1/dlq/{id}/replay", "/admin/v1/dlq/{id}",
                "/admin/v1/invalid/{id}/replay", "/admin/v1/invalid/{id}", "/admin/v1/conflicts/{id}/resolve",
                "/admin/v1/routes/{file}/rollback", "/admin/v1/routes/{file}/restore")) {
            String[] parts = t.split("/");
            boolean match = parts.length == concrete.length;
            for (int i = 0; match && i < parts.length; i++) {
                match = parts[i].startsWith("{") || parts[i].equals(concrete[i]);
            }
            if (match) {
                return t;
            }
        }
        return path;
    }

    private static Set<String> operationsOf(JsonNode document) {
        Set<String> ops = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> p = paths.next();
            p.getValue().fieldNames().forEachRemaining(m -> ops.add(m.toUpperCase() + " " + p.getKey()));
        }
        return ops;
    }

    /** What the HTTP server's router serves under /api/v1 and /admin/v1 (the document describes itself too). */
    private List<String> routesOfTheServer() {
        Router router = VertxPlatformHttpRouter.lookup(t.gateway().camelContext(),
                VertxPlatformHttpRouter.getRouterNameFromPort(t.settings().httpPort()));
        List<String> found = new ArrayList<>();
        for (Route r : router.getRoutes()) {
            String path = r.getPath() == null ? "" : r.getPath().replaceAll(":([^/]+)", "{$1}");
            if (path.endsWith("/") && path.length() > 1) {
                path = path.substring(0, path.length() - 1);
            }
            if (!path.matches("/(api|admin)/v1/.*") || path.startsWith("/api/v1/openapi.")) {
                continue;
            }
            if (r.methods() == null || r.methods().isEmpty()) {
                found.add("GET " + path);
            } else {
                for (var m : r.methods()) {
                    found.add(m.name() + " " + path);
                }
            }
        }
        return found;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
