package io.storegateway;

import io.storegateway.admin.ActivityHistory;
import io.storegateway.admin.AdminApiRoutes;
import io.storegateway.admin.HistoryApiRoutes;
import io.storegateway.admin.ParkedMessages;
import io.storegateway.broker.Queues;
import io.storegateway.broker.RemoteBroker;
import io.storegateway.config.GatewaySettings;
import io.storegateway.conflict.ConflictApiRoutes;
import io.storegateway.conflict.ManualResolutions;
import io.storegateway.forward.Forwarding;
import io.storegateway.forward.HqHttpClient;
import io.storegateway.forward.HqRequestTimer;
import io.storegateway.health.GatewayHealthChecks;
import io.storegateway.hq.HqRequest;
import io.storegateway.ingest.HttpIngest;
import io.storegateway.ingest.HttpIngestHandler;
import io.storegateway.ingest.Ingest;
import io.storegateway.lifecycle.Shutdown;
import io.storegateway.mirror.Mirror;
import io.storegateway.mirror.MirrorApiRoutes;
import io.storegateway.routes.GatewayBeans;
import io.storegateway.routes.RouteFiles;
import io.storegateway.routes.RouteFilesApiRoutes;
import io.storegateway.security.AccessTokens;
import io.storegateway.security.GatewayTls;
import io.storegateway.security.RequestRate;
import io.storegateway.security.RequireRole;
import io.storegateway.security.Role;
import io.storegateway.web.ApiErrors;
import io.storegateway.web.ConsoleRoutes;
import io.storegateway.web.HttpServerGuard;
import io.storegateway.web.JsonHttpErrors;
import io.storegateway.web.OpenApiRoutes;

import io.vertx.core.Vertx;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Camel on Vert.x: the HTTP API (Java routes), the flows IT may edit (the route files) with the beans
 * they call, the HTTP hot path of ingest, and the health checks. Started last, as it takes traffic.
 */
record CamelSide(Main main, RouteFiles routeFiles) {

