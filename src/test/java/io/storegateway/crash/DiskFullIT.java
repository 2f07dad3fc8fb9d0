package io.storegateway.crash;

import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.TestUsers;
import io.storegateway.hq.simulator.HqSimulator;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * A full disk costs no acknowledged update. The gateway's data directory is on a small tmpfs that the
 * test mounts (root only; {@code STOREGW_REQUIRE_MOUNT=1}, which .ci/run sets, turns a missing mount
 * into a failure): terminals post arrays of 100 until the gateway refuses, and another process fills
 * the disk while updates arrive and the drain runs. Every update answered 202 reaches HQ exactly once,
 * refusals are 503 (never 500), and ingest resumes by itself once space is back.
 */
class DiskFullIT {

    private static final String STORE = "S001";
    private static final int SKUS = 200;
    private static final int PER_REQUEST = 100;
    private static final int CLIENTS = 4;
    private static final Duration START = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private HqSimulator hq;
    private GatewayProcess gateway;
    private Path mount;

    /** Every update answered 202, and every status seen. */
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    private final List<String> unexpected = new CopyOnWriteArrayList<>();
    private final AtomicInteger sequence = new AtomicInteger();

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (hq != null) {
            hq.stop();
        }
        if (mount != null) {
            run("umount", "-l", mount.toString());
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aBacklogThatFillsTheDiskIsRefusedWith503AndNothingAcknowledgedIsLost() throws Exception {
        start("own-backlog", 256);
        hq.setFault("down", 1.0, 0);

        // Terminals post until the gateway has refused for a while and says so, while they still post (once
        // they stop, the mirror's WAL checkpoint can give back enough for it to accept again, as it should).
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = post(stop, "b");
        AtomicReference<JsonNode> refusing = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(120)).until(() -> {
            JsonNode storage = status().path("storage");
            if (count(503) >= 40 && storage.path("refusing").asBoolean()) {
                refusing.set(storage);
                return true;
            }
            return false;
        });
        assertThat(gateway.get("/observe/metrics").body()).contains("gateway_storage_free_bytes");
        assertThat(gateway.get("/api/v1/products/" + sku(0)).statusCode()).as("reads still answer").isEqualTo(200);
        stopPosting(stop, clients);
        assertThat(unexpected).as("only 202 and 503 (with Retry-After)").isEmpty();
        assertThat(acknowledged).as("the disk took a backlog first").hasSizeGreaterThan(10_000);
        // Refusing starts below the floor and ends a quarter above it (the mirror's WAL gives back tens of
        // MB at each checkpoint: no flapping at the edge).
        assertThat(refusing.get().path("freeBytes").asLong()).as(refusing.get().toString())
                .isLessThan(refusing.get().path("minFreeBytes").asLong() * 5 / 4);

        // HQ back: the drain frees the broker's files; everything acknowledged arrives once.
        hq.setFault("none", 1.0, 0);
        awaitAllAcknowledgedAtHq(Duration.ofSeconds(120));
        // Space came back without a restart: ingest resumes by itself.
        await().atMost(Duration.ofSeconds(30)).until(() -> postOnce("after-1").statusCode() == 202);
        assertThat(gateway.runs()).as("never restarted").isEqualTo(1);
        assertThat(mirrorIntegrity()).isEqualTo("ok");
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aDiskFilledFromOutsideWhileUpdatesArriveAndTheDrainRunsLosesNothingAcknowledged() throws Exception {
        start("outside", 256);
        // HQ answers slowly: a backlog builds up and pages to disk while it drains.
        hq.setFault("none", 1.0, 150);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = post(stop, "o");
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 20_000);

        // Another program fills the disk to the last byte.
        Path filler = mount.resolve("filler");
        int dd = run("dd", "if=/dev/zero", "of=" + filler, "bs=1M");
        assertThat(dd).as("dd stops when the disk is full").isNotZero();
        assertThat(Files.getFileStore(mount).getUsableSpace()).isLessThan(1024 * 1024);
        int before503 = count(503);
        await().atMost(Duration.ofSeconds(30)).until(() -> count(503) >= before503 + 20 || !gateway.isAlive());
        stopPosting(stop, clients);
        Files.delete(filler);
        // The gateway refused and kept running, or its broker failed a write and it exited for its
        // supervisor (this test) to start it again: never anything but 202 and 503 while it answered.
        boolean restarted = !gateway.isAlive();
        if (restarted) {
            assertThat(gateway.exitCode()).as(gateway.logTail(30)).isEqualTo(75);
            gateway.start();
            gateway.awaitUp(START);
        }
        stage(restarted ? "the broker failed a write; started again" : "refused and kept running");
        // No answer at all only while the process was down for its restart.
        assertThat(unexpected.stream().filter(u -> restarted ? !u.startsWith("no answer") : true).toList())
                .as("only 202 and 503").isEmpty();

        hq.setFault("none", 1.0, 0);
        awaitAllAcknowledgedAtHq(Duration.ofSeconds(120));
        await().atMost(Duration.ofSeconds(30)).until(() -> postOnce("after-2").statusCode() == 202);
        awaitAllAcknowledgedAtHq(Duration.ofSeconds(30));
        assertThat(mirrorIntegrity()).isEqualTo("ok");
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void withoutTheFloorABrokerThatFailsToWriteAcknowledgesNothingItLoses() throws Exception {
        // No floor: the broker itself runs into the full disk while it pages a backlog (the report of
        // issue 12: Artemis answered commits whose page writes had failed, and 479 updates were lost).
        start("no-floor", 192, Map.of("gateway.storage.min-free-bytes", "0", "gateway.broker.max-disk-usage-percent", "100"));
        hq.setFault("down", 1.0, 0);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = post(stop, "n");
        await().atMost(Duration.ofSeconds(120)).until(() -> !gateway.isAlive());
        stopPosting(stop, clients);
        stage("the gateway exited");
        assertThat(gateway.exitCode()).as("exits for its supervisor after the broker's disk error: " + gateway.logTail(20))
                .isEqualTo(75);
        assertThat(unexpected.stream().filter(u -> !u.startsWith("no answer")).toList()).as("only 202 and 503").isEmpty();
        assertThat(acknowledged).hasSizeGreaterThan(10_000);

        // Space is made (the disk grows), the supervisor starts it again: everything acknowledged goes to HQ once.
        run("mount", "-o", "remount,size=512m", mount.toString());
        gateway.start();
        gateway.awaitUp(START);
        stage("started again");
        hq.setFault("none", 1.0, 0);
        awaitAllAcknowledgedAtHq(Duration.ofSeconds(120));
        stage("all at HQ");
        assertThat(mirrorIntegrity()).isEqualTo("ok");
        stage("mirror checked");
    }

    // ---------------------------------------------------------------- helpers

    private void start(String name, int megabytes) throws Exception {
        start(name, megabytes, Map.of());
    }

    private void start(String name, int megabytes, Map<String, String> settings) throws Exception {
        Path dir = Path.of("target", "disk-full-" + name + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))).toAbsolutePath();
        mount = Files.createDirectories(dir.resolve("disk"));
        boolean mounted = run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", mount.toString()) == 0;
        if (!mounted) {
            mount = null;
        }
        if ("1".equals(System.getenv("STOREGW_REQUIRE_MOUNT"))) {
            assertThat(mounted).as("a tmpfs could be mounted (root is needed)").isTrue();
        }
        assumeThat(mounted).as("mounting a tmpfs needs root; STOREGW_REQUIRE_MOUNT=1 makes this a failure").isTrue();

