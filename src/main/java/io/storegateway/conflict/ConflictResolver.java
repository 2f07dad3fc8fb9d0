package io.storegateway.conflict;

import io.storegateway.config.GatewaySettings;
import io.storegateway.hq.ProductRecord;
import io.storegateway.update.InventoryUpdate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Settles one conflict (HQ answered CONFLICT: its version is newer than the update's baseVersion)
 * by the policy configured for the update. Terminal clocks lie, so for last-write-wins an
 * occurredAt further ahead of the gateway's receive time than {@code gateway.conflict.max-clock-skew-ms}
 * is taken as the receive time (and counted): one wrong clock cannot win every contest.
 */
public final class ConflictResolver {

    public static final String MAX_SKEW_MS = "gateway.conflict.max-clock-skew-ms";

    private static final Logger LOG = LoggerFactory.getLogger(ConflictResolver.class);

    public enum Outcome { STORE_WINS, HQ_WINS, PARKED }

    public record Decision(Outcome outcome, ConflictPolicy policy, String reason) {
    }

    /**
     * What the mirror knows of HQ's changes since the update's base version to the fields it writes:
     * none that did not come from this store ({@link #NONE}: not a true conflict), some (the time of the
     * latest), or it cannot tell ({@link #UNKNOWN}: settled as a true conflict against HQ's record time).
     */
    public record ForeignChanges(boolean known, Instant latest) {
        public static final ForeignChanges UNKNOWN = new ForeignChanges(false, null);
        public static final ForeignChanges NONE = new ForeignChanges(true, null);

        public static ForeignChanges latestAt(Instant at) {
            return new ForeignChanges(true, at);
        }

        boolean none() {
            return known && latest == null;
        }
    }

    private final ConflictPolicies policies;
    private final Duration maxSkew;
    private final AtomicLong clamped = new AtomicLong();
    private final AtomicLong conflicts = new AtomicLong();

    public ConflictResolver(ConflictPolicies policies, Duration maxSkew) {
        this.policies = policies;
        this.maxSkew = maxSkew;
    }

    public static ConflictResolver from(GatewaySettings s) {
        return new ConflictResolver(ConflictPolicies.from(s), Duration.ofMillis(s.getLong(MAX_SKEW_MS, 300_000)));
    }

    public Decision decide(InventoryUpdate local, Instant receivedAt, ProductRecord hq) {
        return decide(local, receivedAt, hq, ForeignChanges.UNKNOWN);
    }

    /**
     * A CONFLICT answer is a true conflict only when HQ changed a field the update writes after its
     * base version, and that change did not come from this store. When none did (HQ's version moved
     * through the store's own updates, or through changes to other fields), nothing of HQ's is lost:
     * the store's change goes again, forced, whatever the policy. Last-write-wins compares the store's
     * time with HQ's latest such change, not with the record's time, which the store's own updates move.
     */
    public Decision decide(InventoryUpdate local, Instant receivedAt, ProductRecord hq, ForeignChanges foreign) {
        if (foreign.none()) {
            LOG.atInfo().addKeyValue("event", "not-a-conflict").addKeyValue("updateId", local.updateId()).addKeyValue("sku", local.sku())
                    .log("Sku {} (update {}): HQ's version moved past the update's base {} only through this store's own updates "
                            + "or fields it does not write; sent again, forced", local.sku(), local.updateId(), local.baseVersion());
            return new Decision(Outcome.STORE_WINS, policies.policyFor(local), null);
        }
        conflicts.incrementAndGet();
        ConflictPolicy policy = policies.policyFor(local);
        Instant hqTime = foreign.latest() != null ? foreign.latest() : hq.updatedAt();
        Decision d = switch (policy) {
            case HQ_WINS -> new Decision(Outcome.HQ_WINS, policy, "overridden by HQ (policy HQ_WINS): HQ has version "
                    + hq.version() + ", the store's change was based on " + local.baseVersion());
            case STORE_WINS -> new Decision(Outcome.STORE_WINS, policy, null);
            case MANUAL -> new Decision(Outcome.PARKED, policy, "waiting for a decision (policy MANUAL): HQ has version "
                    + hq.version() + ", see /admin/v1/conflicts");
            case LAST_WRITE_WINS -> lastWriteWins(local, receivedAt, hqTime);
        };
        LOG.atInfo().addKeyValue("event", "conflict").addKeyValue("updateId", local.updateId()).addKeyValue("sku", local.sku())
                .log("Conflict on sku {} (update {}): {} by {}", local.sku(), local.updateId(), d.outcome(), policy);
        return d;
    }

    private Decision lastWriteWins(InventoryUpdate local, Instant receivedAt, Instant hqTime) {
        Instant storeTime = effectiveTime(local.occurredAt(), receivedAt);
        if (hqTime != null && !storeTime.isAfter(hqTime)) {
            return new Decision(Outcome.HQ_WINS, ConflictPolicy.LAST_WRITE_WINS,
                    "overridden by HQ (policy LAST_WRITE_WINS): HQ's change at " + hqTime
                            + " is not older than the store's at " + storeTime);
        }
        return new Decision(Outcome.STORE_WINS, ConflictPolicy.LAST_WRITE_WINS, null);
    }

    /** The terminal's time, unless it is further in the future than the allowed skew. */
    Instant effectiveTime(Instant occurredAt, Instant receivedAt) {
        if (receivedAt != null && occurredAt.isAfter(receivedAt.plus(maxSkew))) {
            clamped.incrementAndGet();
            return receivedAt;
        }
        return occurredAt;
    }

    public long clampedClocks() {
        return clamped.get();
    }

    public long conflictsSeen() {
        return conflicts.get();
    }
}
