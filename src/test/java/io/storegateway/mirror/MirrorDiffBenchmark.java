package io.storegateway.mirror;

import io.storegateway.config.GatewaySettings;
import io.storegateway.hq.ProductRecord;
import io.storegateway.hq.UpdateResult;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateType;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JMH (run by the benchmark, io.storegateway.bench): the field-by-field differ, and the mirror write of
 * HQ's answer to a batch of 100 (MirrorWriter.record: statuses, product diffs, audit rows, one
 * transaction made durable) on a SQLite file mirror, as forwarding does it for every batch.
 */
@State(Scope.Benchmark)
public class MirrorDiffBenchmark {

    private final ProductRecord before = new ProductRecord("SKU-1", "Apples", new BigDecimal("2.36"), 10, 3, Instant.now(), false);
    private final ProductRecord after = new ProductRecord("SKU-1", "Apples", new BigDecimal("2.49"), 9, 4, Instant.now(), false);

    private MirrorDatabase db;
    private AcceptedUpdates accepted;
    private MirrorWriter writer;
    private long version = 1;
    private long batch;
    private List<HqVerdict> verdicts;

    @Setup(Level.Trial)
    public void mirror() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "jmh-mirror");
        db = MirrorDatabase.open(GatewaySettings.of(Map.of(GatewaySettings.DATA_DIR, dir.toString())));
        accepted = new AcceptedUpdates(db);
        writer = new MirrorWriter(db, accepted, new Products(), new ConflictRecords(db), Clock.systemUTC());
    }

    @TearDown(Level.Trial)
    public void close() {
        db.close();
    }

    @Benchmark
    public List<String[]> diffOneRecord() {
        return Products.diff(before, after);
    }

    /** 100 queued updates over 100 SKUs (recorded at ingest, not timed), each answered APPLIED with a newer record. */
    @Setup(Level.Invocation)
    public void queued() {
        long v = ++version;
        long b = ++batch;
        verdicts = new ArrayList<>(100);
        Instant now = Instant.now();
        for (int i = 0; i < 100; i++) {
            String sku = "SKU-" + i;
            InventoryUpdate u = new InventoryUpdate("b" + b + "-" + i, "T1", UpdateType.ADJUST_QUANTITY, sku, null, null, null,
                    -1L, now, null, false);
            ProductRecord r = new ProductRecord(sku, "Product " + i, new BigDecimal("1.99"), 1000 - v, v, now, false);
            verdicts.add(new HqVerdict(u, "HTTP", now, new UpdateResult(u.updateId(), UpdateResult.Status.APPLIED, null, r)));
        }
        accepted.recordQueued(verdicts.stream().map(HqVerdict::update).toList(), "HTTP", now);
    }

    @Benchmark
    public void recordBatchOfHundred() {
        writer.record(verdicts);
    }
}
