package io.storegateway.mirror;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.TestMirror;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * A store upgraded while its mirror holds a backlog, history, open conflicts and the sync cursor
 * loses none of it. The data directory is one the previous version (commit 5650c42, H2 mirror,
 * schema V4) wrote with HQ away (src/test/upgrade-fixture/README.md). On SQLite (the default) the
 * first start carries the H2 file into the new one; on PostgreSQL the same rows, put into a V4
 * schema, are migrated in place (V5). Then HQ comes back: every queued update reaches it, once.
 */
@ExtendWith(ClosesTestGateways.class)
class MirrorUpgradeTest {

    private static final String FIXTURE = "/upgrade/h2-mirror-v4-datadir";

    private TestGateway t;

    @Test
    void anH2MirrorOfTheEarlierVersionIsCarriedIntoSqliteWithNothingLost() throws Exception {
        assumeThat(TestMirror.onPostgresql()).as("the H2 file is carried into the embedded SQLite mirror").isFalse();
        t = TestGateway.started("upgrade-h2", 20, Map.of(), hq -> hq.setFault("down", 1.0, 0), false,
                (dir, mirror) -> unpack(dir));

        Path mirrorDir = t.dataDir.resolve("mirror");
        assertThat(mirrorDir.resolve("mirror.db")).exists();
        assertThat(mirrorDir.resolve("mirror.mv.db")).as("the H2 file is moved aside").doesNotExist();
        assertThat(mirrorDir.resolve("mirror-h2-imported.mv.db")).exists();
        assertThat(t.gateway().mirrorUpkeep().integrityCheck()).isEqualTo("ok");
        assertEverythingCarriedAndDrained();
    }

    @Test
    void aPostgresqlMirrorAtV4IsMigratedWithItsContent() throws Exception {
        assumeThat(TestMirror.onPostgresql()).as("the V5 migration of a PostgreSQL mirror").isTrue();
        t = TestGateway.started("upgrade-pg", 20, Map.of(), hq -> hq.setFault("down", 1.0, 0), false,
                (dir, mirror) -> {
                    unpack(dir);
                    copyH2IntoPostgresqlAtV4(dir.resolve("mirror"), mirror);
                });

        assertEverythingCarriedAndDrained();
    }

    private void assertEverythingCarriedAndDrained() throws Exception {
        JsonNode manifest = UpdateJson.MAPPER.readTree(MirrorUpgradeTest.class.getResourceAsStream(FIXTURE + ".json"));
        TerminalClient terminal = t.terminal();
        TerminalClient admin = new TerminalClient(t.baseUrl(), TestGateway.ADMIN_TOKEN);
        int queued = manifest.at("/queued/count").asInt();
        List<String> queuedIds = ids("q-%05d", queued);

        // While HQ is still away: the backlog, the history, the conflicts and the cursor are all there.
        assertThat(t.gateway().backlog()).isEqualTo(queued);
        assertThat(terminal.update("q-00001").path("status").asText()).isEqualTo("QUEUED");
        assertThat(terminal.update(queuedIds.get(queued - 1)).path("status").asText()).isEqualTo("QUEUED");
        assertThat(terminal.update("hist-0001").path("status").asText()).isEqualTo("APPLIED");
        assertThat(terminal.update("hist-0300").path("status").asText()).isEqualTo("APPLIED");
        for (JsonNode c : manifest.path("openConflicts")) {
            assertThat(terminal.update(c.path("updateId").asText()).path("status").asText()).isEqualTo("CONFLICT");
        }
        assertOpenConflictsListed(admin, manifest);
        for (Iterator<Map.Entry<String, JsonNode>> it = manifest.at("/queued/countPerSku").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            assertThat(terminal.product(e.getKey()).path("pending").asInt()).as(e.getKey()).isEqualTo(e.getValue().asInt());
        }
        String cursor = t.gateway().mirror().read(c -> value(c, "SELECT state_value FROM sync_state WHERE state_key = 'hq.changes.cursor'"));
        assertThat(cursor).isEqualTo(manifest.path("changesCursor").asText());
        AcceptedUpdates.Delivery delivery = t.gateway().acceptedUpdates().delivery();
        int settled = manifest.at("/applied/count").asInt() + manifest.path("openConflicts").size();
        assertThat(delivery.accepted()).isEqualTo(queued + settled);
        assertThat(delivery.confirmedByHq()).isEqualTo(settled);

        // HQ is back: every queued update reaches it exactly once, in per-SKU sums as the terminals sent them.
        t.hq.setFault("none", 1.0, 0);
        await().atMost(Duration.ofSeconds(60)).until(() -> t.gateway().acceptedUpdates().count(UpdateStatus.QUEUED) == 0
                && t.gateway().backlog() == 0);
        assertThat(t.hq.appliedCount(TestGateway.STORE)).isEqualTo(queued);
        for (String id : List.of(queuedIds.get(0), queuedIds.get(queued / 2), queuedIds.get(queued - 1))) {
            assertThat(terminal.update(id).path("status").asText()).as(id).isEqualTo("APPLIED");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = manifest.at("/queued/netDeltaPerSku").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            assertThat(t.hq.product(TestGateway.STORE, e.getKey()).orElseThrow().quantity()).as(e.getKey())
                    .isEqualTo(100 + e.getValue().asLong());
        }
        assertOpenConflictsListed(admin, manifest);
        assertThat(t.gateway().acceptedUpdates().delivery().confirmedByHq()).isEqualTo(queued + settled);
    }

