package io.storegateway.health;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.mirror.UpdateStatus;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * /observe/metrics as Prometheus reads it: {@code promtool check metrics} has nothing to say, the
 * JVM's and the process's meters are there, and every gateway metric says what it counts. Without
 * promtool (Debian package prometheus) the check is skipped, unless STOREGW_REQUIRE_PROMTOOL=1 (CI)
 * makes that a failure.
 */
@ExtendWith(ClosesTestGateways.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsPageTest {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");
    private static final Pattern HELP = Pattern.compile("^# HELP (\\S+) ?(.*)$");

    private TestGateway t;
    private String page;

    @BeforeAll
    void startGatewayAndScrape() {
        t = TestGateway.started("metrics-page", 3);
        // One update through to HQ: Camel's route and exchange meters and the HQ call timer have samples.
        assertThat(t.terminal().post(TerminalClient.adjust("mp-1", "SKU-0001", 1)).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> t.gateway().acceptedUpdates().count(UpdateStatus.APPLIED) == 1);
        TerminalClient.Reply reply = new TerminalClient(t.baseUrl(), null).get("/observe/metrics");
        assertThat(reply.status()).isEqualTo(200);
        page = reply.body();
    }

    @Test
    void promtoolFindsNothingToReport() throws Exception {
        Path promtool = promtool();
        Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        check.getOutputStream().write(page.getBytes(StandardCharsets.UTF_8));
        check.getOutputStream().close();
        String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();

        // Lint findings (camelCase labels, no HELP) exit 3 and print a line each: none are expected.
        assertThat(report).as("promtool check metrics says").isEmpty();
        assertThat(check.exitValue()).as(report).isZero();
    }

    @Test
    void theJvmAndProcessMetersArePublished() {
        assertThat(page)
                .containsPattern("(?m)^jvm_memory_used_bytes\\{area=\"heap\",id=\"[^\"]+\"} ")
                .containsPattern("(?m)^jvm_memory_max_bytes\\{")
                .containsPattern("(?m)^jvm_gc_(overhead|memory_allocated_bytes_total|live_data_size_bytes)")
                .containsPattern("(?m)^jvm_threads_live_threads [1-9]")
                .containsPattern("(?m)^jvm_classes_loaded_classes [1-9]")
                .containsPattern("(?m)^process_cpu_usage ")
                .containsPattern("(?m)^system_cpus [1-9]")
                .containsPattern("(?m)^process_files_open_files [1-9]")
                .containsPattern("(?m)^process_files_max_files [1-9]")
                .containsPattern("(?m)^process_uptime_seconds ")
                .containsPattern("(?m)^process_start_time_seconds [1-9]");
    }

    @Test
    void everyGatewayMetricSaysWhatItCounts() {
        Map<String, String> help = new HashMap<>();
        page.lines().map(HELP::matcher).filter(Matcher::matches).forEach(m -> help.put(m.group(1), m.group(2).trim()));
        List<String> gatewaySamples = page.lines().map(SAMPLE::matcher).filter(Matcher::find).map(m -> m.group(1))
                .filter(name -> name.startsWith("gateway_")).distinct().toList();

        assertThat(gatewaySamples).contains("gateway_backlog", "gateway_hq_online", "gateway_hq_request_seconds_bucket");
        for (String sample : gatewaySamples) {
            String family = help.containsKey(sample) ? sample : sample.replaceFirst("_(bucket|count|sum|created)$", "");
            assertThat(help.get(family)).as("HELP of %s", sample).isNotBlank();
        }
        help.forEach((name, text) -> {
            if (name.startsWith("gateway_")) {
                assertThat(text).as("HELP of %s", name).isNotBlank().hasSizeGreaterThan(10);
            }
        });
    }

    /** promtool on the PATH; its absence skips the test, or fails it when STOREGW_REQUIRE_PROMTOOL=1. */
    private static Path promtool() {
        Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "promtool")).filter(Files::isExecutable).findFirst();
        if (found.isEmpty() && "1".equals(System.getenv("STOREGW_REQUIRE_PROMTOOL"))) {
            fail("STOREGW_REQUIRE_PROMTOOL=1 but promtool is not on the PATH (Debian package prometheus)");
        }
        assumeThat(found).as("promtool (Debian package prometheus); STOREGW_REQUIRE_PROMTOOL=1 makes its absence a failure")
                .isPresent();
        return found.orElseThrow();
    }
}
