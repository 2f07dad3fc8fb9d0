package io.storegateway.ingest;

import io.storegateway.broker.BrokerConnections;
import io.storegateway.config.GatewaySettings;
import io.storegateway.mirror.AcceptedUpdates;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.broker.StorageGuard;
import org.apache.activemq.artemis.api.core.ActiveMQDuplicateIdException;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.ActiveMQExceptionType;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The one way into the outbound queue, for both channels. Updates seen before are answered
 * DUPLICATE; the rest go to the broker in one transaction (all or nothing, on disk at commit; requests
 * arriving together share one, see {@link OutboundQueueWriter}) and only then into the mirror. That order makes a mirror row proof that its update is safely queued;
 * a crash in between leaves a queued update without a row, which forwarding recreates.
 */
public final class UpdateIntake implements AutoCloseable {

    public static final String CHANNEL_HTTP = "HTTP";
    public static final String CHANNEL_JMS = "JMS";

    private final IngestStats stats;
    private final Clock clock;
    private final OutboundQueueWriter writer;

    public UpdateIntake(BrokerConnections broker, StorageGuard storage, AcceptedUpdates accepted, IngestStats stats,
                        Clock clock, GatewaySettings settings) {
        this.stats = stats;
        this.clock = clock;
        this.writer = OutboundQueueWriter.from(settings, broker, storage, accepted);
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

    public IngestStats stats() {
        return stats;
    }

    /** Every update must carry its updateId already. */
    public List<Receipt> accept(List<InventoryUpdate> updates, String channel) {
        Instant now = clock.instant();
        // Queued in the broker (in a group commit with whatever else arrived meanwhile), then recorded.
        Set<String> fresh = new HashSet<>();
        writer.write(updates, channel, now).forEach(u -> fresh.add(u.updateId()));
        List<Receipt> receipts = new ArrayList<>(updates.size());
        for (InventoryUpdate u : updates) {
            receipts.add(new Receipt(u.updateId(), fresh.remove(u.updateId()) ? Receipt.Status.QUEUED : Receipt.Status.DUPLICATE));
        }
        int queued = updates.size() - (int) receipts.stream().filter(r -> r.status() == Receipt.Status.DUPLICATE).count();
        stats.accepted(channel, queued);
        stats.duplicates(channel, updates.size() - queued);
        return receipts;
    }

    @Override
    public void close() {
        writer.close();
    }
}
