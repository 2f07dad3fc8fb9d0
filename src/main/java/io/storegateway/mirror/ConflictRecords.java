package io.storegateway.mirror;

import io.storegateway.hq.HqJson;
import io.storegateway.hq.ProductRecord;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code conflict} table: conflicts parked for a person (policy MANUAL), open until resolved. */
public final class ConflictRecords {

    public static final String OPEN = "OPEN";
    public static final String RESOLVED = "RESOLVED";

    private final MirrorDatabase db;

    public ConflictRecords(MirrorDatabase db) {
        this.db = db;
    }

    public record Conflict(long id, String updateId, String sku, InventoryUpdate local, ProductRecord hq, String status,
                           String resolution, Instant createdAt, Instant resolvedAt) {
    }

    /** Parks a conflict inside the caller's transaction; parking the same update twice keeps the first. */
    void park(Connection c, InventoryUpdate local, ProductRecord hq, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO conflict (update_id, sku, local_update, hq_record, status, "
                + "created_at) VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, local.updateId());
            ps.setString(2, local.sku());
            ps.setString(3, UpdateJson.toJsonString(local));
            ps.setString(4, HqJson.toJson(hq).toString());
            ps.setString(5, OPEN);
            ps.setLong(6, now.toEpochMilli());
            ps.executeUpdate();
        }
    }

    boolean openFor(Connection c, String sku) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM conflict WHERE sku = ? AND status = ?")) {
            ps.setString(1, sku);
            ps.setString(2, OPEN);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    public List<Conflict> open() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT + "WHERE status = ? ORDER BY id")) {
                ps.setString(1, OPEN);
                List<Conflict> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row(rs));
                    }
                }
                return out;
            }
        });
    }

    public Optional<Conflict> find(long id) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT + "WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(row(rs)) : Optional.empty();
                }
            }
        });
    }

    /** Marks an open conflict resolved; false when it was not open (resolved meanwhile). */
    public boolean resolve(long id, String resolution, Instant now) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE conflict SET status = ?, resolution = ?, resolved_at = ? WHERE id = ? AND status = ?")) {
                ps.setString(1, RESOLVED);
                ps.setString(2, AcceptedUpdates.truncate(resolution, 200));
                ps.setLong(3, now.toEpochMilli());
                ps.setLong(4, id);
                ps.setString(5, OPEN);
                return ps.executeUpdate() == 1;
            }
        });
    }

    public long countOpen() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM conflict WHERE status = ?")) {
                ps.setString(1, OPEN);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    private static final String SELECT =
            "SELECT id, update_id, sku, local_update, hq_record, status, resolution, created_at, resolved_at FROM conflict ";

    private static Conflict row(ResultSet rs) throws SQLException {
        Long resolved = AcceptedUpdates.getLong(rs, 9);
        try {
            return new Conflict(rs.getLong(1), rs.getString(2), rs.getString(3),
                    UpdateJson.fromTrustedJson(rs.getString(4)),
                    HqJson.recordFromJson(UpdateJson.MAPPER.readTree(rs.getString(5))),
                    rs.getString(6), rs.getString(7), Instant.ofEpochMilli(rs.getLong(8)),
                    resolved == null ? null : Instant.ofEpochMilli(resolved));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
