package io.storegateway.mirror;

import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateType;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every update the gateway accepted and where it stands: waiting for HQ in {@code queued_update}
 * (written only after the update is durably in the broker, so a row is proof of acceptance; deleted
 * when settled), answered in {@code settled_update} (appended, pruned after the retention), and
 * counted in {@code mirror_counter}.
 */
public final class AcceptedUpdates {

    static final String ACCEPTED = "accepted";
    static final String SETTLED = "settled";
    static final String LAST_SETTLED_AT = "last_settled_at";

    private static final String QUEUE = "INSERT INTO queued_update (update_id, sku, type, terminal_id, channel, occurred_at, "
            + "received_at, name, price, quantity, delta) ";
    /**
     * Ingest: a row unless the update is queued or settled already (forwarding can be that quick).
     * ON CONFLICT without a target (the only unique key besides the generated one is update_id): the
     * form SQLite, PostgreSQL and H2 all take.
     */
    private static final String QUEUE_IF_NEW = QUEUE + "SELECT ?,?,?,?,?,?,?,?,?,?,? "
            + "WHERE NOT EXISTS (SELECT 1 FROM settled_update WHERE update_id = ?) ON CONFLICT DO NOTHING";
    private static final String SETTLE = "INSERT INTO settled_update (update_id, sku, type, terminal_id, channel, occurred_at, "
            + "received_at, settled_at, status, reason, hq_version) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING";
    /** A settled update is never un-settled by a later duplicate answer; one HQ rejected may be settled again (replayed from the DLQ). */
    private static final String RESETTLE_REJECTED = "UPDATE settled_update SET status = ?, reason = ?, hq_version = ?, settled_at = ? "
            + "WHERE update_id = ? AND status = 'REJECTED'";
    private static final String ADD_TO_COUNTER = "UPDATE mirror_counter SET value = value + ? WHERE name = ?";

    private final MirrorDatabase db;

    public AcceptedUpdates(MirrorDatabase db) {
        this.db = db;
    }

