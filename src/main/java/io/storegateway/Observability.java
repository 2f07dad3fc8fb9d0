package io.storegateway;

import io.storegateway.admin.GatewayMetrics;
import io.storegateway.admin.GatewayStatus;
import io.storegateway.admin.JvmMetrics;
import io.storegateway.admin.PrometheusRegistry;
import io.storegateway.forward.Forwarding;
import io.storegateway.ingest.Ingest;
import io.storegateway.lifecycle.Shutdown;
import io.storegateway.mirror.Mirror;
import io.storegateway.tasks.BackgroundTasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Clock;

/** What IT watches the gateway by: {@code /admin/v1/status} and the meters of {@code /observe/metrics}. */
record Observability(GatewayStatus status, PrometheusMeterRegistry meters) {

    static Observability start(BrokerSide broker, Mirror mirror, Ingest ingest, Forwarding forwarding, BackgroundTasks tasks,
                               Clock clock, Shutdown shutdown) {
        GatewayStatus status = new GatewayStatus(forwarding.connectivity(), forwarding.breaker(), forwarding.accessAlert(),
                forwarding.stats(), mirror.acceptedUpdates(), broker.depths()::depth, mirror.conflicts(),
                mirror.reconciliation(), clock);
        PrometheusMeterRegistry meters = PrometheusRegistry.create();
        shutdown.add("JVM meters", JvmMetrics.bindTo(meters));
        GatewayMetrics.register(meters, ingest, mirror, forwarding, broker.depths(), status);
        GatewayMetrics.registerStorage(meters, broker.floor());
        GatewayMetrics.registerTasks(meters, tasks);
        status.addSection("mirror", mirror.upkeep()::status);
        status.addSection("tasks", () -> {
            var n = tasks.status();
            if (tasks.failing(BackgroundTasks.FORWARDING)) {
                // A batch failing again and again: the update at the head of the queue is the one held back.
                ((ObjectNode) n.get(BackgroundTasks.FORWARDING))
                        .put("oldestQueuedUpdate", mirror.acceptedUpdates().oldestQueued().orElse(null));
            }
            return n;
        });
        status.addSection("storage", () -> {
            var n = broker.floor().status();
            if (broker.embedded() != null) {
                n.put("brokerDiskError", broker.embedded().diskError());
            }
            return n;
        });
        return new Observability(status, meters);
    }
}
