package io.storegateway.crash;

import io.storegateway.TestGateway;
import io.storegateway.TestUsers;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Back-pressure capacity (issue 3): a week offline for a big store, {@code backlog.updates} queued
 * updates (default 100,000 so CI stays quick; the full check is {@code -Dbacklog.updates=1000000}),
 * must fit in a gateway JVM started with {@code -Xmx256m} while HQ is unreachable. The gateway runs
 * as its own process (as in {@link CrashSafetyIT}); terminals POST arrays of 500 ADJUST_QUANTITY
 * updates over 1,000 SKUs from a few concurrent clients. Afterwards the backlog is complete, reads
 * are still quick, one more update is accepted, and heap (after a full GC), RSS and disk are printed.
 */
class BacklogCapacityIT {

    private static final int UPDATES = Integer.getInteger("backlog.updates", 100_000);
    private static final int CLIENTS = Integer.getInteger("backlog.clients", 3);
    private static final int SKUS = 1000;
    private static final int PER_REQUEST = 500;
    private static final long HEAP_LIMIT_BYTES = 256L * 1024 * 1024;
    /**
     * A guard against an ingest that stalls, not a throughput target: at least 1,000 updates/s. The
     * failsafe fork is killed after 900 s (pom), so give up with a report well before that.
     */
    private static final Duration INGEST_DEADLINE = Duration.ofSeconds(
            Long.getLong("backlog.ingest-deadline-s", Math.min(600, Math.max(120, UPDATES / 1000))));
    private static final Duration START_DEADLINE = Duration.ofSeconds(90);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    /** A read a terminal waits for at the till; slower than this is not "still serving reads". */
    private static final Duration READ_LIMIT = Duration.ofSeconds(2);
    private static final int READS = 20;

    private final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    private final HttpClient admin = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final AtomicInteger nextRequest = new AtomicInteger();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong queuedReceipts = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final List<Long> latenciesMs = Collections.synchronizedList(new ArrayList<>());
    /** Nanos at which each tenth of the updates was accepted, and the gateway's RSS then. */
    private final long[] tenthAt = new long[10];
    private final long[] tenthRssKb = new long[10];
    private final AtomicReference<String> failure = new AtomicReference<>();

    private GatewayProcess gateway;
    private long ingestStarted;

