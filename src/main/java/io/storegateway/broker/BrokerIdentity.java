package io.storegateway.broker;

/**
 * The broker's own identity (Artemis's node id): made with its journal and kept with it, so a fresh data
 * directory or a reinstalled broker has another one. With the broker's message id it names one message
 * for good, across redeliveries and restarts.
 */
@FunctionalInterface
public interface BrokerIdentity {

    String nodeId();
}
