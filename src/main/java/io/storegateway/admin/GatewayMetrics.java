package io.storegateway.admin;

import io.storegateway.broker.QueueDepths;
import io.storegateway.broker.Queues;
import io.storegateway.conflict.ConflictResolver;
import io.storegateway.connectivity.HqConnectivity;
import io.storegateway.forward.ForwardBackoff;
import io.storegateway.forward.ForwardStats;
import io.storegateway.forward.Forwarding;
import io.storegateway.forward.HqAccessAlert;
import io.storegateway.ingest.Ingest;
import io.storegateway.ingest.IngestStats;
import io.storegateway.mirror.ConflictRecords;
import io.storegateway.mirror.Mirror;
import io.storegateway.mirror.Reconciliation;
import io.storegateway.storage.FreeSpaceFloor;
import io.storegateway.tasks.BackgroundTasks;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The gateway's own meters, published with Camel's at {@code /observe/metrics} (Prometheus text).
 * Values are read when scraped, from the same sources as {@code /admin/v1/status}.
 */
public final class GatewayMetrics {

    /** One HELP text for both series: Prometheus keeps a single one per metric name. */
    private static final String CONNECTIVITY_CHANGES = "times HQ's reachability changed, by the state it changed to (offline or online)";

    private GatewayMetrics() {
    }

    /** gateway_storage_free_bytes (the least free over the gateway's disks) and the floor under it. */
    public static void registerStorage(MeterRegistry registry, FreeSpaceFloor floor) {
        Gauge.builder("gateway.storage.free.bytes", floor, f -> f.free().bytes())
                .description("free bytes on the gateway's fullest disk (broker journal and paging, mirror)").register(registry);
        Gauge.builder("gateway.storage.min.free.bytes", floor, FreeSpaceFloor::floor)
                .description("below this many free bytes new updates are refused (gateway.storage.min-free-bytes)").register(registry);
    }

    /** gateway_task_failing{task}: 1 while a background task fails (see /admin/v1/status "tasks"). */
    public static void registerTasks(MeterRegistry registry, BackgroundTasks tasks) {
        for (String task : BackgroundTasks.ALL) {
            Gauge.builder("gateway.task.failing", tasks, t -> t.failing(task) ? 1 : 0).tag("task", task)
                    .description("1 while the background task fails; its last error is in /admin/v1/status").register(registry);
        }
    }

    /** The meters of updates coming in, conflicts, HQ, forwarding and the queues. */
    public static void register(MeterRegistry registry, Ingest ingest, Mirror mirror, Forwarding forwarding,
                                QueueDepths depths, GatewayStatus status) {
        registerIngest(registry, ingest.stats());
        registerConflicts(registry, mirror.conflicts(), forwarding.resolver(), mirror.reconciliation());
        registerHq(registry, forwarding.connectivity(), forwarding.breaker(), forwarding.accessAlert());
        registerQueues(registry, depths);
        registerForwarding(registry, forwarding.stats(), forwarding.backoff(), status);
    }

    private static void registerIngest(MeterRegistry registry, IngestStats ingest) {
        for (IngestStats.Key key : IngestStats.keys()) {
            var counter = FunctionCounter.builder("gateway.updates." + key.outcome(), ingest, i -> i.count(key))
                    .tag("channel", key.channel());
            if (key.outcome().equals("rejected")) {
                counter.tag("reason", key.reason())
                        .description("requests (HTTP) or messages (JMS) refused as a whole; nothing of them was queued");
            } else if (key.outcome().equals("duplicate")) {
                counter.description("updates answered DUPLICATE: the same update id was already queued");
            } else {
                counter.description("updates queued for HQ, by the channel they came on");
            }
            counter.register(registry);
        }
    }

    private static void registerConflicts(MeterRegistry registry, ConflictRecords conflicts, ConflictResolver resolver,
                                          Reconciliation reconciliation) {
        Gauge.builder("gateway.conflicts.open", conflicts, ConflictRecords::countOpen)
                .description("conflicts waiting for a person's decision").register(registry);
        FunctionCounter.builder("gateway.conflicts", resolver, ConflictResolver::conflictsSeen)
                .description("true conflicts HQ reported (a field the update writes changed at HQ since its base, not by this store) and the gateway settled").register(registry);
        FunctionCounter.builder("gateway.conflict.clamped.clocks", resolver, ConflictResolver::clampedClocks)
                .description("terminal times too far in the future, taken as the receive time").register(registry);
        FunctionCounter.builder("gateway.reconcile.drift", reconciliation, Reconciliation::driftFound)
                .description("products found different from HQ by reconciliation and consistency checks").register(registry);
    }

    private static void registerHq(MeterRegistry registry, HqConnectivity connectivity, CircuitBreaker breaker,
                                   HqAccessAlert accessAlert) {
        Gauge.builder("gateway.hq.online", connectivity, c -> c.online() ? 1 : 0)
                .description("1 while HQ answers its health check").register(registry);
        FunctionCounter.builder("gateway.hq.connectivity.changes", connectivity, HqConnectivity::timesWentOffline)
                .tag("to", "offline").description(CONNECTIVITY_CHANGES).register(registry);
        FunctionCounter.builder("gateway.hq.connectivity.changes", connectivity, HqConnectivity::timesWentOnline)
                .tag("to", "online").description(CONNECTIVITY_CHANGES).register(registry);
        for (CircuitBreaker.State state : new CircuitBreaker.State[] {
                CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN}) {
            Gauge.builder("gateway.hq.breaker.state", breaker, b -> b.getState() == state ? 1 : 0)
                    .tag("state", state.name()).description("1 for the circuit breaker's current state").register(registry);
        }
        Gauge.builder("gateway.hq.access.denied", accessAlert, a -> a.raised() ? 1 : 0)
                .description("1 while HQ refuses the gateway's credentials").register(registry);
    }

    private static void registerQueues(MeterRegistry registry, QueueDepths depths) {
        Gauge.builder("gateway.backlog", depths, d -> d.depth(Queues.OUTBOUND))
                .strongReference(true)
                .description("updates waiting to go to HQ").register(registry);
        Gauge.builder("gateway.dlq", depths, d -> d.depth(Queues.DLQ))
                .strongReference(true)
                .description("updates HQ rejected for good").register(registry);
        Gauge.builder("gateway.invalid", depths, d -> d.depth(Queues.INVALID))
                .strongReference(true)
                .description("JMS messages set aside as invalid").register(registry);
    }

    private static void registerForwarding(MeterRegistry registry, ForwardStats stats, ForwardBackoff backoff,
                                           GatewayStatus status) {
        FunctionCounter.builder("gateway.forwarded.batches", stats, ForwardStats::batches)
                .description("batches HQ answered").register(registry);
        FunctionCounter.builder("gateway.forwarded.updates", stats, ForwardStats::updates)
                .description("updates HQ answered").register(registry);
        FunctionCounter.builder("gateway.forward.retries", backoff, ForwardBackoff::totalFailures)
                .description("failed HQ calls whose batch went back to the queue").register(registry);
        Gauge.builder("gateway.sync.lag.seconds", status, GatewayStatus::lagSeconds)
                .description("how long the oldest update waiting for HQ has waited").register(registry);
    }
}
