package io.storegateway.forward;

import io.storegateway.conflict.ConflictResolver.ForeignChanges;
import io.storegateway.hq.ProductRecord;
import io.storegateway.mirror.HqChangesPoller;
import io.storegateway.mirror.MirrorWriter;
import io.storegateway.mirror.Products;
import io.storegateway.update.InventoryUpdate;

import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * For a CONFLICT answer: did HQ, after the update's base version, change a field the update writes,
 * other than through this store's own updates? The mirror keeps, per field, HQ's last change that did
 * not come from this store. It must have seen every version up to HQ's: versions it has not are this
 * batch's own applied updates, or else HQ's changes are fetched first (then a version still missing may
 * be one of the batch's updates HQ applied on an earlier try, one each); if more are unaccounted for,
 * the answer is "unknown" and the conflict is settled as a true one. It never guesses.
 */
final class ForeignChangeLookup {

    private static final Logger LOG = LoggerFactory.getLogger(ForeignChangeLookup.class);

    private final MirrorWriter mirror;
    private final HqChangesPoller changes;

    ForeignChangeLookup(MirrorWriter mirror, HqChangesPoller changes) {
        this.mirror = mirror;
        this.changes = changes;
    }

    /**
     * @param storeVersions the versions this batch's updates of the SKU reached (HQ's APPLIED answers), which
     *                      the mirror has not recorded yet
     * @param appliedBefore how many of this batch's updates of the SKU HQ answered DUPLICATE: it applied them
     *                      on an earlier try of the batch (whose answer was lost or not settled), one version
     *                      each, which neither the mirror nor HQ's changes (edits made at HQ) know as the store's
     */
    ForeignChanges since(CamelContext camel, InventoryUpdate update, ProductRecord hqNow, Set<Long> storeVersions,
                         int appliedBefore) {
        if (update.baseVersion() == null) {
            return ForeignChanges.UNKNOWN;
        }
        long base = update.baseVersion();
        Optional<Products.Row> row = mirror.row(update.sku());
        if (row.isEmpty() || unaccounted(row.get(), base, hqNow.version(), storeVersions) > 0) {
            try {
                changes.poll(camel);
            } catch (Exception e) {
                LOG.debug("HQ's changes could not be fetched before settling a conflict on {}: {}", update.sku(), e.toString());
                return ForeignChanges.UNKNOWN;
            }
            row = mirror.row(update.sku());
            // HQ's edits are in the mirror now: a version still unknown can be one of the batch's updates
            // HQ applied on an earlier try (before, it made every redelivered batch's conflict a true one)
            if (row.isEmpty() || unaccounted(row.get(), base, hqNow.version(), storeVersions) > appliedBefore) {
                return ForeignChanges.UNKNOWN;
            }
        }
        Instant latest = null;
        for (String field : written(update)) {
            Products.FieldChange foreign = row.get().foreign().get(field);
            if (foreign == null) {
                Products.FieldChange last = row.get().changes().get(field);
                if (last == null || last.byStore()) {
                    return ForeignChanges.UNKNOWN; // written before foreign changes were kept: cannot tell
                }
                foreign = last;
            }
            if (foreign.version() > base) {
                if (foreign.at() == null) {
                    return ForeignChanges.UNKNOWN;
                }
                latest = latest == null || foreign.at().isAfter(latest) ? foreign.at() : latest;
            }
        }
        return latest == null ? ForeignChanges.NONE : ForeignChanges.latestAt(latest);
    }

    /** How many versions after what the mirror has, up to HQ's, are not one of this batch's own. */
    private static long unaccounted(Products.Row row, long base, long hqVersion, Set<Long> storeVersions) {
        long n = 0;
        for (long v = Math.max(row.record().version(), base) + 1; v <= hqVersion; v++) {
            if (!storeVersions.contains(v)) {
                n++;
            }
        }
        return n;
    }

    /** The fields an update sets. */
    static List<String> written(InventoryUpdate u) {
        return switch (u.type()) {
            case SET_PRICE -> List.of("price");
            case SET_QUANTITY -> List.of("quantity");
            case UPSERT_PRODUCT -> List.of("name", "price", "quantity", "deleted");
            case DELETE_PRODUCT -> List.of("deleted");
            case ADJUST_QUANTITY -> List.of("quantity");
        };
    }
}
