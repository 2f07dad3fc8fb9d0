package io.storegateway.mirror;

import io.storegateway.hq.ProductRecord;
import io.storegateway.update.InventoryUpdate;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads the effective view of products from the mirror: HQ's state plus pending local updates. */
public final class ProductViews {

    public static final int MAX_PAGE = 500;

    private final MirrorDatabase db;
    private final AcceptedUpdates updates;
    private final Products products;
    private final ConflictRecords conflicts;

    public ProductViews(MirrorDatabase db, AcceptedUpdates updates, Products products, ConflictRecords conflicts) {
        this.db = db;
        this.updates = updates;
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
        List<InventoryUpdate> pending = updates.pending(c, sku);
        if (hq.isEmpty() && pending.isEmpty()) {
            return Optional.empty();
        }
        ProductView v = effective(sku, hq.orElse(null), pending);
        if (conflicts.openFor(c, sku)) {
            v = new ProductView(v.sku(), v.name(), v.price(), v.quantity(), v.version(), v.deleted(),
                    ProductView.SyncState.CONFLICT, v.pending(), v.hq());
        }
        return Optional.of(v);
    }

    static ProductView effective(String sku, ProductRecord hq, List<InventoryUpdate> pending) {
        String name = hq == null ? null : hq.name();
        BigDecimal price = hq == null ? null : hq.price();
        long quantity = hq == null ? 0 : hq.quantity();
        boolean deleted = hq != null && hq.deleted();
        for (InventoryUpdate u : pending) {
            switch (u.type()) {
                case UPSERT_PRODUCT -> {
                    name = u.name();
                    price = u.price();
                    quantity = u.quantity();
                    deleted = false;
                }
                case SET_QUANTITY -> quantity = u.quantity();
                case ADJUST_QUANTITY -> quantity += u.delta();
                case SET_PRICE -> price = u.price();
                case DELETE_PRODUCT -> deleted = true;
            }
        }
        ProductView.SyncState state = pending.isEmpty() ? ProductView.SyncState.SYNCED : ProductView.SyncState.PENDING;
        return new ProductView(sku, name, price, quantity, hq == null ? null : hq.version(), deleted, state,
                pending.size(), hq);
    }

    public record Page(List<ProductView> items, String next) {
    }
}
