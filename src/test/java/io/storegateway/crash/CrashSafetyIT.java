package io.storegateway.crash;

import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.TestUsers;
import io.storegateway.broker.Queues;
import io.storegateway.hq.ProductRecord;
import io.storegateway.hq.simulator.HqSimulator;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.QueueBrowser;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Crash safety (issue 3, README, Commands, and docs/SETUP.md "kill -9 at any moment loses no update that was accepted"):
 * the gateway runs as its own JVM and is killed with SIGKILL at random moments while terminals send
 * 10,000 ADJUST_QUANTITY updates over HTTP and JMS and HQ flips between up, errors, time-outs,
 * lost answers and down. Once it has drained, every accepted update must be applied at HQ exactly
 * once and the mirror must equal HQ.
 */
class CrashSafetyIT {

    private static final String STORE = TestGateway.STORE;
    private static final int SKUS = 100;
    private static final int UPDATES = 10_000;
    private static final long INITIAL_QUANTITY = 100;
    private static final int HTTP_CLIENTS = 4;
    private static final int JMS_CLIENTS = 2;
    private static final int MIN_KILLS = 3;
    private static final int MAX_KILLS = 8;
    /**
     * The seeds CI runs (each a whole run with its own kill moments, batch sizes and HQ faults);
     * {@code -Dcrash.seeds=1,2,3} tries others.
     */
    private static final String SEEDS = System.getProperty("crash.seeds", "20261127,20261202,7");
    private static final Duration START_DEADLINE = Duration.ofSeconds(60);
    private static final Duration SEND_DEADLINE = Duration.ofSeconds(150);
    private static final Duration DRAIN_DEADLINE = Duration.ofSeconds(90);
    /** With HQ healthy and everything applied there, a mirror that shows no progress for this long is stuck. */
    private static final Duration STUCK_AFTER = Duration.ofSeconds(20);
    private static final int EXAMPLES = 20;

    private Random random;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    /** Opens when something went wrong for good: every thread stops at once. */
    private final CountDownLatch aborted = new CountDownLatch(1);
    private final AtomicReference<Throwable> abortCause = new AtomicReference<>();
    /** Open while the gateway is up; replaced by a closed one at each kill. */
    private volatile CountDownLatch gatewayUp = new CountDownLatch(0);
    private final CountDownLatch sendersDone = new CountDownLatch(HTTP_CLIENTS + JMS_CLIENTS);
    private final CountDownLatch chaosOver = new CountDownLatch(1);

    private final AtomicInteger nextUpdate = new AtomicInteger();
    /** Ids the gateway confirmed (202, or a committed JMS send), with their SKU. */
    private final Map<String, String> accepted = new ConcurrentHashMap<>();
    private final Stats http = new Stats();
    private final Stats jms = new Stats();
    private final Map<String, String> retryReasons = new ConcurrentHashMap<>();
    private final List<String> kills = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicInteger> modeSwitches = new ConcurrentHashMap<>();

    private HqSimulator hq;
    private GatewayProcess gateway;

    @AfterEach
    void cleanUp() {
        aborted.countDown();
        chaosOver.countDown();
        threads.shutdownNow();
        if (gateway != null) {
            gateway.close();
        }
        if (hq != null) {
            hq.stop();
        }
    }

