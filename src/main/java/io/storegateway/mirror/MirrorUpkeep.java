package io.storegateway.mirror;

import io.storegateway.config.GatewaySettings;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The mirror's housekeeping, on one background thread: every {@code gateway.mirror.upkeep-interval-ms}
 * (and soon after a backlog drained) it prunes what the retention lets go and, on SQLite, gives the
 * freed pages back to the disk; every second it checkpoints SQLite's WAL. Each step is a short
 * transaction with a pause after it, so ingest and the drain always get the writer in between.
 */
public final class MirrorUpkeep implements AutoCloseable {

    public static final String INTERVAL_MS = "gateway.mirror.upkeep-interval-ms";
    static final long DEFAULT_INTERVAL_MS = 60_000;
    static final long CHECKPOINT_INTERVAL_MS = 1_000;
    /** The pause after each prune or vacuum step. */
    static final long PAUSE_MS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(MirrorUpkeep.class);

    private final MirrorRetention retention;
    private final SqliteSpace space;
    private final Clock clock;
    private final AtomicBoolean soon = new AtomicBoolean();
    private ScheduledExecutorService thread;
    private volatile Instant lastRunAt;
    private volatile MirrorRetention.Pruned lastPruned = new MirrorRetention.Pruned(0, 0, 0);
    private volatile long lastPagesGivenBack;
    /** What all runs since start pruned: unlike the last run's figures, a later run with nothing to do keeps them. */
    private volatile MirrorRetention.Pruned prunedSinceStart = new MirrorRetention.Pruned(0, 0, 0);
    private volatile String lastError;
    /** Checkpoint ticks between two prune runs; the first run comes at the first tick. Upkeep thread only. */
    private long ticksPerRun = 1;
    private long countdown = 1;

    MirrorUpkeep(MirrorDatabase db, MirrorRetention retention, Clock clock) {
        this.retention = retention;
        this.space = db.engine() == MirrorDatabase.Engine.SQLITE ? new SqliteSpace(db) : null;
        this.clock = clock;
    }

    public static MirrorUpkeep start(GatewaySettings settings, MirrorDatabase db, Clock clock) {
        long interval = settings.getLong(INTERVAL_MS, DEFAULT_INTERVAL_MS);
        if (interval < 100) {
            throw new IllegalStateException(INTERVAL_MS + " must be at least 100, not " + interval);
        }
        MirrorUpkeep upkeep = new MirrorUpkeep(db, MirrorRetention.from(settings, db, clock), clock);
        upkeep.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mirror-upkeep");
            t.setDaemon(true);
            return t;
        });
        upkeep.thread.scheduleWithFixedDelay(upkeep::tick, CHECKPOINT_INTERVAL_MS, CHECKPOINT_INTERVAL_MS, TimeUnit.MILLISECONDS);
        upkeep.ticksPerRun = Math.max(1, interval / CHECKPOINT_INTERVAL_MS);
        return upkeep;
    }

    /** The backlog drained: prune and give space back at the next tick, not at the end of the interval. */
    public void soon() {
        soon.set(true);
    }

    private void tick() {
        try {
            if (soon.getAndSet(false) || --countdown <= 0) {
                countdown = ticksPerRun;
                runNow();
            } else if (space != null) {
                space.checkpoint();
            }
            lastError = null;
        } catch (RuntimeException e) {
            if (lastError == null) {
                LOG.atWarn().addKeyValue("event", "mirror-upkeep-failed")
                        .log("Mirror upkeep failed (it tries again): {}", e.getMessage());
            }
            lastError = e.getMessage();
        }
    }

    /** Prunes, gives space back and checkpoints now (the upkeep thread, and tests). */
    public synchronized MirrorRetention.Pruned runNow() {
        Runnable pause = MirrorUpkeep::pause;
        MirrorRetention.Pruned pruned = retention.prune(pause);
        long given = 0;
        if (space != null) {
            space.checkpoint();
            given = space.giveBackFreePages(pause);
        }
        lastRunAt = clock.instant();
        lastPruned = pruned;
        lastPagesGivenBack = given;
        prunedSinceStart = new MirrorRetention.Pruned(prunedSinceStart.settledUpdates() + pruned.settledUpdates(),
                prunedSinceStart.auditRows() + pruned.auditRows(),
                prunedSinceStart.resolvedConflicts() + pruned.resolvedConflicts());
        if (pruned.total() > 0 || given > 0) {
            LOG.atInfo().addKeyValue("event", "mirror-pruned")
                    .log("Mirror upkeep: pruned {} settled updates, {} audit rows and {} resolved conflicts older than {}; "
                                    + "{} free pages given back to the disk", pruned.settledUpdates(), pruned.auditRows(),
                            pruned.resolvedConflicts(), retention.retention(), given);
        }
        return pruned;
    }

    /** What all runs since start pruned, the upkeep thread's and {@link #runNow()}'s. */
    public MirrorRetention.Pruned prunedSinceStart() {
        return prunedSinceStart;
    }

    /** For /admin/v1/status: the retention, what the last run did, and the file's size. */
    public ObjectNode status() {
        ObjectNode n = UpdateJson.MAPPER.createObjectNode();
        n.put("retention", retention.retention().isZero() ? "0 (everything is kept)" : retention.retention().toString());
        n.put("lastUpkeepAt", lastRunAt == null ? null : lastRunAt.toString());
        n.put("lastPrunedSettledUpdates", lastPruned.settledUpdates());
        n.put("lastPrunedAuditRows", lastPruned.auditRows());
        n.put("lastPrunedConflicts", lastPruned.resolvedConflicts());
        n.put("prunedSettledUpdatesSinceStart", prunedSinceStart.settledUpdates());
        n.put("prunedAuditRowsSinceStart", prunedSinceStart.auditRows());
        n.put("prunedConflictsSinceStart", prunedSinceStart.resolvedConflicts());
        if (space != null) {
            try {
                SqliteSpace.Pages p = space.pages();
                n.put("fileBytes", p.bytes());
                n.put("freePages", p.free());
            } catch (RuntimeException e) {
                n.put("fileBytes", (String) null);
            }
            n.put("lastPagesGivenBack", lastPagesGivenBack);
        }
        if (lastError != null) {
            n.put("error", lastError);
        }
        return n;
    }

    /** SQLite's own check of the file ("ok" when sound); null on PostgreSQL. */
    public String integrityCheck() {
        return space == null ? null : space.integrityCheck();
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("mirror upkeep interrupted", e);
        }
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.shutdownNow();
            try {
                thread.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
