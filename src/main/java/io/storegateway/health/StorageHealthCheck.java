package io.storegateway.health;

import io.storegateway.broker.StorageGuard;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * DOWN while new updates are refused for want of disk (the free-space floor, the broker's disk limit).
 * Readiness only: a restart frees no disk, and would interrupt the drain that does.
 */
final class StorageHealthCheck extends AbstractHealthCheck {

    private final StorageGuard storage;

    StorageHealthCheck(StorageGuard storage) {
        super("gateway", "storage");
        this.storage = storage;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        String refusal = storage.refusal();
        if (refusal == null) {
            builder.up();
        } else {
            builder.down().message(refusal + ": new updates are refused (503) until space is freed; the backlog keeps draining");
        }
    }
}
