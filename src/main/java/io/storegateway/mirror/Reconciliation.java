package io.storegateway.mirror;

import io.storegateway.hq.HqFeeds;
import io.storegateway.hq.ProductRecord;
import io.storegateway.tasks.BackgroundTasks;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Compares the mirror with HQ's inventory ({@link HqFeeds}), page by page (bounded memory for any catalogue size):
 * rows missing from the mirror, rows that differ, and rows HQ does not have. When correcting, each
 * is fixed with audit rows (source RECONCILE). The report also proves delivery: a hash of HQ's
 * inventory against one of the mirror, and how many accepted updates HQ has confirmed, up to when.
 */
public final class Reconciliation {

    public static final String SOURCE = "RECONCILE";
    static final int PAGE = 500;

    private static final Logger LOG = LoggerFactory.getLogger(Reconciliation.class);

    private final MirrorDatabase db;
    private final Products products;
    private final AcceptedUpdates updates;
    private final SyncState state;
    private final HqFeeds hq;
    private final Clock clock;
    private final AtomicReference<ObjectNode> last = new AtomicReference<>();
    private final AtomicReference<ObjectNode> lastCheck = new AtomicReference<>();
    private final AtomicLong driftFound = new AtomicLong();
    private final BackgroundTasks tasks;

    public Reconciliation(MirrorDatabase db, Products products, AcceptedUpdates updates, SyncState state, HqFeeds hq, Clock clock,
                          BackgroundTasks tasks) {
        this.tasks = tasks;
        this.db = db;
        this.products = products;
        this.updates = updates;
        this.state = state;
        this.hq = hq;
        this.clock = clock;
    }

    /** Route step (the schedule, and HQ answering first or again): a full reconciliation that corrects the mirror. */
    public void reconcile(Exchange exchange) throws Exception {
        run(exchange.getContext(), true);
    }

    /**
     * Route step (the backlog has drained): a consistency check, which compares the mirror with HQ and
     * reports (logged, {@link #lastConsistencyCheck()}) without correcting anything.
     */
    public void checkConsistency(Exchange exchange) throws Exception {
        ObjectNode check = run(exchange.getContext(), false);
        lastCheck.set(check);
        if (check.path("drift").asLong() > 0) {
            LOG.atWarn().addKeyValue("event", "consistency-drift")
                    .log("Consistency check after sync: the mirror differs from HQ in {} product(s) ({} missing, {} different, {} extra); "
                            + "the next reconciliation corrects it", check.path("drift").asLong(), check.path("missing").asLong(),
                            check.path("different").asLong(), check.path("extra").asLong());
        } else {
            LOG.atInfo().addKeyValue("event", "consistency-ok")
                    .log("Consistency check after sync: the mirror equals HQ ({} products)", check.path("checked").asLong());
        }
    }

    /** Compares (and when {@code correct}, fixes) the whole mirror against HQ. */
    public synchronized ObjectNode run(CamelContext camel, boolean correct) throws Exception {
        try {
            ObjectNode report = compare(camel, correct);
            tasks.succeeded(BackgroundTasks.RECONCILIATION);
            return report;
        } catch (Exception e) {
            tasks.failed(BackgroundTasks.RECONCILIATION, e);
            throw e;
        }
    }

