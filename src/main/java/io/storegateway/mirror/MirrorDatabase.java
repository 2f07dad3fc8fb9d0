package io.storegateway.mirror;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.storegateway.config.GatewaySettings;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/** The mirror's connection pool, migrated by Flyway at start (H2 file by default, PostgreSQL too). */
public final class MirrorDatabase implements AutoCloseable {

    public static final String POOL_SIZE = "gateway.mirror.pool-size";
    static final int DEFAULT_POOL_SIZE = 8;

    /** Migrations every database runs. */
    static final String MIGRATIONS = "classpath:db/migration";
    /** Migrations only PostgreSQL runs (after the common ones): what H2 does by default, PostgreSQL must be told. */
    static final String POSTGRESQL_MIGRATIONS = "classpath:db/postgresql";

    private static final Logger LOG = LoggerFactory.getLogger(MirrorDatabase.class);

    private final HikariDataSource dataSource;
    private final boolean h2;

    private MirrorDatabase(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.h2 = dataSource.getJdbcUrl().startsWith("jdbc:h2:");
    }

    public static MirrorDatabase open(GatewaySettings settings) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("mirror");
        hc.setJdbcUrl(settings.mirrorJdbcUrl());
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
            Flyway.configure().dataSource(ds).locations(migrations(settings.mirrorJdbcUrl())).load().migrate();
        } catch (RuntimeException e) {
            // Let go of the pool (and H2's file lock): the start fails, and a retry must be able to open it.
            ds.close();
            throw new IllegalStateException("the mirror database could not be migrated: " + e.getMessage(), e);
        }
        LOG.info("Mirror database ready: {}", redact(settings.mirrorJdbcUrl()));
        return new MirrorDatabase(ds);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Runs work in one SQL transaction: everything it writes commits together or not at all. */
    public <T> T inTransaction(SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new MirrorException(e);
        }
    }

    /**
     * Like {@link #inTransaction}, and the commit is on disk when this returns. PostgreSQL's commit
     * already is; H2 writes committed changes in the background up to half a second later, so a
     * {@code kill -9} right after a commit could lose it: a checkpoint writes them out now. Callers
     * that let go of something else after the commit (the batch on the queue) need this.
     */
    public <T> T inDurableTransaction(SqlWork<T> work) {
        T result = inTransaction(work);
        if (h2) {
            try (Connection c = dataSource.getConnection(); java.sql.Statement st = c.createStatement()) {
                st.execute("CHECKPOINT");
            } catch (SQLException e) {
                throw new MirrorException(e);
            }
        }
        return result;
    }

    public <T> T read(SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new MirrorException(e);
        }
    }

    /** A trivial query on a pooled connection: the database answers. */
    public Boolean probe() {
        return read(c -> {
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("SELECT 1");
                return true;
            }
        });
    }

    /** The database kind from the JDBC URL ("h2", "postgresql"), for health details. */
    public String vendor() {
        String url = dataSource.getJdbcUrl();
        String[] parts = url.split(":", 3);
        return parts.length > 1 ? parts[1] : url;
    }

    static String[] migrations(String jdbcUrl) {
        return jdbcUrl.startsWith("jdbc:postgresql:")
                ? new String[] {MIGRATIONS, POSTGRESQL_MIGRATIONS}
                : new String[] {MIGRATIONS};
    }

    /** A JDBC URL may carry a password as a parameter: never log one. */
    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^;&]*", "$1***");
    }

    @Override
    public void close() {
        dataSource.close();
    }

    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }
}
