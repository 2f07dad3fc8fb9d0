package io.storegateway.mirror;

import io.storegateway.hq.ProductRecord;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.storegateway.mirror.AcceptedUpdates.getLong;

/** Reads the effective view of products from the mirror: HQ's state plus pending local updates. */
public final class ProductViews {

    public static final int MAX_PAGE = 500;

    /**
     * What a SKU's queued updates add up to, in one statement over its rows (index (sku, seq)): the
     * value of the last update that sets each field, and the quantity deltas after the last one that
     * sets the quantity.
     */
    static final String PENDING = "WITH mark AS ("
            + "SELECT COUNT(*) AS n, "
            + "MAX(CASE WHEN type IN ('UPSERT_PRODUCT', 'SET_QUANTITY') THEN seq END) AS q_seq, "
            + "MAX(CASE WHEN type IN ('UPSERT_PRODUCT', 'SET_PRICE') THEN seq END) AS p_seq, "
            + "MAX(CASE WHEN type = 'UPSERT_PRODUCT' THEN seq END) AS n_seq, "
            + "MAX(CASE WHEN type IN ('UPSERT_PRODUCT', 'DELETE_PRODUCT') THEN seq END) AS d_seq "
            + "FROM queued_update WHERE sku = ?) "
            + "SELECT n, "
            + "(SELECT quantity FROM queued_update WHERE seq = mark.q_seq), "
            + "(SELECT SUM(delta) FROM queued_update WHERE sku = ? AND seq > COALESCE(mark.q_seq, 0) AND type = 'ADJUST_QUANTITY'), "
            + "(SELECT price FROM queued_update WHERE seq = mark.p_seq), "
            + "(SELECT name FROM queued_update WHERE seq = mark.n_seq), "
            + "(SELECT type FROM queued_update WHERE seq = mark.d_seq) "
            + "FROM mark";

    private final MirrorDatabase db;
    private final Products products;
    private final ConflictRecords conflicts;

    public ProductViews(MirrorDatabase db, Products products, ConflictRecords conflicts) {
        this.db = db;
        this.products = products;
        this.conflicts = conflicts;
    }

    public Optional<ProductView> find(String sku) {
        return db.read(c -> view(c, sku));
    }

    /** One page in SKU order; {@code next} is the cursor for the following page, null at the end. */
    public Page page(String after, int limit) {
        int size = Math.max(1, Math.min(limit, MAX_PAGE));
        return db.read(c -> {
            List<String> skus = products.skusAfter(c, after == null ? "" : after, size + 1);
            List<ProductView> items = new ArrayList<>();
            for (String sku : skus.subList(0, Math.min(size, skus.size()))) {
                view(c, sku).ifPresent(items::add);
            }
            String next = skus.size() > size ? skus.get(size - 1) : null;
            return new Page(items, next);
        });
    }

    private Optional<ProductView> view(Connection c, String sku) throws SQLException {
        Optional<ProductRecord> hq = products.find(c, sku);
        Pending pending = pending(c, sku);
        if (hq.isEmpty() && pending.count() == 0) {
            return Optional.empty();
        }
        ProductView v = effective(sku, hq.orElse(null), pending);
        if (conflicts.openFor(c, sku)) {
            v = new ProductView(v.sku(), v.name(), v.price(), v.quantity(), v.version(), v.deleted(),
                    ProductView.SyncState.CONFLICT, v.pending(), v.hq());
        }
        return Optional.of(v);
    }

    /**
     * The sum of a SKU's queued updates: how many; the quantity the last SET_QUANTITY or UPSERT set
     * (null: none) and the deltas after it; the last price and name set (null: none); whether the last
     * UPSERT or DELETE deleted it (null: neither).
     */
    record Pending(int count, Long quantity, long delta, BigDecimal price, String name, Boolean deleted) {
        static final Pending NONE = new Pending(0, null, 0, null, null, null);
    }

    static Pending pending(Connection c, String sku) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(PENDING)) {
            ps.setString(1, sku);
            ps.setString(2, sku);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getInt(1) == 0) {
                    return Pending.NONE;
                }
                Long delta = getLong(rs, 3);
                String lastOfRow = rs.getString(6);
                return new Pending(rs.getInt(1), getLong(rs, 2), delta == null ? 0 : delta, rs.getBigDecimal(4), rs.getString(5),
                        lastOfRow == null ? null : "DELETE_PRODUCT".equals(lastOfRow));
            }
        }
    }

    static ProductView effective(String sku, ProductRecord hq, Pending pending) {
        String name = pending.name() != null ? pending.name() : hq == null ? null : hq.name();
        BigDecimal price = pending.price() != null ? pending.price() : hq == null ? null : hq.price();
        long base = pending.quantity() != null ? pending.quantity() : hq == null ? 0 : hq.quantity();
        boolean deleted = pending.deleted() != null ? pending.deleted() : hq != null && hq.deleted();
        ProductView.SyncState state = pending.count() == 0 ? ProductView.SyncState.SYNCED : ProductView.SyncState.PENDING;
        return new ProductView(sku, name, price, base + pending.delta(), hq == null ? null : hq.version(), deleted, state,
                pending.count(), hq);
    }

    public record Page(List<ProductView> items, String next) {
    }
}
