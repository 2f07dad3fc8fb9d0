package io.storegateway.broker;

/** Whether the broker can take more updates right now (disk use under its limit). */
@FunctionalInterface
public interface StorageGuard {

    boolean full();
}
