package io.storegateway.mirror;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.hq.ProductRecord;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Edits made at HQ (issue 4): polled from HQ's changes feed into the mirror with audit rows, without
 * clobbering the store's pending updates, and from a cursor that survives a restart.
 */
@ExtendWith(ClosesTestGateways.class)
class HqChangesTest {

    private TestGateway t;

    @Test
    void aNewPriceAndANewProductMadeAtHqShowUpInTheMirror() throws Exception {
        t = TestGateway.started("changes-edit", 10, Map.of());
        TerminalClient terminal = t.terminal();
        awaitStartupReconciliation();
        JsonNode before = terminal.product("SKU-0003");
        assertThat(before.path("version").asLong()).isEqualTo(1);
        String oldPrice = before.path("price").decimalValue().setScale(2).toPlainString();
        assertThat(oldPrice).isNotEqualTo("7.77");
        assertThat(terminal.get("/api/v1/products/NEW-0001").status()).isEqualTo(404);

        ProductRecord edited = t.hq.editAtHq(TestGateway.STORE,
                new ProductRecord("SKU-0003", null, new BigDecimal("7.77"), 100, 0, null, false));
        ProductRecord created = t.hq.editAtHq(TestGateway.STORE,
                new ProductRecord("NEW-0001", "Kiwi", new BigDecimal("2.49"), 40, 0, null, false));
        assertThat(edited.version()).isEqualTo(2);
        assertThat(created.version()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(5)).until(() -> terminal.product("SKU-0003").path("version").asLong() == 2
                && terminal.get("/api/v1/products/NEW-0001").status() == 200);
        JsonNode p = terminal.product("SKU-0003");
        assertThat(p.path("price").decimalValue()).isEqualByComparingTo("7.77");
        assertThat(p.path("version").asLong()).isEqualTo(edited.version());
        assertThat(p.path("quantity").asLong()).isEqualTo(100);
        assertThat(p.path("name").asText()).isEqualTo(edited.name());
        assertThat(p.path("syncState").asText()).isEqualTo("SYNCED");
        JsonNode n = terminal.product("NEW-0001");
        assertThat(n.path("name").asText()).isEqualTo("Kiwi");
        assertThat(n.path("price").decimalValue()).isEqualByComparingTo("2.49");
        assertThat(n.path("quantity").asLong()).isEqualTo(40);
        assertThat(n.path("version").asLong()).isEqualTo(1);
        assertThat(n.path("syncState").asText()).isEqualTo("SYNCED");

        // Audit: the fields that changed, source HQ_CHANGE, and nothing from a reconciliation.
        assertThat(audit("SKU-0003", HqChangesPoller.SOURCE_HQ_CHANGE)).containsExactlyInAnyOrder(
                new Audit("price", oldPrice, "7.77"),
                new Audit("version", "1", "2"));
        assertThat(audit("NEW-0001", HqChangesPoller.SOURCE_HQ_CHANGE)).contains(
                new Audit("name", null, "Kiwi"),
                new Audit("price", null, "2.49"),
                new Audit("quantity", null, "40"),
                new Audit("version", null, "1"));
        assertThat(audit("SKU-0003", Reconciliation.SOURCE)).isEmpty();
        assertThat(audit("NEW-0001", Reconciliation.SOURCE)).isEmpty();
        // Another product, not edited at HQ, is untouched.
        assertThat(audit("SKU-0004", HqChangesPoller.SOURCE_HQ_CHANGE)).isEmpty();
    }

    @Test
    void anHqEditDuringAnOutageAndAPendingSaleBothCount() {
        t = TestGateway.started("changes-outage", 10, Map.of());
        TerminalClient terminal = t.terminal();
        awaitStartupReconciliation();

        t.hq.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> !t.gateway().connectivity().online());
        assertThat(terminal.post(TerminalClient.adjust("sale-x", "SKU-0005", -3)).status()).isEqualTo(202);
        JsonNode offline = terminal.product("SKU-0005");
        assertThat(offline.path("quantity").asLong()).isEqualTo(97);
        assertThat(offline.path("syncState").asText()).isEqualTo("PENDING");
        // HQ's state is in memory: an edit while its socket is closed is there when it comes back.
        assertThat(t.hq.editAtHq(TestGateway.STORE, new ProductRecord("SKU-0005", null, null, 10, 0, null, false)).version())
                .isEqualTo(2);
        t.hq.start();

