package io.storegateway.cli;

import io.storegateway.StoreGatewayApplication;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code validate} says what start-up would say: for a bad value of each kind, in the file or as an
 * environment or {@code -D} override, both commands exit 1 with the same {@code where: key: message}
 * lines, and {@code run} stops before anything else (the demo credentials, a port) is looked at. Real
 * processes, as IT runs them, so the environment is real.
 */
class ValidateAndRunAgreeTest {

    @Test
    void aBadValueOfEachKindInTheFileIsReportedAlikeWithItsLine(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("application.properties");
        Files.writeString(config, String.join("\n",
                "gateway.hq.url = hq.example",                      // 1: not a URL
                "gateway.forward.batch-size = 5000",                // 2: out of range
                "gateway.forward.consumers = 99",                   // 3: out of range
                "gateway.conflict.policy = FIRST_WINS",             // 4: not one of the words
                "gateway.http.port = 70000",                        // 5: not a port
                "gateway.connectivity.interval-ms = -5",            // 6: negative
                "gateway.hq.gzip = yes",                            // 7: not true or false
                "gateway.forward.backoff.jitter = 2",               // 8: number out of range
                "gateway.mirror.retention = a month",               // 9: the parser's own words
                "gateway.forward.bach-size = 3",                    // 10: misspelt
                "gateway.routes-dir = " + Files.createDirectories(dir.resolve("routes")),
                ""));

        List<String> expected = List.of(
                config + ":1: gateway.hq.url: must be an http:// or https:// URL, not 'hq.example'",
                config + ":2: gateway.forward.batch-size: must be a whole number from 1 to 500, not '5000'",
                config + ":3: gateway.forward.consumers: must be a whole number from 1 to 16, not '99'",
                config + ":4: gateway.conflict.policy: must be one of LAST_WRITE_WINS, HQ_WINS, STORE_WINS, MANUAL, not 'FIRST_WINS'",
                config + ":5: gateway.http.port: must be a port number from 1 to 65535, not '70000'",
                config + ":6: gateway.connectivity.interval-ms: must be a whole number from 100 to 3600000, not '-5'",
                config + ":7: gateway.hq.gzip: must be true or false, not 'yes'",
                config + ":8: gateway.forward.backoff.jitter: must be a number from 0 to 1, not '2'",
                config + ":9: gateway.mirror.retention: must be 0 (keep everything), a number of days (30, 30d), hours (12h), "
                        + "minutes (90m), seconds (45s) or an ISO-8601 duration (P30D), not 'a month'",
                config + ":10: gateway.forward.bach-size: unknown setting (misspelt? see the configuration reference)");

        assertBothSay(config, Map.of(), List.of(), expected);
    }

    @Test
    void anOverrideIsReportedAsTheEnvironmentVariableOrSystemPropertyItCameFrom(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("application.properties");
        Files.writeString(config, "gateway.http.port = 8080\ngateway.routes-dir = "
                + Files.createDirectories(dir.resolve("routes")) + "\n");

        assertBothSay(config, Map.of("GATEWAY_HTTP_PORT", "xyz"), List.of("-Dgateway.forward.consumers=0"), List.of(
                "env GATEWAY_HTTP_PORT: gateway.http.port: must be a port number from 1 to 65535, not 'xyz'",
                "-Dgateway.forward.consumers: gateway.forward.consumers: must be a whole number from 1 to 16, not '0'"));
    }

    @Test
    void settingsThatGoTogetherAreReportedAlike(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("application.properties");
        Files.writeString(config, String.join("\n",
                "gateway.routes-dir = " + Files.createDirectories(dir.resolve("routes")),
                "gateway.forward.backoff.initial-ms = 60000",
                "gateway.forward.backoff.max-ms = 30000",
                ""));

        assertBothSay(config, Map.of(), List.of(), List.of(
                config + ":2: gateway.forward.backoff.initial-ms: must not be above gateway.forward.backoff.max-ms"));
    }

    private static void assertBothSay(Path config, Map<String, String> env, List<String> jvmArgs, List<String> expected)
            throws Exception {
        Result validate = java(env, jvmArgs, "validate", "--config", config.toString());
        Result run = java(env, jvmArgs, "run", "--config", config.toString());

        assertThat(validate.code()).as(validate.out()).isEqualTo(1);
        assertThat(validate.out().lines().filter(l -> !l.contains(".camel.yaml")))
                .as(validate.out()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(run.code()).as(run.err()).isEqualTo(1);
        // "store-gateway: N settings are wrong:" (or "a setting is wrong:"), then one problem a line
        List<String> said = run.err().lines().dropWhile(l -> !l.startsWith("store-gateway: "))
                .skip(1).map(String::strip).toList();
        assertThat(said).as(run.err()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(run.err()).doesNotContain("demo credentials").doesNotContain("Exception");
    }

    private record Result(int code, String out, String err) {
    }

    private static Result java(Map<String, String> env, List<String> jvmArgs, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(StoreGatewayApplication.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("GATEWAY_"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile("cmd", ".out");
        Path err = Files.createTempFile("cmd", ".err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("still running after 60 s: " + String.join(" ", args));
        }
        try {
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
