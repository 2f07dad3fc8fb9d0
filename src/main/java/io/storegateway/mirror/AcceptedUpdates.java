package io.storegateway.mirror;

import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateJson;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code store_update} table: every update the gateway accepted and where it stands.
 * A row is written only after the update is durably in the broker, so a row is proof of acceptance.
 */
public final class AcceptedUpdates {

    private static final String COLUMNS =
            "update_id, sku, type, terminal_id, channel, payload, occurred_at, received_at, status, reason, hq_version";
    private static final String INSERT = "INSERT INTO store_update (" + COLUMNS + ", settled_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";
    /** SQLSTATE of a unique-key violation, the same on H2 and PostgreSQL. */
    private static final String UNIQUE_VIOLATION = "23505";
    /** From QUEUED, or from REJECTED when IT replayed the update from the DLQ. */
    private static final String SETTLE = "UPDATE store_update SET status = ?, reason = ?, hq_version = ?, settled_at = ? "
            + "WHERE update_id = ? AND (status = ? OR status = 'REJECTED')";
    private static final String SELECT = "SELECT payload, channel, received_at, status, reason, hq_version FROM store_update ";

    private final MirrorDatabase db;

    public AcceptedUpdates(MirrorDatabase db) {
        this.db = db;
    }

    /** Which of these ids the gateway has accepted before. */
    public Set<String> known(Collection<String> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return db.read(c -> {
            String marks = String.join(",", java.util.Collections.nCopies(ids.size(), "?"));
            try (PreparedStatement ps = c.prepareStatement("SELECT update_id FROM store_update WHERE update_id IN (" + marks + ")")) {
                int i = 1;
                for (String id : ids) {
                    ps.setString(i++, id);
                }
                Set<String> found = new HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(rs.getString(1));
                    }
                }
                return found;
            }
        });
    }

    /** An update just queued, as the mirror records it. */
    public record Queued(InventoryUpdate update, String channel, Instant receivedAt) {
    }

    /** Records freshly queued updates in one transaction; ids already present are left as they are. */
    public void recordQueued(List<InventoryUpdate> updates, String channel, Instant receivedAt) {
        recordQueued(updates.stream().map(u -> new Queued(u, channel, receivedAt)).toList());
    }

    /**
     * The same for updates of several requests at once (ingest commits them to the broker together):
     * one JDBC batch in one transaction.
     */
    public void recordQueued(List<Queued> queued) {
        if (queued.isEmpty()) {
            return;
        }
        try {
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                    for (Queued q : queued) {
                        bindInsert(ps, q.update(), q.channel(), q.receivedAt(), UpdateStatus.QUEUED, null, null, null);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            });
        } catch (MirrorException e) {
            // Another request with the same id, or forwarding that already recorded HQ's answer (it can
            // be that quick): fall back to row-by-row insert-if-absent, which keeps the row that is there.
            db.inTransaction(c -> {
                for (Queued q : queued) {
                    insertIfAbsent(c, q.update(), q.channel(), q.receivedAt(), UpdateStatus.QUEUED, null, null, null);
                }
                return null;
            });
        }
    }

    /**
     * Records HQ's verdict on an update, inside the caller's transaction. A settled update is never
     * un-settled by a later duplicate answer; a missing row (lost in a crash) is recreated.
     */
    void settle(Connection c, InventoryUpdate u, String channel, Instant receivedAt, UpdateStatus status,
                String reason, Long hqVersion, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SETTLE)) {
            bindSettle(ps, u, status, reason, hqVersion, now);
            if (ps.executeUpdate() == 1) {
                return;
            }
            // No QUEUED row: it was lost in a crash, or ingest has not written it yet (forwarding can
            // be that quick). If ingest wins the race to insert it, settle the row it wrote.
            if (!insertIfAbsent(c, u, channel, receivedAt, status, reason, hqVersion, now)) {
                ps.executeUpdate();
            }
        }
    }

    /** One update's verdict, for {@link #settleAll}. */
    record Settlement(InventoryUpdate update, String channel, Instant receivedAt, UpdateStatus status, String reason,
                      Long hqVersion) {
    }

    /**
     * {@link #settle} for a whole batch inside the caller's transaction: one JDBC batch of updates, and
     * the row-by-row way only for the rare update whose QUEUED row is not there.
     */
    void settleAll(Connection c, List<Settlement> settlements, Instant now) throws SQLException {
        if (settlements.isEmpty()) {
            return;
        }
        int[] counts;
        try (PreparedStatement ps = c.prepareStatement(SETTLE)) {
            for (Settlement s : settlements) {
                bindSettle(ps, s.update(), s.status(), s.reason(), s.hqVersion(), now);
                ps.addBatch();
            }
            counts = ps.executeBatch();
        }
        for (int i = 0; i < settlements.size(); i++) {
            if (counts[i] == 0) {
                Settlement s = settlements.get(i);
                settle(c, s.update(), s.channel(), s.receivedAt(), s.status(), s.reason(), s.hqVersion(), now);
            }
        }
    }

    public Optional<UpdateRow> find(String updateId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT + "WHERE update_id = ?")) {
                ps.setString(1, updateId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(row(rs)) : Optional.empty();
                }
            }
        });
    }

    /** The store's changes to a product that HQ has not acknowledged yet, in acceptance order. */
    List<InventoryUpdate> pending(Connection c, String sku) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT payload FROM store_update WHERE sku = ? AND status = ? ORDER BY seq")) {
            ps.setString(1, sku);
            ps.setString(2, UpdateStatus.QUEUED.name());
            List<InventoryUpdate> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(UpdateJson.fromTrustedJson(rs.getString(1)));
                }
            }
            return out;
        }
    }

    /** An update IT replays from the DLQ waits for HQ again. */
    public void requeue(String updateId) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE store_update SET status = ?, reason = NULL, settled_at = NULL WHERE update_id = ?")) {
                ps.setString(1, UpdateStatus.QUEUED.name());
                ps.setString(2, updateId);
                return ps.executeUpdate();
            }
        });
    }

    /** When the oldest update still waiting for HQ was received. */
    public Optional<Instant> oldestQueuedReceivedAt() {
        return db.read(c -> {
            // ORDER BY + FETCH FIRST reads one entry of the (status, received_at) index; MIN() over a
            // million-row backlog was a scan, and the status page asks this on every call.
            try (PreparedStatement ps = c.prepareStatement("SELECT received_at FROM store_update WHERE status = ? "
                    + "ORDER BY status, received_at FETCH FIRST 1 ROWS ONLY")) {
                ps.setString(1, UpdateStatus.QUEUED.name());
                try (ResultSet rs = ps.executeQuery()) {
                    OffsetDateTime t = rs.next() ? rs.getObject(1, OffsetDateTime.class) : null;
                    return Optional.ofNullable(t).map(OffsetDateTime::toInstant);
                }
            }
        });
    }

    public long count(UpdateStatus status) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM store_update WHERE status = ?")) {
                ps.setString(1, status.name());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /**
     * Inserts the row unless one with the same id exists, also when another transaction inserts it
     * concurrently (a savepoint keeps the caller's transaction usable on PostgreSQL too).
     * Returns whether this call inserted it.
     */
    private static boolean insertIfAbsent(Connection c, InventoryUpdate u, String channel, Instant receivedAt,
                                          UpdateStatus status, String reason, Long hqVersion, Instant settledAt)
            throws SQLException {
        try (PreparedStatement check = c.prepareStatement("SELECT 1 FROM store_update WHERE update_id = ?")) {
            check.setString(1, u.updateId());
            try (ResultSet rs = check.executeQuery()) {
                if (rs.next()) {
                    return false;
                }
            }
        }
        Savepoint before = c.getAutoCommit() ? null : c.setSavepoint();
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            bindInsert(ps, u, channel, receivedAt, status, reason, hqVersion, settledAt);
            ps.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            if (before != null) {
                c.rollback(before);
            }
            return false;
        }
    }

    private static void bindSettle(PreparedStatement ps, InventoryUpdate u, UpdateStatus status, String reason, Long hqVersion,
                                   Instant now) throws SQLException {
        ps.setString(1, status.name());
        ps.setString(2, truncate(reason, 1000));
        setLong(ps, 3, hqVersion);
        ps.setObject(4, odt(now));
        ps.setString(5, u.updateId());
        ps.setString(6, UpdateStatus.QUEUED.name());
    }

    private static void bindInsert(PreparedStatement ps, InventoryUpdate u, String channel, Instant receivedAt,
                                   UpdateStatus status, String reason, Long hqVersion, Instant settledAt)
            throws SQLException {
        ps.setString(1, u.updateId());
        ps.setString(2, u.sku());
        ps.setString(3, u.type().name());
        ps.setString(4, u.terminalId());
        ps.setString(5, channel);
        ps.setString(6, UpdateJson.toJsonString(u));
        ps.setObject(7, odt(u.occurredAt()));
        ps.setObject(8, odt(receivedAt));
        ps.setString(9, status.name());
        ps.setString(10, truncate(reason, 1000));
        setLong(ps, 11, hqVersion);
        // A row written by the settle itself (ingest had not written it yet) is settled now too.
        if (settledAt == null) {
            ps.setNull(12, java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(12, odt(settledAt));
        }
    }

    private static UpdateRow row(ResultSet rs) throws SQLException {
        long v = rs.getLong(6);
        Long hqVersion = rs.wasNull() ? null : v;
        return new UpdateRow(UpdateJson.fromTrustedJson(rs.getString(1)), rs.getString(2),
                rs.getObject(3, OffsetDateTime.class).toInstant(), UpdateStatus.valueOf(rs.getString(4)),
                rs.getString(5), hqVersion);
    }

    static OffsetDateTime odt(Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }

    static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
