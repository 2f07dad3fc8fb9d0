package io.storegateway.crash;

import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.TestUsers;
import io.storegateway.broker.Queues;
import io.storegateway.broker.RemoteBroker;
import io.storegateway.broker.UpdateMessages;
import io.storegateway.config.GatewaySettings;
import io.storegateway.hq.ProductRecord;
import io.storegateway.hq.simulator.HqSimulator;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;

/**
 * Issue 5, remote broker: two gateways, each its own JVM with its own SQLite mirror, share one real
 * standalone Artemis 2.44 (made with {@code artemis create}, set up with
 * config/remote-broker/store-gateway-broker.xml, run with {@code artemis run}). Terminals post
 * ADJUST_QUANTITY +1 updates: over HTTP each SKU's updates one after another from one client,
 * alternately to either gateway; over JMS straight to the broker's {@code store.updates.in}. HQ
 * loses some answers for a while, then one gateway is killed with SIGKILL mid-flow and its
 * terminals turn to the other. Every accepted update must reach HQ exactly once, each SKU's updates
 * in the order they were sent, with nothing dead-lettered, and the survivor's status must show an
 * empty backlog read from the remote broker. A then comes back: each gateway's own mirror must
 * then know every update as APPLIED and every product as HQ has it, also those the other forwarded.
 */
class RemoteBrokerIT {

    private static final String STORE = TestGateway.STORE;
    private static final int HTTP_SKUS = 16;
    private static final int JMS_SKUS = 4;
    private static final int SKUS = HTTP_SKUS + JMS_SKUS;
    private static final int PER_SKU = 50;
    private static final int TOTAL = SKUS * PER_SKU;
    private static final int HTTP_CLIENTS = 4;
    private static final int JMS_CLIENTS = 2;
    private static final long INITIAL_QUANTITY = 100;
    private static final Duration START_DEADLINE = Duration.ofSeconds(90);
    private static final Duration SEND_DEADLINE = Duration.ofSeconds(120);
    private static final Duration DRAIN_DEADLINE = Duration.ofSeconds(60);

    private final ExecutorService threads = Executors.newCachedThreadPool();
    /** Update id → who confirmed it: "A", "B" (HTTP 202) or "JMS" (committed to store.updates.in). */
    private final Map<String, String> accepted = new ConcurrentHashMap<>();
    /** Accepted by B after A was dead: only B can have forwarded these. */
    private final Set<String> acceptedAfterKill = ConcurrentHashMap.newKeySet();
    private final AtomicInteger retries = new AtomicInteger();
    private final Map<String, String> retryReasons = new ConcurrentHashMap<>();
    private volatile boolean aIsDead;
    /** Every batch HQ answered, in the order it answered them: who sent it, and each update's result. */
    private final List<String> hqBatches = Collections.synchronizedList(new ArrayList<>());
    private static final String B_HQ_TOKEN = TestGateway.HQ_TOKEN + "-b";

    private RemoteArtemis broker;
    private HqSimulator hq;
    private GatewayProcess a;
    private final HttpClient healthProbe = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private GatewayProcess b;

