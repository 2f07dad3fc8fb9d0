package io.storegateway.routes;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TestGateway;
import io.storegateway.config.GatewaySettings;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The watcher takes a file only once it reads the same on two looks: a file caught half-written is not taken. */
@ExtendWith(ClosesTestGateways.class)
class RouteFileWatcherTest {

    private static final String FILE = "hq-health.camel.yaml";

    private Path routes;
    private TestGateway t;
    private RouteFiles files;
    private RouteFileWatcher watcher;

    @BeforeEach
    void start() {
        routes = ShippedRoutes.copy("routes-watch");
        // Not watching on its own: the test looks, by hand.
        t = TestGateway.started("route-watch", 1, Map.of(GatewaySettings.ROUTES_DIR, routes.toString(),
                RouteFiles.WATCH_INTERVAL_MS, "0"));
        files = t.gateway().routeFiles();
        watcher = new RouteFileWatcher(files, routes, 60_000);
    }

    @AfterEach
    void stop() {
        watcher.close();
    }

    @Test
    void aFileIsTakenOnlyWhenItReadsTheSameTwice() throws IOException {
        String whole = Files.readString(routes.resolve(FILE)).replace("- setHeader:", "- setHeader:\n            id: edited");
        assertThat(whole).contains("id: edited");

        Files.writeString(routes.resolve(FILE), whole.substring(0, whole.length() / 2));
        watcher.poll();
        Files.writeString(routes.resolve(FILE), whole);
        watcher.poll();

        assertThat(version()).as("changed between the two looks: not taken yet").isEqualTo(1);
        assertThat(files.errors()).isEmpty();

        watcher.poll();

        assertThat(version()).isEqualTo(2);
        assertThat(files.errors()).as("the half-written file was never checked").isEmpty();
        watcher.poll();
        assertThat(version()).as("the same content is taken once").isEqualTo(2);
    }

    @Test
    void aRefusedFileIsTriedAgainOnlyWhenItChanges() throws IOException {
        String original = Files.readString(routes.resolve(FILE));
        Files.writeString(routes.resolve(FILE), original.replace("- setHeader:", "- setHeadr:"));
        watcher.poll();
        watcher.poll();
        assertThat(files.errors()).singleElement().satisfies(e -> assertThat(e.message()).contains("setHeadr"));

        watcher.poll();
        watcher.poll();
        assertThat(files.errors()).hasSize(1);

        Files.writeString(routes.resolve(FILE), original);
        watcher.poll();
        watcher.poll();
        assertThat(files.errors()).isEmpty();
        assertThat(version()).isEqualTo(1);
    }

    private int version() {
        return files.fileJson(FILE).path("version").asInt();
    }
}
