package io.storegateway.broker;

/** Whether the broker can take more updates right now (disk use under its limit). */
@FunctionalInterface
public interface StorageGuard {

    boolean full();

    /** For a remote broker, whose own flow control blocks or refuses senders. */
    StorageGuard NEVER_FULL = () -> false;
}
