package io.storegateway.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The gateway's settings (README, Commands, and docs/SETUP.md). Values come from the config file, then environment variables
 * ({@code gateway.hq.url} → {@code GATEWAY_HQ_URL}), then JVM system properties, the last one winning.
 * Each capability reads its own keys through the typed getters and fails fast naming a bad key.
 */
public final class GatewaySettings {

    public static final String DEFAULT_CONFIG_FILE = "config/application.properties";

    public static final String STORE_ID = "gateway.store-id";
    public static final String DATA_DIR = "gateway.data-dir";
    public static final String HTTP_PORT = "gateway.http.port";
    public static final String BROKER_PORT = "gateway.broker.port";
    public static final String BROKER_URL = "gateway.broker.url";
    public static final String HQ_URL = "gateway.hq.url";
    public static final String HQ_TOKEN = "gateway.hq.token";
    public static final String MIRROR_JDBC_URL = "gateway.mirror.jdbc-url";
    public static final String MIRROR_USERNAME = "gateway.mirror.username";
    public static final String MIRROR_PASSWORD = "gateway.mirror.password";
    public static final String ROUTES_DIR = "gateway.routes-dir";
    public static final String USERS_FILE = "gateway.security.users-file";
    public static final String SIMULATOR_PORT = "hq.port";

