package io.storegateway.cli;

import io.storegateway.Gateway;
import io.storegateway.config.GatewaySettings;
import io.storegateway.hq.HqSimulator;
import io.storegateway.security.AccessTokens;
import io.storegateway.security.DemoCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.ArrayList;
import java.util.List;

/** Parses the command line and runs one command; returns the process exit code. */
public final class Commands {

    private static final Logger LOG = LoggerFactory.getLogger(Commands.class);
    static final int DEMO_CATALOGUE_SIZE = 20;

    private Commands() {
    }

    public static int run(String[] args) {
        List<String> rest = new ArrayList<>(List.of(args));
        String command = rest.isEmpty() || rest.get(0).startsWith("--") ? "run" : rest.remove(0);
        String configFile = option(rest, "--config", GatewaySettings.DEFAULT_CONFIG_FILE);
        String routesDir = option(rest, "--routes", null);
        if (!rest.isEmpty()) {
            return usage(System.err, "unexpected argument(s): " + String.join(" ", rest));
        }
        try {
            return switch (command) {
                case "run" -> runGateway(settings(configFile, routesDir));
                case "demo" -> runDemo(settings(configFile, routesDir));
                case "hq-simulator" -> runSimulator(settings(configFile, routesDir));
                case "validate" -> new ConfigValidator(System.out).validate(Path.of(configFile),
                        routesDir != null ? Path.of(routesDir) : GatewaySettings.load(Path.of(configFile)).routesDir());
                case "help", "-h", "--help" -> usage(System.out, null);
                default -> usage(System.err, "unknown command '" + command + "'");
            };
        } catch (IllegalStateException | IllegalArgumentException | java.io.UncheckedIOException e) {
            if (e.getCause() == null) {
                // A setting or file to fix: the message says which; a stack trace would only bury it.
                LOG.atError().addKeyValue("event", "start-refused").log("Cannot start: {}", e.getMessage());
            } else {
                LOG.atError().addKeyValue("event", "start-refused").log("Cannot start: {}", e.getMessage(), e);
            }
            System.err.println("store-gateway: " + e.getMessage());
            return 1;
        }
    }

    private static GatewaySettings settings(String configFile, String routesDir) {
        GatewaySettings s = GatewaySettings.load(Path.of(configFile));
        LogFormat.apply(s);
        return routesDir == null ? s : s.with(GatewaySettings.ROUTES_DIR, routesDir);
    }

    private static int runGateway(GatewaySettings settings) {
        // Only here, not in Gateway.start: `demo` and the tests start gateways with the demo users.
        DemoCredentials.refuse(settings, AccessTokens.load(settings.usersFile()));
        GracefulStop.takeSignals();
        Gateway gateway = Gateway.start(settings);
        GracefulStop.onTerminate(gateway);
        AtomicInteger exit = new AtomicInteger();
        gateway.whenBrokerDiskError(() -> {
            // The journal keeps what was acknowledged; a new process starts the broker on it again.
            exit.set(EXIT_BROKER_DISK_ERROR);
            GracefulStop.stopNow(EXIT_BROKER_DISK_ERROR);
        });
        GracefulStop.awaitTermination();
        return exit.get();
    }

    /** The exit code of {@code run} after the embedded broker stopped on a disk write failure (EX_TEMPFAIL). */
    static final int EXIT_BROKER_DISK_ERROR = 75;

    private static int runDemo(GatewaySettings settings) {
        GracefulStop.takeSignals();
        HqSimulator hq = new HqSimulator(settings.simulatorPort());
        hq.setRequiredToken(settings.hqToken().isEmpty() ? null : settings.hqToken());
        hq.seedDemoCatalogue(settings.storeId(), DEMO_CATALOGUE_SIZE);
        hq.start();
        GatewaySettings s = settings.with(GatewaySettings.HQ_URL, hq.url());
        Gateway gateway = Gateway.start(s);
        GracefulStop.onTerminate(gateway, hq::stop);
        int port = s.httpPort();
        LogFormat.announce("demo-ready", """

                Store Gateway demo is running (store %s, HQ simulator at %s).

                  Open the console:     http://localhost:%d/console/
                  Admin token:          demo-admin-token      (DEMO ONLY; sign in to the console with it)
                  Terminal token:       demo-terminal-token   (DEMO ONLY)

                  Post an update:
                    curl -s -X POST http://localhost:%d/api/v1/updates \\
                      -H 'Authorization: Bearer demo-terminal-token' -H 'Content-Type: application/json' \\
                      -d '{"terminalId":"till-1","type":"ADJUST_QUANTITY","sku":"SKU-0001","delta":-2,"occurredAt":"2026-11-27T10:00:00Z"}'
                  See it in the mirror:
                    curl -s http://localhost:%d/api/v1/products/SKU-0001 -H 'Authorization: Bearer demo-terminal-token'
                  Take HQ offline, and back:
                    curl -s -X POST %s/sim/v1/faults -d '{"mode":"down"}'
                    curl -s -X POST %s/sim/v1/faults -d '{"mode":"none"}'

                Ctrl-C stops it.""".formatted(s.storeId(), hq.url(), port, port, port, hq.url(), hq.url()));
        GracefulStop.awaitTermination();
        return 0;
    }

    private static int runSimulator(GatewaySettings settings) {
        HqSimulator hq = new HqSimulator(settings.simulatorPort());
        String token = settings.get("hq.token", settings.hqToken());
        hq.setRequiredToken(token.isEmpty() ? null : token);
        hq.useTls(settings);
        hq.seedDemoCatalogue(settings.storeId(), DEMO_CATALOGUE_SIZE);
        hq.start();
        LogFormat.announce("simulator-ready", "HQ simulator listening on " + hq.url() + " (store " + settings.storeId() + " seeded)");
        GracefulStop.onTerminate(hq::stop);
        GracefulStop.awaitTermination();
        return 0;
    }

    private static String option(List<String> args, String name, String fallback) {
        int i = args.indexOf(name);
        if (i < 0) {
            return fallback;
        }
        if (i + 1 >= args.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        String v = args.get(i + 1);
        args.remove(i + 1);
        args.remove(i);
        return v;
    }

    private static int usage(PrintStream out, String problem) {
        if (problem != null) {
            out.println("store-gateway: " + problem);
        }
        out.println("""
                usage: java -jar store-gateway.jar [command] [--config FILE] [--routes DIR]
                  run            the gateway (default)
                  demo           the gateway plus an in-process HQ simulator with a seeded catalogue
                  hq-simulator   the HQ simulator alone (port hq.port)
                  validate       check the route files and the config; exit 1 with file:line messages""");
        return problem == null ? 0 : 2;
    }
}
