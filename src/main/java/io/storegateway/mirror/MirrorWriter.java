package io.storegateway.mirror;

import io.storegateway.hq.UpdateResult;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Records HQ's answers to a batch in the mirror, all in one SQL transaction: each update's status,
 * and HQ's record diffed into the product table with audit rows, on disk before it returns (the
 * batch leaves the queue right after). Idempotent: recording the same answers twice (a redelivered
 * batch) changes nothing the second time.
 */
public final class MirrorWriter {

    public static final String SOURCE_HQ_ANSWER = "HQ_ANSWER";
    /** HQ's answer, passed on by the gateway that forwarded the update. */
    public static final String SOURCE_PEER = "PEER_ANSWER";

    private final MirrorDatabase db;
    private final AcceptedUpdates updates;
    private final Products products;
    private final ConflictRecords conflicts;
    private final Clock clock;

    public MirrorWriter(MirrorDatabase db, AcceptedUpdates updates, Products products, ConflictRecords conflicts, Clock clock) {
        this.db = db;
        this.updates = updates;
        this.products = products;
        this.conflicts = conflicts;
        this.clock = clock;
    }

    /** The product's row as the mirror has it now (HQ's record and what it knows of each field's changes). */
    public Optional<Products.Row> row(String sku) {
        return db.read(c -> products.findRow(c, sku));
    }

    public void record(List<HqVerdict> verdicts) {
        write(verdicts, SOURCE_HQ_ANSWER, true);
    }

    /**
     * HQ's answers to a batch that another gateway forwarded (gateways sharing a remote broker, each
     * with its own mirror): the same writes, so this mirror settles the updates it accepted and
     * learns the ones it never saw. A conflict waiting for a person is parked only by the gateway
     * that forwarded it.
     */
    public void recordFromPeer(List<HqVerdict> verdicts) {
        write(verdicts, SOURCE_PEER, false);
    }

    private void write(List<HqVerdict> verdicts, String source, boolean park) {
        Instant now = clock.instant();
        List<Products.HqChange> records = new ArrayList<>(verdicts.size());
        List<AcceptedUpdates.Settlement> settlements = new ArrayList<>(verdicts.size());
        for (HqVerdict v : verdicts) {
            UpdateResult r = v.result();
            if (r.record() != null && r.record().sku() != null && !r.record().sku().isEmpty()) {
                records.add(new Products.HqChange(r.record(), v.update().updateId(), r.status() == UpdateResult.Status.APPLIED));
            }
            Long hqVersion = r.record() == null ? null : r.record().version();
            settlements.add(new AcceptedUpdates.Settlement(v.update(), v.channel(), v.receivedAt(), statusOf(r),
                    v.note() != null ? v.note() : reasonOf(v), hqVersion));
        }
        // JDBC batches: the products (diffed in memory, in the batch's order), then the updates moved
        // from the queue to the history; on disk before the batch leaves the broker's queue.
        db.inTransaction(c -> {
            products.applyAll(c, records, source, now);
            updates.settleAll(c, settlements, now);
            for (HqVerdict v : verdicts) {
                if (park && v.parked() && v.result().record() != null) {
                    conflicts.park(c, v.update(), v.result().record(), now);
                }
            }
            return null;
        });
    }

    static UpdateStatus statusOf(UpdateResult r) {
        return switch (r.status()) {
            case APPLIED, DUPLICATE -> UpdateStatus.APPLIED;
            case CONFLICT -> UpdateStatus.CONFLICT;
            case REJECTED -> UpdateStatus.REJECTED;
        };
    }

    private static String reasonOf(HqVerdict v) {
        UpdateResult r = v.result();
        return switch (r.status()) {
            case APPLIED, DUPLICATE -> null;
            case CONFLICT -> "HQ has version " + (r.record() == null ? "?" : r.record().version())
                    + ", newer than the store's baseVersion " + v.update().baseVersion()
                    + "; HQ's record was kept" + (r.reason() == null ? "" : " (" + r.reason() + ")");
            case REJECTED -> r.reason() == null ? "rejected by HQ" : r.reason();
        };
    }
}