    /** Which of these ids the gateway has accepted before (and still remembers: see the retention). */
    public Set<String> known(Collection<String> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return db.read(c -> {
            String marks = marks(ids.size());
            try (PreparedStatement ps = c.prepareStatement("SELECT update_id FROM queued_update WHERE update_id IN (" + marks
                    + ") UNION ALL SELECT update_id FROM settled_update WHERE update_id IN (" + marks + ")")) {
                int i = 1;
                for (int pass = 0; pass < 2; pass++) {
                    for (String id : ids) {
                        ps.setString(i++, id);
                    }
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
     * The same for updates of several requests at once: one JDBC batch in one transaction. Not synced:
     * the broker holds the updates, and a row a power cut takes is written again by the settle.
     */
    public void recordQueued(List<Queued> queued) {
        if (queued.isEmpty()) {
            return;
        }
        db.inUnsyncedTransaction(c -> {
            db.ingestFence(c);
            int added = 0;
            try (PreparedStatement ps = c.prepareStatement(QUEUE_IF_NEW)) {
                for (Queued q : queued) {
                    bindQueued(ps, q.update(), q.channel(), q.receivedAt());
                    ps.setString(12, q.update().updateId());
                    ps.addBatch();
                }
                for (int n : ps.executeBatch()) {
                    added += n > 0 ? 1 : 0;
                }
            }
            addToCounter(c, ACCEPTED, added);
            return null;
        });
    }

    /** One update's verdict, for {@link #settleAll}. */
    record Settlement(InventoryUpdate update, String channel, Instant receivedAt, UpdateStatus status, String reason,
                      Long hqVersion) {
    }

    /**
     * Moves HQ's verdicts from the queue to the history, inside the caller's transaction: one JDBC
     * batch of deletes, one of inserts. An update with no QUEUED row (lost with a power cut, or not
     * written yet by ingest) gets its settled row all the same, and is counted as accepted.
     */
    void settleAll(Connection c, List<Settlement> settlements, Instant now) throws SQLException {
        if (settlements.isEmpty()) {
            return;
        }
        boolean[] wasQueued = new boolean[settlements.size()];
        List<Integer> missing = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM queued_update WHERE update_id = ?")) {
            int[] deleted = deleteAll(ps, settlements, null);
            for (int i = 0; i < deleted.length; i++) {
                wasQueued[i] = deleted[i] > 0;
                if (!wasQueued[i]) {
                    missing.add(i);
                }
            }
            if (!missing.isEmpty()) {
                // Ingest may be committing that row right now: wait for it, then look again.
                db.settleFence(c);
                int[] again = deleteAll(ps, settlements, missing);
                for (int j = 0; j < again.length; j++) {
                    wasQueued[missing.get(j)] = again[j] > 0;
                }
            }
        }
        int[] inserted;
        try (PreparedStatement ps = c.prepareStatement(SETTLE)) {
            for (Settlement s : settlements) {
                InventoryUpdate u = s.update();
                ps.setString(1, u.updateId());
                ps.setString(2, u.sku());
                ps.setString(3, u.type().name());
                ps.setString(4, u.terminalId());
                ps.setString(5, s.channel());
                ps.setLong(6, u.occurredAt().toEpochMilli());
                ps.setLong(7, s.receivedAt().toEpochMilli());
                ps.setLong(8, now.toEpochMilli());
                ps.setString(9, s.status().name());
                ps.setString(10, truncate(s.reason(), 1000));
                setLong(ps, 11, s.hqVersion());
                ps.addBatch();
            }
            inserted = ps.executeBatch();
        }
        int settled = 0;
        int accepted = 0;
        List<Settlement> resettle = new ArrayList<>();
        for (int i = 0; i < inserted.length; i++) {
            if (inserted[i] > 0) {
                settled++;
                accepted += wasQueued[i] ? 0 : 1;
            } else {
                resettle.add(settlements.get(i));
                accepted -= wasQueued[i] ? 1 : 0; // queued and settled both counted it
            }
        }
        if (!resettle.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(RESETTLE_REJECTED)) {
                for (Settlement s : resettle) {
                    ps.setString(1, s.status().name());
                    ps.setString(2, truncate(s.reason(), 1000));
                    setLong(ps, 3, s.hqVersion());
                    ps.setLong(4, now.toEpochMilli());
                    ps.setString(5, s.update().updateId());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        addToCounter(c, SETTLED, settled);
        addToCounter(c, ACCEPTED, accepted);
        try (PreparedStatement ps = c.prepareStatement("UPDATE mirror_counter SET value = ? WHERE name = ? AND value < ?")) {
            ps.setLong(1, now.toEpochMilli());
            ps.setString(2, LAST_SETTLED_AT);
            ps.setLong(3, now.toEpochMilli());
            ps.executeUpdate();
        }
    }

    private static int[] deleteAll(PreparedStatement ps, List<Settlement> settlements, List<Integer> only) throws SQLException {
        if (only == null) {
            for (Settlement s : settlements) {
                ps.setString(1, s.update().updateId());
                ps.addBatch();
            }
        } else {
            for (int i : only) {
                ps.setString(1, settlements.get(i).update().updateId());
                ps.addBatch();
            }
        }
        return ps.executeBatch();
    }

    public Optional<UpdateRow> find(String updateId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT sku, type, channel, received_at FROM queued_update WHERE update_id = ?")) {
                ps.setString(1, updateId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return Optional.of(new UpdateRow(updateId, rs.getString(1), UpdateType.valueOf(rs.getString(2)),
                                rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)), UpdateStatus.QUEUED, null, null));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT sku, type, channel, received_at, status, reason, hq_version "
                    + "FROM settled_update WHERE update_id = ?")) {
                ps.setString(1, updateId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    long v = rs.getLong(7);
                    Long hqVersion = rs.wasNull() ? null : v;
                    return Optional.of(new UpdateRow(updateId, rs.getString(1), UpdateType.valueOf(rs.getString(2)),
                            rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)), UpdateStatus.valueOf(rs.getString(5)),
                            rs.getString(6), hqVersion));
                }
            }
        });
    }

    /** An update IT replays from the DLQ waits for HQ again: back from the history to the queue. */
    public void requeue(InventoryUpdate update, String channel, Instant receivedAt) {
        db.inTransaction(c -> {
            db.ingestFence(c);
            int removed;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM settled_update WHERE update_id = ?")) {
                ps.setString(1, update.updateId());
                removed = ps.executeUpdate();
            }
            int added;
            try (PreparedStatement ps = c.prepareStatement(QUEUE + "VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING")) {
                bindQueued(ps, update, channel, receivedAt);
                added = ps.executeUpdate();
            }
            addToCounter(c, SETTLED, -removed);
            addToCounter(c, ACCEPTED, added > 0 && removed == 0 ? 1 : 0);
            return null;
        });
    }

    /** When the oldest update still waiting for HQ was received (the first row in acceptance order). */
    public Optional<Instant> oldestQueuedReceivedAt() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT received_at FROM queued_update ORDER BY seq LIMIT 1");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Instant.ofEpochMilli(rs.getLong(1))) : Optional.empty();
            }
        });
    }

    /** The update that has waited longest for HQ (its id and SKU), if any: what a stuck queue holds back. */
    public Optional<String> oldestQueued() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT update_id, sku FROM queued_update ORDER BY seq LIMIT 1");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1) + " (" + rs.getString(2) + ")") : Optional.empty();
            }
        });
    }

    /** Rows in one status. A count over the table: for tests and IT, not for a path that runs often. */
    public long count(UpdateStatus status) {
        return db.read(c -> {
            String sql = status == UpdateStatus.QUEUED ? "SELECT COUNT(*) FROM queued_update"
                    : "SELECT COUNT(*) FROM settled_update WHERE status = ?";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (status != UpdateStatus.QUEUED) {
                    ps.setString(1, status.name());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** The running totals: updates accepted, settled by HQ, and the newest settle time (null before the first). */
    public record Delivery(long accepted, long confirmedByHq, Instant confirmedUpTo) {
    }

    public Delivery delivery() {
        return db.read(c -> {
            long accepted = 0;
            long settled = 0;
            long last = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT name, value FROM mirror_counter");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    switch (rs.getString(1)) {
                        case ACCEPTED -> accepted = rs.getLong(2);
                        case SETTLED -> settled = rs.getLong(2);
                        case LAST_SETTLED_AT -> last = rs.getLong(2);
                        default -> { }
                    }
                }
            }
            return new Delivery(accepted, settled, last == 0 ? null : Instant.ofEpochMilli(last));
        });
    }

    private static void bindQueued(PreparedStatement ps, InventoryUpdate u, String channel, Instant receivedAt) throws SQLException {
        ps.setString(1, u.updateId());
        ps.setString(2, u.sku());
        ps.setString(3, u.type().name());
        ps.setString(4, u.terminalId());
        ps.setString(5, channel);
        ps.setLong(6, u.occurredAt().toEpochMilli());
        ps.setLong(7, receivedAt.toEpochMilli());
        ps.setString(8, u.name());
        ps.setBigDecimal(9, u.price());
        setLong(ps, 10, u.quantity());
        setLong(ps, 11, u.delta());
    }

    static void addToCounter(Connection c, String name, long by) throws SQLException {
        if (by == 0) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(ADD_TO_COUNTER)) {
            ps.setLong(1, by);
            ps.setString(2, name);
            ps.executeUpdate();
        }
    }

    static String marks(int n) {
        return String.join(",", Collections.nCopies(n, "?"));
    }

    static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }

    static Long getLong(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }

    static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
