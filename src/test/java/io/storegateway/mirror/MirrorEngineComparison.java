package io.storegateway.mirror;

import io.storegateway.TestMirror;
import io.storegateway.config.GatewaySettings;
import io.storegateway.hq.ProductRecord;
import io.storegateway.hq.UpdateResult;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateType;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The benchmark's comparison of mirror engines with the same tables and the same code (the gateway's
 * own AcceptedUpdates, MirrorWriter, ProductViews, MirrorRetention): SQLite (the default), H2 (the
 * engine of earlier versions, in PostgreSQL mode) and PostgreSQL when the run names one
 * ({@code STOREGW_TEST_PG_URL}). Each engine records a backlog of queued updates (random ids, as
 * tills make them, over 1,000 SKUs), serves reads with it queued, settles it as forwarding does
 * (batches of 100, each on disk before it returns), then prunes it all; the table says how fast and
 * how much disk.
 */
public final class MirrorEngineComparison {

    private static final int SKUS = 1000;
    private static final int BATCH = 100;

    private MirrorEngineComparison() {
    }

    /** Prints the comparison as a Markdown table through {@code line}. */
    public static void run(Consumer<String> line, boolean smoke) throws Exception {
        int n = Integer.getInteger("bench.engines.updates", smoke ? 5_000 : 100_000);
        line.accept("");
        line.accept("## Mirror engines compared (" + n + " updates, the same tables and code)");
        line.accept("");
        line.accept("| engine | record queued (rows/s) | product read with the backlog, p50 / p99 (ms) | page of 50, p50 / p99 (ms) "
                + "| settle, durable batches of 100 (updates/s) | on disk after settling (bytes per update kept) "
                + "| on disk after pruning it all (bytes) |");
        line.accept("|---|---|---|---|---|---|---|");
        Path root = Files.createDirectories(Path.of("target", "bench", "engines-" + System.nanoTime()).toAbsolutePath());
        line.accept(measure("SQLite (WAL)", n, () -> MirrorDatabase.open(GatewaySettings.of(
                Map.of(GatewaySettings.DATA_DIR, root.resolve("sqlite").toString())))));
        line.accept(measure("H2 2.5 (file, MVStore)", n, () -> MirrorDatabase.openH2ForComparison(
                root.resolve("h2").resolve("mirror"), "classpath:db/h2-comparison")));
        if (System.getenv("STOREGW_TEST_PG_URL") != null || TestMirror.onPostgresql()) {
            if (!TestMirror.onPostgresql()) {
                System.setProperty(TestMirror.JDBC_URL, System.getenv("STOREGW_TEST_PG_URL"));
            }
            TestMirror schema = TestMirror.forGateway("engines");
            try {
                line.accept(measure("PostgreSQL 15 (local)", n, () -> MirrorDatabase.open(GatewaySettings.of(schema.settings()))));
            } finally {
                schema.close();
            }
        }
        line.accept("");
        line.accept("Ids are random UUIDs, so every index keyed by id takes a random page per update. Disk: SQLite's "
                + "mirror.db and its WAL (checkpointed); H2's mirror.mv.db; PostgreSQL's tables and indexes "
                + "(pg_total_relation_size). After pruning, SQLite gives the free pages back (incremental vacuum); H2 and "
                + "PostgreSQL keep them for reuse (PostgreSQL's autovacuum, H2's own compaction, if any, later).");
    }

    private interface Opener {
        MirrorDatabase open() throws Exception;
    }

    private static String measure(String engine, int n, Opener opener) throws Exception {
        MirrorDatabase db = opener.open();
        try {
            AcceptedUpdates updates = new AcceptedUpdates(db);
            ConflictRecords conflicts = new ConflictRecords(db);
            ProductViews views = new ProductViews(db, new Products(), conflicts);
            MirrorWriter writer = new MirrorWriter(db, updates, new Products(), conflicts, Clock.systemUTC());
            Random random = new Random(7);
            List<InventoryUpdate> all = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                all.add(new InventoryUpdate(UUID.randomUUID().toString(), "till-" + (i % 8), UpdateType.ADJUST_QUANTITY,
                        sku(i), null, null, null, -1L, Instant.now(), null, false));
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i += BATCH) {
                updates.recordQueued(all.subList(i, Math.min(n, i + BATCH)), "HTTP", Instant.now());
            }
            double queueRate = n * 1e9 / (System.nanoTime() - t0);

            List<Long> finds = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                String sku = sku(random.nextInt(SKUS));
                long s = System.nanoTime();
                views.find(sku);
                finds.add(System.nanoTime() - s);
            }
            List<Long> pages = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String after = sku(random.nextInt(SKUS));
                long s = System.nanoTime();
                views.page(after, 50);
                pages.add(System.nanoTime() - s);
            }

            Map<String, long[]> hq = new HashMap<>(); // sku -> {version, quantity}
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i += BATCH) {
                List<HqVerdict> verdicts = new ArrayList<>(BATCH);
                for (InventoryUpdate u : all.subList(i, Math.min(n, i + BATCH))) {
                    long[] state = hq.computeIfAbsent(u.sku(), s -> new long[] {0, 1000});
                    state[0]++;
                    state[1]--;
                    verdicts.add(new HqVerdict(u, "HTTP", Instant.now(), new UpdateResult(u.updateId(), UpdateResult.Status.APPLIED,
                            null, new ProductRecord(u.sku(), "Apples", new BigDecimal("2.50"), state[1], state[0], Instant.now(), false))));
                }
                writer.record(verdicts);
            }
            double settleRate = n * 1e9 / (System.nanoTime() - t1);
            SqliteSpace space = db.engine() == MirrorDatabase.Engine.SQLITE ? new SqliteSpace(db) : null;
            if (space != null) {
                space.checkpoint();
            }
            long settled = bytesOnDisk(db);

            new MirrorRetention(db, Duration.ofDays(1), Clock.offset(Clock.systemUTC(), Duration.ofDays(2))).prune(() -> { });
            if (space != null) {
                space.giveBackFreePages(() -> { });
                space.checkpoint();
            }
            long pruned = bytesOnDisk(db);
            return String.format(Locale.ROOT, "| %s | %,.0f | %.2f / %.2f | %.1f / %.1f | %,.0f | %,d (%,d) | %,d |", engine, queueRate,
                    pct(finds, 50), pct(finds, 99), pct(pages, 50), pct(pages, 99), settleRate, settled / n, settled, pruned);
        } finally {
            db.close();
        }
    }

    private static long bytesOnDisk(MirrorDatabase db) throws IOException {
        if (db.engine() == MirrorDatabase.Engine.POSTGRESQL) {
            return db.read(c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT SUM(pg_total_relation_size(c.oid)) "
                        + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' "
                        + "AND n.nspname = current_schema()")) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
        }
        Path dir = db.engine() == MirrorDatabase.Engine.SQLITE ? db.file().orElseThrow().getParent()
                : Path.of(db.url().replaceFirst("^jdbc:h2:file:", "").replaceFirst(";.*$", "")).getParent();
        try (Stream<Path> files = Files.list(dir)) {
            long sum = 0;
            for (Path f : (Iterable<Path>) files::iterator) {
                sum += Files.size(f);
            }
            return sum;
        }
    }

    private static double pct(List<Long> nanos, int p) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int i = Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1);
        return sorted.get(Math.max(0, i)) / 1e6;
    }

    private static String sku(int i) {
        return String.format("SKU-%04d", i % SKUS);
    }
}
