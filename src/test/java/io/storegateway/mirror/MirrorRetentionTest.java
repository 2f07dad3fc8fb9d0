package io.storegateway.mirror;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestClock;
import io.storegateway.TestGateway;
import io.storegateway.TestMirror;
import io.storegateway.hq.ProductRecord;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * gateway.mirror.retention: settled updates, audit rows and resolved conflicts older than it are
 * pruned; queued updates, open conflicts (and their updates) and the proof-of-delivery counters stay;
 * an id sent again after its row was pruned is still applied only once (HQ's idempotency); and the
 * SQLite file gives the freed space back. Days pass on a test clock.
 */
@ExtendWith(ClosesTestGateways.class)
class MirrorRetentionTest {

    private static final String SKU = "SKU-0001";

    private final TestClock clock = new TestClock();
    private TestGateway t;
    private TerminalClient terminal;
    private TerminalClient admin;

    @Test
    void whatIsOlderThanTheRetentionIsPrunedAndWhatIsStillNeededStays() throws Exception {
        start();
        // Day 0: five updates applied, two conflicts (one resolved by IT, one open), two updates still queued.
        post("old-1", "old-2", "old-3", "old-4", "old-5");
        awaitStatus("APPLIED", "old-1", "old-2", "old-3", "old-4", "old-5");
        t.hq.stop();
        setPrice("c-resolved", "SKU-0002", "1.11");
        setPrice("c-open", "SKU-0003", "2.22");
        hqSetsPrice("SKU-0002", "9.99");
        hqSetsPrice("SKU-0003", "8.88");
        t.hq.start();
        awaitStatus("CONFLICT", "c-resolved", "c-open");
        long resolvedId = conflictIdOf("c-resolved");
        assertThat(admin.post("/admin/v1/conflicts/" + resolvedId + "/resolve", "{\"choose\":\"HQ\"}", "application/json").status())
                .isEqualTo(200);
        t.hq.stop();
        post("queued-1", "queued-2");
        awaitStatus("QUEUED", "queued-1", "queued-2");
        AcceptedUpdates.Delivery before = t.gateway().acceptedUpdates().delivery();
        long auditBefore = count("SELECT COUNT(*) FROM mirror_audit");

        // Day 2: within the 3 days, nothing goes.
        // The upkeep thread runs too (after a drain, say) and may come before or after runNow(): the
        // totals since start count what went whichever run pruned it.
        clock.advance(Duration.ofDays(2));
        t.gateway().mirrorUpkeep().runNow();
        assertThat(t.gateway().mirrorUpkeep().prunedSinceStart().total()).isZero();

        // Day 4: everything of day 0 that is settled goes, but for the open conflict's update.
        clock.advance(Duration.ofDays(2));
        t.gateway().mirrorUpkeep().runNow();
        MirrorRetention.Pruned pruned = t.gateway().mirrorUpkeep().prunedSinceStart();

        assertThat(pruned.settledUpdates()).as(pruned.toString()).isEqualTo(6); // old-1..5 and c-resolved
        assertThat(pruned.auditRows()).as(pruned.toString()).isEqualTo(auditBefore);
        assertThat(pruned.resolvedConflicts()).as(pruned.toString()).isEqualTo(1);
        assertThat(terminal.get("/api/v1/updates/old-1").status()).isEqualTo(404);
        assertThat(terminal.get("/api/v1/updates/c-resolved").status()).isEqualTo(404);
        assertThat(terminal.update("c-open").path("status").asText()).isEqualTo("CONFLICT");
        assertThat(admin.get("/admin/v1/conflicts").json().path("items")).extracting(c -> c.path("updateId").asText())
                .containsExactly("c-open");
        assertThat(terminal.update("queued-1").path("status").asText()).isEqualTo("QUEUED");
        assertThat(terminal.product(SKU).path("pending").asInt()).isEqualTo(2);
        assertThat(t.gateway().acceptedUpdates().delivery()).as("the counters are not pruned").isEqualTo(before);
        assertThat(count("SELECT COUNT(*) FROM mirror_audit")).isZero();
        assertThat(t.gateway().mirrorUpkeep().status().path("prunedSettledUpdatesSinceStart").asLong()).isEqualTo(6);

        // HQ back: the queued updates go (day 4, so they stay).
        t.hq.start();
        awaitStatus("APPLIED", "queued-1", "queued-2");
        long quantity = t.hq.product(TestGateway.STORE, SKU).orElseThrow().quantity();
        int applied = t.hq.appliedCount(TestGateway.STORE);
        // Ids sent again after their rows were pruned are not applied twice. The broker's duplicate
        // detection still remembers the last ids it took (here 6): old-5 is refused there, DUPLICATE
        // with no row. old-1 has left it: it is queued, and HQ answers DUPLICATE.
        assertThat(terminal.post(TerminalClient.adjust("old-5", SKU, -1)).json().at("/accepted/0/status").asText())
                .isEqualTo("DUPLICATE");
        assertThat(terminal.get("/api/v1/updates/old-5").status()).as("no QUEUED row that could never settle").isEqualTo(404);
        assertThat(terminal.post(TerminalClient.adjust("old-1", SKU, -1)).json().at("/accepted/0/status").asText())
                .isEqualTo("QUEUED");
        awaitStatus("APPLIED", "old-1");
        assertThat(t.hq.product(TestGateway.STORE, SKU).orElseThrow().quantity()).isEqualTo(quantity);
        assertThat(t.hq.appliedCount(TestGateway.STORE)).isEqualTo(applied);
        assertThat(t.gateway().acceptedUpdates().count(UpdateStatus.QUEUED)).isZero();
        assertThat(t.gateway().mirrorUpkeep().runNow().settledUpdates()).isZero();
    }

    @Test
    void theSpaceOfADrainedAndPrunedBacklogIsGivenBackToTheDisk() throws Exception {
        assumeThat(TestMirror.onPostgresql()).as("PostgreSQL's own autovacuum looks after its space").isFalse();
        start();
        t.gateway().mirrorUpkeep().runNow();
        long empty = fileBytes();
        t.hq.stop();
        for (int request = 0; request < 10; request++) {
            int from = request * 500;
            String body = IntStream.range(from, from + 500)
                    .mapToObj(i -> TerminalClient.adjust(String.format("bulk-%06d", i), String.format("SKU-%04d", 1 + i % 3), -1))
                    .collect(Collectors.joining(",", "[", "]"));
            assertThat(terminal.post(body).status()).isEqualTo(202);
        }
        t.gateway().mirrorUpkeep().runNow();
        long queued = fileBytes();
        t.hq.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> t.gateway().acceptedUpdates().count(UpdateStatus.QUEUED) == 0);
        clock.advance(Duration.ofDays(4));
        t.gateway().mirrorUpkeep().runNow(); // the upkeep thread, woken by the drain, may have pruned some first
        MirrorRetention.Pruned pruned = t.gateway().mirrorUpkeep().prunedSinceStart();
        long after = fileBytes();

        assertThat(pruned.settledUpdates()).isEqualTo(5000);
        assertThat(queued).as("the backlog took room").isGreaterThan(empty + 500_000);
        assertThat(after).as("file after drain and prune (empty %d, with the backlog %d)", empty, queued)
                .isLessThan(empty + (queued - empty) / 5);
        assertThat(t.gateway().mirrorUpkeep().integrityCheck()).isEqualTo("ok");
    }

    private void start() {
        t = TestGateway.started("retention", 3, Map.of(MirrorRetention.RETENTION, "3d",
                MirrorUpkeep.INTERVAL_MS, "3600000", "gateway.conflict.policy", "MANUAL",
                "gateway.broker.duplicate-id-cache-size", "6"), clock);
        terminal = t.terminal();
        admin = new TerminalClient(t.baseUrl(), TestGateway.ADMIN_TOKEN);
    }

    private long fileBytes() {
        return t.gateway().mirrorUpkeep().status().path("fileBytes").asLong();
    }

    private void post(String... ids) {
        List<String> updates = new ArrayList<>();
        for (String id : ids) {
            updates.add(TerminalClient.adjust(id, SKU, -1));
        }
        assertThat(terminal.post("[" + String.join(",", updates) + "]").status()).isEqualTo(202);
    }

    private void setPrice(String id, String sku, String price) {
        assertThat(terminal.post("{\"updateId\":\"" + id + "\",\"terminalId\":\"till-1\",\"type\":\"SET_PRICE\",\"sku\":\"" + sku
                + "\",\"price\":" + price + ",\"baseVersion\":1,\"occurredAt\":\"" + Instant.now() + "\"}").status()).isEqualTo(202);
    }

    private void hqSetsPrice(String sku, String price) {
        t.hq.editAtHq(TestGateway.STORE, new ProductRecord(sku, null, new BigDecimal(price),
                t.hq.product(TestGateway.STORE, sku).orElseThrow().quantity(), 0, null, false));
    }

    private void awaitStatus(String status, String... ids) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (String id : ids) {
                assertThat(terminal.update(id).path("status").asText()).as(id).isEqualTo(status);
            }
        });
    }

    private long conflictIdOf(String updateId) {
        for (JsonNode c : admin.get("/admin/v1/conflicts").json().path("items")) {
            if (c.path("updateId").asText().equals(updateId)) {
                return c.path("id").asLong();
            }
        }
        throw new AssertionError("no open conflict for " + updateId);
    }

    private long count(String sql) {
        return t.gateway().mirror().read(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
