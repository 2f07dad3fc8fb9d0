package io.storegateway.conflict;

import io.storegateway.config.GatewaySettings;
import io.storegateway.hq.ProductRecord;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateType;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Each policy's outcome for one CONFLICT answer, and how a terminal's clock far ahead is clamped. */
class ConflictResolverTest {

    private static final Instant RECEIVED = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration SKEW = Duration.ofMinutes(5);

    private static ConflictResolver resolver(ConflictPolicy policy) {
        return new ConflictResolver(ConflictPolicies.from(GatewaySettings.of(Map.of("gateway.conflict.policy", policy.name()))), SKEW);
    }

    private static InventoryUpdate priceChange(Instant occurredAt) {
        return new InventoryUpdate("u-1", "till-1", UpdateType.SET_PRICE, "SKU-1", null, new BigDecimal("2.50"), null, null,
                occurredAt, 3L, false);
    }

    private static ProductRecord hqRecord(Instant updatedAt) {
        return new ProductRecord("SKU-1", "Tea", new BigDecimal("2.00"), 10, 7, updatedAt, false);
    }

    @Test
    void hqWinsKeepsHqsRecordAndSaysWhy() {
        ConflictResolver.Decision d = resolver(ConflictPolicy.HQ_WINS).decide(priceChange(RECEIVED), RECEIVED, hqRecord(RECEIVED.minusSeconds(60)));

        assertThat(d.outcome()).isEqualTo(ConflictResolver.Outcome.HQ_WINS);
        assertThat(d.policy()).isEqualTo(ConflictPolicy.HQ_WINS);
        assertThat(d.reason()).contains("policy HQ_WINS").contains("HQ has version 7").contains("based on 3");
    }

    @Test
    void storeWinsSendsTheStoresChangeAgainWhateverTheTimes() {
        ConflictResolver.Decision d = resolver(ConflictPolicy.STORE_WINS).decide(priceChange(RECEIVED.minusSeconds(3600)), RECEIVED,
                hqRecord(RECEIVED));

        assertThat(d.outcome()).isEqualTo(ConflictResolver.Outcome.STORE_WINS);
        assertThat(d.reason()).isNull();
    }

    @Test
    void manualParksTheConflictForAPerson() {
        ConflictResolver.Decision d = resolver(ConflictPolicy.MANUAL).decide(priceChange(RECEIVED), RECEIVED, hqRecord(RECEIVED));

        assertThat(d.outcome()).isEqualTo(ConflictResolver.Outcome.PARKED);
        assertThat(d.reason()).contains("policy MANUAL").contains("/admin/v1/conflicts");
    }

    @Test
    void lastWriteWinsGoesToTheLaterChange() {
        ConflictResolver r = resolver(ConflictPolicy.LAST_WRITE_WINS);
        Instant hqAt = RECEIVED.minusSeconds(30);

        assertThat(r.decide(priceChange(hqAt.plusMillis(1)), RECEIVED, hqRecord(hqAt)).outcome())
                .isEqualTo(ConflictResolver.Outcome.STORE_WINS);
        ConflictResolver.Decision older = r.decide(priceChange(hqAt.minusMillis(1)), RECEIVED, hqRecord(hqAt));
        assertThat(older.outcome()).isEqualTo(ConflictResolver.Outcome.HQ_WINS);
        assertThat(older.reason()).contains("policy LAST_WRITE_WINS").contains(hqAt.toString());
    }

    @Test
    void lastWriteWinsGivesATieToHq() {
        Instant at = RECEIVED.minusSeconds(30);

        assertThat(resolver(ConflictPolicy.LAST_WRITE_WINS).decide(priceChange(at), RECEIVED, hqRecord(at)).outcome())
                .isEqualTo(ConflictResolver.Outcome.HQ_WINS);
    }