    static CamelSide start(GatewaySettings settings, Clock clock, GatewayTls tls, AccessTokens tokens, BrokerSide broker,
                           Mirror mirror, Ingest ingest, Forwarding forwarding, Observability observability,
                           Shutdown shutdown) throws Exception {
        RequestRate rate = RequestRate.from(settings);
        RequireRole terminal = new RequireRole(tokens, Role.TERMINAL, rate);
        RequireRole admin = new RequireRole(tokens, Role.ADMIN, rate);

        Main camel = new Main();
        camel.setOverrideProperties(Gateway.camelProperties(settings));
        // platform-http takes its Vert.x from the registry: this one cuts off slow clients and answers the
        // HTTP server's own errors (404, 405, oversized headers) in JSON. Closed after Camel has stopped.
        Vertx vertx = HttpServerGuard.from(settings).vertx();
        shutdown.add("Vert.x", () -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        camel.bind("vertx", vertx);
        // The route files go through the same check and swap as every later edit.
        RouteFiles routeFiles = new RouteFiles(settings, clock);
        bindComponents(camel, settings, tls, broker, observability);
        bindBeans(camel, settings, mirror, ingest, forwarding);
        camel.configure().addRoutesBuilder(new ApiErrors());
        camel.configure().addRoutesBuilder(new MirrorApiRoutes(terminal, mirror.views(), mirror.acceptedUpdates()));
        camel.configure().addRoutesBuilder(new ConsoleRoutes());
        camel.configure().addRoutesBuilder(new OpenApiRoutes(terminal));
        camel.configure().addRoutesBuilder(new AdminApiRoutes(admin, observability.status(), mirror.reconciliation(),
                new ParkedMessages(broker.connections(), mirror.acceptedUpdates(), ingest.jms()::whyInvalid)));
        camel.configure().addRoutesBuilder(new ConflictApiRoutes(admin, mirror.conflicts(),
                new ManualResolutions(mirror.conflicts(), mirror.views(), ingest.intake(), ingest.validator(), clock)));
        // The console's chart: backlog and throughput over the last hour.
        ActivityHistory history = ActivityHistory.start(settings, clock, () -> broker.depths().depth(Queues.OUTBOUND),
                ingest.stats()::acceptedTotal, forwarding.stats()::updates);
        shutdown.add("activity history", history);
        camel.configure().addRoutesBuilder(new HistoryApiRoutes(admin, history));
        camel.configure().addRoutesBuilder(new RouteFilesApiRoutes(admin, routeFiles));
        shutdown.add("route files", routeFiles);
        camel.configure().addRoutesBuilder(routeFiles.checkAtStart());
        observability.status().addSection("routes", routeFiles::statusJson);
        // Camel stops before the outbound consumer, the broker and the mirror it uses.
        shutdown.add("outbound batches", forwarding.batches());
        shutdown.add("JMS ingest", ingest.jms());
        shutdown.add("Camel", camel::stop);
        camel.start();
        // The hot path on the same server and router, beside Camel's routes (HttpIngestHandler says why).
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(camel.getCamelContext(),
                VertxPlatformHttpRouter.getRouterNameFromPort(settings.httpPort()));
        new HttpIngestHandler(terminal, new HttpIngest(ingest.validator(), ingest.intake())).install(router, router.bodyHandler());
        GatewayHealthChecks.register(camel.getCamelContext(),
                Duration.ofMillis(settings.getLong(GatewayHealthChecks.PROBE_TIMEOUT_MS, 2000)), broker.connections(),
                broker.storage(), settings.brokerUrl().isEmpty() ? "embedded" : RemoteBroker.redacted(settings.brokerUrl()),
                mirror.database(), forwarding.connectivity(), forwarding.accessAlert(), routeFiles::errors);
        // Watching stops first, so no swap runs while Camel stops.
        shutdown.add("route file watching", routeFiles::stopWatching);
        routeFiles.watch();
        AtomicBoolean stopping = new AtomicBoolean();
        JsonHttpErrors.install(camel.getCamelContext(), settings.httpPort(), stopping::get);
        // Stopped first: from here on terminals get a JSON 503 with Retry-After while the rest stops.
        shutdown.add("requests (503 from now on)", () -> stopping.set(true));
        return new CamelSide(camel, routeFiles);
    }

    /** JMS on the gateway's connections, and HTTP(S) to HQ, timed in the meters. */
    private static void bindComponents(Main camel, GatewaySettings settings, GatewayTls tls, BrokerSide broker,
                                       Observability observability) {
        JmsComponent jms = new JmsComponent();
        jms.setConnectionFactory(broker.connections().connectionFactory());
        GatewayBeans.JMS.bind(camel, jms);
        GatewayBeans.METER_REGISTRY.bind(camel, observability.meters());
        HqRequestTimer hqRequestTimer = new HqRequestTimer(observability.meters(), settings.hqUrl());
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
    }

    /** The beans the route files call (GatewayBeans lists them, and `validate` checks the files against it). */
    private static void bindBeans(Main camel, GatewaySettings settings, Mirror mirror, Ingest ingest, Forwarding forwarding) {
        GatewayBeans.CATALOGUE_LOADER.bind(camel, mirror.catalogue());
        GatewayBeans.HQ_CHANGES_POLLER.bind(camel, mirror.changes());
        GatewayBeans.RECONCILIATION.bind(camel, mirror.reconciliation());
        GatewayBeans.JMS_INGEST.bind(camel, ingest.jms());
        GatewayBeans.OUTBOUND_BATCHES.bind(camel, forwarding.batches());
        GatewayBeans.HQ_BATCH_REQUEST.bind(camel, forwarding.request());
        GatewayBeans.HQ_ANSWER_APPLIER.bind(camel, forwarding.applier());
        GatewayBeans.HQ_CALL_FAILURE.bind(camel, forwarding.callFailure());
        GatewayBeans.HQ_CIRCUIT_BREAKER.bind(camel, forwarding.breaker());
        GatewayBeans.HQ_CONNECTIVITY.bind(camel, forwarding.connectivity());
        GatewayBeans.HQ_REQUEST.bind(camel, new HqRequest(settings.hqToken()));
    }
}