    /** Defaults of README, Commands, and docs/SETUP.md; every other key has its default beside the code that reads it. */
    private static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry(STORE_ID, "S001"),
            Map.entry(DATA_DIR, "./data"),
            Map.entry(HTTP_PORT, "8080"),
            Map.entry(BROKER_PORT, "61616"),
            Map.entry(BROKER_URL, ""),
            Map.entry(HQ_URL, "http://localhost:9090"),
            Map.entry(HQ_TOKEN, ""),
            Map.entry(MIRROR_JDBC_URL, ""),
            Map.entry(MIRROR_USERNAME, ""),
            Map.entry(MIRROR_PASSWORD, ""),
            Map.entry(ROUTES_DIR, "./routes"),
            Map.entry(USERS_FILE, "config/users.properties"),
            Map.entry(SIMULATOR_PORT, "9090"));

    private final Properties values;
    private final Path source;
    /** Looked up for every key read, so a key that is in no file can still be set from outside. */
    private final Map<String, String> env;
    private final Properties system;
    /** The line of the config file each key is on (for messages that say where to look). */
    private final Map<String, Integer> lines;

    private GatewaySettings(Properties values, Path source, Map<String, String> env, Properties system,
            Map<String, Integer> lines) {
        this.values = values;
        this.source = source;
        this.env = env;
        this.system = system;
        this.lines = lines;
    }

    /** Loads the file (it may be absent: defaults apply), then applies the environment and system properties. */
    public static GatewaySettings load(Path configFile) {
        return load(configFile, System.getenv(), System.getProperties());
    }

    static GatewaySettings load(Path configFile, Map<String, String> env, Properties system) {
        Properties merged = new Properties();
        DEFAULTS.forEach(merged::setProperty);
        Map<String, Integer> lines = new HashMap<>();
        if (configFile != null && Files.isRegularFile(configFile)) {
            try (Reader r = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
                Properties file = new Properties();
                file.load(r);
                file.stringPropertyNames().forEach(k -> merged.setProperty(k, file.getProperty(k).trim()));
                lines = linesOf(Files.readAllLines(configFile, StandardCharsets.UTF_8));
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalStateException("cannot read config file " + configFile + ": " + e.getMessage(), e);
            }
        }
        for (String key : merged.stringPropertyNames()) {
            String fromEnv = env.get(environmentName(key));
            if (fromEnv != null) {
                merged.setProperty(key, fromEnv);
            }
        }
        for (String key : system.stringPropertyNames()) {
            if (key.startsWith("gateway.") || key.startsWith("camel.") || key.startsWith("hq.")) {
                merged.setProperty(key, system.getProperty(key));
            }
        }
        return new GatewaySettings(merged, configFile, env, system, lines);
    }

    /** Where each key is set: its first line of the form {@code key = value} (or {@code key=value}, {@code key: value}). */
    private static Map<String, Integer> linesOf(List<String> text) {
        Map<String, Integer> at = new HashMap<>();
        for (int i = 0; i < text.size(); i++) {
            String l = text.get(i).strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith("!")) {
                continue;
            }
            String key = l.split("[\\s=:]", 2)[0];
            at.putIfAbsent(key, i + 1);
        }
        return at;
    }

    /** Settings from explicit values over the defaults only (tests and embedded use). */
    public static GatewaySettings of(Map<String, String> overrides) {
        Properties merged = new Properties();
        DEFAULTS.forEach(merged::setProperty);
        overrides.forEach(merged::setProperty);
        return new GatewaySettings(merged, null, Map.of(), new Properties(), Map.of());
    }

    /** {@code gateway.hq.url} → {@code GATEWAY_HQ_URL}. */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public GatewaySettings with(String key, String value) {
        Properties copy = new Properties();
        copy.putAll(values);
        copy.setProperty(key, value);
        Properties sys = new Properties();
        sys.putAll(system);
        sys.remove(key);
        Map<String, String> envCopy = new HashMap<>(env);
        envCopy.remove(environmentName(key));
        Map<String, Integer> linesCopy = new HashMap<>(lines);
        linesCopy.remove(key);
        return new GatewaySettings(copy, source, envCopy, sys, linesCopy);
    }

    /** Every key set in the file, by default or by {@code -D} (not those only in the environment). */
    public Set<String> keys() {
        return values.stringPropertyNames();
    }

    /**
     * Where the value of {@code key} comes from, for a message: {@code -Dkey}, {@code env GATEWAY_KEY} or
     * {@code file:line}; null for a default or a value given in code.
     */
    public String whereSet(String key) {
        if (system.getProperty(key) != null) {
            return "-D" + key;
        }
        if (env.get(environmentName(key)) != null) {
            return "env " + environmentName(key);
        }
        Integer line = lines.get(key);
        return line == null ? null : source + ":" + line;
    }

    public Path source() {
        return source;
    }

    /** All values, for Camel's property placeholders ({{gateway.…}} in routes). */
    public Properties asProperties() {
        Properties copy = new Properties();
        copy.putAll(values);
        return copy;
    }

    public String get(String key, String fallback) {
        String v = system.getProperty(key);
        if (v == null) {
            v = env.get(environmentName(key));
        }
        if (v == null) {
            v = values.getProperty(key);
        }
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    public String require(String key) {
        String v = get(key, null);
        if (v == null) {
            throw new IllegalStateException(key + " must be set");
        }
        return v;
    }

    public int getInt(String key, int fallback) {
        String v = get(key, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(key + " must be a whole number, not '" + v + "'");
        }
    }

    public long getLong(String key, long fallback) {
        String v = get(key, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(key + " must be a whole number, not '" + v + "'");
        }
    }

    public double getDouble(String key, double fallback) {
        String v = get(key, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(key + " must be a number, not '" + v + "'");
        }
    }

    public String storeId() {
        return require(STORE_ID);
    }

    public Path dataDir() {
        return Path.of(require(DATA_DIR));
    }

    public int httpPort() {
        return getInt(HTTP_PORT, 8080);
    }

    public int brokerPort() {
        return getInt(BROKER_PORT, 61616);
    }

    /** Empty means: run the embedded broker. */
    public String brokerUrl() {
        return get(BROKER_URL, "");
    }

    public String hqUrl() {
        return require(HQ_URL).replaceAll("/+$", "");
    }

    public String hqToken() {
        return get(HQ_TOKEN, "");
    }

    public String mirrorJdbcUrl() {
        String url = get(MIRROR_JDBC_URL, null);
        if (url != null) {
            return url;
        }
        return "jdbc:sqlite:" + mirrorDir().resolve("mirror.db");
    }

    /** Where the embedded mirror's file lives (and an earlier version's H2 file, carried into it at first start). */
    public Path mirrorDir() {
        return dataDir().toAbsolutePath().normalize().resolve("mirror");
    }

    public String mirrorUsername() {
        return get(MIRROR_USERNAME, "");
    }

    public String mirrorPassword() {
        return get(MIRROR_PASSWORD, "");
    }

    public Path routesDir() {
        return Path.of(require(ROUTES_DIR));
    }

    public Path usersFile() {
        return Path.of(require(USERS_FILE));
    }

    public int simulatorPort() {
        return getInt(SIMULATOR_PORT, 9090);
    }
}
