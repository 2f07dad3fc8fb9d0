package io.storegateway.crash;

import io.storegateway.TestUsers;
import io.storegateway.hq.simulator.HqSimulator;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Full reconciliation of a large catalogue with the gateway at -Xmx256m: it pages through HQ's
 * inventory, so its memory stays flat whatever the size. CI runs 20,000 products; the full check is
 * {@code -Dreconcile.products=1000000}. Prints products, time and the gateway's heap after GC.
 */
class ReconcileScaleIT {

    private static final String HQ_TOKEN = "scale-hq-token";
    private static final String ADMIN_TOKEN = TestUsers.ADMIN_TOKEN;

    private HqSimulator hq;
    private GatewayProcess gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (hq != null) {
            hq.stop();
        }
    }

    @Test
    void aFullReconciliationOfALargeCatalogueRunsInBoundedMemory() throws Exception {
        int products = Integer.getInteger("reconcile.products", 20_000);
        hq = new HqSimulator(0);
        hq.setRequiredToken(HQ_TOKEN);
        hq.seedDemoCatalogue("S001", products);
        hq.start();
        Path dir = Path.of("target", "reconcile-scale-" + System.currentTimeMillis()).toAbsolutePath();
        gateway = new GatewayProcess(dir, hq.url(), HQ_TOKEN);
        gateway.start();
        gateway.awaitUp(Duration.ofSeconds(60));
        long loadStart = System.nanoTime();
        // The catalogue loads into the empty mirror at start, page by page.
        await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofSeconds(2))
                .until(() -> gateway.get("/api/v1/products/" + lastSku(products)).statusCode() == 200);
        long loadMs = (System.nanoTime() - loadStart) / 1_000_000;

        long started = System.nanoTime();
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/admin/v1/reconcile"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).timeout(Duration.ofMinutes(20))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        long reconcileMs = (System.nanoTime() - started) / 1_000_000;
        String heap = heapAfterGc(gateway.pid());

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode report = UpdateJson.MAPPER.readTree(answer.body());
        System.out.printf("RECONCILE %d products: catalogue load %d ms; reconciliation %d ms (%.0f products/s), drift %d, equal %s%n"
                        + "RECONCILE gateway heap after GC: %s; RSS %s; machine %d cores, java %s%n",
                products, loadMs, reconcileMs, products * 1000.0 / Math.max(1, reconcileMs), report.path("drift").asLong(),
                report.path("equal").asBoolean(), heap, rss(gateway.pid()), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        assertThat(report.path("checked").asLong()).isEqualTo(products);
        assertThat(report.path("drift").asLong()).isZero();
        assertThat(report.path("equal").asBoolean()).isTrue();
        assertThat(gateway.isAlive()).isTrue();
        assertThat(gateway.logTail(2000)).doesNotContain("OutOfMemoryError");
        assertThat(usedHeapMiB(heap)).as("heap after GC, MiB").isLessThan(256);
    }

    /** The catalogue loads in SKU order (as text): the last SKU to arrive is the greatest string. */
    private static String lastSku(int products) {
        return IntStream.rangeClosed(1, products).mapToObj(i -> String.format("SKU-%04d", i))
                .max(String::compareTo).orElseThrow();
    }

    private static String heapAfterGc(long pid) throws Exception {
        run(List.of("jcmd", Long.toString(pid), "GC.run"));
        String info = run(List.of("jcmd", Long.toString(pid), "GC.heap_info"));
        Matcher m = Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(info);
        return m.find() ? (Long.parseLong(m.group(2)) / 1024) + " MiB used of " + (Long.parseLong(m.group(1)) / 1024) + " MiB committed"
                : info.lines().limit(3).toList().toString();
    }

    private static long usedHeapMiB(String heap) {
        Matcher m = Pattern.compile("^(\\d+) MiB used").matcher(heap);
        return m.find() ? Long.parseLong(m.group(1)) : Long.MAX_VALUE;
    }

    private static String rss(long pid) throws Exception {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("VmRSS")).findFirst().orElse("VmRSS ?").replaceAll("\\s+", " ");
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }
}
