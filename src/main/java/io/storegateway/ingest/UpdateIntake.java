package io.storegateway.ingest;

import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.Queues;
import io.storegateway.broker.UpdateMessages;
import io.storegateway.mirror.AcceptedUpdates;
import io.storegateway.update.InventoryUpdate;
import jakarta.jms.JMSProducer;
import jakarta.jms.Queue;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The one way into the outbound queue, for both channels. Updates seen before are answered
 * DUPLICATE; the rest go to the broker in one transaction (all or nothing, on disk at commit) and
 * only then into the mirror. That order makes a mirror row proof that its update is safely queued;
 * a crash in between leaves a queued update without a row, which forwarding recreates.
 */
public final class UpdateIntake {

    public static final String CHANNEL_HTTP = "HTTP";
    public static final String CHANNEL_JMS = "JMS";

    private final BrokerConnections broker;
    private final AcceptedUpdates accepted;
    private final Clock clock;

    public UpdateIntake(BrokerConnections broker, AcceptedUpdates accepted, Clock clock) {
        this.broker = broker;
        this.accepted = accepted;
        this.clock = clock;
    }

    /** Every update must carry its updateId already. */
    public List<Receipt> accept(List<InventoryUpdate> updates, String channel) {
        Instant now = clock.instant();
        Set<String> known = accepted.known(updates.stream().map(InventoryUpdate::updateId).toList());
        Set<String> seen = new HashSet<>(known);
        List<InventoryUpdate> fresh = new ArrayList<>();
        List<Receipt> receipts = new ArrayList<>(updates.size());
        for (InventoryUpdate u : updates) {
            if (seen.add(u.updateId())) {
                fresh.add(u);
                receipts.add(new Receipt(u.updateId(), Receipt.Status.QUEUED));
            } else {
                receipts.add(new Receipt(u.updateId(), Receipt.Status.DUPLICATE));
            }
        }
        if (!fresh.isEmpty()) {
            broker.inTransaction(ctx -> {
                Queue outbound = ctx.createQueue(Queues.OUTBOUND);
                JMSProducer producer = ctx.createProducer();
                for (InventoryUpdate u : fresh) {
                    producer.send(outbound, UpdateMessages.toMessage(ctx, u, channel, now));
                }
                return null;
            });
            accepted.recordQueued(fresh, channel, now);
        }
        return receipts;
    }
}