    @AfterEach
    void stopGateway() {
        clients.shutdownNow();
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    @Timeout(value = 14, unit = TimeUnit.MINUTES)
    void aMillionQueuedUpdatesFitInA256MiBHeapWhileHqIsUnreachable() throws Exception {
        Path dir = Path.of("target", "backlog-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                .toAbsolutePath();
        // Nothing listens on a port that was just free: every HQ call is refused at once.
        String unreachableHq = "http://localhost:" + closedPort();
        gateway = new GatewayProcess(dir, unreachableHq, TestGateway.HQ_TOKEN);
        gateway.start();
        gateway.awaitUp(START_DEADLINE);
        long pid = gateway.pid();
        // The gateway's GC log from here on, switched on from outside so the gateway starts exactly as GatewayProcess starts it.
        Path gcLog = dir.resolve("gateway-gc.log");
        jcmd(pid, "VM.log", "output=" + gcLog, "what=gc=info,gc+heap=info", "decorators=uptime");
        System.out.printf("BACKLOG %d updates, %d clients, HQ at %s (closed), gateway pid %d, data dir %s, log %s%n",
                UPDATES, CLIENTS, unreachableHq, pid, gateway.dataDir(), gateway.logs());

        // ---- ingest
        int requestCount = (UPDATES + PER_REQUEST - 1) / PER_REQUEST;
        CountDownLatch done = new CountDownLatch(CLIENTS);
        ingestStarted = System.nanoTime();
        for (int i = 0; i < CLIENTS; i++) {
            clients.submit(() -> {
                try {
                    sendAll(requestCount, pid);
                } catch (Throwable t) {
                    fail("client failed: " + t);
                } finally {
                    done.countDown();
                }
            });
        }
        boolean finished = done.await(INGEST_DEADLINE.toSeconds(), TimeUnit.SECONDS);
        long ingestNanos = System.nanoTime() - ingestStarted;
        if (!finished) {
            fail("ingest not finished within " + INGEST_DEADLINE + ": " + accepted.get() + " of " + UPDATES + " accepted");
        }
        if (failure.get() != null) {
            diagnose(pid);
            throw new AssertionError("the gateway did not take the whole backlog: " + failure.get() + "; "
                    + accepted.get() + " of " + UPDATES + " accepted after " + seconds(ingestNanos) + " s; " + gateway.logTail(40));
        }

        String gcAfterIngest = gcActivity(pid);

        // ---- the backlog, reads and one more update, with HQ still away
        AtomicLong lastBacklog = new AtomicLong(-1);
        AtomicLong statusMillis = new AtomicLong();
        boolean backlogComplete = awaitBacklog(UPDATES, lastBacklog, statusMillis);
        JsonNode status = adminStatus(statusMillis);

        Reads reads = readProducts();
        Timed firstPage = timedGet("/api/v1/products?limit=50");
        Timed laterPage = timedGet("/api/v1/products?after=" + sku(SKUS / 2) + "&limit=50");

        String extraId = "bl-extra";
        HttpResponse<String> extra = post("[" + adjust(extraId, sku(0), 1) + "]", HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1).build());
        String extraStatus = extra.statusCode() == 202
                ? UpdateJson.MAPPER.readTree(extra.body()).path("accepted").path(0).path("status").asText() : extra.body();
        AtomicLong backlogAfterExtra = new AtomicLong(-1);
        boolean extraQueued = awaitBacklog(UPDATES + 1L, backlogAfterExtra, new AtomicLong());

        // ---- measurements
        boolean aliveBeforeGc = gateway.isAlive();
        Heap heap = heapAfterFullGc(pid);
        String gcAtEnd = gcActivity(pid);
        String rss = procStatus(pid, "VmRSS");
        String hwm = procStatus(pid, "VmHWM");
        Path data = gateway.dataDir();
        long journal = bytesUnder(data.resolve("broker/journal"));
        long paging = bytesUnder(data.resolve("broker/paging"));
        long bindings = bytesUnder(data.resolve("broker/bindings"));
        long largeMessages = bytesUnder(data.resolve("broker/large-messages"));
        long broker = bytesUnder(data.resolve("broker"));
        long mirror = bytesUnder(data.resolve("mirror"));
        String brokerDu = du(data.resolve("broker"));
        String mirrorDu = du(data.resolve("mirror"));
        // The class histogram runs a second full GC; the heap after it tells what the first figure held that is not live.
        List<String> histogram = jcmd(pid, "GC.class_histogram");
        Heap heapAfterHistogram = parseHeap(jcmd(pid, "GC.heap_info"), "");
        Files.write(dir.resolve("class-histogram.txt"), histogram);
        String histogramTotal = histogram.stream().filter(l -> l.startsWith("Total")).findFirst().orElse("Total ?");
        List<String> oomLines = grepLogs("OutOfMemoryError");
        List<String> warnings = grepLogs(" WARN ");
        List<String> errors = grepLogs(" ERROR ");
        boolean answersAtEnd = answers(sku(0));

        double ingestSeconds = ingestNanos / 1e9;
        List<Long> sorted;
        synchronized (latenciesMs) {
            sorted = new ArrayList<>(latenciesMs);
        }
        Collections.sort(sorted);
        StringBuilder out = new StringBuilder();
        out.append("\n==================== BACKLOG CAPACITY (issue 3) ====================\n");
        line(out, "updates", "%,d accepted of %,d (%,d QUEUED receipts) in %,d POSTs of up to %d, %d concurrent clients, %d SKUs",
                accepted.get(), UPDATES, queuedReceipts.get(), requests.get(), PER_REQUEST, CLIENTS, SKUS);
        line(out, "ingest", "%.1f s, %,.0f updates/s; POST latency p50 %d ms, p90 %d ms, p99 %d ms, max %d ms",
                ingestSeconds, accepted.get() / ingestSeconds, pct(sorted, 50), pct(sorted, 90), pct(sorted, 99), pct(sorted, 100));
        line(out, "ingest by tenth", "%s updates/s", tenthRates());
        line(out, "RSS by tenth", "%s MiB", tenthRss());
        line(out, "backlog", "%,d (GET /admin/v1/status in %d ms; online=%s, breaker=%s, lagSeconds=%s); after one more update (%d %s): %,d",
                lastBacklog.get(), statusMillis.get(), status.path("online").asText(), status.path("breaker").asText(),
                status.path("lagSeconds").asText(), extra.statusCode(), extraStatus, backlogAfterExtra.get());
        line(out, "reads", "%d x GET /api/v1/products/{sku}: median %d ms, max %d ms; e.g. %s", READS, reads.median(), reads.max(),
                reads.example());
        line(out, "product list", "GET /api/v1/products?limit=50: %s; ?after=%s&limit=50: %s", firstPage, sku(SKUS / 2), laterPage);
        line(out, "heap after GC", "used %s, committed %s, max %s (%s, %.0f %% below the 256 MiB limit); %s; metaspace %s",
                mib(heap.used()), mib(heap.committed()), mib(heap.max()), mib(HEAP_LIMIT_BYTES - heap.used()),
                100.0 * (HEAP_LIMIT_BYTES - heap.used()) / HEAP_LIMIT_BYTES, heap.gc(), heap.metaspace());
        line(out, "heap, 2nd GC", "used %s after the class histogram's full GC; histogram %s", mib(heapAfterHistogram.used()),
                histogramTotal.replaceAll("\\s+", " "));
        line(out, "GC activity", "at the end of ingest: %s; at the end: %s", gcAfterIngest, gcAtEnd);
        line(out, "GC log", "%s", gcLogSummary(gcLog));
        line(out, "process", "VmRSS %s, peak VmHWM %s", rss, hwm);
        line(out, "disk (bytes)", "broker %s (journal %s, paging %s, bindings %s, large-messages %s), mirror %s; %,.0f bytes per update",
                mib(broker), mib(journal), mib(paging), mib(bindings), mib(largeMessages), mib(mirror),
                (double) (broker + mirror) / Math.max(1, accepted.get()));
        line(out, "disk (du -sh)", "broker %s, mirror %s", brokerDu, mirrorDu);
        line(out, "gateway log", "%d WARN, %d ERROR, %d OutOfMemoryError line(s)%s", warnings.size(), errors.size(), oomLines.size(),
                warnings.isEmpty() ? "" : "; first WARN: " + warnings.get(0));
        line(out, "machine", "%d cores, %s, load average %s, %s %s", Runtime.getRuntime().availableProcessors(), memTotal(),
                loadAverage(), System.getProperty("os.name"), System.getProperty("os.version"));
        line(out, "java", "%s", javaVersion());
        line(out, "gateway", "pid %d, -Xmx256m, data dir %s", pid, data);
        out.append("note: a shared 2-core machine with other work running; the timings are noisy, heap and disk are not.\n");
        out.append("heap histogram after GC (top 15; all of it in ").append(dir.resolve("class-histogram.txt")).append("):\n");
        histogram.stream().limit(18).forEach(l -> out.append("  ").append(l).append('\n'));
        out.append("=====================================================================\n");
        System.out.print(out);

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(accepted.get()).as("updates accepted with 202").isEqualTo(UPDATES);
        soft.assertThat(queuedReceipts.get()).as("QUEUED receipts").isEqualTo(UPDATES);
        soft.assertThat(backlogComplete).as("backlog in /admin/v1/status reached " + UPDATES + " (last seen " + lastBacklog.get() + ")")
                .isTrue();
        soft.assertThat(lastBacklog.get()).as("backlog").isEqualTo(UPDATES);
        soft.assertThat(reads.failures()).as("reads that were not 200 with the expected pending count, quick enough").isEmpty();
        soft.assertThat(extra.statusCode()).as("one more update after the backlog: " + extra.body()).isEqualTo(202);
        soft.assertThat(extraStatus).as("its receipt").isEqualTo("QUEUED");
        soft.assertThat(extraQueued).as("backlog after one more update (last seen " + backlogAfterExtra.get() + ")").isTrue();
        soft.assertThat(aliveBeforeGc && gateway.isAlive()).as("gateway process alive").isTrue();
        soft.assertThat(answersAtEnd).as("gateway still answers GET /api/v1/products/" + sku(0) + " within 5 s").isTrue();
        soft.assertThat(firstPage.status()).as("GET /api/v1/products?limit=50 answered (within 60 s)").isEqualTo(200);
        soft.assertThat(laterPage.status()).as("GET /api/v1/products?after=…&limit=50 answered (within 60 s)").isEqualTo(200);
        soft.assertThat(heap.used()).as("heap used after a full GC (bytes)").isPositive().isLessThan(HEAP_LIMIT_BYTES);
        soft.assertThat(heap.max()).as("the gateway's max heap (-Xmx256m)").isLessThanOrEqualTo(HEAP_LIMIT_BYTES);
        soft.assertThat(oomLines).as("OutOfMemoryError in the gateway's log").isEmpty();
        soft.assertAll();
    }

    // ---------------------------------------------------------------- terminals

    private void sendAll(int requestCount, long pid) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        for (int r = nextRequest.getAndIncrement(); r < requestCount && failure.get() == null; r = nextRequest.getAndIncrement()) {
            int from = r * PER_REQUEST;
            int to = Math.min(UPDATES, from + PER_REQUEST);
            StringBuilder body = new StringBuilder(200 * PER_REQUEST).append('[');
            for (int n = from; n < to; n++) {
                body.append(n == from ? "" : ",").append(adjust("bl-" + n, sku(n), 1 + r % CLIENTS));
            }
            String json = body.append(']').toString();
            long t0 = System.nanoTime();
            HttpResponse<String> reply;
            try {
                reply = post(json, client);
            } catch (IOException e) {
                fail("POST " + r + " (updates " + from + ".." + (to - 1) + ") failed after "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms: " + e);
                return;
            }
            latenciesMs.add((System.nanoTime() - t0) / 1_000_000);
            requests.incrementAndGet();
            if (reply.statusCode() != 202) {
                fail("POST " + r + " (updates " + from + ".." + (to - 1) + ") answered " + reply.statusCode()
                        + reply.headers().firstValue("Retry-After").map(s -> " Retry-After " + s).orElse("") + ": " + reply.body());
                return;
            }
            JsonNode receipts;
            try {
                receipts = UpdateJson.MAPPER.readTree(reply.body()).path("accepted");
            } catch (IOException e) {
                fail("202 with a body that is not JSON: " + reply.body());
                return;
            }
            if (receipts.size() != to - from) {
                fail("202 with " + receipts.size() + " receipts for " + (to - from) + " updates");
                return;
            }
            long queued = 0;
            for (JsonNode receipt : receipts) {
                if ("QUEUED".equals(receipt.path("status").asText())) {
                    queued++;
                }
            }
            queuedReceipts.addAndGet(queued);
            long before = accepted.getAndAdd(to - from);
            markTenths(before, before + to - from, pid);
        }
    }

    private HttpResponse<String> post(String json, HttpClient client) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/api/v1/updates"))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + TestUsers.TERMINAL_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String adjust(String updateId, String sku, int till) {
        return "{\"updateId\":\"" + updateId + "\",\"terminalId\":\"till-" + till
                + "\",\"type\":\"ADJUST_QUANTITY\",\"sku\":\"" + sku + "\",\"delta\":1,\"occurredAt\":\"" + Instant.now() + "\"}";
    }

