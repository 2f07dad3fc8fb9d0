package io.storegateway.hq;

/** HQ's answer for one update of a batch. {@code record} may be null when HQ knows no such product. */
public record UpdateResult(String updateId, Status status, String reason, ProductRecord record) {

    public enum Status { APPLIED, DUPLICATE, CONFLICT, REJECTED }
}
