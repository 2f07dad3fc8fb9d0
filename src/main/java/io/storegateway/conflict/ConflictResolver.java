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
        conflicts.incrementAndGet();
        ConflictPolicy policy = policies.policyFor(local);
        Decision d = switch (policy) {
            case HQ_WINS -> new Decision(Outcome.HQ_WINS, policy, "overridden by HQ (policy HQ_WINS): HQ has version "
                    + hq.version() + ", the store's change was based on " + local.baseVersion());
            case STORE_WINS -> new Decision(Outcome.STORE_WINS, policy, null);
            case MANUAL -> new Decision(Outcome.PARKED, policy, "waiting for a decision (policy MANUAL): HQ has version "
                    + hq.version() + ", see /admin/v1/conflicts");
            case LAST_WRITE_WINS -> lastWriteWins(local, receivedAt, hq);
        };
        LOG.atInfo().addKeyValue("event", "conflict").addKeyValue("updateId", local.updateId()).addKeyValue("sku", local.sku())
                .log("Conflict on sku {} (update {}): {} by {}", local.sku(), local.updateId(), d.outcome(), policy);
        return d;
    }

    private Decision lastWriteWins(InventoryUpdate local, Instant receivedAt, ProductRecord hq) {
        Instant storeTime = effectiveTime(local.occurredAt(), receivedAt);
        if (hq.updatedAt() != null && !storeTime.isAfter(hq.updatedAt())) {
            return new Decision(Outcome.HQ_WINS, ConflictPolicy.LAST_WRITE_WINS,
                    "overridden by HQ (policy LAST_WRITE_WINS): HQ's change at " + hq.updatedAt()
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
