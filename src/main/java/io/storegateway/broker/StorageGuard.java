package io.storegateway.broker;

/** Whether new updates can be stored right now (the broker's disk use, the free-space floor). */
@FunctionalInterface
public interface StorageGuard {

    boolean full();

    /** Why new updates are refused now, or null when they are not. */
    default String refusal() {
        return full() ? "the broker's disk use is over gateway.broker.max-disk-usage-percent" : null;
    }

    /**
     * How many disk write failures the broker has reported: an update whose commit saw this change may not
     * be on disk, and is not acknowledged.
     */
    default long writeFailures() {
        return 0;
    }

    /** Refuses when either refuses, with the first one's reason. */
    static StorageGuard either(StorageGuard first, StorageGuard second) {
        return new StorageGuard() {
            @Override
            public boolean full() {
                return refusal() != null;
            }

            @Override
            public String refusal() {
                String why = first.refusal();
                return why != null ? why : second.refusal();
            }

            @Override
            public long writeFailures() {
                return first.writeFailures() + second.writeFailures();
            }
        };
    }
}
