package io.storegateway.hq;

import io.storegateway.config.GatewaySettings;
import io.storegateway.mirror.AcceptedUpdates;
import io.storegateway.mirror.CatalogueLoader;
import io.storegateway.mirror.MirrorDatabase;
import io.storegateway.mirror.Products;
import io.storegateway.mirror.Reconciliation;
import io.storegateway.mirror.SyncState;
import io.storegateway.tasks.BackgroundTasks;

import com.sun.net.httpserver.HttpServer;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * An HQ whose inventory paging never ends (a next cursor on empty pages, or the same cursor again and
 * again): the catalogue load and the reconciliation, over real HTTP, stop paging all the same. Before,
 * both asked for ever and held their thread.
 */
class HqPagingTest {

    private HttpServer hq;
    private final AtomicInteger asked = new AtomicInteger();
    private volatile String answer;
    private MirrorDatabase mirror;
    private DefaultCamelContext camel;

    @BeforeEach
    void start() throws Exception {
        hq = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        hq.createContext("/hq/v1/stores/S001/inventory", exchange -> {
            asked.incrementAndGet();
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        hq.start();
        Path dir = Path.of("target", "hq-paging-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")))
                .toAbsolutePath();
        mirror = MirrorDatabase.open(GatewaySettings.of(Map.of(GatewaySettings.DATA_DIR, dir.toString())));
        camel = HqRouteContext.start(Path.of("routes"), url(), "");
    }

    @AfterEach
    void stop() {
        camel.stop();
        mirror.close();
        hq.stop(0);
    }

    private String url() {
        return "http://localhost:" + hq.getAddress().getPort();
    }

    private static final String RECORD = "{\"sku\":\"SKU-0001\",\"name\":\"Tea\",\"price\":1.00,\"quantity\":5,\"version\":1,"
            + "\"updatedAt\":\"2026-12-03T10:00:00Z\",\"deleted\":false}";

    @Test
    void theCatalogueLoadEndsOnAnEmptyPageWithANextCursor() {
        answer = "{\"items\":[],\"next\":\"SKU-9999\"}";
        CatalogueLoader loader = new CatalogueLoader(mirror, new Products(), new HqFeeds(), Clock.systemUTC(),
                new BackgroundTasks(() -> true, Clock.systemUTC()));
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> loader.loadIfEmpty(new DefaultExchange(camel)));
        assertThat(asked.get()).isEqualTo(1);
    }

    @Test
    void theCatalogueLoadAndTheReconciliationEndOnACursorAskedForBefore() throws Exception {
        answer = "{\"items\":[" + RECORD + "],\"next\":\"SKU-0001\"}";
        CatalogueLoader loader = new CatalogueLoader(mirror, new Products(), new HqFeeds(), Clock.systemUTC(),
                new BackgroundTasks(() -> true, Clock.systemUTC()));
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> loader.loadIfEmpty(new DefaultExchange(camel)));
        assertThat(asked.get()).as("the first page, then SKU-0001 whose next is SKU-0001 again").isEqualTo(2);
        assertThat(loader.loaded()).isTrue();

        asked.set(0);
        Reconciliation reconciliation = new Reconciliation(mirror, new Products(), new AcceptedUpdates(mirror), new SyncState(mirror),
                new HqFeeds(), Clock.systemUTC(), new BackgroundTasks(() -> true, Clock.systemUTC()));
        var report = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> reconciliation.run(camel, false));
        assertThat(asked.get()).isEqualTo(2);
        assertThat(report.path("drift").asLong()).isZero();
    }
}
