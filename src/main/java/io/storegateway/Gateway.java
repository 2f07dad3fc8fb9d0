package io.storegateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.storegateway.admin.ActivityHistory;
import io.storegateway.admin.AdminApiRoutes;
import io.storegateway.admin.GatewayMetrics;
import io.storegateway.admin.JvmMetrics;
import io.storegateway.admin.PrometheusRegistry;
import io.storegateway.admin.ParkedMessages;
import io.storegateway.admin.GatewayStatus;
import io.storegateway.admin.HistoryApiRoutes;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.GroupFence;
import io.storegateway.broker.BrokerIdentity;
import io.storegateway.broker.StorageGuard;
import io.storegateway.connectivity.HqConnectivity;
import io.storegateway.forward.BatchNarrower;
import io.storegateway.forward.HqCallFailure;
import io.storegateway.forward.HqAccessAlert;
import io.storegateway.forward.HqCircuitBreaker;
import io.storegateway.broker.EmbeddedBroker;
import io.storegateway.broker.QueueDepths;
import io.storegateway.broker.Queues;
import io.storegateway.broker.RemoteBroker;
import io.storegateway.config.GatewaySettings;
import io.storegateway.config.ListenPort;
import io.storegateway.forward.ForwardBackoff;
import io.storegateway.forward.ForwardStats;
import io.storegateway.forward.HqAnswerApplier;
import io.storegateway.forward.HqBatchRequest;
import io.storegateway.forward.HqHttpClient;
import io.storegateway.forward.HqRequestTimer;
import io.storegateway.health.GatewayHealthChecks;
import io.storegateway.ingest.IngestStats;
import io.storegateway.forward.OutboundBatches;
import io.storegateway.forward.SettledNotices;
import io.storegateway.ingest.HttpIngest;
import io.storegateway.ingest.HttpIngestHandler;
import io.storegateway.ingest.JmsIngest;
import io.storegateway.ingest.UpdateIntake;
import io.storegateway.ingest.UpdateValidator;
import io.storegateway.mirror.AcceptedUpdates;
import io.storegateway.mirror.CatalogueLoader;
import io.storegateway.mirror.ConflictRecords;
import io.storegateway.mirror.HqChangesPoller;
import io.storegateway.mirror.Reconciliation;
import io.storegateway.mirror.SyncState;
import io.storegateway.conflict.ConflictApiRoutes;
import io.storegateway.conflict.ConflictResolver;
import io.storegateway.conflict.ManualResolutions;
import io.storegateway.mirror.MirrorApiRoutes;
import io.storegateway.mirror.MirrorDatabase;
import io.storegateway.mirror.MirrorUpkeep;
import io.storegateway.mirror.MirrorWriter;
import io.storegateway.mirror.ProductViews;
import io.storegateway.mirror.Products;
import io.storegateway.routes.GatewayBeans;
import io.storegateway.routes.RouteFiles;
import io.storegateway.routes.RouteFilesApiRoutes;
import io.storegateway.storage.FreeSpaceFloor;
import io.storegateway.tasks.BackgroundTasks;
import io.storegateway.security.AccessTokens;
import io.storegateway.security.GatewayTls;
import io.storegateway.security.RequestRate;
import io.storegateway.security.RequireRole;
import io.storegateway.security.Role;
import io.storegateway.web.ApiErrors;
import io.storegateway.web.ConsoleRoutes;
import io.storegateway.web.OpenApiRoutes;
import io.storegateway.web.HttpServerGuard;
import io.storegateway.web.JsonHttpErrors;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Deque;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One running gateway: the broker, the mirror, and Camel with the API routes (Java) and the flows IT
 * may edit (YAML in {@code gateway.routes-dir}). Built from settings alone; closing it stops
 * everything in reverse order, letting in-flight batches finish or roll back.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    private static final String GATEWAY_USER = "gateway-internal";
    public static final String HQ_CONNECT_TIMEOUT_MS = "gateway.hq.connect-timeout-ms";
    public static final String HQ_RESPONSE_TIMEOUT_MS = "gateway.hq.response-timeout-ms";
    /** Moves /observe to a port of its own; unset, it is on gateway.http.port. */
    public static final String MANAGEMENT_PORT = "gateway.management.port";

    private final GatewaySettings settings;
    private final Clock clock;
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    /** The embedded broker, or the remote one: both answer how many updates wait. */
    private QueueDepths depths;
    private MirrorDatabase mirror;
    private AcceptedUpdates acceptedUpdates;
    private MirrorUpkeep mirrorUpkeep;
    private FreeSpaceFloor storageFloor;
    private EmbeddedBroker embeddedBroker;
    private ForwardStats forwardStats;
    private Main camel;
    private CatalogueLoader catalogue;
    private HqConnectivity connectivity;
    private GatewayStatus status;
    private RouteFiles routeFiles;

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
        ListenPort.requireFree(GatewaySettings.HTTP_PORT, settings.httpPort());
        int managementPort = managementPort(settings);
        if (managementPort != settings.httpPort()) {
            ListenPort.requireFree(MANAGEMENT_PORT, managementPort);
        }
        if (settings.brokerUrl().isEmpty()) {
            ListenPort.requireFree(GatewaySettings.BROKER_PORT, settings.brokerPort());
        }

        // The mirror opens (and migrates, or imports an earlier version's) while the broker starts: on two
        // cores that overlap is a third of a second of start-up. Closed last, whatever happens after.
        CompletableFuture<MirrorDatabase> mirrorOpening = CompletableFuture.supplyAsync(() -> MirrorDatabase.open(settings),
                task -> new Thread(task, "mirror-open").start());
        toClose.push(() -> {
            try {
                mirrorOpening.join().close();
            } catch (CompletionException e) {
                // it never opened: nothing to close
            }
        });

        String secret = HexFormat.of().formatHex(randomBytes(24));
        String url = settings.brokerUrl();
        String user = GATEWAY_USER;
        StorageGuard storage;
        BrokerIdentity identity;
        if (url.isEmpty()) {
            EmbeddedBroker broker = new EmbeddedBroker(settings, tokens, GATEWAY_USER, secret).start();
            embeddedBroker = broker;
            toClose.push(broker);
            depths = broker;
            storage = broker;
            identity = broker;
            url = EmbeddedBroker.IN_VM_URL;
        } else {
            user = settings.require(RemoteBroker.USERNAME);
            secret = settings.require(RemoteBroker.PASSWORD);
            RemoteBroker remote = RemoteBroker.connect(settings, url, user, secret);
            toClose.push(remote);
            depths = remote;
            storage = remote;
            identity = remote;
        }
        // The free-space floor over every disk the gateway writes to: the broker's (embedded) and the
        // SQLite mirror's. Logs go to the console, the supervisor's business.
        List<Path> written = new ArrayList<>();
        if (settings.brokerUrl().isEmpty()) {
            written.add(settings.dataDir().resolve("broker"));
        }
        if (MirrorDatabase.engineOf(settings.mirrorJdbcUrl()) == MirrorDatabase.Engine.SQLITE) {
            written.add(settings.mirrorDir());
        }
        if (written.isEmpty()) {
            written.add(settings.dataDir());
        }
        storageFloor = FreeSpaceFloor.from(settings, written);
        storage = StorageGuard.either(storageFloor, storage);
        BrokerConnections connections = new BrokerConnections(url, user, secret,
                settings.getInt(BrokerConnections.PRODUCER_SESSIONS, BrokerConnections.DEFAULT_PRODUCER_SESSIONS));
        toClose.push(connections);

        try {
            mirror = mirrorOpening.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        mirrorUpkeep = MirrorUpkeep.start(settings, mirror, clock);
        toClose.push(mirrorUpkeep);
        acceptedUpdates = new AcceptedUpdates(mirror);
        Products products = new Products();
        ConflictRecords conflicts = new ConflictRecords(mirror);
        SyncState syncState = new SyncState(mirror);
        ProductViews views = new ProductViews(mirror, products, conflicts);
        MirrorWriter writer = new MirrorWriter(mirror, acceptedUpdates, products, conflicts, clock);
        // HQ's reachability decides whether a failing task is news (connectivity is made below).
        BackgroundTasks tasks = new BackgroundTasks(() -> connectivity != null && connectivity.online(), clock,
                Duration.ofMillis(settings.getLong(HqConnectivity.INTERVAL_MS, HqConnectivity.DEFAULT_INTERVAL_MS)
                        + settings.getLong(HQ_RESPONSE_TIMEOUT_MS, 10_000)));
        Reconciliation reconciliation = new Reconciliation(mirror, products, acceptedUpdates, syncState, settings.hqUrl(),
                settings.storeId(), settings.hqToken(), clock, tasks);
        HqChangesPoller changes = new HqChangesPoller(mirror, products, syncState, settings.hqUrl(), settings.storeId(),
                settings.hqToken(), settings.getLong("gateway.changes.interval-ms", 30_000), clock, tasks);
        ConflictResolver resolver = ConflictResolver.from(settings);

        UpdateValidator validator = new UpdateValidator();
        IngestStats ingestStats = new IngestStats();
        UpdateIntake intake = new UpdateIntake(connections, storage, acceptedUpdates, ingestStats, clock);
        toClose.push(intake);
        ForwardBackoff backoff = ForwardBackoff.from(settings, clock);
        backoff.reportTo(tasks);
        forwardStats = new ForwardStats(clock);
        CircuitBreaker breaker = HqCircuitBreaker.from(settings, () -> tasks.failureIsNews(BackgroundTasks.FORWARDING));
        HqAccessAlert accessAlert = new HqAccessAlert(settings, clock);
        OutboundBatches batches = new OutboundBatches(connections, backoff, breaker, accessAlert, settings);
        HqBatchRequest request = new HqBatchRequest(settings.hqToken(),
                Boolean.parseBoolean(settings.get(HqBatchRequest.GZIP, "false")));
        // Gateways sharing a remote broker tell each other HQ's answers, so each mirror settles what it accepted.
        SettledNotices notices = settings.brokerUrl().isEmpty() ? SettledNotices.none()
                : SettledNotices.shared(settings, noticeReader(url, user, secret), writer);
        toClose.push(notices);
        HqAnswerApplier applier = new HqAnswerApplier(writer, resolver, request, backoff, accessAlert, forwardStats, notices,
                changes);
        batches.whenDrained(reconciliation::backlogDrained);
        batches.whenDrained(mirrorUpkeep::soon);
        connectivity = new HqConnectivity(clock);
        // HQ is back: drain now, not at the next back-off tick or when the breaker's wait is over.
        connectivity.onRestored(backoff::retryNow);
        connectivity.onRestored(() -> {
            if (breaker.getState() != CircuitBreaker.State.CLOSED) {
                breaker.transitionToClosedState();
            }
        });
        // ...and catch up with what changed at HQ meanwhile.
        connectivity.onRestored(changes::request);
        connectivity.onRestored(reconciliation::request);
        status = new GatewayStatus(connectivity, breaker, accessAlert, forwardStats, acceptedUpdates, this::depth,
                conflicts, reconciliation, clock);

        PrometheusMeterRegistry meters = PrometheusRegistry.create();
        toClose.push(JvmMetrics.bindTo(meters));
        GatewayMetrics.register(meters, connectivity, breaker, accessAlert, backoff, forwardStats, this::depth, status,
                conflicts, reconciliation, resolver, ingestStats);
        GatewayMetrics.registerStorage(meters, storageFloor);
        GatewayMetrics.registerTasks(meters, tasks);

        RequestRate rate = RequestRate.from(settings);
        RequireRole terminal = new RequireRole(tokens, Role.TERMINAL, rate);
        RequireRole admin = new RequireRole(tokens, Role.ADMIN, rate);

        camel = new Main();
        camel.setOverrideProperties(camelProperties(settings));
        // platform-http takes its Vert.x from the registry: this one cuts off slow clients and answers the
        // HTTP server's own errors (404, 405, oversized headers) in JSON. Closed after Camel has stopped.
        io.vertx.core.Vertx vertx = HttpServerGuard.from(settings).vertx();
        toClose.push(() -> vertx.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS));
        camel.bind("vertx", vertx);
        // The route files go through the same check and swap as every later edit.
        routeFiles = new RouteFiles(settings, clock);
        JmsComponent jms = new JmsComponent();
        jms.setConnectionFactory(connections.connectionFactory());
        GatewayBeans.JMS.bind(camel, jms);
        GatewayBeans.METER_REGISTRY.bind(camel, meters);
        HqRequestTimer hqRequestTimer = new HqRequestTimer(meters, settings.hqUrl());
        camel.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport main) {
                main.getCamelContext().getManagementStrategy().addEventNotifier(hqRequestTimer);
            }
        });
        HttpComponent http = new HttpComponent();
        http.setHttpClientConfigurer(new HqHttpClient());
        GatewayBeans.HTTP.bind(camel, http);
        // Camel resolves https:// URIs to the component named "https": the same client, with HQ's trust
        // (and the gateway's client certificate). A component of its own, as camel-http turns every URI
        // of a component that has SSL parameters into https://.
        HttpComponent https = new HttpComponent();
        https.setHttpClientConfigurer(new HqHttpClient());
        https.setSslContextParameters(tls.hqClient());
        GatewayBeans.HTTPS.bind(camel, https);
        tls.httpServer().ifPresent(ssl -> camel.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport main) {
                // Camel's HTTP server (and the management one) takes its key from the context's global
                // SSL parameters (camel.server.useGlobalSslContextParameters, set in camelProperties).
                ssl.setCamelContext(main.getCamelContext());
                main.getCamelContext().setSSLContextParameters(ssl);
            }
        }));
        catalogue = new CatalogueLoader(mirror, products, settings.hqUrl(), settings.storeId(), settings.hqToken(), clock, tasks);
        GatewayBeans.CATALOGUE_LOADER.bind(camel, catalogue);
        GatewayBeans.HQ_CHANGES_POLLER.bind(camel, changes);
        GatewayBeans.RECONCILIATION.bind(camel, reconciliation);
        JmsIngest jmsIngest = new JmsIngest(validator, intake, connections, identity,
                settings.getLong(JmsIngest.POLL_TIMEOUT_MS, 500),
                settings.brokerUrl().isEmpty() ? null : GroupFence.from(settings));
        GatewayBeans.JMS_INGEST.bind(camel, jmsIngest);
        GatewayBeans.OUTBOUND_BATCHES.bind(camel, batches);
        GatewayBeans.HQ_BATCH_REQUEST.bind(camel, request);
        GatewayBeans.HQ_ANSWER_APPLIER.bind(camel, applier);
        GatewayBeans.HQ_CALL_FAILURE.bind(camel, new HqCallFailure(new BatchNarrower(request, applier, batches), batches));
        GatewayBeans.HQ_CIRCUIT_BREAKER.bind(camel, breaker);
        GatewayBeans.HQ_CONNECTIVITY.bind(camel, connectivity);
        camel.configure().addRoutesBuilder(new ApiErrors());
        camel.configure().addRoutesBuilder(new MirrorApiRoutes(terminal, views, acceptedUpdates));
        camel.configure().addRoutesBuilder(new ConsoleRoutes());
        camel.configure().addRoutesBuilder(new OpenApiRoutes(terminal));
        camel.configure().addRoutesBuilder(new AdminApiRoutes(admin, status, reconciliation,
                new ParkedMessages(connections, acceptedUpdates, jmsIngest::whyInvalid)));
        camel.configure().addRoutesBuilder(new ConflictApiRoutes(admin, conflicts,
                new ManualResolutions(conflicts, views, intake, validator, clock)));
        // The console's chart: backlog and throughput over the last hour.
        ActivityHistory history = ActivityHistory.start(settings, clock, this::backlog, ingestStats::acceptedTotal, forwardStats::updates);
        toClose.push(history);
        camel.configure().addRoutesBuilder(new HistoryApiRoutes(admin, history));
        camel.configure().addRoutesBuilder(new RouteFilesApiRoutes(admin, routeFiles));
        toClose.push(routeFiles);
        camel.configure().addRoutesBuilder(routeFiles.checkAtStart());
        status.addSection("routes", routeFiles::statusJson);
        status.addSection("mirror", mirrorUpkeep::status);
        status.addSection("tasks", () -> {
            var n = tasks.status();
            if (tasks.failing(BackgroundTasks.FORWARDING)) {
                // A batch failing again and again: the update at the head of the queue is the one held back.
                ((ObjectNode) n.get(BackgroundTasks.FORWARDING))
                        .put("oldestQueuedUpdate", acceptedUpdates.oldestQueued().orElse(null));
            }
            return n;
        });
        status.addSection("storage", () -> {
            var n = storageFloor.status();
            if (embeddedBroker != null) {
                n.put("brokerDiskError", embeddedBroker.diskError());
            }
            return n;
        });
        // Camel stops before the outbound consumer, the broker and the mirror it uses.
        toClose.push(batches);
        toClose.push(jmsIngest);
        toClose.push(camel::stop);
        camel.start();
        // The hot path on the same server and router, beside Camel's routes (HttpIngestHandler says why).
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(camel.getCamelContext(),
                VertxPlatformHttpRouter.getRouterNameFromPort(settings.httpPort()));
        new HttpIngestHandler(terminal, new HttpIngest(validator, intake)).install(router, router.bodyHandler());
        GatewayHealthChecks.register(camel.getCamelContext(),
                Duration.ofMillis(settings.getLong(GatewayHealthChecks.PROBE_TIMEOUT_MS, 2000)), connections, storage,
                settings.brokerUrl().isEmpty() ? "embedded" : RemoteBroker.redacted(settings.brokerUrl()), mirror, connectivity, accessAlert,
                routeFiles::errors);
        // Watching stops first, so no swap runs while Camel stops.
        toClose.push(routeFiles::stopWatching);
        routeFiles.watch();
        AtomicBoolean stopping = new AtomicBoolean();
        JsonHttpErrors.install(camel.getCamelContext(), settings.httpPort(), stopping::get);
        // Closed first: from here on terminals get a JSON 503 with Retry-After while the rest stops.
        toClose.push(() -> stopping.set(true));
        LOG.atInfo().addKeyValue("event", "started")
                .log("Store Gateway {} up in {} ms: {}://localhost:{}/ , broker {}, HQ {}",
                        settings.storeId(), (System.nanoTime() - started) / 1_000_000, tls.httpsEnabled() ? "https" : "http",
                        settings.httpPort(),
                        settings.brokerUrl().isEmpty() ? "port " + settings.brokerPort() : RemoteBroker.redacted(settings.brokerUrl()),
                        settings.hqUrl());
    }

    /**
     * The settings as Camel sees them, with what the gateway cannot run without filled in when a
     * config file leaves it out: the HTTP server on gateway.http.port, and finite HQ time-outs.
     */
    static java.util.Properties camelProperties(GatewaySettings s) {
        java.util.Properties p = s.asProperties();
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

    /**
     * The connection the other gateways' notices are read on: nothing prefetched (a killed gateway
     * holds no notices in its buffer), and a short time-to-live, so the broker gives a killed
     * gateway's unfinished notice back within seconds rather than a minute, when it restarts.
     */
    private org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory noticeReader(String url, String user,
                                                                                          String secret) {
        var f = new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory(url, user, secret);
        f.setConsumerWindowSize(0);
        f.setConnectionTTL(10_000);
        f.setClientFailureCheckPeriod(2_000);
        toClose.push(f::close);
        return f;
    }

    /** Where /observe (health and metrics) is served: {@link #MANAGEMENT_PORT}, else the HTTP port. */
    public static int managementPort(GatewaySettings s) {
        return s.getInt(MANAGEMENT_PORT, s.httpPort());
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    public GatewaySettings settings() {
        return settings;
    }

    public CamelContext camelContext() {
        return camel.getCamelContext();
    }

    public MirrorDatabase mirror() {
        return mirror;
    }

    /**
     * Runs once when the embedded broker stops itself after a disk write failure (Artemis cannot be
     * started again in the same process): {@code run} then exits non-zero for its supervisor to restart it.
     */
    public void whenBrokerDiskError(Runnable action) {
        if (embeddedBroker != null) {
            embeddedBroker.whenDiskError(action);
        }
    }

    public FreeSpaceFloor storageFloor() {
        return storageFloor;
    }

    public MirrorUpkeep mirrorUpkeep() {
        return mirrorUpkeep;
    }

    public AcceptedUpdates acceptedUpdates() {
        return acceptedUpdates;
    }

    /** Whether the mirror holds HQ's catalogue (loaded now or on an earlier run). */
    public boolean catalogueLoaded() {
        return catalogue.loaded();
    }

    public HqConnectivity connectivity() {
        return connectivity;
    }

    public GatewayStatus status() {
        return status;
    }

    /** The route files as they run: versions, refused changes ({@link RouteFiles#errors()}), rollback. */
    public RouteFiles routeFiles() {
        return routeFiles;
    }

    public ForwardStats forwardStats() {
        return forwardStats;
    }

    /** Updates waiting to go to HQ (-1 while a remote broker cannot be asked). */
    public long backlog() {
        return depth(Queues.OUTBOUND);
    }

    public long depth(String queue) {
        return depths.depth(queue);
    }

    @Override
    public synchronized void close() {
        while (!toClose.isEmpty()) {
            AutoCloseable c = toClose.pop();
            try {
                c.close();
            } catch (Exception | LinkageError e) {
                LOG.atWarn().addKeyValue("event", "stop-failed").log("Stopping {} failed: {}", c, e.toString());
            }
        }
    }
}
