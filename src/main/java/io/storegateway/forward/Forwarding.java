package io.storegateway.forward;

import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.RemoteBroker;
import io.storegateway.config.GatewaySettings;
import io.storegateway.conflict.ConflictResolver;
import io.storegateway.connectivity.HqConnectivity;
import io.storegateway.lifecycle.Shutdown;
import io.storegateway.mirror.Mirror;
import io.storegateway.tasks.BackgroundTasks;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

import java.time.Clock;

/**
 * Forwarding to HQ: the outbound batches, the request and what applies HQ's answer, the back-off and
 * the breaker, and HQ's reachability that ends an outage early. {@code batches} is closed once Camel,
 * whose routes take the batches, has stopped.
 */
public record Forwarding(ForwardBackoff backoff, ForwardStats stats, CircuitBreaker breaker, HqAccessAlert accessAlert,
                         OutboundBatches batches, HqBatchRequest request, HqAnswerApplier applier, HqCallFailure callFailure,
                         ConflictResolver resolver, SettledNotices notices, HqConnectivity connectivity) {

    public static Forwarding start(GatewaySettings settings, BrokerConnections connections, Mirror mirror,
                                   BackgroundTasks tasks, Clock clock, Shutdown shutdown) {
        ConflictResolver resolver = ConflictResolver.from(settings);
        ForwardBackoff backoff = ForwardBackoff.from(settings, clock);
        backoff.reportTo(tasks);
        ForwardStats stats = new ForwardStats(clock);
        CircuitBreaker breaker = HqCircuitBreaker.from(settings, () -> tasks.failureIsNews(BackgroundTasks.FORWARDING));
        HqAccessAlert accessAlert = new HqAccessAlert(settings, clock);
        OutboundBatches batches = new OutboundBatches(connections, backoff, breaker, accessAlert, settings);
        HqBatchRequest request = new HqBatchRequest(settings.hqToken(),
                Boolean.parseBoolean(settings.get(HqBatchRequest.GZIP, "false")));
        // Gateways sharing a remote broker tell each other HQ's answers, so each mirror settles what it accepted.
        SettledNotices notices = settings.brokerUrl().isEmpty() ? SettledNotices.none()
                : SettledNotices.shared(settings, noticeReader(settings, shutdown), mirror.writer());
        shutdown.add("settled notices", notices);
        HqAnswerApplier applier = new HqAnswerApplier(mirror.writer(), resolver, request, backoff, accessAlert, stats, notices,
                mirror.changes());
        batches.whenDrained(mirror.upkeep()::soon);
        HqConnectivity connectivity = new HqConnectivity(clock);
        // HQ is back: drain now, not at the next back-off tick or when the breaker's wait is over.
        connectivity.onRestored(backoff::retryNow);
        connectivity.onRestored(() -> HqCircuitBreaker.forgetOutage(breaker));
        // The catch-up with what changed at HQ meanwhile (its changes, a reconciliation) is in the
        // route files: watch-hq sends it on its way.
        HqCallFailure callFailure = new HqCallFailure(new BatchNarrower(request, applier, batches), batches);
        return new Forwarding(backoff, stats, breaker, accessAlert, batches, request, applier, callFailure, resolver, notices,
                connectivity);
    }

    /**
     * The connection the other gateways' notices are read on: nothing prefetched (a killed gateway
     * holds no notices in its buffer), and a short time-to-live, so the broker gives a killed
     * gateway's unfinished notice back within seconds rather than a minute, when it restarts.
     */
    private static ActiveMQConnectionFactory noticeReader(GatewaySettings settings, Shutdown shutdown) {
        var f = new ActiveMQConnectionFactory(settings.brokerUrl(), settings.require(RemoteBroker.USERNAME),
                settings.require(RemoteBroker.PASSWORD));
        f.setConsumerWindowSize(0);
        f.setConnectionTTL(10_000);
        f.setClientFailureCheckPeriod(2_000);
        shutdown.add("settled notices' connection", f::close);
        return f;
    }
}
