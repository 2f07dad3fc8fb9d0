package io.storegateway.mirror;

/** Where an accepted update stands (docs/HTTP-API.md and docs/JMS.md). */
public enum UpdateStatus {
    /** Stored durably, not yet acknowledged by HQ. */
    QUEUED,
    /** HQ applied it (or had applied it before: a duplicate). */
    APPLIED,
    /** HQ had a newer version; see the reason for what happened to the store's change. */
    CONFLICT,
    /** HQ refused it for good; it is in the DLQ. */
    REJECTED
}
