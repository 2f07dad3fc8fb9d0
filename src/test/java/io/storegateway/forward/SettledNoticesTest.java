package io.storegateway.forward;

import io.storegateway.hq.ProductRecord;
import io.storegateway.hq.UpdateResult;
import io.storegateway.mirror.HqVerdict;
import io.storegateway.update.UpdateJson;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A notice carries everything another gateway's mirror needs to record HQ's answer as this one did. */
class SettledNoticesTest {

    @Test
    void aNoticeReadsBackAsTheVerdictsItWasMadeOf() throws Exception {
        Instant received = Instant.parse("2026-11-27T09:00:00.123Z");
        ProductRecord record = new ProductRecord("SKU-0001", "Apples", new BigDecimal("2.36"), 97, 4,
                Instant.parse("2026-11-27T09:00:01Z"), false);
        HqVerdict applied = new HqVerdict(UpdateJson.fromTrustedJson(
                "{\"updateId\":\"u-1\",\"terminalId\":\"t-1\",\"type\":\"ADJUST_QUANTITY\",\"sku\":\"SKU-0001\",\"delta\":-3,"
                        + "\"occurredAt\":\"2026-11-27T08:59:59Z\"}"), "HTTP", received,
                new UpdateResult("u-1", UpdateResult.Status.APPLIED, null, record));
        HqVerdict conflict = new HqVerdict(UpdateJson.fromTrustedJson(
                "{\"updateId\":\"u-2\",\"terminalId\":\"t-1\",\"type\":\"SET_PRICE\",\"sku\":\"SKU-0001\",\"price\":1.11,"
                        + "\"baseVersion\":1,\"occurredAt\":\"2026-11-27T08:59:59Z\"}"), "JMS", received,
                new UpdateResult("u-2", UpdateResult.Status.CONFLICT, "stale", record), "overridden by HQ", true);

        List<HqVerdict> back = SettledNotices.fromJson(SettledNotices.toJson(List.of(applied, conflict)).toString());

        assertThat(back.get(0)).isEqualTo(applied);
        // a conflict that waits for a person is parked by the gateway that forwarded it, not by every one
        assertThat(back.get(1)).isEqualTo(new HqVerdict(conflict.update(), "JMS", received, conflict.result(), "overridden by HQ", false));
    }
}