    @Test
    void aTerminalClockFarAheadCannotWinEveryContest() {
        ConflictResolver r = resolver(ConflictPolicy.LAST_WRITE_WINS);
        // HQ changed the product after the store's update arrived; the terminal claims tomorrow.
        ProductRecord hq = hqRecord(RECEIVED.plusSeconds(10));

        ConflictResolver.Decision d = r.decide(priceChange(RECEIVED.plus(Duration.ofDays(1))), RECEIVED, hq);

        assertThat(d.outcome()).as("taken as the receive time, which is older than HQ's change").isEqualTo(ConflictResolver.Outcome.HQ_WINS);
        assertThat(d.reason()).contains("the store's at " + RECEIVED);
        assertThat(r.clampedClocks()).isEqualTo(1);
    }

    @Test
    void aTerminalClockAheadWithinTheSkewIsBelieved() {
        ConflictResolver r = resolver(ConflictPolicy.LAST_WRITE_WINS);
        ProductRecord hq = hqRecord(RECEIVED.plusSeconds(10));

        ConflictResolver.Decision d = r.decide(priceChange(RECEIVED.plus(SKEW)), RECEIVED, hq);

        assertThat(d.outcome()).isEqualTo(ConflictResolver.Outcome.STORE_WINS);
        assertThat(r.clampedClocks()).isZero();
    }

    @Test
    void lastWriteWinsComparesWithHqsLatestForeignChangeNotItsRecordTime() {
        ConflictResolver r = resolver(ConflictPolicy.LAST_WRITE_WINS);
        // The record's time was moved by the store's own later updates; HQ's own change is older.
        ProductRecord hq = hqRecord(RECEIVED.plusSeconds(60));
        InventoryUpdate store = priceChange(RECEIVED.minusSeconds(10));

        assertThat(r.decide(store, RECEIVED, hq, ConflictResolver.ForeignChanges.latestAt(RECEIVED.minusSeconds(20))).outcome())
                .isEqualTo(ConflictResolver.Outcome.STORE_WINS);
        assertThat(r.decide(store, RECEIVED, hq, ConflictResolver.ForeignChanges.UNKNOWN).outcome())
                .as("unknown: against the record's time").isEqualTo(ConflictResolver.Outcome.HQ_WINS);
    }

    @Test
    void noForeignChangeIsNotAConflictUnderAnyPolicy() {
        for (ConflictPolicy policy : ConflictPolicy.values()) {
            ConflictResolver r = resolver(policy);

            ConflictResolver.Decision d = r.decide(priceChange(RECEIVED.minusSeconds(3600)), RECEIVED, hqRecord(RECEIVED),
                    ConflictResolver.ForeignChanges.NONE);

            assertThat(d.outcome()).as(policy.name()).isEqualTo(ConflictResolver.Outcome.STORE_WINS);
            assertThat(d.reason()).isNull();
            assertThat(r.conflictsSeen()).as("not counted as a conflict").isZero();
        }
    }

    @Test
    void everyTrueConflictIsCounted() {
        ConflictResolver r = resolver(ConflictPolicy.MANUAL);
        r.decide(priceChange(RECEIVED), RECEIVED, hqRecord(RECEIVED));
        r.decide(priceChange(RECEIVED), RECEIVED, hqRecord(RECEIVED), ConflictResolver.ForeignChanges.latestAt(RECEIVED));

        assertThat(r.conflictsSeen()).isEqualTo(2);
    }

    @Test
    void thePolicyFollowsTheUpdatesTypeAndSku() {
        ConflictResolver r = new ConflictResolver(ConflictPolicies.from(GatewaySettings.of(Map.of(
                "gateway.conflict.policy", "HQ_WINS",
                "gateway.conflict.policy.sku.SKU-", "MANUAL"))), SKEW);

        ConflictResolver.Decision d = r.decide(priceChange(RECEIVED), RECEIVED, hqRecord(RECEIVED));

        assertThat(d.policy()).isEqualTo(ConflictPolicy.MANUAL);
        assertThat(d.outcome()).isEqualTo(ConflictResolver.Outcome.PARKED);
    }
}
