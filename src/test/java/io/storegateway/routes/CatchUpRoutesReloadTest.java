package io.storegateway.routes;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.config.GatewaySettings;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The catch-ups are seda queues shared by two route files (watch-hq and forward-to-hq send,
 * reconcile-with-hq runs): saving the file that runs them, while the gateway runs and the queues are
 * in use, swaps in routes that still receive the events (the queue's size agrees on both sides).
 */
@ExtendWith(ClosesTestGateways.class)
class CatchUpRoutesReloadTest {

    private static final String RECONCILE = "reconcile-with-hq.camel.yaml";
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void afterReconcileWithHqIsSavedTheDrainAndHqsReturnStillRunTheirCatchUps() throws IOException {
        Path routes = ShippedRoutes.copy("catch-up-reload");
        TestGateway t = TestGateway.started("catch-up-reload", 5, Map.of(
                GatewaySettings.ROUTES_DIR, routes.toString(),
                RouteFiles.WATCH_INTERVAL_MS, "200"));
        TerminalClient terminal = t.terminal();
        TerminalClient it = new TerminalClient(t.baseUrl(), TestGateway.ADMIN_TOKEN);
        await().atMost(DEADLINE).until(() -> it.get("/admin/v1/status").json().path("lastReconcileAt").isTextual());
        // A first drain, so that forward-to-hq's sender holds the queue when the file is saved.
        forwardOneAndAwaitACheckAfter(t, terminal, it, "before-1", Instant.now());

        String shipped = Files.readString(routes.resolve(RECONCILE));
        String edited = shipped.replace("Consistency check failed (${exception.message}); trying again in 2 s",
                "Consistency check failed (${exception.message}); trying again in a moment");
        assertThat(edited).isNotEqualTo(shipped);
        int version = routeFile(it, RECONCILE).path("version").asInt();
        Files.writeString(routes.resolve(RECONCILE), edited);
        await().atMost(DEADLINE).until(() -> routeFile(it, RECONCILE).path("version").asInt() == version + 1);
        assertThat(routeFile(it, RECONCILE).path("refused").isNull()).isTrue();
        assertThat(it.get("/admin/v1/status").json().at("/routes/reloadErrors")).isEmpty();

        // The drain still runs a check...
        forwardOneAndAwaitACheckAfter(t, terminal, it, "after-1", Instant.now());
        // ...and HQ's return a reconciliation.
        t.hq.stop();
        await().atMost(DEADLINE).until(() -> !t.gateway().connectivity().online());
        Instant back = Instant.now();
        t.hq.start();
        await().atMost(DEADLINE).until(() -> {
            JsonNode s = it.get("/admin/v1/status").json();
            return s.path("lastReconcileAt").isTextual() && !Instant.parse(s.path("lastReconcileAt").asText()).isBefore(back);
        });
    }

    private static void forwardOneAndAwaitACheckAfter(TestGateway t, TerminalClient terminal, TerminalClient it, String id,
                                                      Instant after) {
        assertThat(terminal.post(TerminalClient.adjust(id, "SKU-0001", 1)).status()).isEqualTo(202);
        await().atMost(DEADLINE).until(() -> "APPLIED".equals(terminal.update(id).path("status").asText()));
        await().atMost(DEADLINE).until(() -> {
            JsonNode c = it.get("/admin/v1/status").json().path("lastConsistencyCheck");
            return c.isObject() && !Instant.parse(c.path("at").asText()).isBefore(after);
        });
        assertThat(t.gateway().backlog()).isZero();
    }

    private static JsonNode routeFile(TerminalClient it, String file) {
        for (JsonNode f : it.get("/admin/v1/routes").json().path("files")) {
            if (f.path("file").asText().equals(file)) {
                return f;
            }
        }
        throw new AssertionError("no " + file + " in /admin/v1/routes");
    }
}
