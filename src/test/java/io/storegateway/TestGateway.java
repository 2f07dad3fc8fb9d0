package io.storegateway;

import io.storegateway.config.GatewaySettings;
import io.storegateway.hq.simulator.HqSimulator;

import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real gateway for integration tests: its own data directory under target/, free ports, the
 * project's route files and users file, and a real HQ simulator on a free port. Short back-off so
 * tests about outages run quickly. The mirror is SQLite in the data directory, or a PostgreSQL schema of
 * its own when the run asks for PostgreSQL ({@link TestMirror}).
 */
public final class TestGateway implements AutoCloseable {

    public static final String TERMINAL_TOKEN = "demo-terminal-token";
    public static final String ADMIN_TOKEN = "demo-admin-token";
    public static final String TERMINAL_USER = "terminal-01";
    public static final String HQ_TOKEN = "test-hq-token";
    public static final String STORE = "S001";

    public final HqSimulator hq;
    public final Path dataDir;
    private final TestMirror mirror;
    private final Map<String, String> overrides;
    private Gateway gateway;
    private boolean closed;
    private Clock clock = Clock.systemUTC();

    private TestGateway(Path dataDir, TestMirror mirror, Map<String, String> overrides, Consumer<HqSimulator> hqSetup) {
        this.dataDir = dataDir;
        this.mirror = mirror;
        this.hq = new HqSimulator(freePort());
        // HQ expects the token the gateway is given (HQ_TOKEN unless a test sets gateway.hq.token).
        hq.setRequiredToken(overrides.getOrDefault(GatewaySettings.HQ_TOKEN, HQ_TOKEN));
        hqSetup.accept(hq);
        hq.start();
        int httpPort = freePort();
        int brokerPort = freePort();
        while (brokerPort == httpPort) {
            brokerPort = freePort();
        }
        this.overrides = new HashMap<>(Map.of(
                GatewaySettings.STORE_ID, STORE,
                GatewaySettings.DATA_DIR, dataDir.toString(),
                GatewaySettings.HTTP_PORT, Integer.toString(httpPort),
                GatewaySettings.BROKER_PORT, Integer.toString(brokerPort),
                GatewaySettings.HQ_URL, hq.url(),
                GatewaySettings.HQ_TOKEN, HQ_TOKEN,
                GatewaySettings.ROUTES_DIR, Path.of("routes").toAbsolutePath().toString(),
                GatewaySettings.USERS_FILE, Path.of("config/users.properties").toAbsolutePath().toString()));
        this.overrides.putAll(Map.of(
                "gateway.forward.backoff.initial-ms", "100",
                "gateway.forward.backoff.max-ms", "500",
                // the tests' outages are short, often shorter than watch-hq's ping (whose seeing HQ come
                // back closes the breaker): a breaker opened by one waits 2 s, not 30 s, before its trial
                "gateway.hq.breaker.wait-in-open-ms", "2000",
                "gateway.forward.poll-delay-ms", "20",
                "gateway.hq.connect-timeout-ms", "1000",
                "gateway.hq.response-timeout-ms", "3000",
                "gateway.forward.access-retry-ms", "500",
                "gateway.broker.disk-scan-ms", "200",
                "gateway.changes.interval-ms", "500"));
        this.overrides.putAll(mirror.settings());
        this.overrides.putAll(overrides);
    }

    /** A new gateway with a fresh data directory, and HQ seeded with {@code products} products. */
    public static TestGateway started(String name, int products, Map<String, String> overrides) {
        return started(name, products, overrides, hq -> { }, true);
    }

    /**
     * As {@link #started(String, int, Map)}, with HQ set up before it starts (e.g. to serve HTTPS), and
     * waiting for the catalogue only when {@code awaitCatalogue} (not when the gateway cannot reach HQ).
     */
    public static TestGateway started(String name, int products, Map<String, String> overrides,
                                      Consumer<HqSimulator> hqSetup, boolean awaitCatalogue) {
        return started(name, products, overrides, hqSetup, awaitCatalogue, (dir, mirror) -> { });
    }

