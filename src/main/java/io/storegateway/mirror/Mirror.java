package io.storegateway.mirror;

import io.storegateway.config.GatewaySettings;
import io.storegateway.hq.HqFeeds;
import io.storegateway.lifecycle.Shutdown;
import io.storegateway.tasks.BackgroundTasks;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The mirror as the gateway runs it: the database, its upkeep, and what reads and writes it.
 * {@code catalogue}, {@code changes} and {@code reconciliation} are the beans the route files call.
 */
public record Mirror(MirrorDatabase database, MirrorUpkeep upkeep, AcceptedUpdates acceptedUpdates, ConflictRecords conflicts,
                     ProductViews views, MirrorWriter writer, CatalogueLoader catalogue, HqChangesPoller changes,
                     Reconciliation reconciliation) {

    /**
     * Opens the database (and migrates it, or imports an earlier version's) on a thread of its own, so
     * that it overlaps the broker's start. Its stop step is the first added, so it closes last.
     */
    public static CompletableFuture<MirrorDatabase> openInBackground(GatewaySettings settings, Shutdown shutdown) {
        CompletableFuture<MirrorDatabase> opening = CompletableFuture.supplyAsync(() -> MirrorDatabase.open(settings),
                task -> new Thread(task, "mirror-open").start());
        shutdown.add("mirror database", () -> {
            try {
                opening.join().close();
            } catch (CompletionException e) {
                // it never opened: nothing to close
            }
        });
        return opening;
    }

    /** Waits for {@code opening} and starts the upkeep. */
    public static Mirror start(CompletableFuture<MirrorDatabase> opening, GatewaySettings settings, BackgroundTasks tasks,
                               Clock clock, Shutdown shutdown) {
        MirrorDatabase db;
        try {
            db = opening.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        MirrorUpkeep upkeep = MirrorUpkeep.start(settings, db, clock);
        shutdown.add("mirror upkeep", upkeep);
        AcceptedUpdates accepted = new AcceptedUpdates(db);
        Products products = new Products();
        ConflictRecords conflicts = new ConflictRecords(db);
        SyncState syncState = new SyncState(db);
        ProductViews views = new ProductViews(db, products, conflicts);
        MirrorWriter writer = new MirrorWriter(db, accepted, products, conflicts, clock);
        HqFeeds hq = new HqFeeds();
        Reconciliation reconciliation = new Reconciliation(db, products, accepted, syncState, hq, clock, tasks);
        HqChangesPoller changes = new HqChangesPoller(db, products, syncState, hq, clock, tasks);
        CatalogueLoader catalogue = new CatalogueLoader(db, products, hq, clock, tasks);
        return new Mirror(db, upkeep, accepted, conflicts, views, writer, catalogue, changes, reconciliation);
    }
}
