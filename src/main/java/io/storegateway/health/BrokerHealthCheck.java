package io.storegateway.health;

import io.storegateway.broker.BrokerConnections;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.time.Duration;
import java.util.Map;

/**
 * The broker takes updates: a transacted session opens and commits within the deadline. A full disk
 * is the storage check's (readiness only): a restart would not free it.
 */
final class BrokerHealthCheck extends AbstractHealthCheck {

    private final BrokerConnections connections;
    private final String where;
    private final TimedProbe probe;

    BrokerHealthCheck(BrokerConnections connections, String where, Duration deadline) {
        super("gateway", "broker");
        this.connections = connections;
        this.where = where;
        this.probe = new TimedProbe("broker", deadline, connections::probe);
    }

    /** A gateway that cannot reach its own broker or mirror is of no use: a restart may fix it. */
    @Override
    public boolean isLiveness() {
        return true;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("broker", where);
        String failure = probe.failure();
        if (failure != null) {
            builder.down().message("the broker does not answer: " + failure);
        } else {
            builder.up();
        }
    }
}
