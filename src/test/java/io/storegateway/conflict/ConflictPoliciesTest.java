package io.storegateway.conflict;

import io.storegateway.config.GatewaySettings;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateType;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConflictPoliciesTest {

    private static InventoryUpdate update(UpdateType type, String sku) {
        return new InventoryUpdate("u", "t", type, sku, null, null, 1L, null, Instant.EPOCH, 1L, false);
    }

    @Test
    void theLongestSkuPrefixWinsOverTheTypeAndTheTypeOverTheDefault() {
        ConflictPolicies p = ConflictPolicies.from(GatewaySettings.of(Map.of(
                "gateway.conflict.policy", "HQ_WINS",
                "gateway.conflict.policy.SET_PRICE", "STORE_WINS",
                "gateway.conflict.policy.sku.PROMO-", "MANUAL",
                "gateway.conflict.policy.sku.PROMO-X", "LAST_WRITE_WINS")));

        assertThat(p.policyFor(update(UpdateType.SET_QUANTITY, "A"))).isEqualTo(ConflictPolicy.HQ_WINS);
        assertThat(p.policyFor(update(UpdateType.SET_PRICE, "A"))).isEqualTo(ConflictPolicy.STORE_WINS);
        assertThat(p.policyFor(update(UpdateType.SET_PRICE, "PROMO-1"))).isEqualTo(ConflictPolicy.MANUAL);
        assertThat(p.policyFor(update(UpdateType.SET_PRICE, "PROMO-X1"))).isEqualTo(ConflictPolicy.LAST_WRITE_WINS);
    }

    @Test
    void lastWriteWinsIsTheDefault() {
        assertThat(ConflictPolicies.from(GatewaySettings.of(Map.of())).policyFor(update(UpdateType.SET_PRICE, "A")))
                .isEqualTo(ConflictPolicy.LAST_WRITE_WINS);
    }

    @Test
    void aBadPolicyNamesTheKey() {
        assertThatThrownBy(() -> ConflictPolicies.from(GatewaySettings.of(Map.of("gateway.conflict.policy.SET_PRICE", "SOMETIMES"))))
                .hasMessageContaining("gateway.conflict.policy.SET_PRICE").hasMessageContaining("SOMETIMES");
    }
}