    @AfterEach
    void cleanUp() {
        threads.shutdownNow();
        for (AutoCloseable c : new AutoCloseable[] {a, b, broker}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.out.println("REMOTE cleanup: " + e);
            }
        }
        if (hq != null) {
            hq.stop();
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void twoGatewaysShareOneBrokerAndWhenOneIsKilledTheOtherLosesNothingAndKeepsPerSkuOrder() throws Exception {
        long testStarted = System.nanoTime();
        Path dir = Path.of("target", "remote-broker-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                .toAbsolutePath();
        broker = RemoteArtemis.create(dir.resolve("artemis"), Map.of()).start(START_DEADLINE);
        long brokerMillis = (System.nanoTime() - testStarted) / 1_000_000;
        hq = new HqSimulator(0);
        hq.setRequiredToken(TestGateway.HQ_TOKEN);
        hq.acceptAlso(B_HQ_TOKEN);
        long t0 = System.nanoTime();
        hq.whenAnswered((headers, results) -> hqBatches.add(String.format("%6d ms %s %s %s", (System.nanoTime() - t0) / 1_000_000,
                headers.getOrDefault("authorization", "").endsWith("-b") ? "B" : "A", headers.get("idempotency-key"),
                results.stream().map(r -> r.updateId() + ":" + r.status()).toList())));
        hq.seedDemoCatalogue(STORE, SKUS);
        hq.start();
        // Every HQ call takes a little while, so a batch is often in flight when A dies.
        hq.setFault("none", 1.0, 20);
        Map<String, String> remote = Map.of(
                GatewaySettings.BROKER_URL, broker.url(),
                RemoteBroker.USERNAME, RemoteArtemis.GATEWAY_USER,
                RemoteBroker.PASSWORD, RemoteArtemis.GATEWAY_PASSWORD,
                "gateway.broker.disk-scan-ms", "1000");
        a = new GatewayProcess(dir.resolve("gateway-a"), hq.url(), TestGateway.HQ_TOKEN, remote);
        b = new GatewayProcess(dir.resolve("gateway-b"), hq.url(), B_HQ_TOKEN, remote);
        System.out.printf("REMOTE broker %s (%s), gateway A %s, gateway B %s%n", broker.url(), dir, a.baseUrl(), b.baseUrl());
        a.start();
        b.start();
        a.awaitUp(START_DEADLINE);
        b.awaitUp(START_DEADLINE);
        long upMillis = (System.nanoTime() - testStarted) / 1_000_000;

        // ---- terminals send; HQ loses answers for a while; then A is killed
        long sendStarted = System.nanoTime();
        List<Future<?>> senders = new ArrayList<>();
        for (int i = 0; i < HTTP_CLIENTS; i++) {
            int client = i;
            senders.add(threads.submit(() -> sendOverHttp(client)));
        }
        for (int i = 0; i < JMS_CLIENTS; i++) {
            int client = i;
            senders.add(threads.submit(() -> sendOverJms(client)));
        }
        awaitAccepted(TOTAL / 5);
        // HQ loses answers (each such batch is sent again) while it applies the next TOTAL/20 updates.
        int appliedAtFault = hq.appliedCount(STORE);
        hq.setFault("ack-lost", 0.3, 20);
        hqBatches.add(String.format("%6d ms ack-lost on", (System.nanoTime() - t0) / 1_000_000));
        await().atMost(Duration.ofSeconds(60)).until(() -> hq.appliedCount(STORE) >= appliedAtFault + TOTAL / 20);
        hq.setFault("none", 1.0, 20);
        hqBatches.add(String.format("%6d ms ack-lost off", (System.nanoTime() - t0) / 1_000_000));
        awaitAccepted(TOTAL * 2 / 5);
        JsonNode aBeforeKill = status(a);
        int acceptedAtKill = accepted.size();
        int appliedAtKill = hq.appliedCount(STORE);
        aIsDead = true;
        hqBatches.add(String.format("%6d ms killing A", (System.nanoTime() - t0) / 1_000_000));
        int killCode = a.kill();
        System.out.printf("REMOTE killed A (exit %d) with %d accepted, %d applied at HQ; A had forwarded %s%n",
                killCode, acceptedAtKill, appliedAtKill, aBeforeKill.path("forwarding"));
        for (Future<?> f : senders) {
            f.get(SEND_DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }
        long sendMillis = (System.nanoTime() - sendStarted) / 1_000_000;

        // ---- B drains what is left, A's share included
        long drainStarted = System.nanoTime();
        try {
            await().atMost(DRAIN_DEADLINE).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> hq.appliedCount(STORE) >= TOTAL && status(b).path("backlog").asLong() == 0);
        } catch (ConditionTimeoutException e) {
            // reported below
        }
        long drainMillis = (System.nanoTime() - drainStarted) / 1_000_000;
        JsonNode bStatus = status(b);
        Map<String, Long> depths = remoteDepths();

        // ---- A comes back and catches up on what B forwarded meanwhile (B's notices waited for it)
        long restartStarted = System.nanoTime();
        a.start();
        a.awaitUp(START_DEADLINE);
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> status(a).path("lagSeconds").asLong() == 0 && status(b).path("lagSeconds").asLong() == 0);
        } catch (ConditionTimeoutException e) {
            // reported below
        }
        long catchUpMillis = (System.nanoTime() - restartStarted) / 1_000_000;
        JsonNode aStatus = status(a);
        bStatus = status(b);
        int aExit = a.terminate(Duration.ofSeconds(60));
        int bExit = b.terminate(Duration.ofSeconds(60));
        Mirror aMirror = readMirror(a);
        Mirror bMirror = readMirror(b);

        // ---- the verdict
        Map<String, ProductRecord> atHq = new TreeMap<>();
        hq.inventory(STORE).forEach(r -> atHq.put(r.sku(), r));
        List<String> wrongQuantity = new ArrayList<>();
        List<String> wrongOrder = new ArrayList<>();
        for (int s = 1; s <= SKUS; s++) {
            String sku = sku(s);
            ProductRecord r = atHq.get(sku);
            if (r == null || r.quantity() != INITIAL_QUANTITY + PER_SKU) {
                wrongQuantity.add(sku + ": " + (r == null ? "none" : r.quantity()));
            }
            List<String> expected = IntStream.range(0, PER_SKU).mapToObj(j -> updateId(sku, j)).toList();
            List<String> applied = hq.appliedOrder(STORE, sku);
            if (!applied.equals(expected)) {
                wrongOrder.add(sku + " applied " + applied);
                System.out.printf("REMOTE %s was applied out of order; HQ's batches with it (and the events):%n", sku);
                synchronized (hqBatches) {
                    hqBatches.stream().filter(line -> line.contains(sku + "-") || !line.contains("["))
                            .forEach(line -> System.out.println("REMOTE   " + line));
                }
            }
        }
        List<String> aMirrorWrong = aMirror.differences(accepted.keySet(), atHq);
        List<String> bMirrorWrong = bMirror.differences(accepted.keySet(), atHq);

        System.out.printf("REMOTE broker up in %d ms, both gateways up at %d ms; sending %d ms (%d retries: %s), drain %d ms, whole test %d s%n",
                brokerMillis, upMillis, sendMillis, retries.get(), retryReasons.values(), drainMillis,
                (System.nanoTime() - testStarted) / 1_000_000_000);
        System.out.printf("REMOTE accepted %d (A %d, B %d, JMS %d; %d by B after the kill); HQ applied %d%n", accepted.size(),
                count("A"), count("B"), count("JMS"), acceptedAfterKill.size(), hq.appliedCount(STORE));
        System.out.printf("REMOTE B status %s%n", bStatus);
        System.out.printf("REMOTE A back and caught up in %d ms: status %s%n", catchUpMillis, aStatus);
        System.out.printf("REMOTE remote queue depths %s; A's mirror %s, B's mirror %s%n", depths, aMirror.summary(), bMirror.summary());

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(accepted).as("updates accepted").hasSize(TOTAL);
        soft.assertThat(killCode).as("A's exit code (SIGKILL)").isEqualTo(GatewayProcess.KILLED_BY_SIGKILL);
        soft.assertThat(appliedAtKill).as("A was killed mid-flow: HQ had applied some, not all").isBetween(1, TOTAL - 1);
        soft.assertThat(aBeforeKill.path("forwarding").path("updates").asLong()).as("updates A forwarded before it died").isPositive();
        soft.assertThat(bStatus.path("forwarding").path("updates").asLong()).as("updates B forwarded").isPositive();
        soft.assertThat(hq.appliedCount(STORE)).as("updates HQ applied (each exactly once)").isEqualTo(TOTAL);
        soft.assertThat(wrongQuantity).as("SKUs whose HQ quantity is not " + (INITIAL_QUANTITY + PER_SKU)).isEmpty();
        soft.assertThat(wrongOrder).as("SKUs whose updates HQ applied out of the order they were sent").isEmpty();
        soft.assertThat(bStatus.path("backlog").asLong()).as("B's backlog (from the remote broker)").isZero();
        soft.assertThat(bStatus.path("dlq").asLong()).as("B's dlq").isZero();
        soft.assertThat(bStatus.path("invalid").asLong()).as("B's invalid").isZero();
        soft.assertThat(nonZero(depths)).as("queues on the remote broker that are not empty").isEmpty();
        soft.assertThat(aExit).as("A's exit code after SIGTERM; " + a.logTail(20)).isZero();
        soft.assertThat(bExit).as("B's exit code after SIGTERM; " + b.logTail(20)).isZero();
        // Each gateway has its own mirror, and each must know every update as APPLIED and every
        // product as HQ has it: what it forwarded itself, and what the other did (its notices).
        soft.assertThat(aMirrorWrong).as("A's mirror against HQ").isEmpty();
        soft.assertThat(bMirrorWrong).as("B's mirror against HQ").isEmpty();
        soft.assertThat(aStatus.path("lagSeconds").asLong()).as("A's lagSeconds").isZero();
        soft.assertThat(bStatus.path("lagSeconds").asLong()).as("B's lagSeconds").isZero();
        soft.assertAll();
    }