    static LongStream seeds() {
        return Arrays.stream(SEEDS.split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void everyAcceptedUpdateReachesHqExactlyOnceThroughKillsAndHqFaults(long seed) throws Exception {
        long testStarted = System.nanoTime();
        random = new Random(seed);
        hq = new HqSimulator(0);
        hq.setRequiredToken(TestGateway.HQ_TOKEN);
        hq.seedDemoCatalogue(STORE, SKUS);
        hq.start();
        Path dir = Path.of("target", "crash-" + seed + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                .toAbsolutePath();
        gateway = new GatewayProcess(dir, hq.url(), TestGateway.HQ_TOKEN);
        System.out.printf("CRASH seed %d, gateway data dir %s, http %s, broker %s%n", seed, gateway.dataDir(),
                gateway.baseUrl(), gateway.brokerUrl());

        gateway.start();
        gateway.awaitUp(START_DEADLINE);
        awaitCatalogueInMirror();

        // ---- send, while a chaos thread kills the gateway and another flips HQ's faults
        long sendStarted = System.nanoTime();
        List<Future<?>> senders = new ArrayList<>();
        for (int i = 0; i < HTTP_CLIENTS; i++) {
            long clientSeed = random.nextLong();
            senders.add(threads.submit(guarded("http-" + i, () -> sendOverHttp(new Random(clientSeed)))));
        }
        for (int i = 0; i < JMS_CLIENTS; i++) {
            long clientSeed = random.nextLong();
            senders.add(threads.submit(guarded("jms-" + i, () -> sendOverJms(new Random(clientSeed)))));
        }
        long chaosSeed = random.nextLong();
        Future<?> killer = threads.submit(guarded("killer", () -> killAndRestart(new Random(chaosSeed))));
        long faultSeed = random.nextLong();
        Future<?> faults = threads.submit(guarded("faults", () -> flipHqFaults(new Random(faultSeed))));

        boolean sentInTime = sendersDone.await(SEND_DEADLINE.toSeconds(), TimeUnit.SECONDS);
        long sendMillis = (System.nanoTime() - sendStarted) / 1_000_000;
        if (!sentInTime) {
            abort(new AssertionError("senders not done within " + SEND_DEADLINE + ": " + accepted.size()
                    + " of " + UPDATES + " accepted; " + gateway.logTail(40)));
        }
        killer.get(START_DEADLINE.toSeconds() * 2, TimeUnit.SECONDS);
        chaosOver.countDown();
        faults.get(10, TimeUnit.SECONDS);
        for (Future<?> f : senders) {
            f.get(10, TimeUnit.SECONDS);
        }
        throwIfAborted();

        // ---- drain with HQ healthy and the gateway up
        hq.setFault("none", 1.0, 0);
        if (!gateway.isAlive()) {
            gateway.start();
        }
        gateway.awaitUp(START_DEADLINE);
        long drainStarted = System.nanoTime();
        DrainWatch drain = new DrainWatch();
        try {
            await().atMost(DRAIN_DEADLINE).pollInterval(Duration.ofMillis(500)).until(drain::drainedOrStuck);
        } catch (ConditionTimeoutException e) {
            // reported below with what is still pending
        }
        boolean drained = drain.drained;
        long drainMillis = (System.nanoTime() - drainStarted) / 1_000_000;
        String pendingAfterDrain = drained ? "0" : describePending();

        long dlq = browseCount(Queues.DLQ);
        long invalid = browseCount(Queues.INVALID);

        int exitCode = gateway.terminate(Duration.ofSeconds(60));
        Mirror mirror = readMirror();

        // ---- the counts
        Map<String, Long> perSku = accepted.values().stream()
                .collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()));
        Map<String, ProductRecord> atHq = hq.inventory(STORE).stream()
                .collect(Collectors.toMap(ProductRecord::sku, r -> r, (a, b) -> a, TreeMap::new));
        Map<String, Long> mirrorStatuses = mirror.statuses.values().stream()
                .collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()));
        System.out.printf("CRASH accepted %d of %d distinct updates%n", accepted.size(), UPDATES);
        System.out.printf("CRASH http: %d updates in %d requests (%d DUPLICATE receipts), %d retries%n",
                http.updates.get(), http.requests.get(), http.duplicates.get(), http.retries.get());
        System.out.printf("CRASH jms:  %d updates in %d messages, %d retries%n",
                jms.updates.get(), jms.requests.get(), jms.retries.get());
        System.out.printf("CRASH retry reasons (one example each): %s%n", retryReasons.values());
        System.out.printf("CRASH kills: %d %s%n", kills.size(), kills);
        System.out.printf("CRASH gateway runs: %d, logs %s%n", gateway.runs(), gateway.logs());
        System.out.printf("CRASH HQ mode switches: %d %s%n",
                modeSwitches.values().stream().mapToInt(AtomicInteger::get).sum(), new TreeMap<>(modeSwitches));
        System.out.printf("CRASH sending took %d ms, drain %s in %d ms, whole test %d s%n", sendMillis,
                drained ? "done" : "NOT done", drainMillis, (System.nanoTime() - testStarted) / 1_000_000_000);
        System.out.printf("CRASH HQ applied %d; mirror statuses %s; DLQ %d, invalid %d; SIGTERM exit code %d%n",
                hq.appliedCount(STORE), mirrorStatuses, dlq, invalid, exitCode);
        if (!mirror.notApplied.isEmpty()) {
            System.out.printf("CRASH not APPLIED in the mirror: %s%n", mirror.notApplied);
        }

