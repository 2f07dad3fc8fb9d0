package io.storegateway.cli;

import io.storegateway.config.GatewaySettings;
import io.storegateway.mirror.MirrorDatabase;
import io.storegateway.mirror.MirrorRetention;
import io.storegateway.hq.HqSimulator;
import io.storegateway.routes.RouteFileCheck;
import io.storegateway.security.GatewayTls;
import io.storegateway.security.KeyStoreFile;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code validate}: checks the config file and the route files offline, printing one
 * {@code file:line: message} per problem: numeric settings, the HQ URL and the TLS key and trust
 * stores (each must open with its password and hold a key, or certificates to trust), and for the routes
 * everything {@link RouteFileCheck} checks before the running gateway swaps a file in (YAML syntax,
 * unknown EIPs and options, unresolvable placeholders, unknown beans, route ids used twice).
 */
final class ConfigValidator {

    private final PrintStream out;
    private final List<String> problems = new ArrayList<>();

    ConfigValidator(PrintStream out) {
        this.out = out;
    }

    int validate(Path configFile, Path routesDir) {
        checkConfig(configFile);
        checkRoutes(routesDir, configFile);
        problems.forEach(out::println);
        if (problems.isEmpty()) {
            out.println("OK: " + configFile + " and the routes in " + routesDir);
            return 0;
        }
        return 1;
    }

    private void checkConfig(Path file) {
        if (!Files.isRegularFile(file)) {
            problems.add(file + ":1: config file not found");
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.add(file + ":1: cannot read: " + e.getMessage());
            return;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            problems.add(file + ":1: not a properties file: " + e.getMessage());
            return;
        }
        for (String key : p.stringPropertyNames()) {
            String value = p.getProperty(key).trim();
            boolean numeric = key.endsWith("-ms") || key.endsWith(".port") || key.endsWith("-size")
                    || key.endsWith("-bytes") || key.endsWith("-percent") || key.endsWith(".consumers");
            if (numeric && !value.isEmpty() && !value.startsWith("{{") && !value.matches("-?\\d+")) {
                problems.add(file + ":" + lineOf(lines, key) + ": " + key + " must be a whole number, not '" + value + "'");
            }
        }
        String logFormat = p.getProperty(LogFormat.KEY);
        if (logFormat != null && !logFormat.trim().matches("(?i)text|json")) {
            problems.add(file + ":" + lineOf(lines, LogFormat.KEY) + ": " + LogFormat.KEY + " must be text or json, not '"
                    + logFormat.trim() + "'");
        }
        String hqUrl = p.getProperty(GatewaySettings.HQ_URL);
        if (hqUrl != null && !hqUrl.trim().matches("https?://.+")) {
            problems.add(file + ":" + lineOf(lines, GatewaySettings.HQ_URL) + ": " + GatewaySettings.HQ_URL
                    + " must be an http:// or https:// URL");
        }
        checkMirror(file, lines, p);
        checkTls(file, lines);
    }

    /** The mirror's retention and engine, read as the gateway reads them at start. */
    private void checkMirror(Path file, List<String> lines, Properties p) {
        String retention = p.getProperty(MirrorRetention.RETENTION);
        if (retention != null && !retention.isBlank()) {
            try {
                MirrorRetention.parse(retention);
            } catch (IllegalStateException e) {
                problems.add(file + ":" + lineOf(lines, MirrorRetention.RETENTION) + ": " + e.getMessage());
            }
        }
        String url = p.getProperty(GatewaySettings.MIRROR_JDBC_URL);
        if (url != null && !url.isBlank()) {
            try {
                MirrorDatabase.engineOf(url.trim());
            } catch (IllegalStateException e) {
                problems.add(file + ":" + lineOf(lines, GatewaySettings.MIRROR_JDBC_URL) + ": " + e.getMessage());
            }
        }
    }

    /** Every configured key and trust store opens with its password and holds what it is for. */
    private void checkTls(Path file, List<String> lines) {
        GatewaySettings settings;
        try {
            settings = GatewaySettings.load(file);
        } catch (RuntimeException e) {
            return; // reported as the file's own problem
        }
        List<GatewayTls.Problem> found = new ArrayList<>(GatewayTls.problems(settings));
        GatewayTls.check(settings, HqSimulator.TLS_KEYSTORE, f -> f.loadKey(true), found);
        GatewayTls.check(settings, HqSimulator.TLS_CLIENT_TRUSTSTORE, KeyStoreFile::loadTrust, found);
        for (GatewayTls.Problem problem : found) {
            problems.add(file + ":" + lineOf(lines, problem.key()) + ": " + problem.message());
        }
    }

    /** Every route file, against the settings the gateway would run with (the config file, env and -D). */
    private void checkRoutes(Path dir, Path configFile) {
        GatewaySettings settings;
        try {
            settings = GatewaySettings.load(configFile);
        } catch (RuntimeException e) {
            settings = GatewaySettings.of(Map.of()); // the config's own problem is reported already
        }
        try (RouteFileCheck check = new RouteFileCheck(settings.asProperties())) {
            check.checkDirectory(dir).problems().forEach(p -> problems.add(p.toString()));
        }
    }

    private static int lineOf(List<String> lines, String key) {
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).trim();
            if (l.startsWith(key + " ") || l.startsWith(key + "=") || l.startsWith(key + ":")) {
                return i + 1;
            }
        }
        return 1;
    }
}