        await().atMost(Duration.ofSeconds(20)).until(() -> "APPLIED".equals(terminal.update("sale-x").path("status").asText()));
        ProductRecord atHq = t.hq.product(TestGateway.STORE, "SKU-0005").orElseThrow();
        assertThat(atHq.quantity()).isEqualTo(7);
        assertThat(atHq.version()).isEqualTo(3);
        // The changes feed brings version 2 (quantity 10) too, possibly after HQ's answer: it must not win.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> {
            JsonNode p = terminal.product("SKU-0005");
            return p.path("quantity").asLong() == 7 && p.path("version").asLong() == 3;
        });
        JsonNode p = terminal.product("SKU-0005");
        assertThat(p.path("quantity").asLong()).isEqualTo(7);
        assertThat(p.path("syncState").asText()).isEqualTo("SYNCED");
        assertThat(p.path("pending").asInt()).isZero();
        assertThat(p.path("version").asLong()).isEqualTo(3);
        assertThat(p.at("/hq/quantity").asLong()).isEqualTo(7);
    }

    @Test
    void whileALocalUpdateIsPendingTheViewIsHqsNewStatePlusThePendingUpdate() throws Exception {
        t = TestGateway.started("changes-pending", 10, Map.of());
        TerminalClient terminal = t.terminal();
        awaitStartupReconciliation();

        // Hold forwarding (HQ stays up, so its changes still come in) to see the in-between state.
        t.gateway().camelContext().getRouteController().stopRoute("forward-to-hq");
        assertThat(terminal.post(TerminalClient.adjust("sale-y", "SKU-0006", -3)).status()).isEqualTo(202);
        JsonNode pending = terminal.product("SKU-0006");
        assertThat(pending.path("quantity").asLong()).isEqualTo(97);
        assertThat(pending.path("syncState").asText()).isEqualTo("PENDING");

        t.hq.editAtHq(TestGateway.STORE, new ProductRecord("SKU-0006", null, new BigDecimal("3.33"), 10, 0, null, false));
        await().atMost(Duration.ofSeconds(5)).until(() -> terminal.product("SKU-0006").at("/hq/version").asLong() == 2);

        JsonNode p = terminal.product("SKU-0006");
        assertThat(p.at("/hq/quantity").asLong()).as(p.toString()).isEqualTo(10);
        assertThat(p.at("/hq/price").decimalValue()).as(p.toString()).isEqualByComparingTo("3.33");
        assertThat(p.path("quantity").asLong()).as("HQ's 10 plus the pending -3: " + p).isEqualTo(7);
        assertThat(p.path("price").decimalValue()).as(p.toString()).isEqualByComparingTo("3.33");
        assertThat(p.path("version").asLong()).as(p.toString()).isEqualTo(2);
        assertThat(p.path("syncState").asText()).as(p.toString()).isEqualTo("PENDING");
        assertThat(p.path("pending").asInt()).as(p.toString()).isEqualTo(1);
        assertThat(terminal.update("sale-y").path("status").asText()).isEqualTo("QUEUED");
        assertThat(audit("SKU-0006", HqChangesPoller.SOURCE_HQ_CHANGE)).contains(new Audit("quantity", "100", "10"));

        t.gateway().camelContext().getRouteController().startRoute("forward-to-hq");
        await().atMost(Duration.ofSeconds(20)).until(() -> "APPLIED".equals(terminal.update("sale-y").path("status").asText()));
        assertThat(t.hq.product(TestGateway.STORE, "SKU-0006").orElseThrow().quantity()).isEqualTo(7);
        JsonNode after = terminal.product("SKU-0006");
        assertThat(after.path("quantity").asLong()).isEqualTo(7);
        assertThat(after.path("version").asLong()).isEqualTo(3);
        assertThat(after.path("syncState").asText()).isEqualTo("SYNCED");
        assertThat(after.path("price").decimalValue()).isEqualByComparingTo("3.33");
    }

    @Test
    void whenHqAnswersAgainItsChangesArePolledAndTheMirrorReconciledWithoutWaitingForTheSchedules() throws Exception {
        // Both schedules far off (an hour, and six hours as shipped): what runs here, runs because HQ answered.
        t = TestGateway.started("changes-return", 10, Map.of("gateway.changes.interval-ms", "3600000"));
        TerminalClient terminal = t.terminal();
        awaitStartupReconciliation();
        // HQ answering first, at start, sent the first poll too: it stored the cursor.
        await().atMost(Duration.ofSeconds(10)).until(() -> cursor() != null);
        String cursorBefore = cursor();

        t.hq.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> !t.gateway().connectivity().online());
        // Meanwhile HQ edits a product, and the mirror drifts from HQ in another.
        t.hq.editAtHq(TestGateway.STORE, new ProductRecord("SKU-0006", null, new BigDecimal("6.06"), 100, 0, null, false));
        sql("UPDATE product SET quantity = 42 WHERE sku = 'SKU-0009'");
        Instant back = Instant.now();
        t.hq.start();

        // The changes feed was read (the cursor moved past HQ's edit)...
        await().atMost(Duration.ofSeconds(15)).until(() -> !cursorBefore.equals(cursor()));
        await().atMost(Duration.ofSeconds(5)).until(() -> terminal.product("SKU-0006").path("version").asLong() == 2);
        assertThat(terminal.product("SKU-0006").path("price").decimalValue()).isEqualByComparingTo("6.06");
        // ...and a full reconciliation ran, which corrected the drift.
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            JsonNode s = t.gateway().status().toJson();
            return s.path("lastReconcileAt").isTextual() && !Instant.parse(s.path("lastReconcileAt").asText()).isBefore(back);
        });
        JsonNode reconcile = t.gateway().status().toJson().path("lastReconcile");
        assertThat(reconcile.path("corrects").asBoolean()).as(reconcile.toString()).isTrue();
        assertThat(terminal.product("SKU-0009").path("quantity").asLong()).isEqualTo(100);
        assertThat(audit("SKU-0009", Reconciliation.SOURCE)).containsExactly(new Audit("quantity", "42", "100"));
    }

    @Test
    void theChangesCursorSurvivesARestart() throws Exception {
        t = TestGateway.started("changes-restart", 10, Map.of());
        TerminalClient terminal = t.terminal();
        awaitStartupReconciliation();
        String oldPrice = terminal.product("SKU-0002").path("price").decimalValue().setScale(2).toPlainString();

        t.hq.editAtHq(TestGateway.STORE, new ProductRecord("SKU-0002", null, new BigDecimal("5.55"), 100, 0, null, false));
        await().atMost(Duration.ofSeconds(5)).until(() -> terminal.product("SKU-0002").path("version").asLong() == 2);
        List<Audit> firstAudit = audit("SKU-0002", HqChangesPoller.SOURCE_HQ_CHANGE);
        assertThat(firstAudit).containsExactlyInAnyOrder(new Audit("price", oldPrice, "5.55"), new Audit("version", "1", "2"));
        await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(cursor()));
        String reconcileBefore = t.gateway().status().toJson().path("lastReconcileAt").asText();

        // Put SKU-0002 back to before HQ's edit. Were the change fetched again after the restart (cursor
        // lost), it would be written again with HQ_CHANGE audit rows by the poll when HQ first answers;
        // with the cursor kept, only the reconciliation sent at the same moment puts it right.
        sql("UPDATE product SET price = " + oldPrice + ", version = 1 WHERE sku = 'SKU-0002'");
        assertThat(terminal.product("SKU-0002").path("version").asLong()).isEqualTo(1);

        t.stopGateway();
        t.startGateway();
        await().atMost(Duration.ofSeconds(20)).until(() -> t.gateway().catalogueLoaded());
        assertThat(cursor()).as("the cursor is kept in the mirror").isEqualTo("1");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                !reconcileBefore.equals(t.gateway().status().toJson().path("lastReconcileAt").asText()));
        JsonNode restartReconcile = t.gateway().status().toJson().path("lastReconcile");
        assertThat(restartReconcile.path("different").asLong()).as(restartReconcile.toString()).isEqualTo(1);
        assertThat(terminal.product("SKU-0002").path("version").asLong()).isEqualTo(2);
        assertThat(terminal.product("SKU-0002").path("price").decimalValue()).isEqualByComparingTo("5.55");
        assertThat(audit("SKU-0002", HqChangesPoller.SOURCE_HQ_CHANGE)).as("HQ's first change is not taken again")
                .isEqualTo(firstAudit);
        assertThat(audit("SKU-0002", Reconciliation.SOURCE)).containsExactlyInAnyOrder(
                new Audit("price", oldPrice, "5.55"), new Audit("version", "1", "2"));

        // A new edit after the restart: only it is taken.
        t.hq.editAtHq(TestGateway.STORE, new ProductRecord("SKU-0004", null, new BigDecimal("6.66"), 100, 0, null, false));
        await().atMost(Duration.ofSeconds(5)).until(() -> terminal.product("SKU-0004").path("version").asLong() == 2);
        assertThat(terminal.product("SKU-0004").path("price").decimalValue()).isEqualByComparingTo("6.66");
        await().atMost(Duration.ofSeconds(5)).until(() -> "2".equals(cursor()));
        assertThat(audit("SKU-0004", HqChangesPoller.SOURCE_HQ_CHANGE)).hasSize(2);
        assertThat(audit("SKU-0002", HqChangesPoller.SOURCE_HQ_CHANGE)).isEqualTo(firstAudit);
    }

    // ---- helpers ----

    /** HQ answering at start counts as a reconnect: wait for that reconciliation so it cannot pick up the test's edits. */
    private void awaitStartupReconciliation() {
        await().atMost(Duration.ofSeconds(20)).until(() -> t.gateway().status().toJson().path("lastReconcileAt").isTextual());
    }

    record Audit(String field, String oldValue, String newValue) {
    }

    private List<Audit> audit(String sku, String source) throws SQLException {
        try (Connection c = t.gateway().mirror().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT field, old_value, new_value FROM mirror_audit WHERE sku = ? AND source = ? ORDER BY id")) {
            ps.setString(1, sku);
            ps.setString(2, source);
            List<Audit> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Audit(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
            return out;
        }
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = t.gateway().mirror().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(statement)) {
            ps.executeUpdate();
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }
    }

    private String cursor() throws SQLException {
        try (Connection c = t.gateway().mirror().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT state_value FROM sync_state WHERE state_key = ?")) {
            ps.setString(1, SyncState.CHANGES_CURSOR);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
