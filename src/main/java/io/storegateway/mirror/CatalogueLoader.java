package io.storegateway.mirror;

import io.storegateway.hq.HqFeeds;
import io.storegateway.hq.ProductRecord;
import io.storegateway.tasks.BackgroundTasks;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;

/**
 * Fills an empty mirror with HQ's catalogue (its inventory, page by page, from {@link HqFeeds}), so a
 * new gateway can show stock levels before its first update travels. Until it has succeeded once, every call tries
 * again; after that it does nothing (keeping the mirror in step is the job of HQ's answers, and of
 * reconciliation).
 */
public final class CatalogueLoader {

    private final BackgroundTasks tasks;

    public static final String SOURCE_HQ_INVENTORY = "HQ_INVENTORY";

    private static final Logger LOG = LoggerFactory.getLogger(CatalogueLoader.class);

    private final MirrorDatabase db;
    private final Products products;
    private final HqFeeds hq;
    private final Clock clock;
    private volatile boolean loaded;

    public CatalogueLoader(MirrorDatabase db, Products products, HqFeeds hq, Clock clock, BackgroundTasks tasks) {
        this.tasks = tasks;
        this.db = db;
        this.products = products;
        this.hq = hq;
        this.clock = clock;
    }

    public boolean loaded() {
        return loaded;
    }

    /** Route step: loads the catalogue if the mirror has no product yet. */
    public void loadIfEmpty(Exchange exchange) throws Exception {
        if (loaded) {
            return;
        }
        if (db.read(products::count) > 0) {
            loaded = true;
            return;
        }
        try {
            long[] count = {0};
            hq.inventory(exchange.getContext(), "Catalogue load", page -> {
                Instant now = clock.instant();
                db.inTransaction(c -> {
                    for (ProductRecord r : page.records()) {
                        products.apply(c, r, SOURCE_HQ_INVENTORY, null, now);
                    }
                    return null;
                });
                count[0] += page.records().size();
            });
            loaded = true;
            tasks.succeeded(BackgroundTasks.CATALOGUE);
            LOG.atInfo().addKeyValue("event", "catalogue-loaded")
                    .log("Mirror filled with HQ's catalogue: {} product(s)", count[0]);
        } catch (Exception e) {
            tasks.failed(BackgroundTasks.CATALOGUE, e);
            throw e;
        }
    }
}
