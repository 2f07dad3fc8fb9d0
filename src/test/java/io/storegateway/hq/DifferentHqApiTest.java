package io.storegateway.hq;

import io.storegateway.config.GatewaySettings;
import io.storegateway.routes.RouteFileCheck;
import io.storegateway.routes.ShippedRoutes;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "IT adapts the routes, not the Java": an HQ whose API differs from docs/HQ-PROTOCOL.md (the inventory
 * at another path, with another page-size parameter and wrapped in an envelope; the changes feed
 * wanting an extra header; the health check at another path), reached by editing only a copy of the
 * shipped route files. The gateway's own Java (HqFeeds, the one paging loop) is unchanged.
 */
class DifferentHqApiTest {

    private static final String TOKEN = "store-token";
    private static final String TEA = "{\"sku\":\"SKU-0001\",\"name\":\"Tea\",\"price\":1.50,\"quantity\":5,\"version\":1,"
            + "\"updatedAt\":\"2026-12-03T10:00:00Z\",\"deleted\":false}";
    private static final String COFFEE = "{\"sku\":\"SKU-0002\",\"name\":\"Coffee\",\"price\":4.00,\"quantity\":2,\"version\":3,"
            + "\"updatedAt\":\"2026-12-03T10:00:00Z\",\"deleted\":false}";

    private HttpServer hq;
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final Map<String, String> authorization = new ConcurrentHashMap<>();
    private DefaultCamelContext camel;

    @BeforeEach
    void startDifferentHq() throws IOException {
        hq = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        // the inventory: another path, pageSize instead of limit, the page inside {"data":{…}}
        hq.createContext("/api/v2/S001/stock", exchange -> {
            String query = exchange.getRequestURI().getRawQuery();
            asked.add("stock?" + query);
            authorization.put("stock", String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            if (!query.contains("pageSize=500")) {
                answer(exchange, 400, "{\"error\":\"pageSize missing\"}");
            } else if (query.contains("after=SKU-0001")) {
                answer(exchange, 200, "{\"data\":{\"items\":[" + COFFEE + "],\"next\":null}}");
            } else {
                answer(exchange, 200, "{\"data\":{\"items\":[" + TEA + "],\"next\":\"SKU-0001\"}}");
            }
        });
        // the changes: the usual path, but only with an API version header
        hq.createContext("/hq/v1/stores/S001/changes", exchange -> {
            asked.add("changes?" + exchange.getRequestURI().getRawQuery());
            authorization.put("changes", String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            if (!"2".equals(exchange.getRequestHeaders().getFirst("X-Api-Version"))) {
                answer(exchange, 400, "{\"error\":\"X-Api-Version 2 required\"}");
            } else if ("since=0".equals(exchange.getRequestURI().getRawQuery())) {
                answer(exchange, 200, "{\"changes\":[" + COFFEE + "],\"cursor\":\"7\"}");
            } else {
                answer(exchange, 200, "{\"changes\":[],\"cursor\":\"7\"}");
            }
        });
        // the health check: another path (the usual one is not found)
        hq.createContext("/status/ping", exchange -> {
            asked.add("ping");
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        hq.start();
    }

    @AfterEach
    void stop() {
        if (camel != null) {
            camel.stop();
        }
        hq.stop(0);
    }

    @Test
    void eachHqCallIsAdaptedByEditingOnlyItsRouteFile() throws Exception {
        Path routes = ShippedRoutes.copy("different-hq");
        edit(routes.resolve("hq-inventory-page.camel.yaml"), Map.of(
                "/hq/v1/stores/{{gateway.store-id}}/inventory", "/api/v2/{{gateway.store-id}}/stock",
                """
                        - bean:
                            ref: hqRequest
                            method: "get(*, 'limit after')"
                """, """
                        - setHeader:
                            name: pageSize
                            simple: "${header.limit}"
                        - bean:
                            ref: hqRequest
                            method: "get(*, 'pageSize after')"
                """,
                """
                        - convertBodyTo:
                """, """
                        - unmarshal:
                            json: {}
                        - setBody:
                            simple: "${body[data]}"
                        - marshal:
                            json: {}
                        - convertBodyTo:
                """));
        edit(routes.resolve("hq-changes.camel.yaml"), Map.of(
                """
                            method: "get(*, 'since')"
                """, """
                            method: "get(*, 'since')"
                        - setHeader:
                            name: X-Api-Version
                            constant: "2"
                """));
        edit(routes.resolve("hq-health.camel.yaml"), Map.of("/hq/v1/health", "/status/ping"));
        assertThat(new RouteFileCheck(GatewaySettings.load(Path.of("config/application.properties")).asProperties())
                .checkDirectory(routes).ok()).as("the edited files pass the checks `validate` runs").isTrue();

        camel = HqRouteContext.start(routes, "http://localhost:" + hq.getAddress().getPort(), TOKEN);
        HqFeeds feeds = new HqFeeds();

        List<String> inventory = new ArrayList<>();
        feeds.inventory(camel, "Catalogue load", page -> page.records().forEach(r -> inventory.add(r.sku() + " " + r.price().stripTrailingZeros().toPlainString())));
        assertThat(inventory).containsExactly("SKU-0001 1.5", "SKU-0002 4");

        List<String> changes = new ArrayList<>();
        feeds.changes(camel, "0", 100, page -> changes.add(page.asked() + "->" + page.next() + " " + page.records().size()));
        assertThat(changes).containsExactly("0->7 1", "7->null 0");

        camel.createProducerTemplate().requestBody(HqFeeds.HEALTH, (Object) null);

        assertThat(asked).containsExactly("stock?pageSize=500&after=", "stock?pageSize=500&after=SKU-0001",
                "changes?since=0", "changes?since=7", "ping");
        assertThat(authorization).containsEntry("stock", "Bearer " + TOKEN).containsEntry("changes", "Bearer " + TOKEN);
    }

    private static void edit(Path file, Map<String, String> replacements) throws IOException {
        String text = Files.readString(file);
        for (Map.Entry<String, String> r : replacements.entrySet()) {
            assertThat(text).as(file.getFileName() + " holds the text to change").contains(r.getKey());
            text = text.replace(r.getKey(), r.getValue());
        }
        Files.writeString(file, text);
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }
}
