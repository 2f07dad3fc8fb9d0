package io.storegateway.routes;

import io.storegateway.Gateway;
import io.storegateway.config.GatewaySettings;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A route file that is broken when the gateway starts stops the start, naming the file and line. */
class RouteFilesStartupTest {

    @Test
    void aBrokenRouteFileStopsTheStartNamingFileAndLine() throws IOException {
        Path routes = ShippedRoutes.copy("routes-startup");
        Path dir = routes.resolveSibling(routes.getFileName() + "-data");
        Path forward = routes.resolve("forward-to-hq.camel.yaml");
        String broken = Files.readString(forward).replace("ref: hqAnswerApplier", "ref: hqAnswerApplyer");
        Files.writeString(forward, broken);
        int line = broken.lines().toList().indexOf("                        ref: hqAnswerApplyer") + 1;
        int httpPort = freePort();
        GatewaySettings settings = GatewaySettings.of(Map.of(
                GatewaySettings.DATA_DIR, dir.toString(),
                GatewaySettings.HTTP_PORT, Integer.toString(httpPort),
                GatewaySettings.BROKER_PORT, Integer.toString(freePort()),
                GatewaySettings.HQ_URL, "http://localhost:" + freePort(),
                GatewaySettings.ROUTES_DIR, routes.toString(),
                GatewaySettings.USERS_FILE, Path.of("config/users.properties").toAbsolutePath().toString()));

        assertThatThrownBy(() -> Gateway.start(settings))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(forward + ":" + line + ": unknown bean 'hqAnswerApplyer'");
        // Everything it had started is stopped again.
        try (ServerSocket http = new ServerSocket(httpPort)) {
            assertThat(http.isBound()).isTrue();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
