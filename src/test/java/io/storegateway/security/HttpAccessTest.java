package io.storegateway.security;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TestGateway;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may call what over HTTP (docs/HTTP-API.md and docs/JMS.md, §6), for every route the running gateway serves, found
 * from Camel itself so that a route added later is checked too: /api needs a terminal (or admin)
 * token, /admin an admin token; 401 with {@code WWW-Authenticate: Bearer} for no or an unknown token,
 * 403 for a token without the role; the console page and /observe need none.
 */
@ExtendWith(ClosesTestGateways.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpAccessTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestGateway t;

    /** One HTTP route of the gateway: its path (with {params}) and method. */
    private record Endpoint(String path, String method) {
        String concrete() {
            return path.replaceAll("\\{[^}]+}", "x-1");
        }
    }

    @BeforeAll
    void start() {
        t = TestGateway.started("http-access", 3);
    }

    /**
     * Every route of the HTTP server's router with a path: Camel's platform-http routes and the handlers
     * the gateway adds beside them (POST /api/v1/updates), as the router itself knows them.
     */
    private List<Endpoint> endpoints() {
        Router router = VertxPlatformHttpRouter.lookup(t.gateway().camelContext(),
                VertxPlatformHttpRouter.getRouterNameFromPort(t.settings().httpPort()));
        List<Endpoint> found = new ArrayList<>();
        for (Route r : router.getRoutes()) {
            if (r.getPath() == null || r.getPath().startsWith("/observe")) {
                continue; // the guards every request passes (stopping, JSON errors); /observe stays open by design
            }
            String path = r.getPath().replaceAll(":([^/]+)", "{$1}");
            if (path.endsWith("/") && path.length() > 1) {
                path = path.substring(0, path.length() - 1);
            }
            Set<HttpMethod> methods = r.methods();
            if (methods == null || methods.isEmpty()) {
                found.add(new Endpoint(path, "GET"));
            } else {
                for (HttpMethod m : methods) {
                    found.add(new Endpoint(path, m.name()));
                }
            }
        }
        return found.stream().distinct().toList();
    }

    @Test
    void everyRouteIsUnderApiAdminOrTheConsole() {
        List<Endpoint> all = endpoints();
        assertThat(all).extracting(Endpoint::path)
                .contains("/api/v1/updates", "/api/v1/products/{sku}", "/api/v1/products", "/api/v1/updates/{updateId}",
                        "/admin/v1/status", "/admin/v1/routes", "/admin/v1/history", "/admin/v1/conflicts", "/admin/v1/dlq",
                        "/admin/v1/invalid", "/admin/v1/reconcile", "/console");
        // A route anywhere else would be served without a decision about who may call it (/ only
        // redirects to the console).
        assertThat(all).allSatisfy(e -> assertThat(e.path()).as("%s %s", e.method(), e.path())
                .matches("/api/.*|/admin/.*|/console|/"));
    }

    @Test
    void everyApiAndAdminRouteAnswers401WithoutAKnownBearerToken() throws Exception {
        for (Endpoint e : endpoints()) {
            if (e.path().equals("/console") || e.path().equals("/")) {
                continue;
            }
            for (String authorization : new String[] {null, "Bearer not-a-token-anyone-has", "Bearer ", "Basic aXQtYWRtaW46ZGVtbw==",
                    TestGateway.TERMINAL_TOKEN}) {
                HttpResponse<String> r = call(e, authorization);
                assertThat(r.statusCode()).as("%s %s with %s", e.method(), e.path(), authorization).isEqualTo(401);
                assertThat(r.headers().firstValue("WWW-Authenticate")).as("%s %s", e.method(), e.path()).hasValue("Bearer");
                JsonNode body = json(r);
                assertThat(body.path("error").asText()).isEqualTo("unauthorized");
                assertThat(body.path("message").asText()).isNotBlank();
            }
        }
    }

    @Test
    void aTerminalTokenOnAnAdminRouteIs403() throws Exception {
        int checked = 0;
        for (Endpoint e : endpoints()) {
            if (!e.path().startsWith("/admin/")) {
                continue;
            }
            HttpResponse<String> r = call(e, "Bearer " + TestGateway.TERMINAL_TOKEN);
            assertThat(r.statusCode()).as("%s %s as a terminal", e.method(), e.path()).isEqualTo(403);
            assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
            assertThat(json(r).path("error").asText()).isEqualTo("forbidden");
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(10);
    }

    @Test
    void terminalAndAdminTokensMayReadTheApiAndOnlyAdminReadsTheAdminApi() throws Exception {
        for (Endpoint e : endpoints()) {
            // Reads only: a POST with a valid token would act (reconcile, roll back a route file).
            if (!e.method().equals("GET") || e.path().equals("/console")) {
                continue;
            }
            int asAdmin = call(e, "Bearer " + TestGateway.ADMIN_TOKEN).statusCode();
            assertThat(asAdmin).as("GET %s as admin", e.path()).isNotIn(401, 403);
            if (e.path().startsWith("/api/")) {
                assertThat(call(e, "Bearer " + TestGateway.TERMINAL_TOKEN).statusCode()).as("GET %s as a terminal", e.path())
                        .isNotIn(401, 403);
            }
        }
        // The scheme name is case-insensitive (RFC 7235).
        assertThat(call(new Endpoint("/api/v1/products", "GET"), "bearer " + TestGateway.TERMINAL_TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void theConsolePageAndObserveNeedNoToken() throws Exception {
        HttpResponse<String> page = call(new Endpoint("/console/", "GET"), null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        // The page holds no data: it asks for the admin token and calls /admin with it.
        assertThat(page.body()).doesNotContain(TestGateway.ADMIN_TOKEN).doesNotContain(TestGateway.TERMINAL_TOKEN);
        HttpResponse<String> root = call(new Endpoint("/", "GET"), null);
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location")).hasValue("/console/");
        assertThat(call(new Endpoint("/observe/health", "GET"), null).statusCode()).isIn(200, 503);
        assertThat(call(new Endpoint("/observe/metrics", "GET"), null).statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> call(Endpoint e, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(t.baseUrl() + e.concrete()))
                .timeout(Duration.ofSeconds(30))
                .method(e.method(), e.method().equals("GET") || e.method().equals("DELETE")
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"));
        if (!e.method().equals("GET") && !e.method().equals("DELETE")) {
            b.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return UpdateJson.MAPPER.readTree(r.body());
    }
}
