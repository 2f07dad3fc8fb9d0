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
 * batch's own applied updates, or else HQ's changes are fetched first; if some version is still
 * unaccounted for, the answer is "unknown" and the conflict is settled as a true one. It never guesses.
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
     */
    ForeignChanges since(CamelContext camel, InventoryUpdate update, ProductRecord hqNow, Set<Long> storeVersions) {
        if (update.baseVersion() == null) {
            return ForeignChanges.UNKNOWN;
        }
        long base = update.baseVersion();
        Optional<Products.Row> row = mirror.row(update.sku());
        if (row.isEmpty() || !accountedFor(row.get(), base, hqNow.version(), storeVersions)) {
            try {
                changes.poll(camel);
            } catch (Exception e) {
                LOG.debug("HQ's changes could not be fetched before settling a conflict on {}: {}", update.sku(), e.toString());
                return ForeignChanges.UNKNOWN;
            }
            row = mirror.row(update.sku());
            if (row.isEmpty() || !accountedFor(row.get(), base, hqNow.version(), storeVersions)) {
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

    /** Every version after what the mirror has, up to HQ's, is one of this batch's own. */
    private static boolean accountedFor(Products.Row row, long base, long hqVersion, Set<Long> storeVersions) {
        for (long v = Math.max(row.record().version(), base) + 1; v <= hqVersion; v++) {
            if (!storeVersions.contains(v)) {
                return false;
            }
        }
        return true;
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