        hq = new HqSimulator(0);
        hq.setRequiredToken(TestGateway.HQ_TOKEN);
        hq.seedDemoCatalogue(STORE, SKUS);
        hq.start();
        Map<String, String> all = new HashMap<>(settings);
        all.put("gateway.data-dir", mount.resolve("data").toString());
        all.put("gateway.security.rate.per-second", "0");
        gateway = new GatewayProcess(dir, hq.url(), TestGateway.HQ_TOKEN, all);
        gateway.start();
        gateway.awaitUp(START);
    }

    private List<Thread> post(AtomicBoolean stop, String prefix) {
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    int n = sequence.getAndAdd(PER_REQUEST);
                    List<String> ids = IntStream.range(n, n + PER_REQUEST).mapToObj(i -> String.format("%s-%07d", prefix, i)).toList();
                    String body = IntStream.range(0, PER_REQUEST)
                            .mapToObj(i -> TerminalClient.adjust(ids.get(i), sku(n + i), 1))
                            .collect(Collectors.joining(",", "[", "]"));
                    try {
                        HttpResponse<String> r = send(body);
                        statuses.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                        if (r.statusCode() == 202) {
                            acknowledged.addAll(ids);
                        } else if (r.statusCode() == 503) {
                            if (r.headers().firstValue("Retry-After").isEmpty()) {
                                unexpected.add("503 without Retry-After: " + r.body());
                            }
                        } else {
                            unexpected.add(r.statusCode() + ": " + r.body());
                        }
                    } catch (IOException e) {
                        unexpected.add("no answer: " + e);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "disk-full-client-" + c);
            t.start();
            clients.add(t);
        }
        return clients;
    }

    private static void stopPosting(AtomicBoolean stop, List<Thread> clients) throws InterruptedException {
        stop.set(true);
        for (Thread c : clients) {
            c.join();
        }
    }

    private int count(int status) {
        AtomicInteger n = statuses.get(status);
        return n == null ? 0 : n.get();
    }

    private HttpResponse<String> postOnce(String id) throws IOException, InterruptedException {
        HttpResponse<String> r = send("[" + TerminalClient.adjust(id, sku(0), 1) + "]");
        if (r.statusCode() == 202) {
            acknowledged.add(id);
        }
        return r;
    }

    private HttpResponse<String> send(String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/api/v1/updates"))
                .header("Authorization", "Bearer " + TestUsers.TERMINAL_TOKEN).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode status() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/admin/v1/status"))
                .header("Authorization", "Bearer " + TestUsers.ADMIN_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return UpdateJson.MAPPER.readTree(r.body());
    }

    /** HQ applied every acknowledged update, each once (its per-SKU lists hold every id at most once). */
    private void awaitAllAcknowledgedAtHq(Duration within) {
        try {
            await().atMost(within).pollInterval(Duration.ofMillis(500))
                    .until(() -> appliedIds().keySet().containsAll(acknowledged));
        } catch (ConditionTimeoutException e) {
            // the assertions below name what is missing
        }
        Map<String, Integer> applied = appliedIds();
        assertThat(applied.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
                .as("applied more than once").isEmpty();
        // (a list of the missing, not AssertJ's containsAll: that one is quadratic, minutes for 100,000 ids)
        assertThat(acknowledged.stream().filter(id -> !applied.containsKey(id)).limit(20).toList()).as("acknowledged, not at HQ")
                .isEmpty();
    }

    private Map<String, Integer> appliedIds() {
        Map<String, Integer> applied = new HashMap<>();
        for (int i = 0; i < SKUS; i++) {
            for (String id : hq.appliedOrder(STORE, sku(i))) {
                applied.merge(id, 1, Integer::sum);
            }
        }
        return applied;
    }

    /** SQLite's own check of the mirror on the small disk ("ok" when sound); it may run beside the gateway. */
    private String mirrorIntegrity() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + mount.resolve("data/mirror/mirror.db"));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
            return rs.next() ? rs.getString(1) : "no answer";
        }
    }

    private final long began = System.nanoTime();

    private void stage(String what) {
        System.out.printf("DISK-FULL %6.1f s: %s (%d acknowledged, statuses %s, %d unexpected)%n",
                (System.nanoTime() - began) / 1e9, what, acknowledged.size(), statuses, unexpected.size());
    }

    private static String sku(int i) {
        return String.format("SKU-%04d", 1 + i % SKUS);
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        if (rc != 0) {
            System.out.printf("DISK-FULL %s: exit %d: %s%n", String.join(" ", command), rc, out.trim());
        }
        return rc;
    }
}
