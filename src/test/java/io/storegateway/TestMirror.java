package io.storegateway;

import io.storegateway.config.GatewaySettings;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * Where a test gateway keeps its mirror. By default the gateway's own SQLite file under its data
 * directory. With {@code -Dtest.mirror.jdbc-url=jdbc:postgresql://…} (the pom's
 * {@code mirror-on-postgresql} execution sets it from {@code STOREGW_TEST_PG_URL}) a PostgreSQL schema
 * of its own, created empty for the gateway and dropped when the test closes it, so tests neither
 * collide nor see each other's rows. An unreachable PostgreSQL fails the test: when a run asks for
 * PostgreSQL, falling back to SQLite would report a pass that was never checked.
 */
public final class TestMirror implements AutoCloseable {

    public static final String JDBC_URL = "test.mirror.jdbc-url";
    public static final String USERNAME = "test.mirror.username";
    public static final String PASSWORD = "test.mirror.password";
    /** Environment variables that give the credentials when the properties above are not set. */
    static final String USERNAME_ENV = "STOREGW_TEST_PG_USER";
    static final String PASSWORD_ENV = "STOREGW_TEST_PG_PASSWORD";

    private final String baseUrl;
    private final String schema;

    private TestMirror(String baseUrl, String schema) {
        this.baseUrl = baseUrl;
        this.schema = schema;
    }

    /** The mirror for a new test gateway: SQLite (nothing to prepare) unless PostgreSQL is asked for. */
    public static TestMirror forGateway(String name) {
        String url = System.getProperty(JDBC_URL, "");
        if (url.isBlank()) {
            return new TestMirror(null, null);
        }
        String schema = ("t_" + name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_"));
        schema = schema.substring(0, Math.min(schema.length(), 40)) + "_" + UUID.randomUUID().toString().substring(0, 8);
        TestMirror mirror = new TestMirror(url, schema);
        mirror.execute("CREATE SCHEMA " + schema);
        return mirror;
    }

    /** Whether this run's test gateways use PostgreSQL. */
    public static boolean onPostgresql() {
        return !System.getProperty(JDBC_URL, "").isBlank();
    }

    /** The gateway settings that point its mirror here (none for SQLite: the default is right). */
    public Map<String, String> settings() {
        if (baseUrl == null) {
            return Map.of();
        }
        return Map.of(
                GatewaySettings.MIRROR_JDBC_URL, baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                GatewaySettings.MIRROR_USERNAME, credential(USERNAME, USERNAME_ENV),
                GatewaySettings.MIRROR_PASSWORD, credential(PASSWORD, PASSWORD_ENV));
    }

    @Override
    public void close() {
        if (baseUrl != null) {
            execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    /** A connection to this test's PostgreSQL schema (only when the run uses PostgreSQL). */
    public Connection connect() throws SQLException {
        Map<String, String> s = settings();
        return DriverManager.getConnection(s.get(GatewaySettings.MIRROR_JDBC_URL), s.get(GatewaySettings.MIRROR_USERNAME),
                s.get(GatewaySettings.MIRROR_PASSWORD));
    }

    private void execute(String sql) {
        Properties props = new Properties();
        String user = credential(USERNAME, USERNAME_ENV);
        if (!user.isEmpty()) {
            props.setProperty("user", user);
            props.setProperty("password", credential(PASSWORD, PASSWORD_ENV));
        }
        try (Connection c = DriverManager.getConnection(baseUrl, props); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("The mirror tests were asked to run on PostgreSQL (" + JDBC_URL + "="
                    + baseUrl.replaceAll("(?i)(password=)[^&]*", "$1***") + ") and cannot: " + e.getMessage(), e);
        }
    }

    private static String credential(String property, String env) {
        String v = System.getProperty(property);
        if (v == null) {
            v = System.getenv(env);
        }
        return v == null ? "" : v;
    }
}
