package io.storegateway.cli;

import io.storegateway.GatewaySettingRules;
import io.storegateway.config.GatewaySettings;
import io.storegateway.config.SettingProblem;
import io.storegateway.hq.simulator.HqSimulator;
import io.storegateway.routes.RouteFileCheck;
import io.storegateway.security.GatewayTls;
import io.storegateway.security.KeyStoreFile;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code validate}: checks the config file and the route files offline, printing one
 * {@code file:line: key: message} per problem ({@code env GATEWAY_…} or {@code -Dkey} for an override):
 * every setting against the rules start-up checks ({@link GatewaySettingRules}), the TLS key and trust
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
        checkConfig(configFile, routesDir);
        checkRoutes(routesDir, configFile);
        problems.forEach(out::println);
        if (problems.isEmpty()) {
            out.println("OK: " + configFile + " and the routes in " + routesDir);
            return 0;
        }
        return 1;
    }

    private void checkConfig(Path file, Path routesDir) {
        if (!Files.isRegularFile(file)) {
            problems.add(file + ":1: config file not found");
            return;
        }
        GatewaySettings settings;
        try {
            settings = GatewaySettings.load(file);
        } catch (IllegalStateException e) {
            problems.add(file + ":1: " + e.getMessage());
            return;
        }
        // The rules start-up checks, against the values it would run with (the file, env and -D).
        GatewaySettingRules.problems(settings.with(GatewaySettings.ROUTES_DIR, routesDir.toString())).forEach(p -> problems.add(p.toString()));
        checkTls(settings);
    }

    /** Every configured key and trust store opens with its password and holds what it is for. */
    private void checkTls(GatewaySettings settings) {
        List<GatewayTls.Problem> found = new ArrayList<>(GatewayTls.problems(settings));
        GatewayTls.check(settings, HqSimulator.TLS_KEYSTORE, f -> f.loadKey(true), found);
        GatewayTls.check(settings, HqSimulator.TLS_CLIENT_TRUSTSTORE, KeyStoreFile::loadTrust, found);
        for (GatewayTls.Problem problem : found) {
            String m = problem.message().startsWith(problem.key() + ": ")
                    ? problem.message().substring(problem.key().length() + 2) : problem.message();
            problems.add(new SettingProblem(settings.whereSet(problem.key()), problem.key(), m).toString());
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
}
