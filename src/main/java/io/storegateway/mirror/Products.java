package io.storegateway.mirror;

import io.storegateway.hq.ProductRecord;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static io.storegateway.mirror.AcceptedUpdates.odt;

/**
 * The {@code product} table: HQ's acknowledged state. Writes are diffs keyed by SKU and HQ version:
 * a record older than or equal to the mirror's changes nothing, so replaying HQ's answers is harmless.
 */
public final class Products {

    private static final String SELECT = "SELECT sku, name, price, quantity, version, updated_at, deleted FROM product ";

    Optional<ProductRecord> find(Connection c, String sku) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + "WHERE sku = ?")) {
            ps.setString(1, sku);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(record(rs)) : Optional.empty();
            }
        }
    }

    long count(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM product");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * SKUs after {@code after} that the mirror knows from HQ or from pending local updates, in order.
     * Two index walks merged here, not a UNION over every queued row: a week's backlog can hold a
     * million of them.
     */
    List<String> skusAfter(Connection c, String after, int limit) throws SQLException {
        java.util.TreeSet<String> skus = new java.util.TreeSet<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT sku FROM product WHERE sku > ? ORDER BY sku FETCH FIRST " + limit + " ROWS ONLY")) {
            ps.setString(1, after);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    skus.add(rs.getString(1));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                // ORDER BY + FETCH FIRST walks the (status, sku) index; MIN(sku) would scan every queued row.
                "SELECT sku FROM store_update WHERE status = 'QUEUED' AND sku > ? ORDER BY status, sku FETCH FIRST 1 ROWS ONLY")) {
            String from = after;
            for (int i = 0; i < limit; i++) {
                ps.setString(1, from);
                String next;
                try (ResultSet rs = ps.executeQuery()) {
                    next = rs.next() ? rs.getString(1) : null;
                }
                if (next == null || (skus.size() >= limit && next.compareTo(skus.last()) > 0)) {
                    break;
                }
                skus.add(next);
                from = next;
            }
        }
        return skus.stream().limit(limit).toList();
    }

    /**
     * Takes HQ's record into the mirror when it is newer, with one audit row per changed field.
     * Returns whether anything was written.
     */
    boolean apply(Connection c, ProductRecord hq, String source, String updateId, Instant now) throws SQLException {
        Optional<ProductRecord> current = find(c, hq.sku());
        if (current.isPresent() && current.get().version() >= hq.version()) {
            return false;
        }
        write(c, hq, current.orElse(null), source, updateId, now);
        return true;
    }

    /**
     * {@link #apply} for HQ's records to a whole batch, in their order, with JDBC batches: one query
     * reads the current rows, the diffs are made in memory (a SKU twice in the batch is diffed against
     * its state after the first), then one batch of product writes and one of audit rows. The same
     * rows and audit rows as applying them one by one. {@code updateIds} pairs with {@code records}.
     */
    void applyAll(Connection c, List<ProductRecord> records, List<String> updateIds, String source, Instant now)
            throws SQLException {
        if (records.isEmpty()) {
            return;
        }
        java.util.Map<String, ProductRecord> state = findAll(c, new java.util.LinkedHashSet<>(records.stream().map(ProductRecord::sku).toList()));
        java.util.Set<String> stored = new java.util.HashSet<>(state.keySet());
        java.util.Map<String, ProductRecord> written = new java.util.LinkedHashMap<>();
        try (PreparedStatement audit = c.prepareStatement(AUDIT)) {
            int audits = 0;
            for (int i = 0; i < records.size(); i++) {
                ProductRecord hq = records.get(i);
                ProductRecord current = state.get(hq.sku());
                if (current != null && current.version() >= hq.version()) {
                    continue;
                }
                audits += addAudit(audit, hq.sku(), diff(current, hq), source, updateIds.get(i), now);
                state.put(hq.sku(), hq);
                written.put(hq.sku(), hq);
            }
            if (written.isEmpty()) {
                return;
            }
            try (PreparedStatement insert = c.prepareStatement(INSERT);
                 PreparedStatement update = c.prepareStatement(UPDATE)) {
                int inserts = 0;
                int updates = 0;
                for (ProductRecord hq : written.values()) {
                    boolean isNew = !stored.contains(hq.sku());
                    PreparedStatement ps = isNew ? insert : update;
                    bindRow(ps, hq, now);
                    ps.addBatch();
                    if (isNew) {
                        inserts++;
                    } else {
                        updates++;
                    }
                }
                if (inserts > 0) {
                    insert.executeBatch();
                }
                if (updates > 0) {
                    update.executeBatch();
                }
            }
            if (audits > 0) {
                audit.executeBatch();
            }
        }
    }

    /** HQ's record, written whatever the mirror holds (reconciliation corrects drift), with audit rows. */
    void overwrite(Connection c, ProductRecord hq, ProductRecord current, String source, Instant now) throws SQLException {
        write(c, hq, current, source, null, now);
    }

    private static final String INSERT =
            "INSERT INTO product (name, price, quantity, version, updated_at, deleted, synced_at, sku) VALUES (?,?,?,?,?,?,?,?)";
    private static final String UPDATE =
            "UPDATE product SET name = ?, price = ?, quantity = ?, version = ?, updated_at = ?, deleted = ?, synced_at = ? WHERE sku = ?";
    private static final String AUDIT =
            "INSERT INTO mirror_audit (sku, field, old_value, new_value, source, update_id, changed_at) VALUES (?,?,?,?,?,?,?)";

    private void write(Connection c, ProductRecord hq, ProductRecord current, String source, String updateId, Instant now)
            throws SQLException {
        List<String[]> changes = diff(current, hq);
        try (PreparedStatement ps = c.prepareStatement(current == null ? INSERT : UPDATE)) {
            bindRow(ps, hq, now);
            ps.executeUpdate();
        }
        audit(c, hq.sku(), changes, source, updateId, now);
    }

    private static void bindRow(PreparedStatement ps, ProductRecord hq, Instant now) throws SQLException {
        ps.setString(1, hq.name());
        ps.setBigDecimal(2, hq.price());
        ps.setLong(3, hq.quantity());
        ps.setLong(4, hq.version());
        ps.setObject(5, odt(hq.updatedAt()));
        ps.setBoolean(6, hq.deleted());
        ps.setObject(7, odt(now));
        ps.setString(8, hq.sku());
    }

    /** Rows for these SKUs, by SKU. */
    java.util.Map<String, ProductRecord> findAll(Connection c, java.util.Collection<String> skus) throws SQLException {
        java.util.Map<String, ProductRecord> out = new java.util.HashMap<>();
        if (skus.isEmpty()) {
            return out;
        }
        String marks = String.join(",", java.util.Collections.nCopies(skus.size(), "?"));
        try (PreparedStatement ps = c.prepareStatement(SELECT + "WHERE sku IN (" + marks + ")")) {
            int i = 1;
            for (String sku : skus) {
                ps.setString(i++, sku);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ProductRecord r = record(rs);
                    out.put(r.sku(), r);
                }
            }
        }
        return out;
    }

    void markSeen(Connection c, java.util.Collection<String> skus, long run) throws SQLException {
        if (skus.isEmpty()) {
            return;
        }
        String marks = String.join(",", java.util.Collections.nCopies(skus.size(), "?"));
        try (PreparedStatement ps = c.prepareStatement("UPDATE product SET reconcile_run = ? WHERE sku IN (" + marks + ")")) {
            ps.setLong(1, run);
            int i = 2;
            for (String sku : skus) {
                ps.setString(i++, sku);
            }
            ps.executeUpdate();
        }
    }

    /** SKUs among these whose row was written at or after {@code since} (by forwarding, say). */
    java.util.Set<String> writtenSince(Connection c, java.util.Collection<String> skus, Instant since) throws SQLException {
        java.util.Set<String> out = new java.util.HashSet<>();
        if (skus.isEmpty()) {
            return out;
        }
        String marks = String.join(",", java.util.Collections.nCopies(skus.size(), "?"));
        try (PreparedStatement ps = c.prepareStatement("SELECT sku FROM product WHERE synced_at >= ? AND sku IN (" + marks + ")")) {
            ps.setObject(1, odt(since));
            int i = 2;
            for (String sku : skus) {
                ps.setString(i++, sku);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /**
     * Up to {@code limit} rows not marked with this run and written before it started: the mirror
     * has them, HQ does not. (A row written since may be a product HQ created after its page was read.)
     */
    List<ProductRecord> unseen(Connection c, long run, Instant runStart, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT
                + "WHERE (reconcile_run IS NULL OR reconcile_run <> ?) AND synced_at < ? FETCH FIRST " + limit + " ROWS ONLY")) {
            ps.setLong(1, run);
            ps.setObject(2, odt(runStart));
            List<ProductRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(record(rs));
                }
            }
            return out;
        }
    }

    void delete(Connection c, ProductRecord row, String source, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM product WHERE sku = ?")) {
            ps.setString(1, row.sku());
            ps.executeUpdate();
        }
        audit(c, row.sku(), List.<String[]>of(new String[] {"row", "present", null}), source, null, now);
    }

    /** Field-by-field differences: {field, old, new}. */
    static List<String[]> diff(ProductRecord old, ProductRecord now) {
        List<String[]> out = new ArrayList<>();
        compare(out, "name", old == null ? null : old.name(), now.name());
        compare(out, "price", old == null ? null : plain(old.price()), plain(now.price()));
        compare(out, "quantity", old == null ? null : Long.toString(old.quantity()), Long.toString(now.quantity()));
        compare(out, "deleted", old == null ? null : Boolean.toString(old.deleted()), Boolean.toString(now.deleted()));
        compare(out, "version", old == null ? null : Long.toString(old.version()), Long.toString(now.version()));
        return out;
    }

    private static void compare(List<String[]> out, String field, String old, String now) {
        if (!Objects.equals(old, now)) {
            out.add(new String[] {field, old, now});
        }
    }

    private static String plain(BigDecimal d) {
        return d == null ? null : d.setScale(2, java.math.RoundingMode.UNNECESSARY).toPlainString();
    }

    private static void audit(Connection c, String sku, List<String[]> changes, String source, String updateId,
                              Instant now) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(AUDIT)) {
            addAudit(ps, sku, changes, source, updateId, now);
            ps.executeBatch();
        }
    }

    private static int addAudit(PreparedStatement ps, String sku, List<String[]> changes, String source, String updateId,
                                Instant now) throws SQLException {
        for (String[] ch : changes) {
            ps.setString(1, sku);
            ps.setString(2, ch[0]);
            ps.setString(3, AcceptedUpdates.truncate(ch[1], 400));
            ps.setString(4, AcceptedUpdates.truncate(ch[2], 400));
            ps.setString(5, source);
            ps.setString(6, updateId);
            ps.setObject(7, odt(now));
            ps.addBatch();
        }
        return changes.size();
    }

    private static ProductRecord record(ResultSet rs) throws SQLException {
        OffsetDateTime updated = rs.getObject(6, OffsetDateTime.class);
        return new ProductRecord(rs.getString(1), rs.getString(2), rs.getBigDecimal(3), rs.getLong(4), rs.getLong(5),
                updated == null ? null : updated.toInstant(), rs.getBoolean(7));
    }
}
