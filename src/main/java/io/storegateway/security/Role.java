package io.storegateway.security;

/** What a token allows. */
public enum Role {
    /** Posts updates, reads products and update status, sends to store.updates.in over JMS. */
    TERMINAL,
    /** Everything a terminal may do, plus /admin and /console. */
    ADMIN;

    public boolean allows(Role needed) {
        return this == ADMIN || this == needed;
    }
}
