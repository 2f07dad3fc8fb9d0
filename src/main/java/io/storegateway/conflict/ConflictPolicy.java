package io.storegateway.conflict;

/** How a conflict between the store's change and HQ's newer version is settled. */
public enum ConflictPolicy {
    /** The later change wins: the update's (clamped) occurredAt against HQ's updatedAt; a tie goes to HQ. */
    LAST_WRITE_WINS,
    /** HQ's record stands; the store's change is marked CONFLICT with a reason that says so. */
    HQ_WINS,
    /** The store's change is sent again, forced, on top of HQ's current version. */
    STORE_WINS,
    /** Parked for a person: listed at /admin/v1/conflicts until resolved. */
    MANUAL
}
