package io.storegateway.mirror;

import io.storegateway.config.GatewaySettings;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Lets go of what is older than {@code gateway.mirror.retention}: settled updates, audit rows and
 * resolved conflicts, oldest first, a small batch per transaction. Queued updates, open conflicts and
 * the settled rows of open conflicts are never pruned. The histories are walked in id order from their start, so a prune that finds
 * nothing old reads one batch of ids and stops (no scan, no index on time).
 */
public final class MirrorRetention {

    public static final String RETENTION = "gateway.mirror.retention";
    static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
    /** Rows deleted per transaction: short enough that ingest and the drain never wait long for the writer. */
    static final int BATCH = 500;

    private final MirrorDatabase db;
    private final Duration retention;
    private final Clock clock;

    MirrorRetention(MirrorDatabase db, Duration retention, Clock clock) {
        this.db = db;
        this.retention = retention;
        this.clock = clock;
    }

    static MirrorRetention from(GatewaySettings settings, MirrorDatabase db, Clock clock) {
        return new MirrorRetention(db, retention(settings), clock);
    }

    /** {@code 0} (keep everything), days ({@code 30}, {@code 30d}), {@code 12h}, {@code 90m}, {@code 45s}, or ISO-8601 ({@code P30D}). */
    public static Duration retention(GatewaySettings settings) {
        String v = settings.get(RETENTION, null);
        return v == null ? DEFAULT_RETENTION : parse(v);
    }

    public static Duration parse(String text) {
        String v = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("p")) {
                return check(Duration.parse(v.toUpperCase(Locale.ROOT)), text);
            }
            char unit = v.charAt(v.length() - 1);
            if (Character.isDigit(unit)) {
                return check(Duration.ofDays(Long.parseLong(v)), text);
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1).trim());
            return check(switch (unit) {
                case 'd' -> Duration.ofDays(n);
                case 'h' -> Duration.ofHours(n);
                case 'm' -> Duration.ofMinutes(n);
                case 's' -> Duration.ofSeconds(n);
                default -> throw new NumberFormatException();
            }, text);
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException | StringIndexOutOfBoundsException e) {
            throw new IllegalStateException(RETENTION + " must be 0 (keep everything), a number of days (30, 30d), hours (12h), "
                    + "minutes (90m), seconds (45s) or an ISO-8601 duration (P30D), not '" + text + "'");
        }
    }

    private static Duration check(Duration d, String text) {
        if (d.isNegative()) {
            throw new NumberFormatException(text);
        }
        return d;
    }

    public Duration retention() {
        return retention;
    }

    /** What one pass let go of. */
    public record Pruned(long settledUpdates, long auditRows, long resolvedConflicts) {
        public long total() {
            return settledUpdates + auditRows + resolvedConflicts;
        }
    }

    /** Prunes everything past the retention, a batch per transaction; {@code pause} runs between batches. */
    Pruned prune(Runnable pause) {
        if (retention.isZero()) {
            return new Pruned(0, 0, 0);
        }
        long cutoff = clock.instant().minus(retention).toEpochMilli();
        long settled = pruneOldest("settled_update", "settled_at", cutoff, pause);
        long audit = pruneOldest("mirror_audit", "changed_at", cutoff, pause);
        long conflicts = 0;
        while (true) {
            int n = db.inUnsyncedTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM conflict WHERE id IN (SELECT id FROM conflict "
                        + "WHERE status = ? AND resolved_at < ? LIMIT " + BATCH + ")")) {
                    ps.setString(1, ConflictRecords.RESOLVED);
                    ps.setLong(2, cutoff);
                    return ps.executeUpdate();
                }
            });
            conflicts += n;
            if (n < BATCH) {
                break;
            }
            pause.run();
        }
        return new Pruned(settled, audit, conflicts);
    }

    /**
     * Deletes the rows at the start of an append-only table (id order) whose time is before the cutoff,
     * up to the first one that is not; a batch of ids at a time. A settled update whose conflict is
     * still open stays. A row stamped out of order (the clock was set back) holds back the ones after
     * it until it too is old enough.
     */
    private long pruneOldest(String table, String timeColumn, long cutoff, Runnable pause) {
        String keep = table.equals("settled_update")
                ? " AND update_id NOT IN (SELECT update_id FROM conflict WHERE status = '" + ConflictRecords.OPEN + "')" : "";
        long total = 0;
        long after = Long.MIN_VALUE;
        while (true) {
            long from = after;
            long upTo = db.read(c -> lastExpiredId(c, table, timeColumn, from, cutoff));
            if (upTo == Long.MIN_VALUE) {
                return total;
            }
            total += db.inUnsyncedTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE id > ? AND id <= ?" + keep)) {
                    ps.setLong(1, from);
                    ps.setLong(2, upTo);
                    return ps.executeUpdate();
                }
            });
            after = upTo;
            pause.run();
        }
    }

    /** The last id of the run of rows after {@code after} (at most a batch) that are older than the cutoff. */
    private static long lastExpiredId(Connection c, String table, String timeColumn, long after, long cutoff) throws SQLException {
        long last = Long.MIN_VALUE;
        try (PreparedStatement ps = c.prepareStatement("SELECT id, " + timeColumn + " FROM " + table
                + " WHERE id > ? ORDER BY id LIMIT " + BATCH)) {
            ps.setLong(1, after);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getLong(2) >= cutoff) {
                        break;
                    }
                    last = rs.getLong(1);
                }
            }
        }
        return last;
    }

    /** The time before which rows are pruned now; null when everything is kept. */
    Instant cutoff() {
        return retention.isZero() ? null : clock.instant().minus(retention);
    }
}
