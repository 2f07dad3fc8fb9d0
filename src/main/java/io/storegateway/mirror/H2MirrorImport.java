package io.storegateway.mirror;

import io.storegateway.config.GatewaySettings;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateJson;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import static io.storegateway.mirror.AcceptedUpdates.getLong;
import static io.storegateway.mirror.AcceptedUpdates.setLong;

/**
 * Carries a mirror made by an earlier version (an H2 file, schema V1-V4, at the old default place
 * {@code <data-dir>/mirror/mirror.mv.db}) into the SQLite file at the first start: products, queued
 * and settled updates, audit rows, conflicts with their ids, the sync cursors. Written to a side file
 * that is renamed into place once complete, so a crash during the import leaves the H2 file as it
 * was and the next start does it again; the H2 file is then kept beside it under another name.
 */
final class H2MirrorImport {

    static final String H2_FILE = "mirror.mv.db";
    static final String H2_KEPT = "mirror-h2-imported.mv.db";
    static final String MARKER = "mirror.imported-from-h2";
    private static final int PAGE = 5_000;

    private static final Logger LOG = LoggerFactory.getLogger(H2MirrorImport.class);

    private final Path h2File;
    private final Path target;
    private long queued;
    private long settled;
    private long lastSettledAt;
    private long audits;
    private long conflicts;
    private long openConflicts;
    private long products;

    private H2MirrorImport(Path h2File, Path target) {
        this.h2File = h2File;
        this.target = target;
    }

    /** Imports the old H2 mirror into {@code sqliteFile} when there is one to import and no SQLite file yet. */
    static void ifFound(GatewaySettings settings, Path sqliteFile) {
        Path dir = settings.mirrorDir();
        Path h2 = dir.resolve(H2_FILE);
        if (!sqliteFile.equals(dir.resolve("mirror.db")) || !Files.exists(h2)) {
            return;
        }
        if (Files.exists(sqliteFile)) {
            // Imported, and stopped before the H2 file was moved aside.
            moveAside(h2);
            return;
        }
        try {
            new H2MirrorImport(h2, sqliteFile).run();
        } catch (SQLException | IOException | RuntimeException e) {
            throw new IllegalStateException("the mirror of the earlier version (" + h2 + ") could not be carried into "
                    + sqliteFile + ": " + e.getMessage() + ". Nothing was changed; the broker still holds every queued update. "
                    + "To start with an empty mirror instead, move " + h2 + " elsewhere (docs/SETUP.md, \"The mirror\").", e);
        }
    }

