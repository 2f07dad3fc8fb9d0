package io.storegateway.mirror;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Optional;

/** Small named values that must survive a restart (the {@code sync_state} table). */
public final class SyncState {

    public static final String CHANGES_CURSOR = "hq.changes.cursor";
    public static final String LAST_RECONCILE = "reconcile.last";

    private final MirrorDatabase db;

    public SyncState(MirrorDatabase db) {
        this.db = db;
    }

    public Optional<String> get(String name) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT state_value FROM sync_state WHERE state_key = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    public void put(String name, String value, Instant now) {
        db.inTransaction(c -> {
            int updated;
            try (PreparedStatement ps = c.prepareStatement("UPDATE sync_state SET state_value = ?, updated_at = ? WHERE state_key = ?")) {
                ps.setString(1, value);
                ps.setLong(2, now.toEpochMilli());
                ps.setString(3, name);
                updated = ps.executeUpdate();
            }
            if (updated == 0) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO sync_state (state_key, state_value, updated_at) VALUES (?,?,?)")) {
                    ps.setString(1, name);
                    ps.setString(2, value);
                    ps.setLong(3, now.toEpochMilli());
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }
}
