package io.storegateway.cli;

import io.storegateway.CommandRun;
import io.storegateway.Gateway;
import io.storegateway.TestCertificates;
import io.storegateway.TestGateway;
import io.storegateway.config.GatewaySettings;
import io.storegateway.security.GatewayTls;
import io.storegateway.security.KeyStoreFile;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code health}, the image's healthcheck: it asks where the settings say the gateway serves /observe. */
class HealthCommandTest {

    @Test
    void asksTheManagementPortOverHttpsWhenTheSettingsSaySo() {
        GatewaySettings plain = GatewaySettings.of(Map.of(GatewaySettings.HTTP_PORT, "8181"));
        GatewaySettings both = GatewaySettings.of(Map.of(GatewaySettings.HTTP_PORT, "8181", Gateway.MANAGEMENT_PORT, "8282",
                GatewayTls.KEYSTORE, "/etc/store-gateway/gateway.p12"));

        assertThat(HealthProbe.of(plain).uri()).hasToString("http://127.0.0.1:8181/observe/health/live");
        assertThat(HealthProbe.of(both).uri()).hasToString("https://127.0.0.1:8282/observe/health/live");
    }

    @Test
    void exitsZeroForAGatewayServingHttpsOnItsManagementPort(@TempDir Path dir) {
        TestCertificates ca = TestCertificates.newAuthority("health-ca");
        int managementPort = TestGateway.freePort();
        try (TestGateway t = TestGateway.started("health-tls", 1, Map.of(
                GatewayTls.KEYSTORE, ca.serverKeyStore("gateway").toString(),
                KeyStoreFile.passwordKey(GatewayTls.KEYSTORE), TestCertificates.PASSWORD,
                Gateway.MANAGEMENT_PORT, Integer.toString(managementPort)))) {
            Path config = t.writeConfig(dir.resolve("application.properties"));
            CommandRun health = CommandRun.of(dir, List.of(), "health", "--config", config.toString());

            assertThat(health.exitCode()).as(health.output()).isZero();
            assertThat(health.stdout()).isEqualTo("UP https://127.0.0.1:" + managementPort + HealthProbe.PATH + "\n");
        }
    }

    @Test
    void exitsZeroForAPlainGatewayAndOneOnceItIsGone(@TempDir Path dir) {
        Path config;
        try (TestGateway t = TestGateway.started("health-plain", 1)) {
            config = t.writeConfig(dir.resolve("application.properties"));
            CommandRun up = CommandRun.of(dir, List.of(), "health", "--config", config.toString());

            assertThat(up.exitCode()).as(up.output()).isZero();
            assertThat(up.stdout()).startsWith("UP http://127.0.0.1:" + t.settings().httpPort());
        }
        CommandRun gone = CommandRun.of(dir, List.of(), "health", "--config", config.toString());

        assertThat(gone.exitCode()).as(gone.output()).isEqualTo(1);
        assertThat(gone.stdout()).startsWith("DOWN http://127.0.0.1:").contains("no answer");
    }

    @Test
    void aDownAnswerIsUnhealthy() throws IOException {
        HttpServer down = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        down.createContext(HealthProbe.PATH, exchange -> {
            byte[] body = "{\"status\":\"DOWN\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(503, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        down.start();
        try {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            int code = HealthProbe.of(GatewaySettings.of(Map.of(GatewaySettings.HTTP_PORT,
                    Integer.toString(down.getAddress().getPort())))).check(new PrintStream(printed, true, StandardCharsets.UTF_8));

            assertThat(code).isEqualTo(1);
            assertThat(printed.toString(StandardCharsets.UTF_8)).endsWith(": HTTP 503, DOWN\n");
        } finally {
            down.stop(0);
        }
    }

    @Test
    void settingsTheGatewayCannotRunWithAreUnhealthy(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("application.properties"), "gateway.management.port = eighty\n");
        CommandRun health = CommandRun.of(dir, List.of(), "health", "--config", config.toString());

        assertThat(health.exitCode()).as(health.output()).isEqualTo(1);
        assertThat(health.stdout()).isEqualTo("DOWN: gateway.management.port must be a whole number, not 'eighty'\n");
    }
}