    private void run() throws SQLException, IOException {
        long started = System.nanoTime();
        Path importing = target.resolveSibling(target.getFileName() + ".importing");
        for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
            Files.deleteIfExists(importing.resolveSibling(importing.getFileName() + suffix));
        }
        MirrorDatabase.prepareSqliteFile(importing);
        MirrorDatabase.migrate(MirrorDatabase.sqliteDataSource(importing), MirrorDatabase.SQLITE_MIGRATIONS);
        String h2Url = "jdbc:h2:file:" + h2File.resolveSibling("mirror") + ";DB_CLOSE_ON_EXIT=FALSE";
        try (Connection from = DriverManager.getConnection(h2Url, "sa", "");
             Connection to = DriverManager.getConnection("jdbc:sqlite:" + importing)) {
            Set<String> tables = tables(from);
            try (Statement st = to.createStatement()) {
                st.execute("PRAGMA synchronous = NORMAL");
            }
            to.setAutoCommit(false);
            copyProducts(from, to);
            copyUpdates(from, to);
            if (tables.contains("MIRROR_AUDIT")) {
                copyAudit(from, to);
            }
            if (tables.contains("CONFLICT")) {
                copyConflicts(from, to);
            }
            if (tables.contains("SYNC_STATE")) {
                copySyncState(from, to);
            }
            setCounter(to, AcceptedUpdates.ACCEPTED, queued + settled);
            setCounter(to, AcceptedUpdates.SETTLED, settled);
            setCounter(to, AcceptedUpdates.LAST_SETTLED_AT, lastSettledAt);
            try (PreparedStatement ps = to.prepareStatement("INSERT INTO sync_state (state_key, state_value, updated_at) VALUES (?,?,?)")) {
                ps.setString(1, MARKER);
                ps.setString(2, h2File + " at " + Instant.now());
                ps.setLong(3, System.currentTimeMillis());
                ps.executeUpdate();
            }
            to.commit();
            to.setAutoCommit(true);
            try (Statement st = to.createStatement()) {
                // Everything into the main file, synced, before it takes the mirror's name.
                st.execute("PRAGMA synchronous = FULL");
                st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
        }
        Files.move(importing, target, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(target.getParent());
        moveAside(h2File);
        LOG.atInfo().addKeyValue("event", "mirror-imported")
                .log("Carried the earlier version's H2 mirror into {} in {} ms: {} products, {} queued and {} settled updates, "
                                + "{} audit rows, {} conflicts ({} open). The H2 file is kept as {}; delete it once the gateway runs well.",
                        target, (System.nanoTime() - started) / 1_000_000, products, queued, settled, audits, conflicts,
                        openConflicts, h2File.resolveSibling(H2_KEPT));
    }

    private static Set<String> tables(Connection h2) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Statement st = h2.createStatement();
             ResultSet rs = st.executeQuery("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC'")) {
            while (rs.next()) {
                out.add(rs.getString(1).toUpperCase(Locale.ROOT));
            }
        }
        return out;
    }

    private void copyProducts(Connection from, Connection to) throws SQLException {
        try (Statement st = from.createStatement();
             ResultSet rs = st.executeQuery("SELECT sku, name, price, quantity, version, updated_at, deleted, synced_at FROM product");
             PreparedStatement ps = to.prepareStatement("INSERT INTO product (sku, name, price, quantity, version, updated_at, "
                     + "deleted, synced_at) VALUES (?,?,?,?,?,?,?,?)")) {
            while (rs.next()) {
                ps.setString(1, rs.getString(1));
                ps.setString(2, rs.getString(2));
                ps.setBigDecimal(3, rs.getBigDecimal(3));
                ps.setLong(4, rs.getLong(4));
                ps.setLong(5, rs.getLong(5));
                setLong(ps, 6, millis(rs, 6));
                ps.setBoolean(7, rs.getBoolean(7));
                ps.setLong(8, millis(rs, 8));
                ps.addBatch();
                products++;
            }
            ps.executeBatch();
        }
    }

    /** store_update in acceptance order: QUEUED rows to the queue (their values read from the payload), the rest to the history. */
    private void copyUpdates(Connection from, Connection to) throws SQLException {
        try (PreparedStatement queue = to.prepareStatement("INSERT INTO queued_update (update_id, sku, type, terminal_id, channel, "
                + "occurred_at, received_at, name, price, quantity, delta) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
             PreparedStatement history = to.prepareStatement("INSERT INTO settled_update (update_id, sku, type, terminal_id, "
                     + "channel, occurred_at, received_at, settled_at, status, reason, hq_version) VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
            inPages(from, "SELECT seq, update_id, sku, type, terminal_id, channel, payload, occurred_at, received_at, status, "
                    + "reason, hq_version, settled_at FROM store_update", "seq", rs -> {
                boolean isQueued = "QUEUED".equals(rs.getString(10));
                PreparedStatement ps = isQueued ? queue : history;
                for (int i = 2; i <= 6; i++) {
                    ps.setString(i - 1, rs.getString(i)); // update_id, sku, type, terminal_id, channel
                }
                ps.setLong(6, millis(rs, 8));
                long received = millis(rs, 9);
                ps.setLong(7, received);
                if (isQueued) {
                    InventoryUpdate u = UpdateJson.fromTrustedJson(rs.getString(7));
                    ps.setString(8, u.name());
                    ps.setBigDecimal(9, u.price());
                    setLong(ps, 10, u.quantity());
                    setLong(ps, 11, u.delta());
                    queued++;
                } else {
                    Long settledAt = millis(rs, 13);
                    long at = settledAt == null ? received : settledAt;
                    lastSettledAt = Math.max(lastSettledAt, at);
                    ps.setLong(8, at);
                    ps.setString(9, rs.getString(10));
                    ps.setString(10, rs.getString(11));
                    setLong(ps, 11, getLong(rs, 12));
                    settled++;
                }
                ps.addBatch();
            }, queue, history);
        }
    }

    private void copyAudit(Connection from, Connection to) throws SQLException {
        try (PreparedStatement ps = to.prepareStatement("INSERT INTO mirror_audit (sku, field, old_value, new_value, source, "
                + "update_id, changed_at) VALUES (?,?,?,?,?,?,?)")) {
            inPages(from, "SELECT id, sku, field, old_value, new_value, source, update_id, changed_at FROM mirror_audit", "id", rs -> {
                for (int i = 2; i <= 7; i++) {
                    ps.setString(i - 1, rs.getString(i));
                }
                ps.setLong(7, millis(rs, 8));
                ps.addBatch();
                audits++;
            }, ps);
        }
    }

    @FunctionalInterface
    private interface RowCopy {
        void copy(ResultSet rs) throws SQLException;
    }

    /**
     * A big table in pages of {@link #PAGE} rows in {@code key} order (its first column), so no result
     * set holds a whole backlog; the batches are written after each page.
     */
    private static void inPages(Connection from, String select, String key, RowCopy copy, PreparedStatement... batches)
            throws SQLException {
        try (PreparedStatement page = from.prepareStatement(select + " WHERE " + key + " > ? ORDER BY " + key
                + " FETCH FIRST " + PAGE + " ROWS ONLY")) {
            long after = Long.MIN_VALUE;
            int rows = PAGE;
            while (rows == PAGE) {
                page.setLong(1, after);
                rows = 0;
                try (ResultSet rs = page.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        after = rs.getLong(1);
                        copy.copy(rs);
                    }
                }
                for (PreparedStatement b : batches) {
                    b.executeBatch();
                }
            }
        }
    }

    private void copyConflicts(Connection from, Connection to) throws SQLException {
        try (Statement st = from.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, update_id, sku, local_update, hq_record, status, resolution, created_at, "
                     + "resolved_at FROM conflict ORDER BY id");
             PreparedStatement ps = to.prepareStatement("INSERT INTO conflict (id, update_id, sku, local_update, hq_record, "
                     + "status, resolution, created_at, resolved_at) VALUES (?,?,?,?,?,?,?,?,?)")) {
            while (rs.next()) {
                ps.setLong(1, rs.getLong(1));
                for (int i = 2; i <= 7; i++) {
                    ps.setString(i, rs.getString(i));
                }
                ps.setLong(8, millis(rs, 8));
                setLong(ps, 9, millis(rs, 9));
                ps.addBatch();
                conflicts++;
                openConflicts += ConflictRecords.OPEN.equals(rs.getString(6)) ? 1 : 0;
            }
            ps.executeBatch();
        }
    }

    private static void copySyncState(Connection from, Connection to) throws SQLException {
        try (Statement st = from.createStatement();
             ResultSet rs = st.executeQuery("SELECT state_key, state_value, updated_at FROM sync_state");
             PreparedStatement ps = to.prepareStatement("INSERT INTO sync_state (state_key, state_value, updated_at) VALUES (?,?,?)")) {
            while (rs.next()) {
                ps.setString(1, rs.getString(1));
                ps.setString(2, rs.getString(2));
                ps.setLong(3, millis(rs, 3));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void setCounter(Connection to, String name, long value) throws SQLException {
        try (PreparedStatement ps = to.prepareStatement("UPDATE mirror_counter SET value = ? WHERE name = ?")) {
            ps.setLong(1, value);
            ps.setString(2, name);
            ps.executeUpdate();
        }
    }

    private static Long millis(ResultSet rs, int i) throws SQLException {
        OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
        return t == null ? null : t.toInstant().toEpochMilli();
    }

    private static void moveAside(Path h2) {
        try {
            Files.move(h2, h2.resolveSibling(H2_KEPT), StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(h2.resolveSibling("mirror.trace.db"));
        } catch (IOException e) {
            LOG.atWarn().addKeyValue("event", "mirror-import-not-moved")
                    .log("The earlier version's H2 mirror {} was imported but could not be moved aside: {}", h2, e.getMessage());
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            LOG.debug("Cannot sync directory {}: {}", dir, e.getMessage());
        }
    }
}
