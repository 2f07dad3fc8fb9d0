package io.storegateway.cli;

import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.config.GatewaySettings;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** gateway.log.format: the JSON lines themselves, and a whole run of `demo` that writes nothing else. */
class LogFormatTest {

    private final PrintStream originalOut = System.out;

    @AfterEach
    void backToText() {
        System.setOut(originalOut);
        LogFormat.apply(GatewaySettings.of(Map.of(LogFormat.KEY, "text")));
        System.clearProperty(LogFormat.KEY);
    }

    @Test
    void jsonFormatWritesOneObjectPerLineWithUpdateIdAndSkuAsFields() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        LogFormat.apply(GatewaySettings.of(Map.of(LogFormat.KEY, "json")));

        LoggerFactory.getLogger("io.storegateway.test").atWarn()
                .addKeyValue("updateId", "u-42").addKeyValue("sku", "SKU-0042")
                .log("HQ rejected update {} for good", "u-42");

        String line = captured.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("HQ rejected update")).findFirst().orElseThrow();
        JsonNode json = UpdateJson.MAPPER.readTree(line);
        assertThat(json.path("level").asText()).isEqualTo("WARN");
        assertThat(json.path("formattedMessage").asText()).isEqualTo("HQ rejected update u-42 for good");
        assertThat(json.path("kvpList").toString()).contains("\"updateId\":\"u-42\"").contains("\"sku\":\"SKU-0042\"");
    }

    @Test
    void demoWithJsonLogsWritesOnlyJsonLinesAndEachOfTheGatewaysLinesIsAnEvent(@TempDir Path dir) throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        try (var shipped = Files.list(Path.of("routes"))) {
            for (Path file : shipped.toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        int httpPort = TestGateway.freePort();
        int simulatorPort = TestGateway.freePort();
        Path config = dir.resolve("application.properties");
        Files.writeString(config, String.join("\n",
                "gateway.log.format = json",
                "gateway.data-dir = " + dir.resolve("data"),
                "gateway.http.port = " + httpPort,
                "gateway.broker.port = " + TestGateway.freePort(),
                "hq.port = " + simulatorPort,
                "gateway.connectivity.interval-ms = 200",
                "gateway.routes.watch-interval-ms = 200",
                "gateway.routes-dir = " + routes,
                "gateway.security.users-file = " + Path.of("config/users.properties").toAbsolutePath()));
        Path stdout = dir.resolve("stdout");
        Process demo = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.storegateway.StoreGatewayApplication", "demo", "--config",
                config.toString()))
                .redirectOutput(stdout.toFile()).redirectError(dir.resolve("stderr").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> events(stdout).contains("demo-ready") && events(stdout).contains("online"));
            // A route file the gateway refuses, and HQ away and back: events IT must be able to filter on.
            Files.writeString(routes.resolve("broken.camel.yaml"), "- route:\n    id: broken\n    from:\n      uri: \"timer:x\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> events(stdout).contains("route-refused"));
            TerminalClient simulator = new TerminalClient("http://localhost:" + simulatorPort, null);
            assertThat(simulator.post("/sim/v1/faults", "{\"mode\":\"down\"}", "application/json").status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> events(stdout).contains("offline"));
            assertThat(simulator.post("/sim/v1/faults", "{\"mode\":\"none\"}", "application/json").status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> Collections.frequency(events(stdout), "online") == 2);

            demo.destroy(); // SIGTERM: the stop is logged too
            assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
        } finally {
            demo.destroyForcibly();
        }

        List<String> lines = Files.readAllLines(stdout);
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            JsonNode json = UpdateJson.MAPPER.readTree(line);
            assertThat(json.isObject()).as("a JSON object: %s", line).isTrue();
            if (json.path("loggerName").asText().startsWith("io.storegateway.")) {
                assertThat(event(json)).as("the event of %s", line).isNotEmpty();
            }
        }
        assertThat(events(stdout)).contains("mirror-ready", "broker-up", "route-loaded", "started", "demo-ready",
                "route-refused", "offline", "online", "stopping", "stopped");
        JsonNode refused = lines.stream().map(LogFormatTest::json).filter(j -> event(j).equals("route-refused")).findFirst().orElseThrow();
        assertThat(refused.path("level").asText()).isEqualTo("ERROR");
        assertThat(refused.path("kvpList").toString()).contains("\"file\":\"broken.camel.yaml\"");
        assertThat(refused.path("formattedMessage").asText()).contains(routes.resolve("broken.camel.yaml") + ":");
    }

    /** The events on standard output so far, in order. */
    private static List<String> events(Path stdout) throws IOException {
        return Files.readAllLines(stdout).stream().filter(l -> l.startsWith("{")).map(LogFormatTest::json)
                .map(LogFormatTest::event).filter(e -> !e.isEmpty()).toList();
    }

    private static JsonNode json(String line) {
        try {
            return UpdateJson.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(line, e);
        }
    }

    private static String event(JsonNode line) {
        for (JsonNode pair : line.path("kvpList")) {
            if (pair.has("event")) {
                return pair.get("event").asText();
            }
        }
        return "";
    }

    @Test
    void anUnknownFormatIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> LogFormat.apply(GatewaySettings.of(Map.of(LogFormat.KEY, "xml"))))
                .hasMessageContaining("gateway.log.format must be text or json");
    }
}
