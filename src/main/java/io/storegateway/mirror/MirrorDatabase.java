package io.storegateway.mirror;

import io.storegateway.config.GatewaySettings;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The mirror's database, migrated by Flyway at start: a SQLite file in WAL mode by default, or
 * PostgreSQL. Every write is a transaction of one of two kinds: {@link #inTransaction} is on disk when
 * it returns (HQ's answers, before their batch leaves the queue); {@link #inUnsyncedTransaction}
 * survives the gateway's crash but may be lost with the last second of writes on a power cut (the
 * QUEUED row of an update the broker already holds, which the settle recreates; pruning).
 */
public final class MirrorDatabase implements AutoCloseable {

    public static final String POOL_SIZE = "gateway.mirror.pool-size";
    static final int DEFAULT_POOL_SIZE = 8;
    /** SQLite: how long a write waits for a lock held by another process (IT's sqlite3 shell, say). */
    static final int SQLITE_BUSY_TIMEOUT_MS = 10_000;
    /** SQLite: the WAL file is cut back to this when it is reset (SqliteSpace's checkpoints empty it every second). */
    static final int SQLITE_WAL_LIMIT_BYTES = 16 * 1024 * 1024;
    /**
     * SQLite page size. Settling an update touches a page of each index keyed by its id (ids are random),
     * and the WAL writes whole pages: 2 KiB pages wrote 30 % less than 4 KiB ones and drained faster.
     */
    static final int SQLITE_PAGE_SIZE = 2048;
    /** SQLite page cache per connection, in KiB (native memory, not heap). */
    static final int SQLITE_WRITER_CACHE_KIB = 16 * 1024;
    static final int SQLITE_READER_CACHE_KIB = 4 * 1024;

    static final String SQLITE_MIGRATIONS = "classpath:db/sqlite";
    static final String POSTGRESQL_MIGRATIONS = "classpath:db/postgresql";

    private static final Logger LOG = LoggerFactory.getLogger(MirrorDatabase.class);

    /**
     * The database engines the mirror runs on. H2 (the engine of earlier versions) only in the
     * benchmark's comparison of engines, never from a gateway's settings.
     */
    public enum Engine { SQLITE, POSTGRESQL, H2 }

    private final Engine engine;
    private final String url;
    private final HikariDataSource pool;
    /** SQLite: the one connection that writes, so writers never meet SQLite's busy lock; null on PostgreSQL. */
    private final Connection writer;
    private final ReentrantLock writeLock = new ReentrantLock(true);
    private boolean writerSynced = true;

    private MirrorDatabase(Engine engine, String url, HikariDataSource pool, Connection writer) {
        this.engine = engine;
        this.url = url;
        this.pool = pool;
        this.writer = writer;
    }

    public static MirrorDatabase open(GatewaySettings settings) {
        String url = settings.mirrorJdbcUrl();
        Engine engine = engineOf(url);
        if (engine == Engine.SQLITE) {
            Path file = sqliteFile(url);
            H2MirrorImport.ifFound(settings, file);
            return openSqlite(file, settings.getInt(POOL_SIZE, DEFAULT_POOL_SIZE));
        }
        return openPostgresql(settings, url);
    }

    public static Engine engineOf(String url) {
        if (url.startsWith("jdbc:sqlite:")) {
            return Engine.SQLITE;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return Engine.POSTGRESQL;
        }
        if (url.startsWith("jdbc:h2:")) {
            throw new IllegalStateException(GatewaySettings.MIRROR_JDBC_URL + " names an H2 database, which the mirror no "
                    + "longer runs on. Leave the key empty for the SQLite file under the data dir: at its first start the "
                    + "gateway carries an H2 mirror from <data-dir>/mirror/mirror.mv.db into it (docs/SETUP.md, \"The mirror\").");
        }
        throw new IllegalStateException(GatewaySettings.MIRROR_JDBC_URL + " must start with jdbc:sqlite: or jdbc:postgresql:, not "
                + redact(url));
    }

    /** The file of a {@code jdbc:sqlite:} URL (parameters after '?' left off). */
    static Path sqliteFile(String url) {
        String rest = url.substring("jdbc:sqlite:".length());
        int q = rest.indexOf('?');
        if (q >= 0) {
            rest = rest.substring(0, q);
        }
        if (rest.startsWith("file:")) {
            rest = rest.substring("file:".length());
        }
        if (rest.isEmpty() || rest.equals(":memory:")) {
            throw new IllegalStateException(GatewaySettings.MIRROR_JDBC_URL + " must name a SQLite file, not " + url);
        }
        return Path.of(rest).toAbsolutePath().normalize();
    }

    private static MirrorDatabase openSqlite(Path file, int poolSize) {
        long started = System.nanoTime();
        try {
            Files.createDirectories(file.getParent());
            prepareSqliteFile(file);
            migrate(sqliteDataSource(file), SQLITE_MIGRATIONS);
        } catch (Exception e) {
            throw new IllegalStateException("the mirror database " + file + " could not be opened: " + e.getMessage(), e);
        }
        Connection writer;
        try {
            writer = sqliteConfig(SQLITE_WRITER_CACHE_KIB).createConnection("jdbc:sqlite:" + file);
            // Checkpoints run in SqliteSpace (the upkeep thread), off the writers' path. Transactions are begun and
            // committed explicitly (the driver would begin the next one at once, holding the lock).
            try (Statement st = writer.createStatement()) {
                st.execute("PRAGMA wal_autocheckpoint = 0");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the mirror database " + file + " could not be opened: " + e.getMessage(), e);
        }
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("mirror-read");
        hc.setDataSource(sqliteDataSource(file, SQLITE_READER_CACHE_KIB));
        hc.setMaximumPoolSize(Math.max(2, poolSize));
        hc.setAutoCommit(true);
        HikariDataSource pool = new HikariDataSource(hc);
        LOG.atInfo().addKeyValue("event", "mirror-ready")
                .log("Mirror database ready in {} ms: SQLite {} (WAL)", millisSince(started), file);
        return new MirrorDatabase(Engine.SQLITE, "jdbc:sqlite:" + file, pool, writer);
    }

    /**
     * A new file gets incremental auto-vacuum (so {@link SqliteSpace} can give freed pages back to the
     * disk without a full VACUUM) before any table exists, and WAL, which the file then keeps.
     */
    static void prepareSqliteFile(Path file) throws SQLException {
        boolean fresh;
        try {
            fresh = !Files.exists(file) || Files.size(file) == 0;
        } catch (IOException e) {
            throw new SQLException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = " + SQLITE_BUSY_TIMEOUT_MS);
            if (fresh) {
                // Before anything reads the file: afterwards the page size is fixed.
                st.execute("PRAGMA page_size = " + SQLITE_PAGE_SIZE);
                st.execute("PRAGMA auto_vacuum = INCREMENTAL");
            }
            st.execute("PRAGMA journal_mode = WAL");
        }
    }

    static SQLiteConfig sqliteConfig(int cacheKib) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // FULL: a commit syncs the WAL. Unsynced transactions switch to NORMAL for their commit.
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MS);
        config.setJournalSizeLimit(SQLITE_WAL_LIMIT_BYTES);
        config.setCacheSize(-cacheKib);
        return config;
    }

    static SQLiteDataSource sqliteDataSource(Path file) {
        return sqliteDataSource(file, SQLITE_READER_CACHE_KIB);
    }

    private static SQLiteDataSource sqliteDataSource(Path file, int cacheKib) {
        SQLiteDataSource ds = new SQLiteDataSource(sqliteConfig(cacheKib));
        ds.setUrl("jdbc:sqlite:" + file);
        return ds;
    }

    private static MirrorDatabase openPostgresql(GatewaySettings settings, String url) {
        long started = System.nanoTime();
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("mirror");
        hc.setJdbcUrl(url);
        hc.setUsername(settings.mirrorUsername());
        hc.setPassword(settings.mirrorPassword());
        hc.setMaximumPoolSize(settings.getInt(POOL_SIZE, DEFAULT_POOL_SIZE));
        hc.setAutoCommit(true);
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot open the mirror database (" + GatewaySettings.MIRROR_JDBC_URL + "): "
                    + e.getMessage(), e);
        }
        try {
            migrate(ds, POSTGRESQL_MIGRATIONS);
        } catch (RuntimeException e) {
            ds.close();
            throw new IllegalStateException("the mirror database could not be migrated: " + e.getMessage(), e);
        }
        LOG.atInfo().addKeyValue("event", "mirror-ready")
                .log("Mirror database ready in {} ms: {}", millisSince(started), redact(url));
        return new MirrorDatabase(Engine.POSTGRESQL, url, ds, null);
    }

    /**
     * The same tables on an H2 file in PostgreSQL mode, for the benchmark's comparison of engines only
     * (migrations from {@code location}, which the tests hold). A durable write ends in a checkpoint, as
     * the H2 mirror of earlier versions did: H2 writes committed changes in the background.
     */
    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    static MirrorDatabase openH2ForComparison(Path file, String location) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("mirror-h2");
        hc.setJdbcUrl("jdbc:h2:file:" + file.toAbsolutePath() + ";MODE=PostgreSQL;NON_KEYWORDS=VALUE;DB_CLOSE_ON_EXIT=FALSE");
        hc.setUsername("sa");
        hc.setPassword("");
        hc.setMaximumPoolSize(DEFAULT_POOL_SIZE);
        HikariDataSource ds = new HikariDataSource(hc);
        migrate(ds, location);
        return new MirrorDatabase(Engine.H2, hc.getJdbcUrl(), ds, null);
    }

    static void migrate(DataSource ds, String location) {
        Flyway.configure().dataSource(ds).locations(location).load().migrate();
    }

    public Engine engine() {
        return engine;
    }

    /** The JDBC URL (it may carry a password: never log it unredacted). */
    String url() {
        return url;
    }

    /** Connections for reading (and for tests). On SQLite, writes belong in the transactions below. */
    public DataSource dataSource() {
        return pool;
    }

    /** Runs work in one SQL transaction, committed and on disk when this returns. */
    public <T> T inTransaction(SqlWork<T> work) {
        return write(work, true);
    }

    /**
     * Runs work in one SQL transaction, committed when this returns: a crash of the gateway keeps it,
     * a power cut may lose it (SQLite: written to the WAL, synced with the next durable commit or
     * checkpoint; PostgreSQL: {@code synchronous_commit} off for it). Only for rows the gateway can
     * recreate or do again.
     */
    public <T> T inUnsyncedTransaction(SqlWork<T> work) {
        return write(work, false);
    }

    private <T> T write(SqlWork<T> work, boolean synced) {
        if (writer == null) {
            return pooledTransaction(work, synced);
        }
        lockWriter();
        try {
            if (writerSynced != synced) {
                try (Statement st = writer.createStatement()) {
                    st.execute(synced ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
                }
                writerSynced = synced;
            }
            execute(writer, "BEGIN IMMEDIATE");
            try {
                T result = work.run(writer);
                execute(writer, "COMMIT");
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    execute(writer, "ROLLBACK");
                } catch (SQLException r) {
                    e.addSuppressed(r);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new MirrorException(e);
        } finally {
            writeLock.unlock();
        }
    }

    private <T> T pooledTransaction(SqlWork<T> work, boolean synced) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!synced && engine == Engine.POSTGRESQL) {
                    execute(c, "SET LOCAL synchronous_commit TO OFF");
                }
                T result = work.run(c);
                c.commit();
                if (synced && engine == Engine.H2) {
                    execute(c, "CHECKPOINT");
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new MirrorException(e);
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private void lockWriter() {
        try {
            if (!writeLock.tryLock(SQLITE_BUSY_TIMEOUT_MS * 3L, TimeUnit.MILLISECONDS)) {
                throw new MirrorException(new SQLException("the mirror's writer has been busy for "
                        + SQLITE_BUSY_TIMEOUT_MS * 3 / 1000 + " s"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MirrorException(new SQLException("interrupted while waiting for the mirror's writer", e));
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    public <T> T read(SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new MirrorException(e);
        }
    }

    /** A trivial query on a pooled connection: the database answers. */
    public Boolean probe() {
        return read(c -> {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT 1");
                return true;
            }
        });
    }

    /** The database engine ("sqlite", "postgresql"), for health details. */
    public String vendor() {
        return engine.name().toLowerCase(Locale.ROOT);
    }

    /** The SQLite file; empty on PostgreSQL. */
    public Optional<Path> file() {
        return engine == Engine.SQLITE ? Optional.of(sqliteFile(url)) : Optional.empty();
    }

    /**
     * Ingest's side of the fence against {@link #settleFence}: on PostgreSQL a shared transaction lock,
     * so a settle that finds no QUEUED row can wait for the inserts in flight. SQLite has one writer.
     */
    void ingestFence(Connection c) throws SQLException {
        if (engine == Engine.POSTGRESQL) {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock_shared(" + INGEST_SETTLE_LOCK + ")");
            }
        }
    }

    /**
     * A settle found no QUEUED row for some updates: on PostgreSQL it waits until every ingest
     * transaction in flight has committed (their rows are then visible to its next statement) and
     * keeps new ones out until it commits (they then see its settled rows and skip them).
     */
    void settleFence(Connection c) throws SQLException {
        if (engine == Engine.POSTGRESQL) {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + INGEST_SETTLE_LOCK + ")");
            }
        }
    }

    /** A constant of this project's own for PostgreSQL's advisory locks ("SGW1"). */
    private static final long INGEST_SETTLE_LOCK = 0x53475731L;

    /** A JDBC URL may carry a password as a parameter: never log one. */
    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^;&]*", "$1***");
    }

    /** Runs work on the writer connection with the write lock held, outside any transaction (SQLite upkeep). */
    <T> T withWriterOutsideTransaction(SqlWork<T> work) {
        if (writer == null) {
            throw new IllegalStateException("only SQLite has a writer connection");
        }
        lockWriter();
        try {
            return work.run(writer);
        } catch (SQLException e) {
            throw new MirrorException(e);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void close() {
        pool.close();
        if (writer != null) {
            writeLock.lock();
            try {
                writer.close();
            } catch (SQLException e) {
                LOG.atWarn().addKeyValue("event", "mirror-close-failed")
                        .log("Closing the mirror's writer: {}", e.getMessage());
            } finally {
                writeLock.unlock();
            }
        }
    }

    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }
}
