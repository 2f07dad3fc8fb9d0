package io.storegateway.crash;

import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.TestUsers;
import io.storegateway.hq.ProductRecord;
import io.storegateway.hq.simulator.HqSimulator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The mirror survives SIGKILL while it works hardest: during a drain (HQ's answers settled batch after
 * batch, the WAL checkpointed every second) and during pruning (a retention of seconds, so the history is
 * deleted in batches and the freed pages given back right after). After every kill the file passes
 * SQLite's integrity check before the gateway starts again, and reads answer 200 at once; at the end
 * HQ has every update exactly once and the mirror equals HQ, its counters included.
 */
class MirrorCrashIT {

    private static final String STORE = TestGateway.STORE;
    private static final int SKUS = 50;
    private static final int UPDATES = 30_000;
    private static final int PER_REQUEST = 500;
    private static final long SEED = Long.getLong("crash.seed", 20261202L);
    private static final Duration START = Duration.ofSeconds(60);

    private final Random random = new Random(SEED);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<String> kills = new ArrayList<>();
    private HqSimulator hq;
    private GatewayProcess gateway;

    @AfterEach
    void cleanUp() {
        if (gateway != null) {
            gateway.close();
        }
        if (hq != null) {
            hq.stop();
        }
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void theMirrorIsSoundAfterKillsDuringADrainAndDuringPruning() throws Exception {
        hq = new HqSimulator(0);
        hq.setRequiredToken(TestGateway.HQ_TOKEN);
        hq.seedDemoCatalogue(STORE, SKUS);
        hq.start();
        Path dir = Path.of("target", "mirror-crash-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                .toAbsolutePath();
        gateway = new GatewayProcess(dir, hq.url(), TestGateway.HQ_TOKEN, Map.of(
                // Short, so the history is pruned during the test; longer than a restart, so a batch settled
                // just before a kill and answered again after it is not pruned in between (it would be
                // counted twice, as a settle that finds neither a queued nor a settled row).
                "gateway.mirror.retention", "20s",
                "gateway.mirror.upkeep-interval-ms", "500"));
        System.out.printf("MIRROR-CRASH seed %d, data dir %s%n", SEED, gateway.dataDir());
        gateway.start();
        gateway.awaitUp(START);
        await().atMost(START).until(() -> hq.appliedCount(STORE) == 0 && catalogueLoaded());

        // A backlog while HQ is away.
        hq.setFault("down", 1.0, 0);
        for (int from = 0; from < UPDATES; from += PER_REQUEST) {
            int start = from;
            String body = IntStream.range(start, start + PER_REQUEST)
                    .mapToObj(i -> TerminalClient.adjust(String.format("mc-%06d", i), sku(i), 1))
                    .collect(Collectors.joining(",", "[", "]"));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/api/v1/updates"))
                    .header("Authorization", "Bearer " + TestUsers.TERMINAL_TOKEN).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        }

        // Kills during the drain: each at a random moment once HQ has applied more since the last one.
        hq.setFault("none", 1.0, 0);
        for (int k = 0; k < 3; k++) {
            int appliedBefore = hq.appliedCount(STORE);
            await().atMost(START).until(() -> hq.appliedCount(STORE) > appliedBefore + 500 || hq.appliedCount(STORE) == UPDATES);
            if (hq.appliedCount(STORE) == UPDATES) {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(random.nextInt(400)); // the kill's moment, not a wait for a condition
            killCheckAndRestart("drain, HQ applied " + hq.appliedCount(STORE));
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> hq.appliedCount(STORE) == UPDATES && queuedRows() == 0);

        // Kills during pruning: the whole history is older than the retention within 20 s.
        for (int k = 0; k < 2; k++) {
            long before = settledRows();
            if (before < 1000) {
                break;
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> settledRows() < before - 200);
            killCheckAndRestart("pruning, " + settledRows() + " settled rows left of " + before);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> settledRows() == 0);

        int exit = gateway.terminate(Duration.ofSeconds(60));
        System.out.printf("MIRROR-CRASH kills: %s%n", kills);
        assertThat(exit).isZero();
        assertThat(kills).as("kills").hasSizeGreaterThanOrEqualTo(3);
        assertThat(gateway.mirrorIntegrity()).isEqualTo("ok");
        assertThat(hq.appliedCount(STORE)).isEqualTo(UPDATES);
        try (Connection c = DriverManager.getConnection(gateway.mirrorJdbcUrl()); Statement s = c.createStatement()) {
            assertThat(single(s, "SELECT COUNT(*) FROM queued_update")).isZero();
            assertThat(single(s, "SELECT value FROM mirror_counter WHERE name = 'accepted'")).isEqualTo(UPDATES);
            assertThat(single(s, "SELECT value FROM mirror_counter WHERE name = 'settled'")).isEqualTo(UPDATES);
            for (ProductRecord r : hq.inventory(STORE)) {
                try (ResultSet rs = s.executeQuery("SELECT quantity, version FROM product WHERE sku = '" + r.sku() + "'")) {
                    assertThat(rs.next()).as(r.sku()).isTrue();
                    assertThat(rs.getLong(1)).as(r.sku()).isEqualTo(r.quantity());
                    assertThat(rs.getLong(2)).as(r.sku()).isEqualTo(r.version());
                }
            }
        }
        for (int i = 0; i < SKUS; i++) {
            assertThat(hq.product(STORE, sku(i)).orElseThrow().quantity()).isEqualTo(100 + UPDATES / SKUS);
        }
    }

    private void killCheckAndRestart(String moment) throws Exception {
        assertThat(gateway.kill()).isEqualTo(GatewayProcess.KILLED_BY_SIGKILL);
        String integrity = gateway.mirrorIntegrity();
        kills.add(moment + ": " + integrity);
        assertThat(integrity).as("PRAGMA integrity_check after a kill during " + moment).isEqualTo("ok");
        gateway.start();
        gateway.awaitUp(START);
        gateway.assertReadsAnswerAtOnce(sku(0));
    }

    private boolean catalogueLoaded() throws Exception {
        return gateway.get("/api/v1/products?limit=500").body().contains(sku(SKUS - 1));
    }

    private long queuedRows() throws Exception {
        return count("SELECT COUNT(*) FROM queued_update");
    }

    private long settledRows() throws Exception {
        return count("SELECT COUNT(*) FROM settled_update");
    }

    /** Read beside the running gateway (SQLite's WAL lets readers in while it writes). */
    private long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(gateway.mirrorJdbcUrl()); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            return single(s, sql);
        }
    }

    private static long single(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String sku(int i) {
        return String.format("SKU-%04d", 1 + i % SKUS);
    }
}
