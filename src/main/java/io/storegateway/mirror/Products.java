package io.storegateway.mirror;

import io.storegateway.hq.ProductRecord;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static io.storegateway.mirror.AcceptedUpdates.getLong;
import static io.storegateway.mirror.AcceptedUpdates.marks;
import static io.storegateway.mirror.AcceptedUpdates.setLong;

/**
 * The {@code product} table: HQ's acknowledged state, and per field when HQ last changed it and
 * whether that change was this store's own. Writes are diffs keyed by SKU and HQ version: a record
 * older than or equal to the mirror's changes nothing, so replaying HQ's answers is harmless.
 */
public final class Products {

    /** The fields whose last change is kept, in the order of their columns. */
    static final List<String> TRACKED = List.of("name", "price", "quantity", "deleted");

    private static final String FOREIGN_COLUMNS = "name_foreign_version, name_foreign_at, price_foreign_version, price_foreign_at, "
            + "quantity_foreign_version, quantity_foreign_at, deleted_foreign_version, deleted_foreign_at";
    private static final String COLUMNS = "sku, name, price, quantity, version, updated_at, deleted, "
            + "name_version, name_at, name_by_store, price_version, price_at, price_by_store, "
            + "quantity_version, quantity_at, quantity_by_store, deleted_version, deleted_at, deleted_by_store, " + FOREIGN_COLUMNS;
    private static final String SELECT = "SELECT " + COLUMNS + " FROM product ";
    private static final String INSERT = "INSERT INTO product (name, price, quantity, version, updated_at, deleted, synced_at, "
            + "name_version, name_at, name_by_store, price_version, price_at, price_by_store, "
            + "quantity_version, quantity_at, quantity_by_store, deleted_version, deleted_at, deleted_by_store, "
            + FOREIGN_COLUMNS + ", sku) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    private static final String UPDATE = "UPDATE product SET name = ?, price = ?, quantity = ?, version = ?, updated_at = ?, "
            + "deleted = ?, synced_at = ?, name_version = ?, name_at = ?, name_by_store = ?, price_version = ?, price_at = ?, "
            + "price_by_store = ?, quantity_version = ?, quantity_at = ?, quantity_by_store = ?, deleted_version = ?, "
            + "deleted_at = ?, deleted_by_store = ?, name_foreign_version = ?, name_foreign_at = ?, price_foreign_version = ?, "
            + "price_foreign_at = ?, quantity_foreign_version = ?, quantity_foreign_at = ?, deleted_foreign_version = ?, "
            + "deleted_foreign_at = ? WHERE sku = ?";
    private static final String AUDIT =
            "INSERT INTO mirror_audit (sku, field, old_value, new_value, source, update_id, changed_at) VALUES (?,?,?,?,?,?,?)";

    /** When HQ last changed one field of a product, and whether this store's own update made that change. */
    public record FieldChange(long version, Instant at, boolean byStore) {
    }

    /**
     * A product row: HQ's record, the last change of each {@link #TRACKED} field, and the last change of
     * each that did not come from this store ({@code foreign}; absent: none known, or not recorded by the
     * version that wrote the row).
     */
    public record Row(ProductRecord record, Map<String, FieldChange> changes, Map<String, FieldChange> foreign) {
    }

    /**
     * One record from HQ to take into the mirror. {@code storeApplied}: it is HQ's answer APPLIED to
     * this store's update {@code updateId}, so the version it reached was the store's change when it is
     * the one right after the mirror's.
     */
    record HqChange(ProductRecord record, String updateId, boolean storeApplied) {
    }

    Optional<ProductRecord> find(Connection c, String sku) throws SQLException {
        return findRow(c, sku).map(Row::record);
    }

