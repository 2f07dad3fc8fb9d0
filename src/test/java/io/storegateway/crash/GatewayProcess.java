package io.storegateway.crash;

import io.storegateway.TestUsers;

import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;

/**
 * The gateway as a separate JVM ({@code StoreGatewayApplication run --config FILE}) on fixed free
 * ports and one data directory, so it can be killed and started again on the same journal and
 * mirror. Each run writes its stdout and stderr to its own log file beside the data directory. Its
 * users are {@link TestUsers}: terminals and IT use those tokens, not the demo ones.
 */
final class GatewayProcess implements AutoCloseable {

    /** What {@link Process#exitValue()} reports for a process that SIGKILL ended (128 + 9). */
    static final int KILLED_BY_SIGKILL = 137;

    private static final HttpClient PROBE = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();

    private final Path dir;
    private final Path config;
    private final int httpPort;
    private final int brokerPort;
    private final List<Path> logs = new ArrayList<>();
    private volatile Process process;

    GatewayProcess(Path dir, String hqUrl, String hqToken) throws IOException {
        this(dir, hqUrl, hqToken, Map.of());
    }

    /** With {@code extra} settings added to (or overriding) the config file, e.g. a remote broker's URL. */
    GatewayProcess(Path dir, String hqUrl, String hqToken, Map<String, String> extra) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.httpPort = freePort();
        int broker = freePort();
        while (broker == httpPort) {
            broker = freePort();
        }
        this.brokerPort = broker;
        this.config = dir.resolve("application.properties");
        // Even when the test JVM is ended early, no gateway outlives it.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Process p = process;
            if (p != null) {
                p.destroyForcibly();
            }
        }, "crash-gateway-reaper"));
        Files.writeString(config, String.join("\n",
                "gateway.store-id = S001",
                "gateway.data-dir = " + dataDir(),
                "gateway.http.port = " + httpPort,
                "gateway.broker.port = " + brokerPort,
                "gateway.hq.url = " + hqUrl,
                "gateway.hq.token = " + hqToken,
                "gateway.routes-dir = " + Path.of("routes").toAbsolutePath(),
                // `run` refuses the shipped demo users: these have test tokens (TestUsers).
                "gateway.security.users-file = " + TestUsers.write(dir),
                // Short back-off and time-outs: the simulator's faults change every second or so.
                "gateway.forward.backoff.initial-ms = 100",
                "gateway.forward.backoff.max-ms = 1000",
                "gateway.forward.poll-delay-ms = 20",
                "gateway.hq.connect-timeout-ms = 1000",
                "gateway.hq.response-timeout-ms = 2000",
                "gateway.catalogue.retry-ms = 1000",
                ""), StandardCharsets.UTF_8);
        StringBuilder more = new StringBuilder();
        extra.forEach((k, v) -> more.append(k).append(" = ").append(v).append('\n'));
        Files.writeString(config, more, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    Path dataDir() {
        return dir.resolve("data").toAbsolutePath();
    }

    /** The mirror's SQLite file, for reading it while the gateway is stopped. */
    String mirrorJdbcUrl() {
        return "jdbc:sqlite:" + dataDir().resolve("mirror").resolve("mirror.db");
    }

    /**
     * SQLite's own check of the mirror file ({@code PRAGMA integrity_check}): "ok" when it is sound.
     * Run while the gateway is down, as after a kill, before it starts again.
     */
    String mirrorIntegrity() throws SQLException {
        try (Connection c = DriverManager.getConnection(mirrorJdbcUrl());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA integrity_check(20)")) {
            StringBuilder out = new StringBuilder();
            while (rs.next()) {
                out.append(out.isEmpty() ? "" : "; ").append(rs.getString(1));
            }
            return out.toString();
        }
    }

    String baseUrl() {
        return "http://localhost:" + httpPort;
    }

    String brokerUrl() {
        return "tcp://localhost:" + brokerPort;
    }

    int runs() {
        return logs.size();
    }

    List<Path> logs() {
        return List.copyOf(logs);
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The last run's exit code, or null while it runs. */
    synchronized Integer exitCode() {
        return process == null || process.isAlive() ? null : process.exitValue();
    }

    synchronized long pid() {
        return process.pid();
    }

    /** Starts a new run on the same data directory and ports. */
    synchronized void start() throws IOException {
        if (isAlive()) {
            throw new IllegalStateException("gateway already running (pid " + process.pid() + ")");
        }
        Path log = dir.resolve("gateway-run-" + (logs.size() + 1) + ".log");
        logs.add(log);
        process = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp", System.getProperty("java.class.path"),
                "io.storegateway.StoreGatewayApplication", "run", "--config", config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /**
     * Waits until the gateway answers terminals over HTTP (the broker starts before the HTTP server,
     * so JMS is up too). Fails with the tail of this run's log when it exits or does not come up.
     */
    void awaitUp(Duration within) {
        Process p;
        synchronized (this) {
            p = process;
        }
        AtomicReference<String> last = new AtomicReference<>("nothing yet");
        try {
            await().atMost(within).pollInterval(Duration.ofMillis(100))
                    .until(() -> !p.isAlive() || answers("/api/v1/products?limit=1", last));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("gateway run " + runs() + " did not answer GET /api/v1/products with 200 within " + within
                    + " (last answer: " + last.get() + "); log tail:\n" + logTail(60), e);
        }
        if (!p.isAlive()) {
            throw new AssertionError("gateway run " + runs() + " exited with code " + p.exitValue() + " while starting; log tail:\n"
                    + logTail(60));
        }
    }

    /**
     * Right after {@link #awaitUp}: a full page of products, one product and an update's status answer
     * 200 on the first try (a mirror left unreadable by the kill would answer 500 here).
     */
    void assertReadsAnswerAtOnce(String sku) throws IOException, InterruptedException {
        for (String path : List.of("/api/v1/products?limit=500", "/api/v1/products/" + sku, "/api/v1/updates/no-such-update")) {
            HttpResponse<String> r = get(path);
            int expected = path.contains("no-such-update") ? 404 : 200;
            if (r.statusCode() != expected) {
                throw new AssertionError("gateway run " + runs() + " answered GET " + path + " with " + r.statusCode() + " "
                        + r.body() + " right after it came up (expected " + expected + "); log tail:\n" + logTail(60));
            }
        }
    }

    private boolean answers(String path, AtomicReference<String> last) {
        try {
            HttpResponse<String> r = get(path);
            last.set(r.statusCode() + " " + (r.body().length() > 300 ? r.body().substring(0, 300) : r.body()));
            return r.statusCode() == 200;
        } catch (IOException e) {
            last.set(e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return PROBE.send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + TestUsers.TERMINAL_TOKEN)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * SIGKILL: {@link Process#destroyForcibly()} sends SIGKILL on Linux; the exit code (137 = 128 + 9)
     * returned here proves it.
     */
    synchronized int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("gateway pid " + process.pid() + " survived SIGKILL for 30 s");
        }
        return process.exitValue();
    }

    /** SIGTERM ({@link Process#destroy()}), then the exit code; fails when it does not stop in time. */
    synchronized int terminate(Duration within) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("gateway did not stop within " + within + " of SIGTERM; log tail:\n" + logTail(60));
        }
        return process.exitValue();
    }

    String logTail(int lines) {
        if (logs.isEmpty()) {
            return "(no run yet)";
        }
        Path log = logs.get(logs.size() - 1);
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return log + ":\n" + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        } catch (UncheckedIOException e) {
            return "(cannot read " + log + ": " + e.getCause() + ")";
        }
    }

    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