    private ObjectNode compare(CamelContext camel, boolean correct) throws Exception {
        long started = System.nanoTime();
        long runId = System.currentTimeMillis();
        Instant runStart = clock.instant();
        MessageDigest hqHash = MessageDigest.getInstance("SHA-256");
        MessageDigest mirrorHash = MessageDigest.getInstance("SHA-256");
        long[] totals = new long[4]; // checked, missing, different, corrected
        hq.inventory(camel, "Reconciliation", page -> {
            Map<String, ProductRecord> hqRows = new LinkedHashMap<>();
            page.records().forEach(r -> hqRows.put(r.sku(), r));
            Instant now = clock.instant();
            long[] counts = db.inTransaction(c -> {
                long m = 0, d = 0, fixed = 0;
                Map<String, Products.Row> mirror = products.findAll(c, hqRows.keySet());
                Set<String> movedOn = products.writtenSince(c, hqRows.keySet(), runStart);
                for (ProductRecord r : hqRows.values()) {
                    Products.Row mineRow = mirror.get(r.sku());
                    ProductRecord mine = mineRow == null ? null : mineRow.record();
                    hqHash.update(line(r));
                    // A newer version written while this run was reading HQ is not drift: the page is older.
                    boolean newer = mine != null && mine.version() > r.version() && movedOn.contains(r.sku());
                    if (!newer && (mine == null || !same(mine, r))) {
                        if (mine == null) {
                            m++;
                        } else {
                            d++;
                        }
                        if (correct) {
                            products.overwrite(c, r, mineRow, SOURCE, now);
                            fixed++;
                            mine = r;
                        }
                    }
                    if (mine != null) {
                        mirrorHash.update(line(mine));
                    }
                }
                products.markSeen(c, hqRows.keySet(), runId);
                return new long[] {m, d, fixed};
            });
            totals[0] += hqRows.size();
            totals[1] += counts[0];
            totals[2] += counts[1];
            totals[3] += counts[2];
        });
        long checked = totals[0], missing = totals[1], different = totals[2], extra = 0, corrected = totals[3];
        // Rows HQ does not have: left unmarked by this run.
        while (true) {
            Instant now = clock.instant();
            long[] counts = db.inTransaction(c -> {
                List<ProductRecord> rows = products.unseen(c, runId, runStart, PAGE).stream().map(Products.Row::record).toList();
                long fixed = 0;
                for (ProductRecord r : rows) {
                    if (correct) {
                        products.delete(c, r, SOURCE, now);
                        fixed++;
                    } else {
                        mirrorHash.update(line(r));
                    }
                }
                if (!correct) {
                    products.markSeen(c, rows.stream().map(ProductRecord::sku).toList(), runId);
                }
                return new long[] {rows.size(), fixed};
            });
            extra += counts[0];
            corrected += counts[1];
            if (counts[0] < PAGE) {
                break;
            }
        }
        long drift = missing + different + extra;
        driftFound.addAndGet(drift);
        ObjectNode report = UpdateJson.MAPPER.createObjectNode();
        report.put("checked", checked + extra);
        report.put("drift", drift);
        report.put("corrected", corrected);
        report.put("missing", missing);
        report.put("different", different);
        report.put("extra", extra);
        report.put("hqHash", HexFormat.of().formatHex(hqHash.digest()));
        String mirrorDigest = HexFormat.of().formatHex(mirrorHash.digest());
        report.put("mirrorHash", mirrorDigest);
        report.put("equal", report.path("hqHash").asText().equals(mirrorDigest));
        report.put("corrects", correct);
        report.set("delivery", delivery());
        report.put("at", clock.instant().toString());
        report.put("tookMs", (System.nanoTime() - started) / 1_000_000);
        if (correct) {
            last.set(report);
            state.put(SyncState.LAST_RECONCILE, report.toString(), clock.instant());
            if (drift > 0) {
                LOG.atWarn().addKeyValue("event", "reconcile-drift")
                        .log("Reconciliation with HQ: {} product(s) checked, drift {} ({} missing, {} different, {} extra), {} corrected",
                                report.path("checked").asLong(), drift, missing, different, extra, corrected);
            } else {
                LOG.atInfo().addKeyValue("event", "reconciled")
                        .log("Reconciliation with HQ: {} product(s) checked, no drift", report.path("checked").asLong());
            }
        }
        return report;
    }

    /** Proof of delivery from the mirror's running counters: updates accepted, how many HQ has answered, up to when. */
    ObjectNode delivery() {
        AcceptedUpdates.Delivery d = updates.delivery();
        ObjectNode n = UpdateJson.MAPPER.createObjectNode();
        n.put("accepted", d.accepted());
        n.put("confirmedByHq", d.confirmedByHq());
        n.put("confirmedUpTo", d.confirmedUpTo() == null ? null : d.confirmedUpTo().toString());
        return n;
    }

    public ObjectNode lastReport() {
        ObjectNode r = last.get();
        if (r == null) {
            r = state.get(SyncState.LAST_RECONCILE).map(s -> {
                try {
                    return (ObjectNode) UpdateJson.MAPPER.readTree(s);
                } catch (IOException e) {
                    return null;
                }
            }).orElse(null);
            last.compareAndSet(null, r);
        }
        return r;
    }

    public ObjectNode lastConsistencyCheck() {
        return lastCheck.get();
    }

    public long driftFound() {
        return driftFound.get();
    }

    static boolean same(ProductRecord a, ProductRecord b) {
        return Objects.equals(a.name(), b.name()) && plain(a) .equals(plain(b))
                && a.quantity() == b.quantity() && a.version() == b.version() && a.deleted() == b.deleted();
    }

    private static String plain(ProductRecord r) {
        return r.price() == null ? "" : r.price().setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    private static byte[] line(ProductRecord r) {
        return (r.sku() + "|" + r.name() + "|" + plain(r) + "|" + r.quantity() + "|" + r.version() + "|" + r.deleted() + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

}
