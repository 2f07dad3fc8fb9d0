package io.storegateway.broker;

/** How many messages wait in one of the gateway's queues, from whichever broker holds them. */
@FunctionalInterface
public interface QueueDepths {

    /** Messages in the queue, those being delivered included; 0 when it does not exist, -1 when the broker cannot be asked. */
    long depth(String queue);
}