    Optional<Row> findRow(Connection c, String sku) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + "WHERE sku = ?")) {
            ps.setString(1, sku);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
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
     * SKUs after {@code after} that the mirror knows from HQ or from queued local updates, in order:
     * a page of {@code product}, merged with one index seek per SKU that has queued updates.
     */
    List<String> skusAfter(Connection c, String after, int limit) throws SQLException {
        TreeSet<String> skus = new TreeSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT sku FROM product WHERE sku > ? ORDER BY sku LIMIT " + limit)) {
            ps.setString(1, after);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    skus.add(rs.getString(1));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT sku FROM queued_update WHERE sku > ? ORDER BY sku LIMIT 1")) {
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
        Optional<Row> current = findRow(c, hq.sku());
        if (current.isPresent() && current.get().record().version() >= hq.version()) {
            return false;
        }
        write(c, new HqChange(hq, updateId, false), current.orElse(null), source, now);
        return true;
    }

    /**
     * {@link #apply} for HQ's records to a whole batch, in their order, with JDBC batches: one query
     * reads the current rows, the diffs are made in memory (a SKU twice in the batch is diffed against
     * its state after the first), then one batch of product writes and one of audit rows.
     */
    void applyAll(Connection c, List<HqChange> changes, String source, Instant now) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        Map<String, Row> state = findAll(c, new LinkedHashSet<>(changes.stream().map(ch -> ch.record().sku()).toList()));
        Set<String> stored = new HashSet<>(state.keySet());
        Map<String, Row> written = new LinkedHashMap<>();
        try (PreparedStatement audit = c.prepareStatement(AUDIT)) {
            int audits = 0;
            for (HqChange change : changes) {
                ProductRecord hq = change.record();
                Row current = state.get(hq.sku());
                if (current != null && current.record().version() >= hq.version()) {
                    continue;
                }
                audits += addAudit(audit, hq.sku(), diff(current == null ? null : current.record(), hq), source, change.updateId(), now);
                Row next = next(current, change);
                state.put(hq.sku(), next);
                written.put(hq.sku(), next);
            }
            if (written.isEmpty()) {
                return;
            }
            try (PreparedStatement insert = c.prepareStatement(INSERT);
                 PreparedStatement update = c.prepareStatement(UPDATE)) {
                int inserts = 0;
                int updates = 0;
                for (Row row : written.values()) {
                    boolean isNew = !stored.contains(row.record().sku());
                    PreparedStatement ps = isNew ? insert : update;
                    bindRow(ps, row, now);
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
    void overwrite(Connection c, ProductRecord hq, Row current, String source, Instant now) throws SQLException {
        write(c, new HqChange(hq, null, false), current, source, now);
    }

    private void write(Connection c, HqChange change, Row current, String source, Instant now) throws SQLException {
        List<String[]> changes = diff(current == null ? null : current.record(), change.record());
        try (PreparedStatement ps = c.prepareStatement(current == null ? INSERT : UPDATE)) {
            bindRow(ps, next(current, change), now);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(AUDIT)) {
            if (addAudit(ps, change.record().sku(), changes, source, change.updateId(), now) > 0) {
                ps.executeBatch();
            }
        }
    }

    /**
     * The row after HQ's record: each tracked field that changed gets HQ's version and time, and counts
     * as the store's own change only when HQ applied the store's update onto the very version the
     * mirror had (a gap could hold a change of HQ's, which is never taken for the store's).
     */
    static Row next(Row current, HqChange change) {
        ProductRecord hq = change.record();
        ProductRecord old = current == null ? null : current.record();
        long previous = old == null ? 0 : old.version();
        boolean byStore = change.storeApplied() && hq.version() == previous + 1;
        Map<String, FieldChange> fields = new HashMap<>(current == null ? Map.of() : current.changes());
        Map<String, FieldChange> foreign = new HashMap<>(current == null ? Map.of() : current.foreign());
        FieldChange now = new FieldChange(hq.version(), hq.updatedAt(), byStore);
        List<String> changed = new ArrayList<>();
        if (old == null || !Objects.equals(old.name(), hq.name())) {
            changed.add("name");
        }
        if (old == null || !Objects.equals(plain(old.price()), plain(hq.price()))) {
            changed.add("price");
        }
        if (old == null || old.quantity() != hq.quantity()) {
            changed.add("quantity");
        }
        if (old == null || old.deleted() != hq.deleted()) {
            changed.add("deleted");
        }
        for (String field : changed) {
            fields.put(field, now);
            if (!byStore) {
                foreign.put(field, now);
            }
        }
        return new Row(hq, fields, foreign);
    }

    private static void bindRow(PreparedStatement ps, Row row, Instant now) throws SQLException {
        ProductRecord hq = row.record();
        ps.setString(1, hq.name());
        ps.setBigDecimal(2, hq.price());
        ps.setLong(3, hq.quantity());
        ps.setLong(4, hq.version());
        setLong(ps, 5, hq.updatedAt() == null ? null : hq.updatedAt().toEpochMilli());
        ps.setBoolean(6, hq.deleted());
        ps.setLong(7, now.toEpochMilli());
        int i = 8;
        for (String field : TRACKED) {
            FieldChange ch = row.changes().get(field);
            setLong(ps, i++, ch == null ? null : ch.version());
            setLong(ps, i++, ch == null || ch.at() == null ? null : ch.at().toEpochMilli());
            if (ch == null) {
                ps.setNull(i++, Types.BOOLEAN);
            } else {
                ps.setBoolean(i++, ch.byStore());
            }
        }
        for (String field : TRACKED) {
            FieldChange f = row.foreign().get(field);
            setLong(ps, i++, f == null ? null : f.version());
            setLong(ps, i++, f == null || f.at() == null ? null : f.at().toEpochMilli());
        }
        ps.setString(i, hq.sku());
    }

    /** Rows for these SKUs, by SKU. */
    Map<String, Row> findAll(Connection c, Collection<String> skus) throws SQLException {
        Map<String, Row> out = new HashMap<>();
        if (skus.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement(SELECT + "WHERE sku IN (" + marks(skus.size()) + ")")) {
            int i = 1;
            for (String sku : skus) {
                ps.setString(i++, sku);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Row r = row(rs);
                    out.put(r.record().sku(), r);
                }
            }
        }
        return out;
    }

    void markSeen(Connection c, Collection<String> skus, long run) throws SQLException {
        if (skus.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE product SET reconcile_run = ? WHERE sku IN (" + marks(skus.size()) + ")")) {
            ps.setLong(1, run);
            int i = 2;
            for (String sku : skus) {
                ps.setString(i++, sku);
            }
            ps.executeUpdate();
        }
    }

    /** SKUs among these whose row was written at or after {@code since} (by forwarding, say). */
    Set<String> writtenSince(Connection c, Collection<String> skus, Instant since) throws SQLException {
        Set<String> out = new HashSet<>();
        if (skus.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT sku FROM product WHERE synced_at >= ? AND sku IN ("
                + marks(skus.size()) + ")")) {
            ps.setLong(1, since.toEpochMilli());
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
    List<Row> unseen(Connection c, long run, Instant runStart, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT
                + "WHERE (reconcile_run IS NULL OR reconcile_run <> ?) AND synced_at < ? LIMIT " + limit)) {
            ps.setLong(1, run);
            ps.setLong(2, runStart.toEpochMilli());
            List<Row> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
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
        try (PreparedStatement ps = c.prepareStatement(AUDIT)) {
            addAudit(ps, row.sku(), List.<String[]>of(new String[] {"row", "present", null}), source, null, now);
            ps.executeBatch();
        }
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

    /** A price as the mirror compares and audits it: two decimals (HQ may send 2.5 for 2.50). */
    static String plain(BigDecimal d) {
        return d == null ? null : d.setScale(2, RoundingMode.HALF_UP).toPlainString();
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
            ps.setLong(7, now.toEpochMilli());
            ps.addBatch();
        }
        return changes.size();
    }

    private static Row row(ResultSet rs) throws SQLException {
        Long updated = getLong(rs, 6);
        ProductRecord record = new ProductRecord(rs.getString(1), rs.getString(2), rs.getBigDecimal(3), rs.getLong(4),
                rs.getLong(5), updated == null ? null : Instant.ofEpochMilli(updated), rs.getBoolean(7));
        Map<String, FieldChange> changes = new HashMap<>();
        int i = 8;
        for (String field : TRACKED) {
            Long version = getLong(rs, i);
            Long at = getLong(rs, i + 1);
            boolean byStore = rs.getBoolean(i + 2);
            if (version != null) {
                changes.put(field, new FieldChange(version, at == null ? null : Instant.ofEpochMilli(at), byStore));
            }
            i += 3;
        }
        Map<String, FieldChange> foreign = new HashMap<>();
        for (String field : TRACKED) {
            Long version = getLong(rs, i);
            Long at = getLong(rs, i + 1);
            if (version != null) {
                foreign.put(field, new FieldChange(version, at == null ? null : Instant.ofEpochMilli(at), false));
            }
            i += 2;
        }
        return new Row(record, changes, foreign);
    }
}
