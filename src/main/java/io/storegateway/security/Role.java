package io.storegateway.security;

/** What a token allows. */
public enum Role {
    /**
     * Posts updates, reads products and update status (/api); over JMS sends to store.updates.in and
     * uses its own temporary reply queues.
     */
    TERMINAL,
    /**
     * IT: /admin (and the console that calls it), and everything a terminal may do over HTTP, so the
     * console can send a test update. Over JMS it may only browse the DLQ and the invalid queue.
     */
    ADMIN;

    public boolean allows(Role needed) {
        return this == ADMIN || this == needed;
    }
}