    private static String sku(int n) {
        return String.format(Locale.ROOT, "SKU-%04d", 1 + n % SKUS);
    }

    /** How many of the first {@link #UPDATES} updates go to this SKU (update n goes to SKU 1 + n % SKUS). */
    private static long updatesFor(int skuIndex) {
        return UPDATES / SKUS + (skuIndex < UPDATES % SKUS ? 1 : 0);
    }

    private synchronized void markTenths(long before, long after, long pid) {
        for (int t = 0; t < 10; t++) {
            long mark = (long) UPDATES * (t + 1) / 10;
            if (before < mark && after >= mark) {
                tenthAt[t] = System.nanoTime();
                tenthRssKb[t] = procStatusKb(pid, "VmRSS");
                System.out.printf("BACKLOG %,d accepted after %.1f s, gateway VmRSS %,d kB%n", after,
                        (tenthAt[t] - ingestStarted) / 1e9, tenthRssKb[t]);
            }
        }
    }

    private void fail(String why) {
        if (failure.compareAndSet(null, why)) {
            System.out.println("BACKLOG FAILURE: " + why);
        }
    }

    // ---------------------------------------------------------------- the gateway's answers

    private boolean awaitBacklog(long expected, AtomicLong last, AtomicLong millis) {
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> adminStatus(millis).path("backlog").asLong(-1), b -> {
                        last.set(b);
                        return b == expected;
                    });
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    private JsonNode adminStatus(AtomicLong millis) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        HttpResponse<String> r = admin.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/admin/v1/status"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TestUsers.ADMIN_TOKEN)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        millis.set((System.nanoTime() - t0) / 1_000_000);
        assertThat(r.statusCode()).as("GET /admin/v1/status: " + r.body()).isEqualTo(200);
        return UpdateJson.MAPPER.readTree(r.body());
    }

    private Reads readProducts() throws InterruptedException {
        List<Long> times = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        String example = "";
        for (int i = 0; i < READS; i++) {
            int skuIndex = i * (SKUS / READS) + i % 7;
            String sku = sku(skuIndex);
            long t0 = System.nanoTime();
            try {
                HttpResponse<String> r = gateway.get("/api/v1/products/" + sku);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                times.add(ms);
                JsonNode p = r.statusCode() == 200 ? UpdateJson.MAPPER.readTree(r.body()) : null;
                long expected = updatesFor(skuIndex);
                if (p == null || p.path("pending").asLong() != expected || p.path("quantity").asLong() != expected
                        || ms > READ_LIMIT.toMillis()) {
                    failures.add(sku + ": " + r.statusCode() + " in " + ms + " ms, expected pending = quantity = " + expected
                            + ": " + abbreviate(r.body()));
                }
                if (i == 0) {
                    example = sku + " " + r.statusCode() + " pending=" + (p == null ? "?" : p.path("pending").asText())
                            + " quantity=" + (p == null ? "?" : p.path("quantity").asText())
                            + " syncState=" + (p == null ? "?" : p.path("syncState").asText());
                }
            } catch (IOException e) {
                failures.add(sku + ": " + e + " after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            }
        }
        Collections.sort(times);
        return new Reads(times.isEmpty() ? -1 : times.get(times.size() / 2), times.isEmpty() ? -1 : times.get(times.size() - 1),
                example, failures);
    }

    private record Reads(long median, long max, String example, List<String> failures) {
    }

    /** A terminal's read of one product, with the 5 s time-out of {@link GatewayProcess#get}. */
    private boolean answers(String sku) {
        try {
            return gateway.get("/api/v1/products/" + sku).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A GET as a terminal, timed; the product list is not bounded by {@link #READ_LIMIT}, only reported. */
    private Timed timedGet(String path) throws InterruptedException {
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> r = admin.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
                    .timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + TestUsers.TERMINAL_TOKEN)
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            int items = r.statusCode() == 200 ? UpdateJson.MAPPER.readTree(r.body()).path("items").size() : -1;
            return new Timed(r.statusCode(), (System.nanoTime() - t0) / 1_000_000, items + " items");
        } catch (IOException e) {
            return new Timed(-1, (System.nanoTime() - t0) / 1_000_000, e.toString());
        }
    }

    private record Timed(int status, long millis, String detail) {
        @Override
        public String toString() {
            return status + " in " + millis + " ms (" + detail + ")";
        }
    }

    // ---------------------------------------------------------------- the gateway's JVM

    private record Heap(long used, long committed, long max, String gc, String metaspace) {
    }

    private static final Pattern TOTAL_USED = Pattern.compile("total (\\d+)K, used (\\d+)K");
    private static final Pattern METASPACE = Pattern.compile("Metaspace\\s+used (\\d+)K, committed (\\d+)K");
    private static final Pattern MAX_HEAP = Pattern.compile("MaxHeapSize=(\\d+)");
    private static final Pattern GC_FLAG = Pattern.compile("-XX:\\+Use(\\w+GC)\\b");

    /** {@code jcmd GC.run} (a full GC), then the heap as {@code GC.heap_info} reports it; max from the VM flags. */
    private static Heap heapAfterFullGc(long pid) {
        jcmd(pid, "GC.run");
        return parseHeap(jcmd(pid, "GC.heap_info"), String.join(" ", jcmd(pid, "VM.flags")));
    }

    private static Heap parseHeap(List<String> heapInfo, String flags) {
        String info = String.join("\n", heapInfo);
        long used = 0;
        long committed = 0;
        Matcher m = TOTAL_USED.matcher(info);
        while (m.find()) { // one line for G1; young + old for the serial and parallel collectors
            committed += Long.parseLong(m.group(1)) * 1024;
            used += Long.parseLong(m.group(2)) * 1024;
        }
        Matcher meta = METASPACE.matcher(info);
        String metaspace = meta.find() ? mib(Long.parseLong(meta.group(1)) * 1024) + " used" : "?";
        Matcher max = MAX_HEAP.matcher(flags);
        Matcher gc = GC_FLAG.matcher(flags);
        if (used == 0) {
            System.out.println("BACKLOG cannot parse GC.heap_info:\n" + info);
        }
        return new Heap(used, committed, max.find() ? Long.parseLong(max.group(1)) : -1, gc.find() ? gc.group(1) : "GC ?", metaspace);
    }

    /** Collections so far, from {@code jstat -gcutil}: how hard the collector had to work to stay within the heap. */
    private static String gcActivity(long pid) {
        Path jstat = Path.of(System.getProperty("java.home"), "bin", "jstat");
        List<String> out = run(List.of(Files.isExecutable(jstat) ? jstat.toString() : "jstat", "-gcutil", Long.toString(pid)));
        if (out.size() < 2) {
            return String.join(" ", out);
        }
        List<String> names = List.of(out.get(0).trim().split("\\s+"));
        String[] values = out.get(1).trim().split("\\s+");
        Function<String, String> v = name -> names.indexOf(name) < 0 ? "?" : values[names.indexOf(name)];
        return String.format(Locale.ROOT, "%s young (%s s), %s full (%s s), %s concurrent cycles (%s s), GC time %s s, old gen %s %% full",
                v.apply("YGC"), v.apply("YGCT"), v.apply("FGC"), v.apply("FGCT"), v.apply("CGC"), v.apply("CGCT"), v.apply("GCT"), v.apply("O"));
    }

    private static List<String> jcmd(long pid, String... command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<String> line = new ArrayList<>(List.of(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", Long.toString(pid)));
        line.addAll(List.of(command));
        return run(line);
    }

    private static final Pattern FULL_GC = Pattern.compile("GC\\((\\d+)\\) Pause Full \\((.+?)\\) (\\d+)M->(\\d+)M\\((\\d+)M\\)");
    private static final Pattern HUMONGOUS = Pattern.compile("GC\\((\\d+)\\) Humongous regions: (\\d+)->(\\d+)");

    /**
     * Full collections by cause, with the heap after them, and the humongous regions (1 MiB each at
     * this heap size) left after the last one: what "used after GC" holds beyond live objects.
     */
    private static String gcLogSummary(Path gcLog) {
        List<String> lines;
        try {
            lines = Files.readAllLines(gcLog, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(no GC log: " + e + ")";
        }
        Map<String, Integer> causes = new TreeMap<>();
        Map<String, String> humongousAfter = new HashMap<>();
        long minAfter = Long.MAX_VALUE;
        long maxAfter = 0;
        String lastFull = null;
        long toSpaceExhausted = 0;
        for (String l : lines) {
            Matcher f = FULL_GC.matcher(l);
            Matcher h = HUMONGOUS.matcher(l);
            if (f.find()) {
                causes.merge(f.group(2), 1, Integer::sum);
                lastFull = f.group(1);
                if (!f.group(2).equals("Diagnostic Command") && !f.group(2).startsWith("Heap Inspection")) { // not ours
                    minAfter = Math.min(minAfter, Long.parseLong(f.group(4)));
                    maxAfter = Math.max(maxAfter, Long.parseLong(f.group(4)));
                }
            } else if (h.find()) {
                humongousAfter.put(h.group(1), h.group(3));
            }
            if (l.contains("To-space exhausted")) {
                toSpaceExhausted++;
            }
        }
        return String.format(Locale.ROOT, "full GCs by cause %s; heap after the gateway's own full GCs %s; "
                        + "to-space exhausted %d times; humongous regions after the last full GC: %s",
                causes, maxAfter == 0 ? "-" : minAfter + "-" + maxAfter + " MiB", toSpaceExhausted,
                lastFull == null ? "-" : humongousAfter.getOrDefault(lastFull, "?"));
    }

    private static List<String> run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return new String(out, StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            return List.of("(" + command + " failed: " + e + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of("(interrupted)");
        }
    }

    /** A line of /proc/PID/status, e.g. {@code VmRSS:  412345 kB}, as "402.7 MiB". */
    private static String procStatus(long pid, String field) {
        long kb = procStatusKb(pid, field);
        return kb < 0 ? "?" : mib(kb * 1024);
    }

    private static long procStatusKb(long pid, String field) {
        try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(pid), "status"))) {
            return lines.filter(l -> l.startsWith(field + ":"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1);
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    /** What was wrong when the gateway did not take the backlog: its state, heap, paging and log. */
    private void diagnose(long pid) {
        System.out.println("BACKLOG diagnosis, gateway alive: " + gateway.isAlive());
        if (gateway.isAlive()) {
            try {
                System.out.println("BACKLOG status: " + adminStatus(new AtomicLong()));
            } catch (Exception | AssertionError e) {
                System.out.println("BACKLOG status: cannot read: " + e);
            }
            System.out.println("BACKLOG VmRSS " + procStatus(pid, "VmRSS") + ", VmHWM " + procStatus(pid, "VmHWM"));
            System.out.println("BACKLOG GC.heap_info (no GC):\n" + String.join("\n", jcmd(pid, "GC.heap_info")));
            System.out.println("BACKLOG class histogram (top 30):\n"
                    + String.join("\n", jcmd(pid, "GC.class_histogram").stream().limit(33).toList()));
        }
        Path data = gateway.dataDir();
        System.out.printf("BACKLOG disk: journal %s, paging %s, mirror %s%n", mib(bytesUnder(data.resolve("broker/journal"))),
                mib(bytesUnder(data.resolve("broker/paging"))), mib(bytesUnder(data.resolve("mirror"))));
        System.out.println("BACKLOG paging dir:\n" + String.join("\n", run(List.of("du", "-ah", "--max-depth=2",
                data.resolve("broker/paging").toString()))));
        System.out.println("BACKLOG OutOfMemoryError lines: " + grepLogs("OutOfMemoryError"));
        System.out.println("BACKLOG log tail: " + gateway.logTail(60));
    }

    // ---------------------------------------------------------------- disk, logs, machine

    private static long bytesUnder(Path dir) {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0; // a paging file removed while walking
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    private static String du(Path dir) {
        List<String> out = run(List.of("du", "-sh", dir.toString()));
        return out.isEmpty() ? "?" : out.get(0).split("\\s+")[0];
    }

    private List<String> grepLogs(String needle) {
        List<String> hits = new ArrayList<>();
        for (Path log : gateway.logs()) {
            try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
                lines.filter(l -> l.contains(needle)).forEach(hits::add);
            } catch (IOException | UncheckedIOException e) {
                hits.add("(cannot read " + log + ": " + e + ")");
            }
        }
        return hits;
    }

    private static String memTotal() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> String.format(Locale.ROOT, "%.1f GiB RAM", Long.parseLong(l.replaceAll("\\D", "")) / 1024.0 / 1024))
                    .findFirst().orElse("RAM ?");
        } catch (IOException | UncheckedIOException e) {
            return "RAM ?";
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String javaVersion() {
        return String.join(" | ", run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")));
    }

    // ---------------------------------------------------------------- formatting

    private String tenthRates() {
        List<String> rates = new ArrayList<>();
        long previous = ingestStarted;
        for (int t = 0; t < 10; t++) {
            if (tenthAt[t] == 0) {
                rates.add("-");
                continue;
            }
            rates.add(String.format(Locale.ROOT, "%,.0f", UPDATES / 10.0 / ((tenthAt[t] - previous) / 1e9)));
            previous = tenthAt[t];
        }
        return String.join(" | ", rates);
    }

    private String tenthRss() {
        List<String> out = new ArrayList<>();
        for (long kb : tenthRssKb) {
            out.add(kb <= 0 ? "-" : Long.toString(kb / 1024));
        }
        return String.join(" | ", out);
    }

    private static void line(StringBuilder out, String label, String format, Object... args) {
        out.append(String.format(Locale.ROOT, "%-16s: ", label)).append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "?" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1024.0 / 1024);
    }

    private static long pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size()); // nearest-rank percentile
        return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
    }

    private static double seconds(long nanos) {
        return Math.round(nanos / 1e8) / 10.0;
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    private static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
