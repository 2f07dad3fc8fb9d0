package io.storegateway.cli;

import io.storegateway.Gateway;
import io.storegateway.GatewaySettingRules;
import io.storegateway.config.GatewaySettings;
import io.storegateway.config.ListenPort;
import io.storegateway.hq.simulator.HqSimulator;
import io.storegateway.security.AccessTokens;
import io.storegateway.security.DemoCredentials;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Parses the command line and runs one command; returns the process exit code. */
public final class Commands {

    private static final Logger LOG = LoggerFactory.getLogger(Commands.class);
    static final int DEMO_CATALOGUE_SIZE = 20;
    /** The exit code of a command line that cannot be run (as a shell's for a misused builtin). */
    static final int EXIT_USAGE = 2;

    private Commands() {
    }

    public static int run(String[] args) {
        CommandLine line;
        try {
            line = CommandLine.parse(List.of(args));
        } catch (CommandLine.Unreadable e) {
            System.err.println("store-gateway: " + e.getMessage() + " (--help shows the usage)");
            return EXIT_USAGE;
        }
        if (line.help()) {
            System.out.print(CommandLine.usage(line.command()));
            return 0;
        }
        try {
            return switch (line.command()) {
                case RUN -> runGateway(settings(line));
                case DEMO -> runDemo(settings(line));
                case HQ_SIMULATOR -> runSimulator(settings(line));
                case VALIDATE -> new ConfigValidator(System.out).validate(Path.of(line.configFile()),
                        line.routesDir() != null ? Path.of(line.routesDir())
                                : GatewaySettings.load(Path.of(line.configFile())).routesDir());
                case HEALTH -> checkHealth(Path.of(line.configFile()));
            };
        } catch (IllegalStateException | IllegalArgumentException | UncheckedIOException e) {
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

    private static GatewaySettings settings(CommandLine line) {
        GatewaySettings loaded = GatewaySettings.load(Path.of(line.configFile()));
        GatewaySettings s = line.routesDir() == null ? loaded : loaded.with(GatewaySettings.ROUTES_DIR, line.routesDir());
        // The log format first, so that a refused start is logged in it too; then, before anything
        // opens (the demo credentials, the ports), what `validate` would say, in its words.
        try {
            LogFormat.apply(s);
        } catch (IllegalArgumentException e) {
            // neither text nor json: the rules below say so
        }
        GatewaySettingRules.requireValid(s);
        return s;
    }

    private static int checkHealth(Path configFile) {
        HealthProbe probe;
        try {
            probe = HealthProbe.of(GatewaySettings.load(configFile));
        } catch (IllegalStateException e) {
            System.out.println("DOWN: " + e.getMessage()); // settings the gateway cannot run with either
            return 1;
        }
        return probe.check(System.out);
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
        ListenPort.requireFree(GatewaySettings.SIMULATOR_PORT, settings.simulatorPort());
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
        ListenPort.requireFree(GatewaySettings.SIMULATOR_PORT, settings.simulatorPort());
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
}
