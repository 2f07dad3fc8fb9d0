package io.storegateway.ingest;

import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.Queues;
import io.storegateway.broker.UpdateMessages;
import io.storegateway.mirror.AcceptedUpdates;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.broker.StorageGuard;
import jakarta.jms.JMSProducer;
import jakarta.jms.JMSRuntimeException;
import org.apache.activemq.artemis.api.core.ActiveMQDuplicateIdException;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.ActiveMQExceptionType;
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
    private final StorageGuard storage;
    private final AcceptedUpdates accepted;
    private final IngestStats stats;
    private final Clock clock;

    public UpdateIntake(BrokerConnections broker, StorageGuard storage, AcceptedUpdates accepted, IngestStats stats,
                        Clock clock) {
        this.stats = stats;
        this.broker = broker;
        this.storage = storage;
        this.accepted = accepted;
        this.clock = clock;
    }

    /** The broker cannot take more updates now; nothing of the request was stored. */
    public static final class StorageFullException extends RuntimeException {
        StorageFullException() {
            super("the broker's disk use is over its limit; no more updates can be stored now");
        }
    }

    /** The broker refused the send because an update id is already queued (Artemis duplicate detection). */
    static boolean isDuplicate(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ActiveMQDuplicateIdException) {
                return true;
            }
            if (c instanceof ActiveMQException a && a.getType() == ActiveMQExceptionType.DUPLICATE_ID_REJECTED) {
                return true;
            }
            if (c instanceof jakarta.jms.JMSException j && j.getLinkedException() != null && j.getLinkedException() != c.getCause()) {
                return isDuplicate(j.getLinkedException());
            }
        }
        return false;
    }

    private void send(List<InventoryUpdate> updates, String channel, Instant now) {
        broker.inTransaction(ctx -> {
            Queue outbound = ctx.createQueue(Queues.OUTBOUND);
            JMSProducer producer = ctx.createProducer();
            for (InventoryUpdate u : updates) {
                producer.send(outbound, UpdateMessages.toMessage(ctx, u, channel, now));
            }
            return null;
        });
    }

    public IngestStats stats() {
        return stats;
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
            if (storage.full()) {
                throw new StorageFullException();
            }
            try {
                send(fresh, channel, now);
            } catch (JMSRuntimeException e) {
                if (!isDuplicate(e)) {
                    throw e;
                }
                // The broker's duplicate detection refused the whole transaction: some of these ids
                // are already queued (a retry after a crash between queueing and recording). Queue
                // the others one by one; each one the broker refuses is already there.
                for (InventoryUpdate u : fresh) {
                    try {
                        send(List.of(u), channel, now);
                    } catch (JMSRuntimeException e2) {
                        if (!isDuplicate(e2)) {
                            throw e2;
                        }
                        // already in the queue: nothing to do
                    }
                }
            }
            accepted.recordQueued(fresh, channel, now);
        }
        stats.accepted(channel, fresh.size());
        stats.duplicates(channel, updates.size() - fresh.size());
        return receipts;
    }
}
