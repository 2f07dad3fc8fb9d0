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

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The one way into the outbound queue, for both channels. Updates seen before (by the mirror, or by
 * the broker's duplicate detection) are answered DUPLICATE; the rest go to the broker in one
 * transaction (all or nothing, on disk at commit) and only then into the mirror. That order makes a
 * mirror row proof that its update is safely queued; a crash in between leaves a queued update
 * without a row, which forwarding's settle writes.
 */
public final class UpdateIntake {

    private static final Logger LOG = LoggerFactory.getLogger(UpdateIntake.class);

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
        StorageFullException(String why) {
            super(why);
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
        for (InventoryUpdate u : updates) {
            if (seen.add(u.updateId())) {
                fresh.add(u);
            }
        }
        Set<String> refused = Set.of();
        if (!fresh.isEmpty()) {
            String refusal = storage.refusal();
            if (refusal != null) {
                throw new StorageFullException(refusal);
            }
            long failuresBefore = storage.writeFailures();
            refused = queue(fresh, channel, now);
            if (storage.writeFailures() != failuresBefore) {
                // The broker failed a disk write while this commit was on its way: it may have answered for
                // messages that never reached the disk. Not acknowledged; a resend is stored or found a duplicate.
                throw new StorageFullException("the broker failed a disk write while these updates were committed");
            }
            // From here the updates are on the broker's journal: accepted, whatever the mirror says.
            record(without(fresh, refused), channel, now);
        }
        List<Receipt> receipts = new ArrayList<>(updates.size());
        Set<String> answered = new HashSet<>();
        int queued = 0;
        for (InventoryUpdate u : updates) {
            boolean isNew = !known.contains(u.updateId()) && !refused.contains(u.updateId()) && answered.add(u.updateId());
            receipts.add(new Receipt(u.updateId(), isNew ? Receipt.Status.QUEUED : Receipt.Status.DUPLICATE));
            queued += isNew ? 1 : 0;
        }
        stats.accepted(channel, queued);
        stats.duplicates(channel, updates.size() - queued);
        return receipts;
    }

    /**
     * The QUEUED rows of updates the broker has committed. A failure here (the mirror's disk is full, the
     * database is away) does not undo the commit: the terminal is told QUEUED, and HQ's answer writes the
     * row when it settles. Until then the update is missing from the pending view and its id is unknown
     * to GET /api/v1/updates; a resend is answered DUPLICATE by the broker's duplicate detection.
     */
    private void record(List<InventoryUpdate> queued, String channel, Instant now) {
        try {
            accepted.recordQueued(queued, channel, now);
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("event", "mirror-record-failed")
                    .log("{} update(s) are queued on the broker but their QUEUED rows could not be written to the mirror "
                            + "(they are written when HQ answers): {}", queued.size(), e.getMessage());
        }
    }

    private static List<InventoryUpdate> without(List<InventoryUpdate> updates, Set<String> ids) {
        return ids.isEmpty() ? updates : updates.stream().filter(u -> !ids.contains(u.updateId())).toList();
    }

    /**
     * Sends the updates to the outbound queue in one transaction; returns the ids the broker's
     * duplicate detection refused. Such an id was committed before: it is still in the queue (a crash
     * came between queueing and recording it) or it went to HQ and its mirror row has since been
     * pruned. Either way it is not queued again and gets no QUEUED row (one could never be settled).
     */
    private Set<String> queue(List<InventoryUpdate> fresh, String channel, Instant now) {
        try {
            send(fresh, channel, now);
            return Set.of();
        } catch (JMSRuntimeException e) {
            if (!isDuplicate(e)) {
                throw e;
            }
        }
        // The broker refused the whole transaction: queue the others one by one.
        Set<String> refused = new HashSet<>();
        for (InventoryUpdate u : fresh) {
            try {
                send(List.of(u), channel, now);
            } catch (JMSRuntimeException e2) {
                if (!isDuplicate(e2)) {
                    throw e2;
                }
                refused.add(u.updateId());
            }
        }
        return refused;
    }
}