        // ---- the verdict
        List<String> notApplied = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String id : new TreeSet<>(accepted.keySet())) {
            String status = mirror.statuses.get(id);
            if (status == null) {
                missing.add(id);
            } else if (!status.equals("APPLIED")) {
                notApplied.add(id + "=" + status);
            }
        }
        List<String> unknownRows = mirror.statuses.keySet().stream().filter(id -> !accepted.containsKey(id)).sorted().toList();
        List<String> quantityMismatches = new ArrayList<>();
        for (int i = 1; i <= SKUS; i++) {
            String sku = String.format("SKU-%04d", i);
            long expected = INITIAL_QUANTITY + perSku.getOrDefault(sku, 0L);
            ProductRecord r = atHq.get(sku);
            if (r == null || r.quantity() != expected) {
                quantityMismatches.add(sku + ": HQ " + (r == null ? "none" : r.quantity()) + ", expected " + expected);
            }
        }
        List<String> mirrorDiffs = new ArrayList<>();
        for (String sku : union(atHq.keySet(), mirror.products.keySet())) {
            ProductRecord h = atHq.get(sku);
            long[] m = mirror.products.get(sku);
            if (h == null || m == null || m[0] != h.quantity() || m[1] != h.version()) {
                mirrorDiffs.add(sku + ": HQ " + (h == null ? "none" : "q=" + h.quantity() + " v=" + h.version())
                        + ", mirror " + (m == null ? "none" : "q=" + m[0] + " v=" + m[1]));
            }
        }

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(accepted.size()).as("distinct updates accepted").isEqualTo(UPDATES);
        soft.assertThat(kills).as("SIGKILLs").hasSizeGreaterThanOrEqualTo(MIN_KILLS);
        soft.assertThat(drained).as("drained within " + DRAIN_DEADLINE + " (or stuck for " + STUCK_AFTER + "); pending per SKU in the mirror: "
                + pendingAfterDrain
                + "; HQ applied " + hq.appliedCount(STORE)).isTrue();
        soft.assertThat(exitCode).as("exit code after SIGTERM; " + gateway.logTail(30)).isZero();
        soft.assertThat(missing.size()).as("accepted updates with no row in the mirror, e.g. " + examples(missing)).isZero();
        soft.assertThat(notApplied.size()).as("accepted updates not APPLIED in the mirror, e.g. " + examples(notApplied)
                + "; " + mirror.notApplied).isZero();
        soft.assertThat(unknownRows.size()).as("mirror rows for updates never confirmed to a terminal, e.g. " + examples(unknownRows))
                .isZero();
        soft.assertThat(quantityMismatches.size()).as("SKUs where HQ quantity != 100 + accepted updates of the SKU, e.g. "
                + examples(quantityMismatches)).isZero();
        soft.assertThat(hq.appliedCount(STORE)).as("updates HQ applied").isEqualTo(UPDATES);
        soft.assertThat(mirrorDiffs.size()).as("mirror product rows that differ from HQ (quantity, version), e.g. "
                + examples(mirrorDiffs)).isZero();
        soft.assertThat(dlq).as(Queues.DLQ + " depth").isZero();
        soft.assertThat(invalid).as(Queues.INVALID + " depth").isZero();
        soft.assertAll();
    }

    // ---------------------------------------------------------------- terminals

    /** HTTP terminal: POSTs 1–20 updates at a time (a single one sometimes as a bare object) until 202. */
    private void sendOverHttp(Random rnd) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        for (List<String[]> chunk = claim(1 + rnd.nextInt(20)); chunk != null; chunk = claim(1 + rnd.nextInt(20))) {
            String body = chunk.size() == 1 && rnd.nextBoolean() ? json(chunk.get(0)) : jsonArray(chunk);
            HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/api/v1/updates"))
                    .timeout(Duration.ofSeconds(20))
                    .header("Authorization", "Bearer " + TestUsers.TERMINAL_TOKEN)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            http.requests.incrementAndGet();
            while (true) {
                throwIfAborted();
                HttpResponse<String> reply;
                try {
                    reply = client.send(request, HttpResponse.BodyHandlers.ofString());
                } catch (IOException e) {
                    retry(http, "http " + e.getClass().getSimpleName(), e.toString());
                    continue;
                }
                if (reply.statusCode() == 202) {
                    confirm(http, chunk, reply.body());
                    break;
                }
                if (reply.statusCode() >= 500) {
                    retry(http, "http " + reply.statusCode(), reply.body());
                    continue;
                }
                throw new AssertionError("gateway answered " + reply.statusCode() + " " + reply.body() + " to " + body);
            }
        }
    }

    /** JMS terminal: one persistent text message of 1–10 updates per transaction, resent until the commit succeeds. */
    private void sendOverJms(Random rnd) throws Exception {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(gateway.brokerUrl()
                + "?callTimeout=5000&reconnectAttempts=0&initialConnectAttempts=1&clientFailureCheckPeriod=1000&connectionTTL=5000");
        JMSContext ctx = null;
        try {
            for (List<String[]> chunk = claim(1 + rnd.nextInt(10)); chunk != null; chunk = claim(1 + rnd.nextInt(10))) {
                String body = chunk.size() == 1 && rnd.nextBoolean() ? json(chunk.get(0)) : jsonArray(chunk);
                jms.requests.incrementAndGet();
                while (true) {
                    throwIfAborted();
                    try {
                        if (ctx == null) {
                            ctx = factory.createContext(TestUsers.TERMINAL_USER, TestUsers.TERMINAL_TOKEN, JMSContext.SESSION_TRANSACTED);
                        }
                        ctx.createProducer().setDeliveryMode(DeliveryMode.PERSISTENT)
                                .send(ctx.createQueue(Queues.INBOUND), ctx.createTextMessage(body));
                        ctx.commit();
                        confirm(jms, chunk, null);
                        break;
                    } catch (RuntimeException e) {
                        closeQuietly(ctx);
                        ctx = null;
                        retry(jms, "jms " + e.getClass().getSimpleName(), e.toString());
                    }
                }
            }
        } finally {
            closeQuietly(ctx);
            factory.close();
        }
    }

    /** The next {@code size} updates nobody has claimed yet, as {updateId, sku}; null when all are claimed. */
    private List<String[]> claim(int size) {
        int from;
        int to;
        do {
            from = nextUpdate.get();
            if (from >= UPDATES) {
                return null;
            }
            to = Math.min(UPDATES, from + size);
        } while (!nextUpdate.compareAndSet(from, to));
        List<String[]> chunk = new ArrayList<>(to - from);
        for (int n = from; n < to; n++) {
            chunk.add(new String[] {"c-" + n, String.format("SKU-%04d", 1 + n % SKUS)});
        }
        return chunk;
    }

    private static String json(String[] update) {
        return TerminalClient.adjust(update[0], update[1], 1);
    }

    private static String jsonArray(List<String[]> chunk) {
        return chunk.stream().map(CrashSafetyIT::json).collect(Collectors.joining(",", "[", "]"));
    }

    private void confirm(Stats stats, List<String[]> chunk, String httpReply) throws IOException {
        if (httpReply != null) {
            JsonNode receipts = UpdateJson.MAPPER.readTree(httpReply).path("accepted");
            assertThat(receipts.size()).as("receipts in " + httpReply).isEqualTo(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                JsonNode r = receipts.get(i);
                assertThat(r.path("updateId").asText()).isEqualTo(chunk.get(i)[0]);
                assertThat(r.path("status").asText()).isIn("QUEUED", "DUPLICATE");
                if (r.path("status").asText().equals("DUPLICATE")) {
                    stats.duplicates.incrementAndGet();
                }
            }
        }
        for (String[] u : chunk) {
            if (accepted.putIfAbsent(u[0], u[1]) == null) {
                stats.updates.incrementAndGet();
            }
        }
    }

    /** A failed attempt: wait until the gateway is up again (a kill is expected), then briefly, then retry. */
    private void retry(Stats stats, String kind, String detail) throws InterruptedException {
        stats.retries.incrementAndGet();
        retryReasons.putIfAbsent(kind, detail.length() > 200 ? detail.substring(0, 200) : detail);
        gatewayUp.await(START_DEADLINE.toSeconds(), TimeUnit.SECONDS);
        // jitter, so the terminals do not all hit a freshly started gateway at the same instant
        aborted.await(20 + ThreadLocalRandom.current().nextInt(80), TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- chaos

    /** Kills the gateway (SIGKILL) after 2–6 s of uptime, restarts it; at least MIN_KILLS times, until the senders are done. */
    private void killAndRestart(Random rnd) throws Exception {
        while (kills.size() < MAX_KILLS && (kills.size() < MIN_KILLS || sendersDone.getCount() > 0)) {
            long uptime = 2000 + rnd.nextInt(4000);
            if (aborted.await(uptime, TimeUnit.MILLISECONDS)) {
                return;
            }
            gatewayUp = new CountDownLatch(1);
            long pid = gateway.pid();
            String moment = LocalTime.now() + ", " + accepted.size() + " accepted, HQ applied " + hq.appliedCount(STORE);
            int code = gateway.kill();
            assertThat(code).as("exit code of the gateway after destroyForcibly (SIGKILL = 137)")
                    .isEqualTo(GatewayProcess.KILLED_BY_SIGKILL);
            String integrity = gateway.mirrorIntegrity();
            assertThat(integrity).as("PRAGMA integrity_check of the mirror after kill " + (kills.size() + 1)).isEqualTo("ok");
            long restarting = System.nanoTime();
            gateway.start();
            gateway.awaitUp(START_DEADLINE);
            gateway.assertReadsAnswerAtOnce("SKU-0001");
            long restartMillis = (System.nanoTime() - restarting) / 1_000_000;
            kills.add("pid " + pid + " after " + uptime + " ms up (at " + moment + "), mirror " + integrity + ", back in "
                    + restartMillis + " ms");
            gatewayUp.countDown();
        }
    }

    /** Every 0.6–1.4 s HQ turns healthy, failing (30 %), slow past the gateway's time-out, forgetful or down. */
    private void flipHqFaults(Random rnd) throws Exception {
        String[] modes = {"none", "error", "timeout", "ack-lost", "down"};
        while (!chaosOver.await(600 + rnd.nextInt(800), TimeUnit.MILLISECONDS)) {
            String mode = modes[rnd.nextInt(modes.length)];
            switch (mode) {
                case "error" -> hq.setFault("error", 0.3, 0);
                // held 3 s, past the gateway's 2 s response time-out; answered ones are late too
                case "timeout" -> hq.setFault("timeout", 0.5, 3000);
                case "ack-lost" -> hq.setFault("ack-lost", 0.3 + rnd.nextInt(3) * 0.1, 0);
                case "down" -> hq.setFault("down", 1.0, 0);
                default -> hq.setFault("none", 1.0, 0);
            }
            modeSwitches.computeIfAbsent(mode, m -> new AtomicInteger()).incrementAndGet();
        }
        hq.setFault("none", 1.0, 0);
    }

    // ---------------------------------------------------------------- checks

    private void awaitCatalogueInMirror() {
        await().atMost(START_DEADLINE).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> productsPage().size() == SKUS);
    }

    private JsonNode productsPage() throws IOException, InterruptedException {
        HttpResponse<String> r = gateway.get("/api/v1/products?limit=500");
        assertThat(r.statusCode()).isEqualTo(200);
        return UpdateJson.MAPPER.readTree(r.body()).path("items");
    }

    /** Updates the mirror still shows as pending (QUEUED), over all products. */
    private long pendingInMirror() throws IOException, InterruptedException {
        long pending = 0;
        for (JsonNode p : productsPage()) {
            pending += p.path("pending").asLong();
        }
        return pending;
    }

    private String describePending() {
        try {
            List<String> out = new ArrayList<>();
            for (JsonNode p : productsPage()) {
                if (p.path("pending").asLong() > 0) {
                    out.add(p.path("sku").asText() + "=" + p.path("pending").asLong());
                }
            }
            return out.toString();
        } catch (Exception e) {
            return "(cannot read: " + e + ")";
        }
    }

    /** Messages on a queue, browsed as IT staff would (the admin user may read the DLQ and the invalid queue). */
    private long browseCount(String queue) {
        try (ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(gateway.brokerUrl());
             JMSContext admin = f.createContext(TestUsers.ADMIN_USER, TestUsers.ADMIN_TOKEN, JMSContext.AUTO_ACKNOWLEDGE);
             QueueBrowser browser = admin.createBrowser(admin.createQueue(queue))) {
            return Collections.list(browser.getEnumeration()).size();
        } catch (JMSException e) {
            throw new IllegalStateException("cannot browse " + queue, e);
        }
    }

    private Mirror readMirror() throws SQLException {
        Mirror m = new Mirror(new ConcurrentHashMap<>(), new TreeMap<>(), new ArrayList<>());
        try (Connection c = DriverManager.getConnection(gateway.mirrorJdbcUrl());
             Statement s = c.createStatement()) {
            // where the rows that did not settle sit in acceptance order and time: tells a lost write from a stuck queue
            try (ResultSet rs = s.executeQuery("SELECT 'QUEUED', channel, COUNT(*), MIN(seq), MAX(seq), MIN(received_at), MAX(received_at) "
                    + "FROM queued_update GROUP BY channel UNION ALL "
                    + "SELECT status, channel, COUNT(*), MIN(id), MAX(id), MIN(received_at), MAX(received_at) "
                    + "FROM settled_update WHERE status <> 'APPLIED' GROUP BY status, channel")) {
                while (rs.next()) {
                    m.notApplied.add(rs.getString(1) + " " + rs.getString(2) + ": " + rs.getLong(3) + " rows, seq/id " + rs.getLong(4)
                            + ".." + rs.getLong(5) + ", received " + Instant.ofEpochMilli(rs.getLong(6)) + " .. "
                            + Instant.ofEpochMilli(rs.getLong(7)));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT update_id, 'QUEUED' FROM queued_update UNION ALL "
                    + "SELECT update_id, status FROM settled_update")) {
                while (rs.next()) {
                    m.statuses.put(rs.getString(1), rs.getString(2));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT sku, quantity, version FROM product")) {
                while (rs.next()) {
                    m.products.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
                }
            }
        }
        return m;
    }

    private record Mirror(Map<String, String> statuses, Map<String, long[]> products, List<String> notApplied) {
    }

    /**
     * Drained: HQ applied every accepted update and the mirror shows none pending. Stuck: HQ applied
     * them all but the mirror's pending count has not moved for {@link #STUCK_AFTER}; waiting longer
     * would only delay the report.
     */
    private final class DrainWatch {
        boolean drained;
        long lastPending = -1;
        long lastChange = System.nanoTime();

        boolean drainedOrStuck() throws IOException, InterruptedException {
            long pending = pendingInMirror();
            boolean allAtHq = hq.appliedCount(STORE) >= accepted.size();
            drained = allAtHq && pending == 0;
            if (pending != lastPending || !allAtHq) {
                lastPending = pending;
                lastChange = System.nanoTime();
            }
            return drained || System.nanoTime() - lastChange > STUCK_AFTER.toNanos();
        }
    }

    private static String examples(List<String> items) {
        return items.size() <= EXAMPLES ? items.toString() : items.subList(0, EXAMPLES) + " and " + (items.size() - EXAMPLES) + " more";
    }

    // ---------------------------------------------------------------- plumbing

    private Runnable guarded(String name, ThrowingRunnable work) {
        return () -> {
            Thread.currentThread().setName("crash-" + name);
            try {
                work.run();
            } catch (Aborted e) {
                // another thread failed first
            } catch (Throwable t) {
                abort(new AssertionError(name + " failed: " + t, t));
            } finally {
                if (name.startsWith("http") || name.startsWith("jms")) {
                    sendersDone.countDown();
                }
            }
        };
    }

    private void abort(Throwable cause) {
        abortCause.compareAndSet(null, cause);
        aborted.countDown();
        gatewayUp.countDown(); // terminals waiting for a restart see the abort at once
    }

    private void throwIfAborted() {
        if (aborted.getCount() == 0) {
            Throwable cause = abortCause.get();
            if (Thread.currentThread().getName().startsWith("crash-")) {
                throw new Aborted();
            }
            throw cause instanceof AssertionError a ? a : new AssertionError(cause);
        }
    }

    private static void closeQuietly(JMSContext ctx) {
        if (ctx != null) {
            try {
                ctx.close();
            } catch (RuntimeException ignored) {
                // the connection is gone with the gateway
            }
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    private static final class Stats {
        final AtomicLong updates = new AtomicLong();
        final AtomicLong requests = new AtomicLong();
        final AtomicLong retries = new AtomicLong();
        final AtomicLong duplicates = new AtomicLong();
    }

    private static final class Aborted extends RuntimeException {
        Aborted() {
            super(null, null, false, false);
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
