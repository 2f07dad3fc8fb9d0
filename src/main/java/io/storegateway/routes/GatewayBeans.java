package io.storegateway.routes;

import io.storegateway.connectivity.HqConnectivity;
import io.storegateway.forward.HqAnswerApplier;
import io.storegateway.forward.HqBatchRequest;
import io.storegateway.forward.HqCallFailure;
import io.storegateway.forward.OutboundBatches;
import io.storegateway.hq.HqRequest;
import io.storegateway.ingest.JmsIngest;
import io.storegateway.mirror.CatalogueLoader;
import io.storegateway.mirror.HqChangesPoller;
import io.storegateway.mirror.Reconciliation;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.main.Main;

import java.util.List;
import java.util.Optional;

/**
 * The beans the gateway binds in Camel's registry, by the names route files use. The gateway binds
 * through this list and {@code validate} checks route files against it, so the two cannot drift apart.
 */
public final class GatewayBeans {

    /** A bean name and the type bound under it (method names in route files are checked against the type). */
    public record Bean(String name, Class<?> type) {

        /** Binds {@code bean} under this name; fails at start when it is not of the listed type. */
        public void bind(Main camel, Object bean) {
            if (!type.isInstance(bean)) {
                throw new IllegalStateException("bean '" + name + "' must be a " + type.getName() + ", not a "
                        + bean.getClass().getName());
            }
            camel.bind(name, bean);
        }
    }

    public static final Bean JMS = new Bean("jms", JmsComponent.class);
    public static final Bean HTTP = new Bean("http", HttpComponent.class);
    /** The same HTTP client for https:// URIs, with HQ's trust store (Camel resolves them to the component "https"). */
    public static final Bean HTTPS = new Bean("https", HttpComponent.class);
    public static final Bean METER_REGISTRY = new Bean("prometheusMeterRegistry", PrometheusMeterRegistry.class);
    public static final Bean CATALOGUE_LOADER = new Bean("catalogueLoader", CatalogueLoader.class);
    public static final Bean HQ_CHANGES_POLLER = new Bean("hqChangesPoller", HqChangesPoller.class);
    public static final Bean RECONCILIATION = new Bean("reconciliation", Reconciliation.class);
    public static final Bean JMS_INGEST = new Bean("jmsIngest", JmsIngest.class);
    public static final Bean OUTBOUND_BATCHES = new Bean("outboundBatches", OutboundBatches.class);
    public static final Bean HQ_BATCH_REQUEST = new Bean("hqBatchRequest", HqBatchRequest.class);
    public static final Bean HQ_ANSWER_APPLIER = new Bean("hqAnswerApplier", HqAnswerApplier.class);
    public static final Bean HQ_CALL_FAILURE = new Bean("hqCallFailure", HqCallFailure.class);
    public static final Bean HQ_CIRCUIT_BREAKER = new Bean("hqCircuitBreaker", CircuitBreaker.class);
    public static final Bean HQ_CONNECTIVITY = new Bean("hqConnectivity", HqConnectivity.class);
    public static final Bean HQ_REQUEST = new Bean("hqRequest", HqRequest.class);

    public static final List<Bean> ALL = List.of(JMS, HTTP, HTTPS, METER_REGISTRY, CATALOGUE_LOADER, HQ_CHANGES_POLLER,
            RECONCILIATION, JMS_INGEST, OUTBOUND_BATCHES, HQ_BATCH_REQUEST, HQ_ANSWER_APPLIER, HQ_CALL_FAILURE,
            HQ_CIRCUIT_BREAKER, HQ_CONNECTIVITY, HQ_REQUEST);

    private GatewayBeans() {
    }

    public static Optional<Bean> named(String name) {
        return ALL.stream().filter(b -> b.name().equals(name)).findFirst();
    }

    static String names() {
        return String.join(", ", ALL.stream().map(Bean::name).sorted().toList());
    }
}
