package io.storegateway.broker;

import java.util.List;

/** The gateway's addresses. The first four are part of docs/HTTP-API.md and docs/JMS.md; the outbound queue is internal. */
public final class Queues {

    /** Terminals send here over JMS (raw, not yet validated). */
    public static final String INBOUND = "store.updates.in";
    /** Messages that failed validation, untouched, with an {@code error} property. */
    public static final String INVALID = "store.updates.invalid";
    /** Updates HQ rejected for good, with an {@code error} property. */
    public static final String DLQ = "store.updates.dlq";
    /** Where the broker would put an expired message; nothing the gateway sends expires. */
    public static final String EXPIRED = "store.updates.expired";
    /** Validated updates, one message each, in acceptance order, waiting to be forwarded to HQ. */
    public static final String OUTBOUND = "store.updates.outbound";

    public static final List<String> ALL = List.of(INBOUND, OUTBOUND, INVALID, DLQ, EXPIRED);

    /**
     * Gateways sharing a remote broker: HQ's answers to each forwarded batch, for the other gateways'
     * mirrors (a multicast address; each gateway reads it through a durable subscription of its own).
     */
    public static final String SETTLED = "store.gateway.settled";

    private Queues() {
    }
}