    private static void assertOpenConflictsListed(TerminalClient admin, JsonNode manifest) {
        Map<Long, String> listed = new TreeMap<>();
        admin.get("/admin/v1/conflicts").json().path("items")
                .forEach(c -> listed.put(c.path("id").asLong(), c.path("updateId").asText()));
        Map<Long, String> expected = new TreeMap<>();
        manifest.path("openConflicts").forEach(c -> expected.put(c.path("conflictId").asLong(), c.path("updateId").asText()));
        assertThat(listed).isEqualTo(expected);
    }

    /** The fixture's data/ directory becomes the gateway's data directory. */
    private static void unpack(Path dir) {
        try (InputStream in = MirrorUpgradeTest.class.getResourceAsStream(FIXTURE + ".tar.gz")) {
            Path tgz = dir.resolve("fixture.tar.gz");
            Files.copy(in, tgz);
            Process tar = new ProcessBuilder("tar", "-xzf", tgz.toString(), "-C", dir.toString(), "--strip-components=1")
                    .inheritIO().start();
            assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(tar.exitValue()).isZero();
            Files.delete(tgz);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * What a store running the earlier version on PostgreSQL would have: its schema at V4 (that
     * version's migrations) holding the fixture's rows, copied from its H2 file, which is then removed.
     */
    private static void copyH2IntoPostgresqlAtV4(Path mirrorDir, TestMirror mirror) {
        try {
            Map<String, String> s = mirror.settings();
            Flyway.configure().dataSource(s.get("gateway.mirror.jdbc-url"), s.get("gateway.mirror.username"),
                            s.get("gateway.mirror.password"))
                    .locations(MirrorDatabase.POSTGRESQL_MIGRATIONS).target(MigrationVersion.fromVersion("4")).load().migrate();
            try (Connection h2 = DriverManager.getConnection("jdbc:h2:file:" + mirrorDir.resolve("mirror"), "sa", "");
                 Connection pg = mirror.connect()) {
                for (String table : List.of("product", "store_update", "mirror_audit", "conflict", "sync_state")) {
                    copyTable(h2, pg, table);
                }
                try (Statement st = pg.createStatement()) {
                    for (String table : List.of("store_update", "mirror_audit", "conflict")) {
                        String column = table.equals("store_update") ? "seq" : "id";
                        st.execute("SELECT setval(pg_get_serial_sequence('" + table + "', '" + column + "'), "
                                + "(SELECT MAX(" + column + ") FROM " + table + "))");
                    }
                }
            }
            Files.delete(mirrorDir.resolve("mirror.mv.db"));
        } catch (SQLException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copyTable(Connection from, Connection to, String table) throws SQLException {
        try (Statement st = from.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<String> columns = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                columns.add(meta.getColumnName(i).toLowerCase(Locale.ROOT));
            }
            String sql = "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                    + AcceptedUpdates.marks(columns.size()) + ")";
            try (PreparedStatement ps = to.prepareStatement(sql)) {
                while (rs.next()) {
                    for (int i = 1; i <= columns.size(); i++) {
                        ps.setObject(i, rs.getObject(i));
                    }
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    private static String value(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static List<String> ids(String format, int count) {
        List<String> out = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            out.add(String.format(format, i));
        }
        return out;
    }
}