    // ---------------------------------------------------------------- terminals

    /** Client i owns every SKU s (1..HTTP_SKUS) with s % HTTP_CLIENTS == i; update j of a SKU goes out once j-1 got its 202. */
    private void sendOverHttp(int client) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        List<Integer> mine = IntStream.rangeClosed(1, HTTP_SKUS).filter(s -> s % HTTP_CLIENTS == client).boxed().toList();
        long deadline = System.nanoTime() + SEND_DEADLINE.toNanos();
        for (int j = 0; j < PER_SKU; j++) {
            for (int s : mine) {
                String id = updateId(sku(s), j);
                boolean toA = (j + s) % 2 == 0;
                while (true) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("HTTP client " + client + " could not get " + id + " accepted in time");
                    }
                    boolean deadBefore = aIsDead;
                    GatewayProcess g = toA && !deadBefore ? a : b;
                    String reason;
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(g.baseUrl() + "/api/v1/updates"))
                                .timeout(Duration.ofSeconds(20))
                                .header("Authorization", "Bearer " + TestUsers.TERMINAL_TOKEN)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(TerminalClient.adjust(id, sku(s), 1))).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 202) {
                            accepted.put(id, g == a ? "A" : "B");
                            if (g == b && deadBefore) {
                                acceptedAfterKill.add(id);
                            }
                            break;
                        }
                        if (r.statusCode() < 500) {
                            throw new AssertionError((g == a ? "A" : "B") + " answered " + r.statusCode() + " " + r.body() + " to " + id);
                        }
                        reason = "http " + r.statusCode() + " " + r.body();
                    } catch (IOException e) {
                        reason = "http " + e.getClass().getSimpleName();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    // unknown outcome: the same update again, to the other gateway (duplicates are recognised)
                    retried(reason);
                    toA = !toA;
                }
            }
        }
    }

    /** Client i owns JMS SKUs by index; each SKU's messages carry JMSXGroupID = SKU, so one gateway at a time ingests them. */
    private void sendOverJms(int client) {
        List<Integer> mine = IntStream.rangeClosed(HTTP_SKUS + 1, SKUS).filter(s -> s % JMS_CLIENTS == client).boxed().toList();
        long deadline = System.nanoTime() + SEND_DEADLINE.toNanos();
        try (ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(broker.url() + "?reconnectAttempts=0&callTimeout=5000")) {
            JMSContext ctx = null;
            try {
                for (int j = 0; j < PER_SKU; j++) {
                    for (int s : mine) {
                        String id = updateId(sku(s), j);
                        while (true) {
                            if (System.nanoTime() > deadline) {
                                throw new AssertionError("JMS client " + client + " could not send " + id + " in time");
                            }
                            try {
                                if (ctx == null) {
                                    ctx = f.createContext(TestUsers.TERMINAL_USER, TestUsers.TERMINAL_TOKEN, JMSContext.SESSION_TRANSACTED);
                                }
                                TextMessage m = ctx.createTextMessage(TerminalClient.adjust(id, sku(s), 1));
                                m.setStringProperty(UpdateMessages.GROUP_ID, sku(s));
                                ctx.createProducer().setDeliveryMode(DeliveryMode.PERSISTENT).send(ctx.createQueue(Queues.INBOUND), m);
                                ctx.commit();
                                accepted.put(id, "JMS");
                                break;
                            } catch (JMSException | RuntimeException e) {
                                if (ctx != null) {
                                    try {
                                        ctx.close();
                                    } catch (RuntimeException ignored) {
                                        // broken anyway
                                    }
                                }
                                ctx = null;
                                retried("jms " + e.getClass().getSimpleName());
                            }
                        }
                    }
                }
            } finally {
                if (ctx != null) {
                    ctx.close();
                }
            }
        }
    }

    private void retried(String reason) {
        retries.incrementAndGet();
        retryReasons.putIfAbsent(reason.length() > 60 ? reason.substring(0, 60) : reason, reason);
        // Before sending again: the surviving gateway (and through its health check, the broker) answers.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .until(() -> healthProbe.send(HttpRequest.newBuilder(URI.create(b.baseUrl() + "/observe/health/live"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    // ---------------------------------------------------------------- checks

    private void awaitAccepted(int n) {
        await().atMost(SEND_DEADLINE).pollInterval(Duration.ofMillis(50)).until(() -> accepted.size() >= n);
    }

    private static JsonNode status(GatewayProcess g) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(URI.create(g.baseUrl() + "/admin/v1/status"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TestUsers.ADMIN_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("status answered " + r.statusCode() + " " + r.body());
        }
        return UpdateJson.MAPPER.readTree(r.body());
    }

    /** What the broker itself says is left in each of the gateway's queues and its own dead-letter queue. */
    private Map<String, Long> remoteDepths() {
        Map<String, Long> out = new TreeMap<>();
        try (RemoteBroker r = RemoteBroker.connect(GatewaySettings.of(Map.of()), broker.url(),
                RemoteArtemis.GATEWAY_USER, RemoteArtemis.GATEWAY_PASSWORD)) {
            for (String q : Queues.ALL) {
                out.put(q, r.depth(q));
            }
            out.put("DLQ", r.depth("DLQ"));
        }
        return out;
    }

    private static Mirror readMirror(GatewayProcess g) throws SQLException {
        Mirror m = new Mirror(new TreeMap<>(), new TreeMap<>());
        try (Connection c = DriverManager.getConnection(g.mirrorJdbcUrl());
             Statement s = c.createStatement()) {
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

    /** One gateway's mirror after it stopped: each update's status, each product's quantity and version. */
    private record Mirror(Map<String, String> statuses, Map<String, long[]> products) {

        List<String> differences(Set<String> accepted, Map<String, ProductRecord> atHq) {
            List<String> out = new ArrayList<>();
            for (String id : new TreeSet<>(accepted)) {
                if (!"APPLIED".equals(statuses.get(id))) {
                    out.add(id + " is " + statuses.get(id));
                }
            }
            atHq.forEach((sku, r) -> {
                long[] p = products.get(sku);
                if (p == null || p[0] != r.quantity() || p[1] != r.version()) {
                    out.add(sku + ": HQ q=" + r.quantity() + " v=" + r.version()
                            + ", mirror " + (p == null ? "none" : "q=" + p[0] + " v=" + p[1]));
                }
            });
            return out.size() <= 20 ? out : List.of(out.subList(0, 20) + " and " + (out.size() - 20) + " more");
        }

        String summary() {
            Map<String, Long> byStatus = new TreeMap<>();
            statuses.values().forEach(v -> byStatus.merge(v, 1L, Long::sum));
            return byStatus + ", " + products.size() + " products";
        }
    }

    private static Map<String, Long> nonZero(Map<String, Long> depths) {
        Map<String, Long> out = new TreeMap<>(depths);
        out.values().removeIf(n -> n == 0);
        return out;
    }

    private long count(String who) {
        return accepted.values().stream().filter(who::equals).count();
    }

    private static String sku(int s) {
        return String.format("SKU-%04d", s);
    }

    private static String updateId(String sku, int j) {
        return sku + "-u" + j;
    }
}
