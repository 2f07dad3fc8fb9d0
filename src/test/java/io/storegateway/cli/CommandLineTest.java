package io.storegateway.cli;

import io.storegateway.CommandRun;
import io.storegateway.TerminalClient;
import io.storegateway.TestUsers;
import io.storegateway.hq.simulator.HqSimulator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The commands of README, Commands, and docs/SETUP.md, as a user runs them. */
class CommandLineTest {

    @Test
    void validateAcceptsTheShippedConfigAndRoutes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new ConfigValidator(new PrintStream(out, true, StandardCharsets.UTF_8))
                .validate(Path.of("config/application.properties"), Path.of("routes"));

        assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
    }

    @Test
    void validateReportsFileAndLineOfEachProblemAndExitsOne(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("application.properties");
        Files.writeString(config, "gateway.store-id = S9\n# comment\ngateway.http.port = eighty\ngateway.log.format = xml\n");
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("broken.camel.yaml"), "- route:\n    id: a\n    from:\n      uri: \"timer:x\n");
        Files.writeString(routes.resolve("noid.camel.yaml"), "- route:\n    from:\n      uri: timer:y\n");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new ConfigValidator(new PrintStream(out, true, StandardCharsets.UTF_8)).validate(config, routes);
        String report = out.toString(StandardCharsets.UTF_8);

        assertThat(code).isEqualTo(1);
        assertThat(report).contains(config + ":3: gateway.http.port: must be a port number from 1 to 65535, not 'eighty'");
        assertThat(report).contains(config + ":4: gateway.log.format: must be one of text, json, not 'xml'");
        assertThat(report).contains(routes.resolve("broken.camel.yaml") + ":");
        assertThat(report).contains(routes.resolve("noid.camel.yaml") + ":1: route has no id");
    }

    @Test
    void runRefusesToStartWithTheDemoCredentialsAndSaysWhatToChange(@TempDir Path dir) throws Exception {
        int httpPort = freePort();
        Path config = dir.resolve("application.properties");
        Files.writeString(config, String.join("\n",
                "gateway.data-dir = " + dir.resolve("data"),
                "gateway.http.port = " + httpPort,
                "gateway.broker.port = " + freePort(),
                "gateway.hq.token = demo-hq-token",
                "gateway.mirror.password = demo-mirror-password",
                "gateway.routes-dir = " + Path.of("routes").toAbsolutePath(),
                "gateway.security.users-file = " + Path.of("config/users.properties").toAbsolutePath()));
        Path log = dir.resolve("gateway.log");
        Process gateway = run(config, log);
        try {
            assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).as("exited within 60 s").isTrue();
            String output = Files.readString(log);
            assertThat(gateway.exitValue()).as(output).isEqualTo(1);
            // Each demo secret, where it is, and what to do about it.
            assertThat(output).contains(Path.of("config/users.properties").toAbsolutePath() + ": user 'terminal-01' (terminal)")
                    .contains("user 'it-admin' (admin)")
                    .contains("docs/SETUP.md, \"Users and tokens\"")
                    .contains("gateway.hq.token is the demo value").contains("GATEWAY_HQ_TOKEN")
                    .contains("gateway.mirror.password is the demo value").contains("GATEWAY_MIRROR_PASSWORD")
                    .doesNotContain("Broker up");
            assertThatThrownBy(() -> new TerminalClient("http://localhost:" + httpPort, null).get("/observe/health"))
                    .as("nothing listens on the HTTP port").isInstanceOf(UncheckedIOException.class);
        } finally {
            gateway.destroyForcibly();
        }
    }

    @Test
    void sigtermStopsTheGatewayGracefullyWithExitCodeZero(@TempDir Path dir) throws Exception {
        HqSimulator hq = new HqSimulator(0).start();
        int httpPort = freePort();
        Path config = runConfig(dir, httpPort, hq);
        Path log = dir.resolve("gateway.log");
        Process gateway = run(config, log);
        try {
            TerminalClient terminal = new TerminalClient("http://localhost:" + httpPort, TestUsers.TERMINAL_TOKEN);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> terminal.get("/api/v1/products").status() == 200);
            assertThat(terminal.post(TerminalClient.adjust("before-term", "SKU-X", 1)).status()).isEqualTo(202);

            gateway.destroy(); // SIGTERM

            assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
            assertThat(gateway.exitValue()).as(Files.readString(log)).isZero();
            assertThat(Files.readString(log)).contains("Stopped");
        } finally {
            gateway.destroyForcibly();
            hq.stop();
        }
    }

    @Test
    void sigtermWhileTheGatewayIsStillStartingStopsItToo(@TempDir Path dir) throws Exception {
        HqSimulator hq = new HqSimulator(0).start();
        Path config = runConfig(dir, freePort(), hq);
        Path log = dir.resolve("gateway.log");
        Process gateway = run(config, log);
        try {
            // The broker is up, Camel not yet: the signal lands in the middle of the start.
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("Broker up"));
            gateway.destroy(); // SIGTERM

            assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s: " + Files.readString(log)).isTrue();
            assertThat(gateway.exitValue()).as(Files.readString(log)).isZero();
        } finally {
            gateway.destroyForcibly();
            hq.stop();
        }
    }

    @Test
    void helpPrintsTheUsageOfEveryCommandAndExitsZero(@TempDir Path dir) {
        for (String help : List.of("--help", "-h", "help")) {
            CommandRun r = CommandRun.of(dir, List.of(), help);

            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.stdout()).startsWith("usage: java [-Dkey=value ...] -jar store-gateway.jar [COMMAND]")
                    .contains("--config FILE", "--routes DIR", "GATEWAY_HTTP_PORT");
            for (CommandLine.Command c : CommandLine.Command.values()) {
                assertThat(r.stdout()).as(help).containsPattern("(?m)^  " + c.word + " +\\S");
            }
            assertThat(r.stderr()).isEmpty();
        }
    }

    @Test
    void commandHelpPrintsThatCommandsUsageAndStartsNothing(@TempDir Path dir) throws IOException {
        CommandRun validate = CommandRun.of(dir, List.of(), "validate", "--help");
        // A simulator that started would say "listening", and not exit.
        CommandRun simulator = CommandRun.of(dir, List.of("-Dhq.port=" + freePort()), "hq-simulator", "--help");

        assertThat(validate.exitCode()).as(validate.output()).isZero();
        assertThat(validate.stdout()).startsWith("usage: java [-Dkey=value ...] -jar store-gateway.jar validate [--config FILE] [--routes DIR]")
                .contains(CommandLine.Command.VALIDATE.meaning);
        assertThat(simulator.exitCode()).as(simulator.output()).isZero();
        assertThat(simulator.stdout()).startsWith("usage: java [-Dkey=value ...] -jar store-gateway.jar hq-simulator [--config FILE]\n")
                .doesNotContain("--routes").doesNotContain("listening");
    }

    @Test
    void aJavaOptionAfterTheCommandIsShownWhereItBelongs(@TempDir Path dir) {
        CommandRun r = CommandRun.of(dir, List.of(), "run", "-Dgateway.http.port=1", "--config", "my.properties");

        assertThat(r.exitCode()).as(r.output()).isEqualTo(Commands.EXIT_USAGE);
        assertThat(r.stderr().lines()).as(r.output()).singleElement().asString()
                .contains("-Dgateway.http.port=1 is a Java option and goes before -jar")
                .contains("java -Dgateway.http.port=1 -jar store-gateway.jar run --config my.properties");
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void configWithoutAValueIsOneLineNotAStackTrace(@TempDir Path dir) {
        for (List<String> args : List.of(List.of("run", "--config"), List.of("validate", "--config", "--routes", "routes"))) {
            CommandRun r = CommandRun.of(dir, List.of(), args.toArray(String[]::new));

            assertThat(r.exitCode()).as(r.output()).isEqualTo(Commands.EXIT_USAGE);
            assertThat(r.stderr().lines()).as(r.output()).singleElement().asString()
                    .startsWith("store-gateway: --config needs a settings file");
            assertThat(r.stdout()).isEmpty();
        }
    }

    @Test
    void aBusySimulatorPortIsOneLineNamingTheKey(@TempDir Path dir) throws IOException {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            CommandRun r = CommandRun.of(dir, List.of("-Dhq.port=" + port), "hq-simulator");

            assertThat(r.exitCode()).as(r.output()).isEqualTo(1);
            assertThat(r.stderr().lines()).as(r.output()).singleElement()
                    .isEqualTo("store-gateway: hq.port " + port + " is already in use by another process");
            assertThat(r.stdout()).as("no stack trace in the log either").doesNotContain("\tat ").doesNotContain("Exception");
        }
    }

    @Test
    void anOutOfRangePortNamesItsKey(@TempDir Path dir) throws IOException {
        HqSimulator hq = new HqSimulator(0).start();
        try {
            Path config = runConfig(dir, 70_000, hq);
            CommandRun gateway = CommandRun.of(dir, List.of(), "run", "--config", config.toString());
            Path sound = runConfig(Files.createDirectories(dir.resolve("sound")), freePort(), hq);
            CommandRun simulator = CommandRun.of(dir, List.of("-Dhq.port=70000"), "hq-simulator", "--config", sound.toString());
            CommandRun management = CommandRun.of(dir, List.of("-Dgateway.management.port=0"), "run", "--config", sound.toString());

            assertThat(gateway.exitCode()).as(gateway.output()).isEqualTo(1);
            // the settings' rules, as validate says them: where the value came from, the key, the rule
            assertThat(gateway.stderr()).as(gateway.output()).startsWith("store-gateway: a setting is wrong:\n  " + config + ":")
                    .endsWith(": gateway.http.port: must be a port number from 1 to 65535, not '70000'\n").hasLineCount(2);
            assertThat(simulator.stderr()).as(simulator.output()).isEqualTo("store-gateway: a setting is wrong:\n"
                    + "  -Dhq.port: hq.port: must be a port number from 1 to 65535, not '70000'\n");
            assertThat(management.stderr()).as(management.output()).isEqualTo("store-gateway: a setting is wrong:\n"
                    + "  -Dgateway.management.port: gateway.management.port: must be a port number from 1 to 65535, not '0'\n");
            assertThat(gateway.stdout() + simulator.stdout() + management.stdout()).doesNotContain("\tat ");
        } finally {
            hq.stop();
        }
    }

    /** {@code run --config FILE} in a JVM of its own, its output (stdout and stderr) into {@code log}. */
    private static Process run(Path config, Path log) throws IOException {
        return new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "io.storegateway.StoreGatewayApplication", "run", "--config", config.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** A config for `run` in a test directory: free ports, the given HQ, test users. */
    private static Path runConfig(Path dir, int httpPort, HqSimulator hq) throws IOException {
        Path config = dir.resolve("application.properties");
        Files.writeString(config, String.join("\n",
                "gateway.data-dir = " + dir.resolve("data"),
                "gateway.http.port = " + httpPort,
                "gateway.broker.port = " + freePort(),
                "gateway.hq.url = " + hq.url(),
                "gateway.routes-dir = " + Path.of("routes").toAbsolutePath(),
                "gateway.security.users-file = " + TestUsers.write(dir)));
        return config;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
