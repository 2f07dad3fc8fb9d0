package io.storegateway.ingest;

import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.BrokerIdentity;
import io.storegateway.broker.GroupFence;
import io.storegateway.broker.StorageGuard;
import io.storegateway.config.GatewaySettings;
import io.storegateway.lifecycle.Shutdown;
import io.storegateway.mirror.AcceptedUpdates;

import java.time.Clock;

/**
 * Where updates come in: the validator, the intake that queues them, and the JMS consumer that
 * {@code ingest-from-jms.camel.yaml} calls. {@code jms} is closed once Camel, which polls it, has stopped.
 */
public record Ingest(UpdateValidator validator, IngestStats stats, UpdateIntake intake, JmsIngest jms) {

    public static Ingest start(GatewaySettings settings, BrokerConnections connections, StorageGuard storage,
                               BrokerIdentity identity, AcceptedUpdates accepted, Clock clock, Shutdown shutdown) {
        UpdateValidator validator = new UpdateValidator();
        IngestStats stats = new IngestStats();
        UpdateIntake intake = new UpdateIntake(connections, storage, accepted, stats, clock);
        shutdown.add("update intake", intake);
        JmsIngest jms = new JmsIngest(validator, intake, connections, identity,
                settings.getLong(JmsIngest.POLL_TIMEOUT_MS, 500),
                settings.brokerUrl().isEmpty() ? null : GroupFence.from(settings));
        return new Ingest(validator, stats, intake, jms);
    }
}