    /**
     * As above, with the data directory (and, on PostgreSQL, the mirror's schema) prepared before the
     * gateway starts, e.g. filled with what an earlier version left there.
     */
    public static TestGateway started(String name, int products, Map<String, String> overrides,
                                      Consumer<HqSimulator> hqSetup, boolean awaitCatalogue,
                                      BiConsumer<Path, TestMirror> prepare) {
        return started(name, products, overrides, hqSetup, awaitCatalogue, prepare, Clock.systemUTC());
    }

    private static TestGateway started(String name, int products, Map<String, String> overrides,
                                       Consumer<HqSimulator> hqSetup, boolean awaitCatalogue,
                                       BiConsumer<Path, TestMirror> prepare, Clock clock) {
        Path dir = Path.of("target", "test-data", name + "-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        TestGateway t = new TestGateway(dir, TestMirror.forGateway(name), overrides, hqSetup);
        ClosesTestGateways.started(t);
        t.clock = clock;
        try {
            prepare.accept(dir, t.mirror);
            t.hq.seedDemoCatalogue(STORE, products);
            t.startGateway();
            if (awaitCatalogue) {
                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> t.gateway().catalogueLoaded());
            }
        } catch (RuntimeException | Error e) {
            t.close(); // the test never gets it to close: HQ's port and a PostgreSQL schema would be left behind
            throw e;
        }
        return t;
    }

    public static TestGateway started(String name, int products) {
        return started(name, products, Map.of());
    }

    public GatewaySettings settings() {
        return GatewaySettings.of(overrides);
    }

    /** This gateway's settings as a config file at {@code file}, for a command run beside it ({@code health}). */
    public Path writeConfig(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                settings().asProperties().store(out, null);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Changes a setting (null: removes it) for the next {@link #startGateway()}. */
    public void setting(String key, String value) {
        if (value == null) {
            overrides.remove(key);
        } else {
            overrides.put(key, value);
        }
    }

    public void startGateway() {
        gateway = Gateway.start(settings(), clock);
    }

    /** A gateway that tells time by {@code clock} (from its next start on). */
    public static TestGateway started(String name, int products, Map<String, String> overrides, Clock clock) {
        return started(name, products, overrides, hq -> { }, true, (dir, mirror) -> { }, clock);
    }

    public void stopGateway() {
        if (gateway != null) {
            gateway.close();
            gateway = null;
        }
    }

    public Gateway gateway() {
        return gateway;
    }

    public String baseUrl() {
        return "http://localhost:" + settings().httpPort();
    }

    public int brokerPort() {
        return settings().brokerPort();
    }

    /**
     * gateway_forward_retries_total from /observe/metrics: failed HQ calls whose batch went back to the
     * queue.
     */
    public double forwardRetries() {
        String metrics = new TerminalClient(baseUrl(), null).get("/observe/metrics").body();
        Matcher m = Pattern.compile("(?m)^gateway_forward_retries_total(?:\\{[^}]*})? (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    public TerminalClient terminal() {
        return new TerminalClient(baseUrl(), TERMINAL_TOKEN);
    }

    /** Closes the gateway, HQ and the mirror; once (a test may close what {@link ClosesTestGateways} closes again). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopGateway();
        hq.stop();
        mirror.close();
    }

    /**
     * A port free now, below the kernel's range for outgoing connections (32768-60999 on Linux), so that
     * no connection of this or another test JVM takes it before the gateway binds it. (A port the kernel
     * handed out was once taken meanwhile, with three test JVMs side by side: the broker could not bind.)
     */
    public static int freePort() {
        while (true) {
            int port = 10_000 + ThreadLocalRandom.current().nextInt(22_000);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(port));
                return port;
            } catch (IOException taken) {
                // in use: another
            }
        }
    }
}
