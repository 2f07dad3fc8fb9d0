package io.storegateway.hq.simulator;

import io.storegateway.hq.ProductRecord;
import io.storegateway.hq.UpdateResult;
import io.storegateway.hq.UpdateResult.Status;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateType;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One store's inventory as the simulated HQ holds it, with the HQ semantics of docs/HQ-PROTOCOL.md.
 * Every method holds this store's lock, so a batch is atomic with respect to other batches of
 * the same store while different stores never wait for each other.
 */
final class SimulatedStore {

    static final String UNKNOWN_SKU = "unknown sku";

    private final NavigableMap<String, ProductRecord> products = new TreeMap<>();
    /** Only applied updates: a conflicted or rejected one changed nothing, so a resend is judged afresh. */
    private final Set<String> appliedUpdateIds = new HashSet<>();
    /** Per SKU, the ids of the updates applied to it, in the order they were applied. */
    private final Map<String, List<String>> appliedOrder = new HashMap<>();
    private final List<ProductRecord> hqEdits = new ArrayList<>();

    /** A change made at HQ itself; null fields keep the current value. */
    record HqEdit(String name, BigDecimal price, Long quantity, Boolean deleted) {
    }

    record InventoryPage(List<ProductRecord> items, String next) {
    }

    record ChangesPage(List<ProductRecord> changes, long cursor) {
    }

    synchronized List<UpdateResult> applyBatch(List<InventoryUpdate> updates, Instant now) {
        List<UpdateResult> results = new ArrayList<>(updates.size());
        for (InventoryUpdate update : updates) {
            results.add(apply(update, now));
        }
        return results;
    }

    private UpdateResult apply(InventoryUpdate u, Instant now) {
        ProductRecord current = products.get(u.sku());
        if (appliedUpdateIds.contains(u.updateId())) {
            return new UpdateResult(u.updateId(), Status.DUPLICATE, null, current);
        }
        String missing = missingField(u);
        if (missing != null) {
            return new UpdateResult(u.updateId(), Status.REJECTED, missing + " is required for " + u.type(), current);
        }
        boolean live = current != null && !current.deleted();
        if (u.type() != UpdateType.UPSERT_PRODUCT && !live) {
            return new UpdateResult(u.updateId(), Status.REJECTED, UNKNOWN_SKU, current);
        }
        if (isStale(u, current)) {
            String reason = "baseVersion " + u.baseVersion() + " is behind HQ version " + current.version();
            return new UpdateResult(u.updateId(), Status.CONFLICT, reason, current);
        }
        ProductRecord changed = changed(u, current, now);
        products.put(u.sku(), changed);
        appliedUpdateIds.add(u.updateId());
        appliedOrder.computeIfAbsent(u.sku(), k -> new ArrayList<>()).add(u.updateId());
        return new UpdateResult(u.updateId(), Status.APPLIED, null, changed);
    }

    private static String missingField(InventoryUpdate u) {
        return switch (u.type()) {
            case SET_QUANTITY -> u.quantity() == null ? "quantity" : null;
            case ADJUST_QUANTITY -> u.delta() == null ? "delta" : null;
            case SET_PRICE -> u.price() == null ? "price" : null;
            case UPSERT_PRODUCT, DELETE_PRODUCT -> null;
        };
    }

    /** Adjustments commute, so only absolute changes can be stale. */
    private static boolean isStale(InventoryUpdate u, ProductRecord current) {
        return u.type() != UpdateType.ADJUST_QUANTITY
                && !u.force()
                && current != null
                && u.baseVersion() != null
                && u.baseVersion() < current.version();
    }

    private static ProductRecord changed(InventoryUpdate u, ProductRecord current, Instant now) {
        return switch (u.type()) {
            case UPSERT_PRODUCT -> upserted(u, current, now);
            case SET_QUANTITY -> next(current, current.name(), current.price(), u.quantity(), false, now);
            case ADJUST_QUANTITY -> next(current, current.name(), current.price(), current.quantity() + u.delta(), false, now);
            case SET_PRICE -> next(current, current.name(), u.price(), current.quantity(), false, now);
            case DELETE_PRODUCT -> next(current, current.name(), current.price(), current.quantity(), true, now);
        };
    }

    /** Creates an unknown sku at version 1; revives a deleted one at its next version. */
    private static ProductRecord upserted(InventoryUpdate u, ProductRecord current, Instant now) {
        if (current == null) {
            long quantity = u.quantity() == null ? 0 : u.quantity();
            return new ProductRecord(u.sku(), u.name(), u.price(), quantity, 1, now, false);
        }
        return next(current,
                u.name() != null ? u.name() : current.name(),
                u.price() != null ? u.price() : current.price(),
                u.quantity() != null ? u.quantity() : current.quantity(),
                false, now);
    }

    private static ProductRecord next(ProductRecord current, String name, BigDecimal price, long quantity,
                                      boolean deleted, Instant now) {
        return new ProductRecord(current.sku(), name, price, quantity, current.version() + 1, now, deleted);
    }

    synchronized ProductRecord editAtHq(String sku, HqEdit edit, Instant now) {
        ProductRecord current = products.get(sku);
        ProductRecord edited = current == null
                ? new ProductRecord(sku, edit.name(), edit.price(), orElse(edit.quantity(), 0L), 1, now,
                        orElse(edit.deleted(), false))
                : next(current,
                        orElse(edit.name(), current.name()),
                        orElse(edit.price(), current.price()),
                        orElse(edit.quantity(), current.quantity()),
                        orElse(edit.deleted(), current.deleted()),
                        now);
        products.put(sku, edited);
        hqEdits.add(edited);
        return edited;
    }

    private static <T> T orElse(T value, T fallback) {
        return value != null ? value : fallback;
    }

    /** Replaces records as given, without touching versions or the changes log. */
    synchronized void seed(Collection<ProductRecord> records) {
        for (ProductRecord r : records) {
            products.put(r.sku(), r);
        }
    }

    synchronized Optional<ProductRecord> product(String sku) {
        return Optional.ofNullable(products.get(sku));
    }

    synchronized List<ProductRecord> inventory() {
        return List.copyOf(products.values());
    }

    synchronized int appliedCount() {
        return appliedUpdateIds.size();
    }

    synchronized List<String> appliedOrder(String sku) {
        return List.copyOf(appliedOrder.getOrDefault(sku, List.of()));
    }

    /** Products after {@code after} (exclusive, null = from the start); {@code next} is set while more remain. */
    synchronized InventoryPage page(String after, int limit) {
        Collection<ProductRecord> rest = after == null ? products.values() : products.tailMap(after, false).values();
        List<ProductRecord> items = new ArrayList<>(Math.min(limit, rest.size()));
        for (ProductRecord r : rest) {
            if (items.size() == limit) {
                return new InventoryPage(items, items.get(items.size() - 1).sku());
            }
            items.add(r);
        }
        return new InventoryPage(items, null);
    }

    /** Edits made at HQ from sequence number {@code since} on; the cursor is where the next call starts. */
    synchronized ChangesPage changesSince(long since, int max) {
        int from = (int) Math.min(Math.max(since, 0), hqEdits.size());
        int to = Math.min(from + max, hqEdits.size());
        return new ChangesPage(List.copyOf(hqEdits.subList(from, to)), to);
    }
}
