package io.storegateway.ingest;

/** What the gateway tells a terminal about one update it took in. */
public record Receipt(String updateId, Status status) {

    public enum Status { QUEUED, DUPLICATE }
}
