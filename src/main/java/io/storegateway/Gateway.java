package io.storegateway;

import io.storegateway.admin.GatewayStatus;
import io.storegateway.broker.Queues;
import io.storegateway.broker.RemoteBroker;
import io.storegateway.config.GatewaySettings;
import io.storegateway.config.ListenPort;
import io.storegateway.connectivity.HqConnectivity;
import io.storegateway.forward.ForwardStats;
import io.storegateway.forward.Forwarding;
import io.storegateway.ingest.HttpIngest;
import io.storegateway.ingest.Ingest;
import io.storegateway.lifecycle.Shutdown;
import io.storegateway.mirror.AcceptedUpdates;
import io.storegateway.mirror.Mirror;
import io.storegateway.mirror.MirrorDatabase;
import io.storegateway.mirror.MirrorUpkeep;
import io.storegateway.routes.RouteFiles;
import io.storegateway.security.AccessTokens;
import io.storegateway.security.GatewayTls;
import io.storegateway.storage.FreeSpaceFloor;
import io.storegateway.tasks.BackgroundTasks;

import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * One running gateway: the broker, the mirror, and Camel with the API routes (Java) and the flows IT
 * may edit (YAML in {@code gateway.routes-dir}). Built from settings alone, one capability after the
 * other; closing it stops them in reverse order, letting in-flight batches finish or roll back.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    public static final String HQ_CONNECT_TIMEOUT_MS = "gateway.hq.connect-timeout-ms";
    public static final String HQ_RESPONSE_TIMEOUT_MS = "gateway.hq.response-timeout-ms";
    /** Moves /observe to a port of its own; unset, it is on gateway.http.port. */
    public static final String MANAGEMENT_PORT = "gateway.management.port";

    private final GatewaySettings settings;
    private final Clock clock;
    /** Every part's stop step, added as the part starts. */
    private final Shutdown shutdown = new Shutdown();
    private BrokerSide broker;
    private Mirror mirror;
    private Forwarding forwarding;
    private Observability observability;
    private CamelSide camel;

    private Gateway(GatewaySettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    public static Gateway start(GatewaySettings settings) {
        return start(settings, Clock.systemUTC());
    }

    /** With another clock: tests that let days pass (the mirror's retention). */
    static Gateway start(GatewaySettings settings, Clock clock) {
        Gateway g = new Gateway(settings, clock);
        try {
            g.startAll();
            return g;
        } catch (RuntimeException e) {
            g.close();
            throw e;
        } catch (Exception e) {
            g.close();
            throw new IllegalStateException("gateway failed to start: " + e.getMessage(), e);
        }
    }

    private void startAll() throws Exception {
        long started = System.nanoTime();
        // Every setting against its rule first, all problems at once: the same words as `validate`.
        GatewaySettingRules.requireValid(settings);
        AccessTokens tokens = AccessTokens.load(settings.usersFile());
        // Every configured key and trust store is opened now: a wrong path or password stops the start, naming the key.
        GatewayTls tls = GatewayTls.from(settings);
        requireFreePorts(settings);

        // The mirror opens (and migrates, or imports an earlier version's) while the broker starts: on two
        // cores that overlap is a third of a second of start-up. Closed last, whatever happens after.
        CompletableFuture<MirrorDatabase> mirrorOpening = Mirror.openInBackground(settings, shutdown);
        broker = BrokerSide.start(settings, tokens, shutdown);
        // HQ's reachability decides whether a failing task is news (it comes with forwarding, below).
        BackgroundTasks tasks = new BackgroundTasks(() -> forwarding != null && forwarding.connectivity().online(), clock,
                Duration.ofMillis(settings.getLong(HqConnectivity.INTERVAL_MS, HqConnectivity.DEFAULT_INTERVAL_MS)
                        + settings.getLong(HQ_RESPONSE_TIMEOUT_MS, 10_000)));
        mirror = Mirror.start(mirrorOpening, settings, tasks, clock, shutdown);
        Ingest ingest = Ingest.start(settings, broker.connections(), broker.storage(), broker.identity(), mirror.acceptedUpdates(),
                clock, shutdown);
        // With a shared broker, the settled-notices subscription exists before anything is forwarded.
        forwarding = Forwarding.start(settings, broker.connections(), mirror, tasks, clock, shutdown);
        observability = Observability.start(broker, mirror, ingest, forwarding, tasks, clock, shutdown);
        camel = CamelSide.start(settings, clock, tls, tokens, broker, mirror, ingest, forwarding, observability, shutdown);
        LOG.atInfo().addKeyValue("event", "started")
                .log("Store Gateway {} up in {} ms: {}://localhost:{}/ , broker {}, HQ {}",
                        settings.storeId(), (System.nanoTime() - started) / 1_000_000, tls.httpsEnabled() ? "https" : "http",
                        settings.httpPort(),
                        settings.brokerUrl().isEmpty() ? "port " + settings.brokerPort() : RemoteBroker.redacted(settings.brokerUrl()),
                        settings.hqUrl());
    }

    private static void requireFreePorts(GatewaySettings settings) {
        ListenPort.requireFree(GatewaySettings.HTTP_PORT, settings.httpPort());
        int managementPort = managementPort(settings);
        if (managementPort != settings.httpPort()) {
            ListenPort.requireFree(MANAGEMENT_PORT, managementPort);
        }
        if (settings.brokerUrl().isEmpty()) {
            ListenPort.requireFree(GatewaySettings.BROKER_PORT, settings.brokerPort());
        }
    }

    /**
     * The settings as Camel sees them, with what the gateway cannot run without filled in when a
     * config file leaves it out: the HTTP server on gateway.http.port, and finite HQ time-outs.
     */
    static Properties camelProperties(GatewaySettings s) {
        Properties p = s.asProperties();
        p.setProperty("camel.server.enabled", "true");
        p.setProperty("camel.server.port", Integer.toString(s.httpPort()));
        p.putIfAbsent("camel.server.maxBodySize", Integer.toString(2 * HttpIngest.MAX_BODY_BYTES));
        // /observe/health and /observe/metrics (Prometheus), on the main port unless MANAGEMENT_PORT is set.
        p.setProperty("camel.metrics.enabled", "true");
        // Its per-endpoint timers clash in Prometheus with calls made outside routes (producer templates).
        p.putIfAbsent("camel.metrics.enableExchangeEventNotifier", "false");
        p.setProperty("camel.health.enabled", "true");
        // Name every check and its state, not only the overall one: IT reads this page to see what is wrong.
        p.putIfAbsent("camel.health.exposureLevel", "full");
        p.setProperty("camel.management.enabled", "true");
        p.setProperty("camel.management.port", Integer.toString(managementPort(s)));
        p.setProperty("camel.management.metricsEnabled", "true");
        p.setProperty("camel.management.healthCheckEnabled", "true");
        String connect = s.get(HQ_CONNECT_TIMEOUT_MS, "3000");
        String response = s.get(HQ_RESPONSE_TIMEOUT_MS, "10000");
        p.putIfAbsent("camel.component.http.connectTimeout", connect);
        p.putIfAbsent("camel.component.http.connectionRequestTimeout", connect);
        p.putIfAbsent("camel.component.http.responseTimeout", response);
        p.putIfAbsent("camel.component.http.soTimeout", response);
        // An https:// HQ URL uses the "https" component: the same time-outs, unless set for it alone.
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("camel.component.http.")) {
                p.putIfAbsent("camel.component.https." + key.substring("camel.component.http.".length()), p.getProperty(key));
            }
        }
        if (s.get(GatewayTls.KEYSTORE, null) != null) {
            p.setProperty("camel.server.useGlobalSslContextParameters", "true");
            p.setProperty("camel.management.useGlobalSslContextParameters", "true");
        }
        return p;
    }

    /** Where /observe (health and metrics) is served: {@link #MANAGEMENT_PORT}, else the HTTP port. */
    public static int managementPort(GatewaySettings s) {
        return s.getInt(MANAGEMENT_PORT, s.httpPort());
    }

    public GatewaySettings settings() {
        return settings;
    }

    public CamelContext camelContext() {
        return camel.main().getCamelContext();
    }

    public MirrorDatabase mirror() {
        return mirror.database();
    }

    /**
     * Runs once when the embedded broker stops itself after a disk write failure (Artemis cannot be
     * started again in the same process): {@code run} then exits non-zero for its supervisor to restart it.
     */
    public void whenBrokerDiskError(Runnable action) {
        if (broker.embedded() != null) {
            broker.embedded().whenDiskError(action);
        }
    }

    public FreeSpaceFloor storageFloor() {
        return broker.floor();
    }

    public MirrorUpkeep mirrorUpkeep() {
        return mirror.upkeep();
    }

    public AcceptedUpdates acceptedUpdates() {
        return mirror.acceptedUpdates();
    }

    /** Whether the mirror holds HQ's catalogue (loaded now or on an earlier run). */
    public boolean catalogueLoaded() {
        return mirror.catalogue().loaded();
    }

    public HqConnectivity connectivity() {
        return forwarding.connectivity();
    }

    public GatewayStatus status() {
        return observability.status();
    }

    /** The route files as they run: versions, refused changes ({@link RouteFiles#errors()}), rollback. */
    public RouteFiles routeFiles() {
        return camel.routeFiles();
    }

    public ForwardStats forwardStats() {
        return forwarding.stats();
    }

    /** Updates waiting to go to HQ (-1 while a remote broker cannot be asked). */
    public long backlog() {
        return depth(Queues.OUTBOUND);
    }

    public long depth(String queue) {
        return broker.depths().depth(queue);
    }

    /**
     * Stops every part in the reverse of the order it started: terminals get a 503 first, the route files
     * stop being watched, Camel stops before the JMS consumer and the outbound batches its routes use, then
     * the route files, the activity history, Vert.x, the JVM meters, the settled notices, the intake, the
     * mirror's upkeep, the broker connections and the broker; the mirror database closes last.
     */
    @Override
    public synchronized void close() {
        shutdown.close();
    }
}
