package io.storegateway.mirror;

import io.storegateway.hq.HqFeeds;
import io.storegateway.hq.ProductRecord;
import io.storegateway.tasks.BackgroundTasks;

import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;

/**
 * Brings edits made at HQ (new prices, new products) into the mirror: HQ's changes since the cursor ({@link HqFeeds}),
 * diffed into the product table with audit rows (source HQ_CHANGE), the cursor stored with them.
 * Pending local updates are not touched: the effective view stays HQ's state plus what is pending.
 */
public final class HqChangesPoller {

    private final BackgroundTasks tasks;

    public static final String SOURCE_HQ_CHANGE = "HQ_CHANGE";
    /** Pages fetched in one poll at the most, so one poll cannot run for ever. */
    static final int MAX_PAGES = 100;

    private static final Logger LOG = LoggerFactory.getLogger(HqChangesPoller.class);

    private final MirrorDatabase db;
    private final Products products;
    private final SyncState state;
    private final HqFeeds hq;
    private final Clock clock;

    public HqChangesPoller(MirrorDatabase db, Products products, SyncState state, HqFeeds hq, Clock clock, BackgroundTasks tasks) {
        this.tasks = tasks;
        this.db = db;
        this.products = products;
        this.state = state;
        this.hq = hq;
        this.clock = clock;
    }

    /**
     * Route step (Camel passes its context): fetches and applies HQ's changes since the stored cursor;
     * returns how many were applied. Asked by forwarding too: a conflict's settling needs HQ's latest changes first.
     */
    public synchronized int poll(CamelContext camel) throws Exception {
        int[] applied = {0};
        try {
            String since = state.get(SyncState.CHANGES_CURSOR).orElse("0");
            hq.changes(camel, since, MAX_PAGES, page -> {
                String cursor = page.next() == null ? page.asked() : page.next();
                Instant now = clock.instant();
                int written = db.inTransaction(c -> {
                    int n = 0;
                    for (ProductRecord r : page.records()) {
                        if (products.apply(c, r, SOURCE_HQ_CHANGE, null, now)) {
                            n++;
                        }
                    }
                    return n;
                });
                state.put(SyncState.CHANGES_CURSOR, cursor, now);
                applied[0] += written;
            });
            tasks.succeeded(BackgroundTasks.HQ_CHANGES);
        } catch (Exception e) {
            tasks.failed(BackgroundTasks.HQ_CHANGES, e);
            throw e;
        }
        if (applied[0] > 0) {
            LOG.atInfo().addKeyValue("event", "hq-changes").log("Took {} change(s) made at HQ into the mirror", applied[0]);
        }
        return applied[0];
    }
}
