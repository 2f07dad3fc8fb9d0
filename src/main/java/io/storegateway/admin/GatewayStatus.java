package io.storegateway.admin;

import io.storegateway.broker.Queues;
import io.storegateway.connectivity.HqConnectivity;
import io.storegateway.forward.ForwardStats;
import io.storegateway.forward.HqAccessAlert;
import io.storegateway.mirror.AcceptedUpdates;
import io.storegateway.mirror.ConflictRecords;
import io.storegateway.mirror.Reconciliation;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/** What IT sees at a glance (docs/OPERATING.md, IT staff {@code GET /admin/v1/status}). No secret ever appears here. */
public final class GatewayStatus {

    private final HqConnectivity connectivity;
    private final CircuitBreaker breaker;
    private final HqAccessAlert accessAlert;
    private final ForwardStats stats;
    private final AcceptedUpdates updates;
    private final ToLongFunction<String> queueDepth;
    private final ConflictRecords conflicts;
    private final Reconciliation reconciliation;
    private final Clock clock;
    private final Map<String, Supplier<? extends JsonNode>> sections = new ConcurrentSkipListMap<>();

    public GatewayStatus(HqConnectivity connectivity, CircuitBreaker breaker, HqAccessAlert accessAlert, ForwardStats stats,
                         AcceptedUpdates updates, ToLongFunction<String> queueDepth, ConflictRecords conflicts,
                         Reconciliation reconciliation, Clock clock) {
        this.conflicts = conflicts;
        this.reconciliation = reconciliation;
        this.connectivity = connectivity;
        this.breaker = breaker;
        this.accessAlert = accessAlert;
        this.stats = stats;
        this.updates = updates;
        this.queueDepth = queueDepth;
        this.clock = clock;
    }

    public ObjectNode toJson() {
        ObjectNode n = UpdateJson.MAPPER.createObjectNode();
        n.put("online", connectivity.online());
        n.put("breaker", breakerState());
        n.put("backlog", queueDepth.applyAsLong(Queues.OUTBOUND));
        n.put("dlq", queueDepth.applyAsLong(Queues.DLQ));
        n.put("invalid", queueDepth.applyAsLong(Queues.INVALID));
        n.put("conflicts", conflicts.countOpen());
        putInstant(n, "lastSyncAt", stats.lastSyncAt());
        ObjectNode reconcile = reconciliation.lastReport();
        if (reconcile == null) {
            n.putNull("lastReconcileAt");
        } else {
            n.put("lastReconcileAt", reconcile.path("at").asText());
            n.set("lastReconcile", reconcile);
        }
        ObjectNode check = reconciliation.lastConsistencyCheck();
        if (check != null) {
            n.set("lastConsistencyCheck", check);
        }
        n.put("lagSeconds", lagSeconds());
        ObjectNode hq = n.putObject("hq");
        hq.put("state", connectivity.state().name());
        putInstant(hq, "since", connectivity.since());
        hq.put("wentOffline", connectivity.timesWentOffline());
        hq.put("wentOnline", connectivity.timesWentOnline());
        ObjectNode forwarding = n.putObject("forwarding");
        forwarding.put("batches", stats.batches());
        forwarding.put("updates", stats.updates());
        forwarding.put("accessDenied", accessAlert.raised());
        if (accessAlert.raised()) {
            forwarding.put("alert", "HQ refused the gateway's credentials: " + accessAlert.reason()
                    + ". Forwarding is stopped; the updates are kept. Check gateway.hq.token.");
            putInstant(forwarding, "alertSince", accessAlert.raisedAt());
        }
        sections.forEach((field, section) -> n.set(field, section.get()));
        return n;
    }

    /** Adds a field to the status (beyond the contract's), read afresh for every answer. */
    public void addSection(String field, Supplier<? extends JsonNode> section) {
        sections.put(field, section);
    }

    public String breakerState() {
        return switch (breaker.getState()) {
            case OPEN, FORCED_OPEN -> "OPEN";
            case HALF_OPEN -> "HALF_OPEN";
            default -> "CLOSED";
        };
    }

    /** How long the oldest update still waiting for HQ has waited; 0 when nothing waits. */
    public long lagSeconds() {
        Instant oldest = updates.oldestQueuedReceivedAt().orElse(null);
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toSeconds());
    }

    private static void putInstant(ObjectNode n, String field, Instant value) {
        if (value == null) {
            n.putNull(field);
        } else {
            n.put(field, value.toString());
        }
    }
}
