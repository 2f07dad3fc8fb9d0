package io.storegateway.bench;

import io.storegateway.TerminalClient;
import io.storegateway.TestClock;
import io.storegateway.TestGateway;
import io.storegateway.TestUsers;
import io.storegateway.hq.UpdateResult;
import io.storegateway.hq.simulator.HqSimulator;
import io.storegateway.ingest.UpdateValidator;
import io.storegateway.mirror.MirrorEngineComparison;
import io.storegateway.mirror.MirrorRetention;
import io.storegateway.mirror.MirrorUpkeep;
import io.storegateway.mirror.UpdateStatus;
import io.storegateway.security.AccessTokens;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.management.OperatingSystemMXBean;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSProducer;
import jakarta.jms.Queue;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The performance benchmark (issue 7): {@code mvn -B -Pbenchmark verify}. Not part of the normal
 * test run. It measures, on this machine, with the gateway as a separate JVM at -Xmx256m and the HQ
 * simulator plus the load generators in this JVM:
 * <ol>
 * <li>JMH micro-benchmarks of the validator, the differ, HQ answer parsing and a mirror batch write;</li>
 * <li>the broker alone (the same embedded broker and journal settings, its own JVM at -Xmx256m): persistent
 *     transacted sends, then transacted receives in forward-sized batches: the baseline;</li>
 * <li>a bare Camel route (platform-http, Jackson, a pooled JMS send: {@link BareCamelIngest}) under the same
 *     HTTP load, its own JVM at -Xmx256m, warmed up as the gateway is: the ingest baseline;</li>
 * <li>start-up to health UP, fresh and with an empty backlog;</li>
 * <li>after a warm-up of {@code bench.warm-up-seconds} (30 s) of the same HTTP and JMS load with HQ up:
 *     HTTP ingest with one update per request and with 100 per request (32 keep-alive clients, a till
 *     token each), JMS ingest over TCP (several persistent producers) and request latency at a fixed
 *     1,000/s, while HQ is down, which builds a backlog; then the three ingest figures again with
 *     {@code bench.paging.backlog} (200,000) queued, the queue paging to disk;</li>
 * <li>draining that backlog (300,000 updates by default) to HQ, mirror writes included, and its ratio
 *     to the broker's own transacted receive rate; every update applied once, per-SKU order kept;</li>
 * <li>online latency, POST to a GET reading APPLIED, at a steady 1,000 updates/s with HQ up (open loop), in its
 *     two halves (to HQ's answer, to the read) and on the gateway's own clock;</li>
 * <li>the gateway's heap after a full GC and its peak RSS, and the machine;</li>
 * <li>the mirror at scale ({@code bench.scale}, 1,000,000 by default): ingest with HQ down, product reads with all of
 *     them queued, start-up with them queued, their drain, the disk they take once settled (retention keeping
 *     them), reconciliation's proof of delivery and start-up with them in the mirror;</li>
 * <li>steady state under a 3-day retention: 10 simulated days of {@code bench.day} updates each, an in-process
 *     gateway on a test clock, the data dir's size after each day.</li>
 * </ol>
 * Writes {@code docs/BENCHMARKS.md} ({@code target/bench/BENCHMARKS-smoke.md} with {@code -Dbench.smoke=true},
 * the short version CI runs, which fails on errors, never on figures).
 */
class GatewayBenchmark {

    static final String STORE = "S001";
    // `run` refuses the public demo tokens: the gateway under test gets test users of its own.
    static final String TERMINAL_TOKEN = TestUsers.TERMINAL_TOKEN;
    static final String ADMIN_TOKEN = TestUsers.ADMIN_TOKEN;
    static final String HQ_TOKEN = "bench-hq-token";
    /** A terminal token per till: clients 0..31 post, watchers take the rest (the per-token rate limit stays on). */
    static final int TILLS = 64;
    static final int SKUS = 1000;

    private final boolean smoke = Boolean.getBoolean("bench.smoke");
    private final int clients = Integer.getInteger("bench.clients", 32);
    private final int singleCount = Integer.getInteger("bench.single", smoke ? 1_000 : 20_000);
    private final int batchedCount = Integer.getInteger("bench.batched", smoke ? 3_000 : 60_000);
    private final int perRequest = Integer.getInteger("bench.per-request", 100);
    private final int jmsCount = Integer.getInteger("bench.jms", smoke ? 1_000 : 20_000);
    private final int pagingBacklog = Integer.getInteger("bench.paging.backlog", smoke ? 20_000 : 200_000);
    /** Warm-up (JIT, pools, caches): rounds of HTTP and JMS load until this long has passed (smoke: one round). */
    private final int warmUpSeconds = Integer.getInteger("bench.warm-up-seconds", smoke ? 0 : 30);
    private final int jmsProducers = Integer.getInteger("bench.jms.producers", 4);
    private final int jmsPerCommit = Integer.getInteger("bench.jms.per-commit", 50);
    private final int latencyRate = Integer.getInteger("bench.latency.rate", smoke ? 200 : 1_000);
    private final int latencySeconds = Integer.getInteger("bench.latency.seconds", smoke ? 3 : 20);
    private final int latencySampleEvery = Integer.getInteger("bench.latency.sample-every", 10);
    private final int scaleCount = Integer.getInteger("bench.scale", smoke ? 20_000 : 1_000_000);
    private final int productReads = Integer.getInteger("bench.scale.reads", smoke ? 300 : 1_000);
    private final int pageReads = Integer.getInteger("bench.scale.pages", smoke ? 30 : 100);
    private final int dayCount = Integer.getInteger("bench.day", smoke ? 2_000 : 50_000);
    private final int days = Integer.getInteger("bench.days", 10);
    private final boolean jmh = Boolean.parseBoolean(System.getProperty("bench.jmh", Boolean.toString(!smoke)));
    private final Path report = Path.of(System.getProperty("bench.report",
            smoke ? "target/bench/BENCHMARKS-smoke.md" : "docs/BENCHMARKS.md"));

    private final HttpLoad load = new HttpLoad();
    /** Request latencies of the online phase (ns, from when each was due). */
    private List<Long> onlineRequests = List.of();
    /** The online phase's watched updates: POST sent -> HQ answered it, HQ answered -> a GET read APPLIED (ns). */
    private final List<Long> toHqAnswer = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> hqAnswerToRead = Collections.synchronizedList(new ArrayList<>());
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, String> figures = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final StringBuilder out = new StringBuilder();

    private Path dir;
    private Path config;
    private int httpPort;
    private int brokerPort;
    private HqSimulator hq;
    private JvmProcess gateway;
    private long peakRssKb;

    @Test
    void measureAndReport() throws Exception {
        String loadBefore = loadAverage();
        long started = System.nanoTime();
        dir = Files.createDirectories(Path.of("target", "bench",
                DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now())).toAbsolutePath());
        line("# Store Gateway benchmark" + (smoke ? " (smoke: short, figures not meaningful)" : ""));
        line("");
        machine(loadBefore);

        if (jmh) {
            JmhBenchmarks.run(this::line, smoke);
        }
        double[] baseline = baseline();
        double[] bare = bareCamel();

        hq = new HqSimulator(0).start();
        hq.setRequiredToken(HQ_TOKEN);
        hq.seedDemoCatalogue(STORE, SKUS);
        try {
            writeConfig();
            long freshStart = startGateway();
            figure("start-up to health UP, fresh data dir (ms)", freshStart);

            // ---- warm-up (JIT, pools, caches) with HQ up, so the figures are of a warmed gateway
            long w0 = System.nanoTime();
            int warm = warmUp();
            line("Warm-up: " + warm + " updates over HTTP and JMS, in rounds for at least " + warmUpSeconds
                    + " s, forwarded to HQ, in " + ms(System.nanoTime() - w0) + " ms (not measured)");

            // ---- ingest, HQ down: the updates pile up as the backlog to drain
            hq.setFault("down", 1.0, 0);
            awaitStatus(s -> !s.path("online").asBoolean(true), Duration.ofSeconds(10));
            long u0 = System.nanoTime();
            double single = httpIngest(1, singleCount, 1);
            double batched = httpIngest(2, batchedCount, perRequest);
            double jmsRate = jmsIngest(3, jmsCount);
            int total = singleCount + batchedCount + jmsCount;
            assertThat(backlog()).as("backlog after ingest").isEqualTo(total);
            figure("HTTP ingest, 1 update/request, " + clients + " clients, a till token each (updates/s)", fmt(single));
            figure("baseline: bare Camel route (platform-http -> pooled JMS send), 1 update/request, same load (updates/s)", fmt(bare[0]));
            figure("HTTP 1/request / bare Camel route", ratio(single, bare[0]));
            figure("HTTP ingest, " + perRequest + " updates/request, " + clients + " clients (updates/s)", fmt(batched));
            figure("baseline: bare Camel route, " + perRequest + " updates/request (updates/s)", fmt(bare[1]));
            figure("HTTP " + perRequest + "/request / bare Camel route", ratio(batched, bare[1]));
            figure("JMS ingest over TCP, " + jmsProducers + " persistent producers, " + jmsPerCommit + " per commit (updates/s)", fmt(jmsRate));
            figure("JMS ingest / broker-alone persistent send", ratio(jmsRate, baseline[0]));
            // ---- request latency at a fixed rate (open loop: counted from when each request was due)
            int atRate = latencyRate * latencySeconds;
            long gwr = gateway.cpuMillis();
            HttpLoad.Result paced = load.postAtRate("localhost", httpPort, "/api/v1/updates", tillTokens(clients), latencyRate,
                    atRate, bodies(4, 1, 0));
            total += atRate;
            line(String.format(Locale.ROOT, "HTTP at %d/s for %d s (1 per request, %d clients, HQ down): p50 %s ms, p99 %s ms, max %s ms; gateway CPU %s",
                    latencyRate, latencySeconds, clients, pct(paced.latencies(), 50), pct(paced.latencies(), 99),
                    pct(paced.latencies(), 100), cpuShare(gwr, paced.elapsedNanos())));
            figure("request latency at " + latencyRate + "/s, HTTP, 1 update/request, fixed rate, HQ down, p50 / p99 (ms)",
                    pct(paced.latencies(), 50) + " / " + pct(paced.latencies(), 99));
            // ---- the same with a backlog that pages (past address-max-size-bytes, held on disk)
            int queued = pagingBacklog - total;
            int per = UpdateValidator.MAX_BATCH;
            queued = Math.max(per, queued / per * per);
            httpIngest(7, queued, per);
            total += queued;
            line("Backlog filled to " + total + " (paging) with " + queued + " updates at " + per + " per request");
            double pagedSingle = httpIngest(8, singleCount, 1);
            double pagedBatched = httpIngest(9, batchedCount, perRequest);
            double pagedJms = jmsIngest(10, jmsCount);
            total += singleCount + batchedCount + jmsCount;
            assertThat(backlog()).as("backlog after the paging ingest").isEqualTo(total);
            int paging = total - singleCount - batchedCount - jmsCount;
            figure("HTTP ingest, 1 update/request, " + paging + " already queued (paging) (updates/s)", fmt(pagedSingle) + " (" + ratio(pagedSingle, single) + " of empty)");
            figure("HTTP ingest, " + perRequest + " updates/request, " + paging + " already queued (updates/s)", fmt(pagedBatched) + " (" + ratio(pagedBatched, batched) + " of empty)");
            figure("JMS ingest, " + paging + " already queued (updates/s)", fmt(pagedJms) + " (" + ratio(pagedJms, jmsRate) + " of empty)");
            line("ingest phases took " + ms(System.nanoTime() - u0) + " ms; backlog " + total);
            sampleRss();

            // ---- drain
            double drain = drain(total);
            figure("drain of a " + total + "-update backlog to HQ, mirror included (updates/s)", fmt(drain));
            figure("baseline: broker alone, transacted receive (msgs/s)", fmt(baseline[1]));
            figure("baseline: broker alone, persistent transacted send (msgs/s)", fmt(baseline[0]));
            figure("drain / broker-alone receive", String.format(Locale.ROOT, "%.2f", drain / baseline[1]));
            checkExactlyOnceAndOrder(warm + total);
            sampleRss();
            figure("gateway heap after full GC, after the drain", heapUsed());

            // ---- online latency
            List<Long> sampled = onlineLatency(11);
            sampleRss();
            figure("gateway heap after full GC, at the end", heapUsed());
            figure("gateway peak RSS (MiB)", peakRssKb / 1024);
            stopGateway();
            latencyFigures(sampled);

            long restart = startGateway();
            figure("start-up to health UP, empty backlog, restart (ms)", restart);

            // ---- the mirror at scale, on the same gateway and data dir (it goes on from this start)
            mirrorAtScale(12, warm + total + onlineCount(), baseline[1]);

            // ---- steady state under retention, in this JVM on a test clock
            steadyState();
        } finally {
            if (gateway != null) {
                gateway.close();
            }
            hq.stop();
        }
        // ---- the mirror's engines side by side (SQLite, H2, PostgreSQL when the run names one), same tables and code
        if (Boolean.parseBoolean(System.getProperty("bench.engines", "true"))) {
            if (smoke && System.getProperty("bench.engines.updates") == null) {
                System.setProperty("bench.engines.updates", "2000");
            }
            MirrorEngineComparison.run(this::line, smoke);
        }
        line("");
        line("Load average before: " + loadBefore + "; after: " + loadAverage() + "; benchmark took "
                + Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s; benchmark JVM CPU "
                + ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class).getProcessCpuTime() / 1_000_000 + " ms");
        writeReport();
    }

    // ---------------------------------------------------------------- machine

    private void machine(String load) throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        long memKb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .findFirst().map(l -> Long.parseLong(l.replaceAll("\\D", ""))).orElse(0L);
        line("## Machine");
        line("");
        line("- cores: " + Runtime.getRuntime().availableProcessors() + ", CPU: " + cpu + ", memory: " + memKb / 1024 / 1024 + " GiB");
        line("- Java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        line("- disk: " + disk(dir));
        line("- load average at start (1/5/15 min): " + load);
        line("- date: " + Instant.now());
        line("");
    }

    private static String disk(Path where) {
        try {
            String best = "";
            String dev = "?";
            String fs = "?";
            for (String l : Files.readAllLines(Path.of("/proc/mounts"))) {
                String[] f = l.split(" ");
                if (where.toString().startsWith(f[1]) && f[1].length() > best.length()) {
                    best = f[1];
                    dev = f[0];
                    fs = f[2];
                }
            }
            String name = dev.replaceFirst("^/dev/", "").replaceFirst("\\d+$", "");
            Path rot = Path.of("/sys/block", name, "queue", "rotational");
            String kind = Files.exists(rot) ? ("0".equals(Files.readString(rot).trim()) ? "non-rotational" : "rotational") : "kind unknown";
            long free = Files.getFileStore(where).getUsableSpace();
            return dev + " (" + fs + ", " + kind + ") mounted at " + best + ", " + free / (1L << 30) + " GiB free";
        } catch (IOException | RuntimeException e) {
            return "? (" + e + ")";
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    // ---------------------------------------------------------------- baseline

    /** {send rate, receive rate} of the broker alone, same journal settings, own JVM at -Xmx256m. */
    private double[] baseline() throws Exception {
        int count = Integer.getInteger("bench.baseline.count", singleCount + batchedCount + jmsCount);
        Path base = Files.createDirectories(dir.resolve("baseline"));
        Path cfg = base.resolve("application.properties");
        Files.writeString(cfg, Files.readString(Path.of("config/application.properties")) + "\n"
                + "gateway.broker.port = " + freePort() + "\n"
                + "gateway.security.users-file = " + TestUsers.write(dir) + "\n"
                + overrides());
        try (JvmProcess p = JvmProcess.start(base.resolve("baseline.log"), List.of("-Xmx256m"),
                BrokerBaseline.class.getName(), List.of(cfg.toString(), base.resolve("data").toString(),
                        Integer.toString(count), "4", Integer.toString(perRequest), forwardBatchSize()))) {
            int code = p.waitFor(600);
            String log = Files.readString(p.log());
            double send = rateFrom(log, "BASELINE-SEND");
            double receive = rateFrom(log, "BASELINE-RECEIVE");
            if (code != 0 || send <= 0 || receive <= 0) {
                throw new IllegalStateException("broker baseline failed (exit " + code + "):\n" + p.tail(40));
            }
            line("Baseline (broker alone, " + count + " messages): send " + fmt(send) + " msgs/s (4 producers, "
                    + perRequest + " per transaction), receive " + fmt(receive) + " msgs/s (transactions of "
                    + forwardBatchSize() + ")");
            return new double[] {send, receive};
        }
    }

    private static double rateFrom(String log, String tag) {
        for (String l : log.split("\n")) {
            if (l.startsWith(tag + " ")) {
                String[] f = l.trim().split(" ");
                return Long.parseLong(f[1]) * 1e9 / Long.parseLong(f[2]);
            }
        }
        return -1;
    }

    private String forwardBatchSize() {
        return System.getProperty("bench.set.gateway.forward.batch-size", gatewayDefault("gateway.forward.batch-size", "250"));
    }

    private static String gatewayDefault(String key, String fallback) {
        try (var r = Files.newBufferedReader(Path.of("config/application.properties"))) {
            Properties p = new Properties();
            p.load(r);
            return p.getProperty(key, fallback).trim();
        } catch (IOException e) {
            return fallback;
        }
    }

    // ---------------------------------------------------------------- the gateway process

    /** Gateway settings given as -Dbench.set.KEY=VALUE, appended to the config (to try a tuning). */
    private static String overrides() {
        StringBuilder s = new StringBuilder();
        System.getProperties().stringPropertyNames().stream().sorted().filter(k -> k.startsWith("bench.set."))
                .forEach(k -> s.append(k.substring("bench.set.".length())).append(" = ").append(System.getProperty(k)).append('\n'));
        return s.toString();
    }

    private void writeConfig() throws IOException {
        httpPort = freePort();
        brokerPort = freePort();
        while (brokerPort == httpPort) {
            brokerPort = freePort();
        }
        config = dir.resolve("application.properties");
        String extra = overrides();
        if (!extra.isEmpty()) {
            line("Gateway settings changed for this run:\n\n```\n" + extra + "```\n");
        }
        // The shipped config file, with only the ports, paths and HQ changed; quick HQ pings so the
        // drain starts as soon as HQ is back.
        Files.writeString(config, Files.readString(Path.of("config/application.properties")) + "\n"
                + "gateway.store-id = " + STORE + "\n"
                + "gateway.data-dir = " + dir.resolve("data") + "\n"
                + "gateway.http.port = " + httpPort + "\n"
                + "gateway.broker.port = " + brokerPort + "\n"
                + "gateway.hq.url = " + hq.url() + "\n"
                + "gateway.hq.token = " + HQ_TOKEN + "\n"
                + "gateway.routes-dir = " + Path.of("routes").toAbsolutePath() + "\n"
                + "gateway.security.users-file = " + writeUsers() + "\n"
                + "gateway.connectivity.interval-ms = 200\n"
                + "gateway.forward.backoff.initial-ms = 100\n"
                + "gateway.forward.backoff.max-ms = 500\n"
                + extra);
    }

    /** The test users plus a terminal per till, each with a token of its own ({@link #tillToken}). */
    private Path writeUsers() throws IOException {
        Path file = TestUsers.write(dir);
        StringBuilder tills = new StringBuilder();
        for (int t = 0; t < TILLS; t++) {
            tills.append(String.format(Locale.ROOT, "till-%02d = terminal:sha256:%s%n", t,
                    AccessTokens.hash(tillToken(t))));
        }
        Files.writeString(file, tills.toString(), StandardOpenOption.APPEND);
        return file;
    }

    static String tillToken(int till) {
        return "bench-till-token-" + till;
    }

    private static List<String> tillTokens(int count) {
        List<String> tokens = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            tokens.add(tillToken(t % (TILLS / 2)));
        }
        return tokens;
    }

    /** Starts the gateway JVM; answers the milliseconds from the process start to health UP. */
    private long startGateway() throws Exception {
        return startGateway(false);
    }

    /**
     * The same; with {@code hqAway} (HQ down on purpose) UP means every check but HQ's: the aggregate
     * health says DOWN while HQ is unreachable, by design (HQ's check is a readiness check).
     */
    private long startGateway(boolean hqAway) throws Exception {
        int run = (int) Files.list(dir).filter(p -> p.getFileName().toString().startsWith("gateway-")).count() + 1;
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m"));
        // extra JVM options for the gateway, e.g. -Dbench.gateway.jvm="-XX:StartFlightRecording=filename=x.jfr"
        for (String o : System.getProperty("bench.gateway.jvm", "").trim().split("\\s+")) {
            if (!o.isEmpty()) {
                jvm.add(o);
            }
        }
        gateway = JvmProcess.start(dir.resolve("gateway-" + run + ".log"), jvm,
                "io.storegateway.StoreGatewayApplication", List.of("run", "--config", config.toString()));
        long[] upAt = new long[1];
        try {
            poll(Duration.ofSeconds(90), Duration.ofMillis(20)).until(() -> {
                if (!gateway.isAlive()) {
                    throw new IllegalStateException("gateway exited while starting:\n" + gateway.tail(60));
                }
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/observe/health"))
                            .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                    upAt[0] = System.nanoTime();
                    return hqAway ? upButHq(r.body()) : r.statusCode() == 200 && r.body().contains("UP");
                } catch (IOException e) {
                    return false; // not up yet
                }
            });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("gateway not UP within 90 s:\n" + gateway.tail(60));
        }
        long ms = ms(upAt[0] - gateway.startedNanos());
        line("Start-up " + run + ": health UP " + ms + " ms after the process started; from its log: " + startupParts(dir.resolve("gateway-" + run + ".log")));
        return ms;
    }

    private static final Pattern STARTUP_PART = Pattern.compile("(Mirror database ready in \\d+ ms|Broker up in \\d+ ms|Gateway \\S+ up in \\d+ ms:)");

    /** The gateway's own timings of its start-up (the mirror opens while the broker starts). */
    private static String startupParts(Path log) throws IOException {
        List<String> parts = new ArrayList<>();
        for (String l : Files.readAllLines(log)) {
            Matcher m = STARTUP_PART.matcher(l);
            if (m.find()) {
                parts.add(m.group(1).replace(":", "").replaceFirst("^Gateway \\S+ up", "all up"));
            }
        }
        return String.join(", ", parts);
    }

    /** Whether a health page names the broker's and the mirror's checks, and all its checks but HQ's are UP. */
    private static boolean upButHq(String health) {
        JsonNode checks;
        try {
            checks = UpdateJson.MAPPER.readTree(health).path("checks");
        } catch (IOException e) {
            return false; // not the health page yet
        }
        Set<String> up = new HashSet<>();
        for (JsonNode c : checks) {
            String name = c.path("name").asText();
            if (!"hq".equals(name)) {
                if (!"UP".equals(c.path("status").asText())) {
                    return false;
                }
                up.add(name);
            }
        }
        return up.contains("broker") && up.contains("mirror");
    }

    /** Polls a condition with a deadline, from now (the figures depend on seeing it promptly). */
    private static ConditionFactory poll(Duration within, Duration every) {
        return await().atMost(within).pollDelay(Duration.ZERO).pollInterval(every);
    }

    private void stopGateway() throws InterruptedException {
        int code = gateway.terminate(60);
        if (code != 0) {
            throw new IllegalStateException("gateway did not stop cleanly on SIGTERM (exit " + code + "):\n" + gateway.tail(40));
        }
    }

    private String base() {
        return "http://localhost:" + httpPort;
    }

    private void sampleRss() {
        long[] r = gateway.rssKb();
        peakRssKb = Math.max(peakRssKb, Math.max(r[0], r[1]));
    }

    private String heapUsed() {
        String info = gateway.heapInfoAfterGc();
        // e.g. " def new generation   total 9792K, used 1234K" or " garbage-first heap   total 262144K, used 41234K"
        long used = 0;
        long total = 0;
        for (String l : info.split("\n")) {
            Matcher m = Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(l);
            if (m.find() && !l.contains("Metaspace") && !l.contains("class space")) {
                total += Long.parseLong(m.group(1));
                used += Long.parseLong(m.group(2));
            }
        }
        return used == 0 ? info.trim() : (used / 1024) + " MiB used of " + (total / 1024) + " MiB committed (max 256 MiB)";
    }

    // ---------------------------------------------------------------- ingest

    static String update(int phase, int client, int seq, int skuIndex) {
        return "{\"updateId\":\"" + id(phase, client, seq) + "\",\"terminalId\":\"T" + client
                + "\",\"type\":\"ADJUST_QUANTITY\",\"sku\":\"" + sku(skuIndex) + "\",\"delta\":-1,\"occurredAt\":\""
                + Instant.now() + "\"}";
    }

    static String id(int phase, int client, int seq) {
        return String.format(Locale.ROOT, "p%d-c%02d-%08d", phase, client, seq);
    }

    static String sku(int index) {
        return String.format(Locale.ROOT, "SKU-%04d", 1 + index);
    }

    /** The i-th SKU a client (or producer) owns: each SKU has one sender per phase, so its order is that sender's. */
    static int skuOf(int client, int senders, int i) {
        int owned = (SKUS - client + senders - 1) / senders;
        return client + senders * (i % owned);
    }

    /** {@code count} updates in requests of {@code per}, from the clients; answers updates/s. */
    private double httpIngest(int phase, int count, int per) throws Exception {
        return httpIngest(phase, count, per, 0);
    }

    /** The same; sequence numbers start at {@code seqBase} (several runs in one phase). */
    private double httpIngest(int phase, int count, int per, int seqBase) throws Exception {
        int requests = count / per;
        long gw0 = gateway.cpuMillis();
        HttpLoad.Result result = load.post("localhost", httpPort, "/api/v1/updates", tillTokens(clients), requests,
                bodies(phase, per, seqBase));
        double rate = requests * (double) per * 1e9 / result.elapsedNanos();
        line(String.format(Locale.ROOT, "%sHTTP ingest, %d per request: %d updates in %d ms = %s updates/s; request p50 %s ms, p99 %s ms; gateway CPU %s",
                phase == 0 ? "(warm-up) " : "", per, requests * per, ms(result.elapsedNanos()), fmt(rate),
                pct(result.latencies(), 50), pct(result.latencies(), 99), cpuShare(gw0, result.elapsedNanos())));
        return rate;
    }

    /** Each client's next body: {@code per} updates (an array when more than one), ids unique per phase. */
    private HttpLoad.Bodies bodies(int phase, int per, int seqBase) {
        int[] seq = new int[clients];
        Arrays.fill(seq, seqBase);
        return client -> {
            StringBuilder body = new StringBuilder(per == 1 ? "" : "[");
            for (int k = 0; k < per; k++) {
                if (k > 0) {
                    body.append(',');
                }
                body.append(update(phase, client, seq[client], skuOf(client, clients, seq[client])));
                seq[client]++;
            }
            return per > 1 ? body.append(']').toString() : body.toString();
        };
    }

    /**
     * {single, batched} updates/s of the bare Camel route ({@link BareCamelIngest}) under the same load as
     * the gateway's HTTP phases, warmed up the same way, in its own JVM at the same heap.
     */
    private double[] bareCamel() throws Exception {
        Path base = Files.createDirectories(dir.resolve("bare-camel"));
        Path cfg = base.resolve("application.properties");
        Files.writeString(cfg, Files.readString(Path.of("config/application.properties")) + "\n"
                + "gateway.broker.port = " + freePort() + "\n"
                + "gateway.security.users-file = " + TestUsers.write(dir) + "\n"
                + overrides());
        int port = freePort();
        try (JvmProcess p = JvmProcess.start(base.resolve("bare-camel.log"), List.of("-Xmx256m"),
                BareCamelIngest.class.getName(), List.of(cfg.toString(), base.resolve("data").toString(), Integer.toString(port)))) {
            poll(Duration.ofSeconds(60), Duration.ofMillis(50)).alias("bare Camel route up")
                    .until(() -> Files.readString(p.log()).contains("BARE-CAMEL-UP"));
            // warmed up as the gateway is: rounds of the same load for the same time
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmUpSeconds);
            int seq = 0;
            do {
                bareLoad(p, port, 0, smoke ? 300 : 5_000, 1, seq);
                bareLoad(p, port, 0, smoke ? 1_000 : 20_000, perRequest, seq + (smoke ? 300 : 5_000));
                seq += smoke ? 1_300 : 25_000;
            } while (System.nanoTime() < until);
            double single = bareLoad(p, port, 1, singleCount, 1, 0);
            double batched = bareLoad(p, port, 2, batchedCount, perRequest, 0);
            return new double[] {single, batched};
        }
    }

    private double bareLoad(JvmProcess bare, int port, int phase, int count, int per, int seqBase) throws Exception {
        int requests = count / per;
        long cpu0 = bare.cpuMillis();
        HttpLoad.Result result = load.post("localhost", port, "/ingest", tillTokens(clients), requests, bodies(phase, per, seqBase));
        double rate = requests * (double) per * 1e9 / result.elapsedNanos();
        line(String.format(Locale.ROOT, "%sBare Camel route, %d per request: %d updates in %d ms = %s updates/s; request p50 %s ms, p99 %s ms; its CPU %.0f%% of one core",
                phase == 0 ? "(warm-up) " : "", per, requests * per, ms(result.elapsedNanos()), fmt(rate),
                pct(result.latencies(), 50), pct(result.latencies(), 99),
                (bare.cpuMillis() - cpu0) * 100.0 / (result.elapsedNanos() / 1e6)));
        return rate;
    }

    /** {@code count} updates, one per message, from several producers over TCP; rate until all are on the outbound queue. */
    private double jmsIngest(int phase, int count) throws Exception {
        return jmsIngest(phase, count, 0);
    }

    private double jmsIngest(int phase, int count, int seqBase) throws Exception {
        long before = backlog();
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long gw0 = gateway.cpuMillis();
        long t0 = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        try (ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory("tcp://localhost:" + brokerPort)) {
            for (int p = 0; p < jmsProducers; p++) {
                int producer = p;
                Thread t = new Thread(() -> {
                    try (JMSContext ctx = cf.createContext(TestUsers.TERMINAL_USER, TERMINAL_TOKEN, JMSContext.SESSION_TRANSACTED)) {
                        Queue in = ctx.createQueue("store.updates.in");
                        JMSProducer send = ctx.createProducer();
                        int seq = seqBase;
                        int inTx = 0;
                        while (next.getAndIncrement() < count) {
                            send.send(in, update(phase, producer, seq, skuOf(producer, jmsProducers, seq)));
                            seq++;
                            if (++inTx == jmsPerCommit) {
                                ctx.commit();
                                inTx = 0;
                            }
                        }
                        ctx.commit();
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "bench-producer-" + p);
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join();
            }
        }
        long sent = System.nanoTime() - t0;
        if (failure.get() != null) {
            throw new IllegalStateException("JMS producers failed", failure.get());
        }
        // HQ down: all of them on the outbound queue; HQ up (warm-up): the caller waits for HQ instead
        if (phase > 0) {
            poll(Duration.ofSeconds(600), Duration.ofMillis(50)).alias("JMS ingest on the outbound queue")
                    .until(() -> backlog() >= before + count);
        }
        long elapsed = System.nanoTime() - t0;
        double rate = count * 1e9 / elapsed;
        line(String.format(Locale.ROOT, "%sJMS ingest: %d updates sent in %d ms (%d producers, %d per commit), all on the outbound queue after %d ms = %s updates/s; gateway CPU %s",
                phase == 0 ? "(warm-up, HQ up: not waited for) " : "", count, ms(sent), jmsProducers, jmsPerCommit, ms(elapsed), fmt(rate), cpuShare(gw0, elapsed)));
        return rate;
    }

    private int warmUp() throws Exception {
        int single = smoke ? 300 : 5_000;
        int batched = smoke ? 1_000 : 20_000;
        int jms = smoke ? 200 : 10_000;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmUpSeconds);
        int total = 0;
        do {
            httpIngest(0, single, 1, total);
            httpIngest(0, batched, perRequest, total + single);
            jmsIngest(0, jms, total + single + batched);
            total += single + batched + jms;
            // each round applied before the next, whose updates of a SKU come from other senders: per-SKU order
            int sent = total;
            poll(Duration.ofSeconds(300), Duration.ofMillis(50)).alias("warm-up drained")
                    .until(() -> hq.appliedCount(STORE) >= sent && backlog() == 0);
        } while (System.nanoTime() < until);
        return total;
    }

    // ---------------------------------------------------------------- drain

    private double drain(int total) throws Exception {
        JsonNode s0 = status();
        long forwarded0 = s0.path("forwarding").path("updates").asLong();
        long gw0 = gateway.cpuMillis();
        long cleared = System.nanoTime();
        hq.setFault("none", 0, 0);
        // when the first batch was seen settled, the count then; when the backlog was seen empty, the count then
        long[] seen = new long[4];
        // at least 500 updates/s, so a deadline for the million of the mirror-at-scale phase too
        poll(Duration.ofSeconds(Math.max(900, total / 500)), Duration.ofMillis(50)).alias("backlog drained").until(() -> {
            JsonNode s = status();
            long now = System.nanoTime();
            long forwarded = s.path("forwarding").path("updates").asLong();
            if (seen[0] == 0 && forwarded > forwarded0) {
                seen[0] = now;
                seen[1] = forwarded;
            }
            seen[2] = now;
            seen[3] = forwarded;
            return s.path("backlog").asLong() == 0 && forwarded - forwarded0 >= total;
        });
        long first = seen[0];
        long now = seen[2];
        double rate = (seen[3] - seen[1]) * 1e9 / (now - first);
        line(String.format(Locale.ROOT, "Drain: HQ back at t=0; first batch settled at %d ms; backlog of %d empty at %d ms; "
                        + "%s updates/s from the first settled batch to empty (%s updates/s from HQ's return); gateway CPU %s",
                ms(first - cleared), total, ms(now - cleared), fmt(rate), fmt(total * 1e9 / (now - cleared)),
                cpuShare(gw0, now - cleared)));
        return rate;
    }

    private void checkExactlyOnceAndOrder(int total) {
        assertThat(hq.appliedCount(STORE)).as("updates HQ applied (each once)").isEqualTo(total);
        int checked = 0;
        for (int i = 0; i < SKUS; i++) {
            List<String> order = hq.appliedOrder(STORE, sku(i));
            for (int k = 1; k < order.size(); k++) {
                if (orderKey(order.get(k - 1)) >= orderKey(order.get(k))) {
                    throw new AssertionError("per-SKU order broken for " + sku(i) + ": " + order.get(k - 1) + " before " + order.get(k));
                }
            }
            checked += order.size();
        }
        line("Checked: HQ applied all " + total + " updates exactly once; per-SKU order kept for all " + SKUS + " SKUs ("
                + checked + " updates).");
    }

    /** (phase, sequence) of one sender: each SKU has one sender per phase. */
    static long orderKey(String updateId) {
        String[] f = updateId.split("-");
        return Long.parseLong(f[0].substring(1)) * 1_000_000_000L + Long.parseLong(f[2]);
    }

    // ---------------------------------------------------------------- online latency

    /** How many updates the online phase sends. */
    private int onlineCount() {
        return latencyRate * latencySeconds;
    }

    /**
     * Sends at a steady rate with HQ up, from the same clients and load as the fixed-rate phase (open loop);
     * every n-th update is watched from when HQ answered it, with a GET a millisecond until it reads
     * APPLIED. Answers those latencies (ns), from when its POST's body was built (when it was due).
     */
    private List<Long> onlineLatency(int phase) throws Exception {
        int total = onlineCount();
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> watches = Collections.synchronizedList(new ArrayList<>());
        io.vertx.core.http.HttpClient watcher = load.watcher("localhost", httpPort, 8);
        AtomicInteger watchToken = new AtomicInteger();
        hq.whenAnswered(results -> {
            long answered = System.nanoTime();
            for (UpdateResult r : results) {
                Long at = sentAt.get(r.updateId());
                if (at != null) {
                    toHqAnswer.add(answered - at);
                    // the other half of the tills: the watches do not use up the senders' rate limit
                    String token = "Bearer " + tillToken(TILLS / 2 + watchToken.getAndIncrement() % (TILLS / 2));
                    watches.add(load.watch(watcher, "/api/v1/updates/" + r.updateId(), token, "\"APPLIED\"")
                            .thenAccept(seen -> {
                                latencies.add(seen - at);
                                hqAnswerToRead.add(seen - answered);
                            }));
                }
            }
        });
        int appliedBefore = hq.appliedCount(STORE);
        HttpLoad.Bodies bodies = bodies(phase, 1, 0);
        int[] seq = new int[clients];
        long gw0 = gateway.cpuMillis();
        HttpLoad.Result paced;
        try {
            paced = load.postAtRate("localhost", httpPort, "/api/v1/updates", tillTokens(clients), latencyRate, total, client -> {
                if (seq[client] % latencySampleEvery == 0) {
                    sentAt.put(id(phase, client, seq[client]), System.nanoTime());
                }
                seq[client]++;
                return bodies.next(client);
            });
            onlineRequests = paced.latencies();
            poll(Duration.ofSeconds(120), Duration.ofMillis(20)).until(() -> watches.size() >= sentAt.size()
                    && hq.appliedCount(STORE) >= appliedBefore + total);
            CompletableFuture.allOf(watches.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        } finally {
            hq.whenAnswered(r -> { });
            watcher.close();
        }
        assertThat(latencies).as("watched updates that reached APPLIED").hasSize(sentAt.size());
        line(String.format(Locale.ROOT, "Online: %d updates at %d/s for %d s (%d clients, HQ up, sent over %d ms); gateway CPU %s",
                total, latencyRate, latencySeconds, clients, ms(paced.elapsedNanos()), cpuShare(gw0, paced.elapsedNanos())));
        return latencies;
    }

    private void latencyFigures(List<Long> sampled) throws Exception {
        figure("request latency at " + latencyRate + "/s during the online phase (fixed rate, HQ up), p50 / p99 (ms)",
                pct(onlineRequests, 50) + " / " + pct(onlineRequests, 99));
        figure("online latency at " + latencyRate + "/s, POST sent -> reads APPLIED, p50 (ms)", pct(sampled, 50));
        figure("online latency at " + latencyRate + "/s, POST sent -> reads APPLIED, p99 (ms)", pct(sampled, 99));
        figure("online latency, its two halves: POST sent -> HQ answered / HQ answered -> reads APPLIED, p50 (ms)",
                pct(toHqAnswer, 50) + " / " + pct(hqAnswerToRead, 50));
        figure("online latency, its two halves: POST sent -> HQ answered / HQ answered -> reads APPLIED, p99 (ms)",
                pct(toHqAnswer, 99) + " / " + pct(hqAnswerToRead, 99));
        // The gateway's own clock, for every update of the phase: received -> settled in the mirror.
        List<Long> inside = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data").resolve("mirror").resolve("mirror.db"));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT received_at, settled_at FROM settled_update WHERE update_id LIKE 'p11-%'")) {
            while (rs.next()) {
                inside.add(Duration.ofMillis(rs.getLong(2) - rs.getLong(1)).toNanos());
            }
        }
        figure("online latency, gateway's own clock, received -> settle stamped (all " + inside.size() + "), p50 / p99 (ms)",
                pct(inside, 50) + " / " + pct(inside, 99));
        line("Watched " + sampled.size() + " updates (every " + latencySampleEvery + "th) from the POST to the first GET that reads APPLIED "
                + "(polled from when HQ answered, every 1 ms); max " + pct(sampled, 100) + " ms.");
    }

    // ---------------------------------------------------------------- the mirror at scale

    /**
     * {@code bench.scale} updates queued while HQ is down (ids of {@code phase}), reads with all of them
     * queued, a restart with them queued, the drain, then the disk they take once settled, reconciliation's
     * proof of delivery and a restart with them in the mirror. {@code sentBefore}: updates HQ applied before.
     */
    private void mirrorAtScale(int phase, int sentBefore, double baselineReceive) throws Exception {
        int per = UpdateValidator.MAX_BATCH;
        int count = Math.max(1, scaleCount / per) * per;
        Path data = dir.resolve("data");
        long started = System.nanoTime();
        line("");
        line("Mirror at scale: " + count + " updates queued with HQ down, read, restarted, drained; the same gateway and data dir.");
        hq.setFault("down", 1.0, 0);
        awaitStatus(s -> !s.path("online").asBoolean(true), Duration.ofSeconds(10));
        double ingest = httpIngest(phase, count, per);
        // A batch the forwarder took just before HQ went away is on its way back to the queue for a moment
        // (its call failed and rolled back): the depth counts it again once it is back.
        try {
            awaitStatus(s -> s.path("backlog").asLong() == count, Duration.ofSeconds(30));
        } catch (ConditionTimeoutException e) {
            assertThat(backlog()).as("backlog after the scale ingest").isEqualTo(count);
        }
        figure("mirror at scale: HTTP ingest of " + count + ", " + per + " updates/request, " + clients + " clients, HQ down (updates/s)",
                fmt(ingest));

        List<Long> item = reads(productReads, rnd -> "/api/v1/products/" + sku(rnd.nextInt(SKUS)));
        // a cursor at least a page before the last SKU, so every page is a full one
        List<Long> page = reads(pageReads, rnd -> "/api/v1/products?limit=50&after=" + sku(rnd.nextInt(SKUS - 50)));
        figure("GET /api/v1/products/{sku}, " + count + " queued, " + item.size() + " random SKUs from one client, p50 / p99 / max (ms)",
                pct(item, 50) + " / " + pct(item, 99) + " / " + pct(item, 100));
        figure("GET /api/v1/products?limit=50, " + count + " queued, " + page.size() + " random cursors from one client, p50 / p99 / max (ms)",
                pct(page, 50) + " / " + pct(page, 99) + " / " + pct(page, 100));
        figure("mirror file (mirror.db + WAL) / data dir, " + count + " queued", bytes(mirrorFiles(data)) + " / " + bytes(bytesUnder(data)));
        figure("gateway heap after full GC, " + count + " queued", heapUsed());

        stopGateway();
        long restart = startGateway(true);
        figure("start-up to health UP (every check but HQ's: HQ is down), " + count + " queued, restart (ms)", restart);

        Instant hqBack = Instant.now();
        // The WAL's size is what the mirror can add between two checks of a disk guard: sampled through the drain.
        Path wal = data.resolve("mirror").resolve("mirror.db-wal");
        AtomicLong walMax = new AtomicLong();
        AtomicBoolean draining = new AtomicBoolean(true);
        Thread walWatch = new Thread(() -> {
            while (draining.get()) {
                try {
                    walMax.accumulateAndGet(Files.exists(wal) ? Files.size(wal) : 0, Math::max);
                    Thread.sleep(20); // a sampling period, not a wait for something
                } catch (IOException e) {
                    // the file is being cut back: the next sample sees it
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-wal-watch");
        walWatch.start();
        double drain;
        try {
            drain = drain(count);
        } finally {
            draining.set(false);
            walWatch.join();
        }
        figure("mirror at scale: drain of a " + count + "-update backlog to HQ, mirror included (updates/s)", fmt(drain));
        figure("mirror at scale: largest WAL seen during the drain (sampled every 20 ms)", bytes(walMax.get()));
        figure("mirror at scale: drain / broker-alone receive", String.format(Locale.ROOT, "%.2f", drain / baselineReceive));
        int sent = sentBefore + count;
        checkExactlyOnceAndOrder(sent);

        awaitUpkeepAfter(hqBack, data);
        long broker = bytesUnder(data.resolve("broker"));
        long mirror = bytesUnder(data.resolve("mirror"));
        long kept = settledRows(data);
        figure("data dir after draining " + count + " and the mirror's upkeep: broker / mirror", bytes(broker) + " / " + bytes(mirror));
        figure("broker + mirror per settled update kept (" + kept + " kept, retention 30d) (bytes)", fmt((broker + mirror) / (double) kept));

        JsonNode report = reconcile();
        JsonNode delivery = report.path("delivery");
        figure("reconciliation with " + kept + " settled updates in the mirror, POST /admin/v1/reconcile tookMs (ms)", report.path("tookMs").asLong());
        figure("proof of delivery (from the mirror's counters, no scan): accepted / confirmed by HQ / up to",
                delivery.path("accepted").asLong() + " / " + delivery.path("confirmedByHq").asLong() + " / "
                        + delivery.path("confirmedUpTo").asText());
        assertThat(delivery.path("accepted").asLong()).as("updates the delivery counters say were accepted").isEqualTo(sent);
        assertThat(delivery.path("confirmedByHq").asLong()).as("updates the delivery counters say HQ confirmed").isEqualTo(sent);
        line("Reconciliation: " + report.path("checked").asLong() + " products checked, drift " + report.path("drift").asLong()
                + ", took " + report.path("tookMs").asLong() + " ms; its delivery figures come from the mirror's running counters "
                + "(mirror_counter), not from a count over " + kept + " settled rows: " + delivery);

        stopGateway();
        long withMirror = startGateway();
        figure("start-up to health UP, mirror of " + kept + " settled updates, restart (ms)", withMirror);
        line("After that restart: data dir " + bytes(bytesUnder(data)) + " (broker " + bytes(bytesUnder(data.resolve("broker")))
                + ", mirror " + bytes(bytesUnder(data.resolve("mirror"))) + ")");
        stopGateway();
        // The first restart also replays the broker's journal of the drain (a million adds and acks,
        // cleaned up as it loads); the second shows the mirror's own share of a start-up.
        long again = startGateway();
        figure("start-up to health UP, mirror of " + kept + " settled updates, second restart (the broker's journal "
                + "of the drain cleaned up by the first) (ms)", again);
        stopGateway();
        line("Mirror at scale took " + ms(System.nanoTime() - started) / 1000 + " s.");
    }

    /** {@code n} GETs, one after the other from one client, of the paths {@code path} draws; answers their times (ns). */
    private List<Long> reads(int n, Function<Random, String> path) throws Exception {
        // the same requests in every run
        Random rnd = new Random(42);
        List<Long> times = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base() + path.apply(rnd)))
                    .header("Authorization", "Bearer " + TERMINAL_TOKEN).timeout(Duration.ofSeconds(30)).GET().build();
            long s = System.nanoTime();
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            times.add(System.nanoTime() - s);
            if (r.statusCode() != 200) {
                throw new IllegalStateException(request.uri() + " answered " + r.statusCode() + ": " + r.body());
            }
        }
        return times;
    }

    /**
     * Waits for the mirror's upkeep after the drain (the gateway runs it when the backlog has drained):
     * a run since HQ came back, the free pages given back (fewer left than the twentieth SqliteSpace
     * keeps) and the WAL checkpointed.
     */
    private void awaitUpkeepAfter(Instant hqBack, Path data) throws Exception {
        long t0 = System.nanoTime();
        long pageSize = sqlite(data, "PRAGMA page_size");
        Path wal = data.resolve("mirror").resolve("mirror.db-wal");
        String seen;
        try {
            poll(Duration.ofSeconds(180), Duration.ofMillis(100)).until(() -> {
                JsonNode m = status().path("mirror");
                String at = m.path("lastUpkeepAt").asText("");
                long pages = m.path("fileBytes").asLong() / pageSize;
                return !at.isEmpty() && !Instant.parse(at).isBefore(hqBack)
                        && m.path("freePages").asLong() < Math.max(16, pages / 20)
                        && (!Files.exists(wal) || Files.size(wal) <= (1 << 20));
            });
            seen = "seen after waiting " + ms(System.nanoTime() - t0) + " ms";
        } catch (ConditionTimeoutException e) {
            // a figure, not an error: the sizes below are then taken as they are, and say so
            seen = "NOT seen within 180 s (sizes below taken anyway; WAL " + (Files.exists(wal) ? Files.size(wal) : 0) + " bytes)";
        }
        line("Mirror upkeep after the drain " + seen + ": " + status().path("mirror"));
    }

    /** How many settled updates the mirror keeps, read beside the running gateway. */
    private long settledRows(Path data) throws Exception {
        return sqlite(data, "SELECT COUNT(*) FROM settled_update");
    }

    /** One number from the mirror's SQLite file, on a read-only connection (the gateway may be running). */
    private static long sqlite(Path data, String query) throws Exception {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(10_000);
        try (Connection c = config.createConnection("jdbc:sqlite:" + data.resolve("mirror").resolve("mirror.db"));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private JsonNode reconcile() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/admin/v1/reconcile"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).timeout(Duration.ofSeconds(300))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("reconcile answered " + r.statusCode() + ": " + r.body());
        }
        return UpdateJson.MAPPER.readTree(r.body());
    }

    private static long mirrorFiles(Path data) throws IOException {
        long sum = 0;
        for (String name : List.of("mirror.db", "mirror.db-wal")) {
            Path f = data.resolve("mirror").resolve(name);
            sum += Files.exists(f) ? Files.size(f) : 0;
        }
        return sum;
    }

    /** The sizes of the files under a directory (0 when there is none); files the broker deletes meanwhile are skipped. */
    static long bytesUnder(Path root) throws IOException {
        if (!Files.exists(root)) {
            return 0;
        }
        long[] sum = new long[1];
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                sum[0] += attrs.isRegularFile() ? attrs.size() : 0;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return sum[0];
    }

    static String bytes(long n) {
        return String.format(Locale.ROOT, "%,d bytes (%.1f MiB)", n, n / 1048576.0);
    }

    // ---------------------------------------------------------------- steady state under retention

    /**
     * {@code bench.days} simulated days of {@code bench.day} updates each, retention 3 days, in this JVM
     * on a test clock: each day's updates posted and applied at HQ, then a day passes and the upkeep
     * runs. The data dir should stop growing once the retention is full (from day 3 on).
     */
    private void steadyState() throws Exception {
        int per = UpdateValidator.MAX_BATCH;
        int perDay = Math.max(1, dayCount / per) * per;
        int senders = 4;
        TestClock clock = new TestClock();
        long started = System.nanoTime();
        line("");
        line("Steady state: " + days + " simulated days of " + perDay + " updates (" + per + " per request, " + senders
                + " clients), retention 3d, upkeep run after each day; an in-process gateway on a test clock, its own HQ simulator.");
        Map<Integer, Long> sizeAfter = new LinkedHashMap<>();
        try (TestGateway t = TestGateway.started("bench-steady", SKUS,
                Map.of(MirrorRetention.RETENTION, "3d", MirrorUpkeep.INTERVAL_MS, "3600000"), clock)) {
            TerminalClient terminal = new TerminalClient(t.baseUrl(), TestGateway.TERMINAL_TOKEN);
            int sent = 0;
            for (int day = 1; day <= days; day++) {
                long t0 = System.nanoTime();
                postDay(terminal, 100 + day, perDay, per, senders);
                long posted = System.nanoTime() - t0;
                sent += perDay;
                int expected = sent;
                poll(Duration.ofSeconds(600), Duration.ofMillis(50)).alias("day " + day + " applied at HQ").until(() ->
                        t.gateway().acceptedUpdates().count(UpdateStatus.QUEUED) == 0 && t.hq.appliedCount(TestGateway.STORE) >= expected);
                assertThat(t.hq.appliedCount(TestGateway.STORE)).as("updates HQ applied (each once)").isEqualTo(expected);
                long took = System.nanoTime() - t0;
                clock.advance(Duration.ofDays(1));
                long u0 = System.nanoTime();
                MirrorRetention.Pruned pruned = t.gateway().mirrorUpkeep().runNow();
                long upkeep = System.nanoTime() - u0;
                long broker = bytesUnder(t.dataDir.resolve("broker"));
                long mirror = bytesUnder(t.dataDir.resolve("mirror"));
                sizeAfter.put(day, broker + mirror);
                line(String.format(Locale.ROOT, "day %d: %d updates posted in %d ms, all applied at %d ms; then a day passed: upkeep %d ms, "
                                + "%d settled updates pruned, %d kept; broker %s, mirror %s", day, perDay, ms(posted), ms(took), ms(upkeep),
                        pruned.settledUpdates(),
                        t.gateway().acceptedUpdates().count(UpdateStatus.APPLIED), bytes(broker), bytes(mirror)));
            }
            line("(its data dir: " + t.dataDir + "; the phase took " + ms(System.nanoTime() - started) / 1000 + " s)");
        }
        int early = Math.min(3, days);
        figure("steady state, " + perDay + " updates/day, retention 3d: broker + mirror after day " + early, bytes(sizeAfter.get(early)));
        figure("steady state: broker + mirror after day " + days, bytes(sizeAfter.get(days)));
        figure("steady state: day " + days + " / day " + early, String.format(Locale.ROOT, "%.2f",
                sizeAfter.get(days) / (double) sizeAfter.get(early)));
    }

    /** One day's updates (ids of {@code phase}) in requests of {@code per}, from {@code senders} threads. */
    private static void postDay(TerminalClient terminal, int phase, int count, int per, int senders) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < senders; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                int seq = 0;
                try {
                    while (failure.get() == null && next.getAndIncrement() < count / per) {
                        StringBuilder body = new StringBuilder("[");
                        for (int k = 0; k < per; k++) {
                            body.append(k > 0 ? "," : "").append(update(phase, client, seq, skuOf(client, senders, seq)));
                            seq++;
                        }
                        TerminalClient.Reply r = terminal.post(body.append(']').toString());
                        if (r.status() != 202) {
                            throw new IllegalStateException("POST answered " + r.status() + ": " + r.body());
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "bench-day-" + c);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("posting a day's updates failed", failure.get());
        }
    }

    // ---------------------------------------------------------------- status

    private JsonNode status() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/admin/v1/status"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("status answered " + r.statusCode() + ": " + r.body());
        }
        return UpdateJson.MAPPER.readTree(r.body());
    }

    private long backlog() throws IOException, InterruptedException {
        return status().path("backlog").asLong();
    }

    private void awaitStatus(Predicate<JsonNode> condition, Duration within) throws Exception {
        poll(within, Duration.ofMillis(50)).alias("status as expected").until(() -> condition.test(status()));
    }

    // ---------------------------------------------------------------- output

    private static String ratio(double a, double b) {
        return String.format(Locale.ROOT, "%.2f", a / b);
    }

    private String cpuShare(long gatewayCpuBefore, long elapsedNanos) {
        long used = gateway.cpuMillis() - gatewayCpuBefore;
        return String.format(Locale.ROOT, "%.0f%% of one core", used * 100.0 / (elapsedNanos / 1e6));
    }

    void line(String s) {
        System.out.println(s);
        out.append(s).append('\n');
    }

    private void figure(String name, Object value) {
        figures.put(name, String.valueOf(value));
        System.out.println("FIGURE " + name + ": " + value);
    }

    private void writeReport() throws IOException {
        StringBuilder doc = new StringBuilder();
        String text = out.toString();
        int firstSection = text.indexOf("## Machine");
        doc.append(text, 0, firstSection);
        doc.append("Command: `mvn -B -Pbenchmark verify").append(smoke ? " -Dbench.smoke=true" : "").append("`")
                .append(overrides().isEmpty() ? "" : " with -Dbench.set.* overrides (below)").append(". Written by ")
                .append("`src/test/java/io/storegateway/bench/GatewayBenchmark.java`; the gateway runs as its own JVM at -Xmx256m with ")
                .append("the shipped `config/application.properties` (only ports, paths, HQ's URL and token, a 200 ms HQ ping ")
                .append("with a short back-off, so the drain starts as soon as HQ is back, changed; the rate limit stays on, and each ")
                .append("HTTP client is a till with a token of its own), ")
                .append("the HQ simulator and the load generators in the benchmark JVM, ")
                .append("all on this one machine.\n\n");
        doc.append("## Figures\n\n| what | figure |\n|---|---|\n");
        figures.forEach((k, v) -> doc.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        doc.append('\n');
        doc.append(text.substring(firstSection).replace("## Machine", "## Machine"));
        doc.append("\n## Log of the run\n\nSee the lines above; the gateway's own log is in ").append(dir).append(".\n");
        Files.createDirectories(report.toAbsolutePath().getParent());
        // The hand-written analysis below the generated part survives a new run.
        String keep = "";
        if (Files.exists(report)) {
            String old = Files.readString(report);
            int at = old.indexOf(ANALYSIS_MARK);
            if (at >= 0) {
                keep = old.substring(at);
            }
        }
        Files.writeString(report, doc + "\n" + (keep.isEmpty() ? ANALYSIS_MARK + "\n" : keep));
        System.out.println("Report written to " + report.toAbsolutePath());
    }

    static final String ANALYSIS_MARK = "<!-- analysis: kept across runs -->";

    static String fmt(double rate) {
        return String.format(Locale.ROOT, "%,.0f", rate);
    }

    static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    static String pct(List<Long> nanos, int p) {
        if (nanos.isEmpty()) {
            return "-";
        }
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return String.format(Locale.ROOT, "%.1f", sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6);
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
