package io.storegateway.mirror;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TestGateway;
import io.storegateway.hq.ProductRecord;
import io.storegateway.hq.UpdateResult;
import io.storegateway.update.UpdateJson;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Forwarding can settle an update before ingest has written its row (or after a crash lost it): the
 * row the settle writes is settled, with its time, like any other; proof of delivery counts it.
 */
@ExtendWith(ClosesTestGateways.class)
class SettleBeforeIngestRowTest {

    private TestGateway t;

    @Test
    void aRowWrittenByTheSettleCarriesItsSettleTime() {
        t = TestGateway.started("settle-first", 1);
        MirrorDatabase db = t.gateway().mirror();
        AcceptedUpdates updates = new AcceptedUpdates(db);
        MirrorWriter writer = new MirrorWriter(db, updates, new Products(), new ConflictRecords(db), Clock.systemUTC());
        Instant received = Instant.now().minusSeconds(1);
        ProductRecord record = new ProductRecord("SKU-0001", "Apples", new BigDecimal("2.36"), 97, 4, Instant.now(), false);

        writer.record(List.of(new HqVerdict(UpdateJson.fromTrustedJson(
                "{\"updateId\":\"settled-first\",\"terminalId\":\"t-1\",\"type\":\"ADJUST_QUANTITY\",\"sku\":\"SKU-0001\","
                        + "\"delta\":-3,\"occurredAt\":\"2026-11-27T08:59:59Z\"}"), "HTTP", received,
                new UpdateResult("settled-first", UpdateResult.Status.APPLIED, null, record))));

        assertThat(updates.find("settled-first").orElseThrow().status()).isEqualTo(UpdateStatus.APPLIED);
        Instant settledAt = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT settled_at FROM settled_update WHERE update_id = ?")) {
                ps.setString(1, "settled-first");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return Instant.ofEpochMilli(rs.getLong(1));
                }
            }
        });
        assertThat(settledAt).isAfterOrEqualTo(received);
        AcceptedUpdates.Delivery delivery = updates.delivery();
        assertThat(delivery.confirmedByHq()).as("settled, counted").isEqualTo(1);
        assertThat(delivery.accepted()).as("accepted, counted though ingest never wrote its row").isEqualTo(1);
    }
}
