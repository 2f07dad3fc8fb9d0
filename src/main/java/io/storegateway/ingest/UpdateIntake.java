package io.storegateway.ingest;

import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.Queues;
import io.storegateway.broker.StorageGuard;
import io.storegateway.broker.UpdateMessages;
import io.storegateway.mirror.AcceptedUpdates;
import io.storegateway.mirror.AcceptedUpdates.Queued;
import io.storegateway.update.InventoryUpdate;

import jakarta.jms.JMSException;
import jakarta.jms.JMSProducer;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Queue;
import org.apache.activemq.artemis.api.core.ActiveMQDuplicateIdException;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.ActiveMQExceptionType;
import org.apache.activemq.artemis.api.jms.ActiveMQJMSClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one way into the outbound queue, for both channels. Updates seen before (by the mirror, or by
 * the broker's duplicate detection) are answered DUPLICATE; the rest go to the broker in one
 * transaction (all or nothing, on disk at commit) and only then into the mirror. That order makes a
 * mirror row proof that its update is safely queued; a crash in between leaves a queued update
 * without a row, which forwarding's settle writes.
 */
public final class UpdateIntake implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UpdateIntake.class);

    public static final String CHANNEL_HTTP = "HTTP";
    public static final String CHANNEL_JMS = "JMS";
    /** Groups on their way at once: one forms while another waits for the journal's sync. */
    static final int COMMITTERS = 2;
    /** A group takes no more requests past this many updates (a request is never split). */
    static final int MAX_GROUP_UPDATES = 2_000;
    private static final String WRITE_FAILED = "the broker failed a disk write while these updates were committed";
    private static final Queue OUTBOUND = ActiveMQJMSClient.createQueue(Queues.OUTBOUND);

    private final BrokerConnections broker;
    private final StorageGuard storage;
    private final AcceptedUpdates accepted;
    private final IngestStats stats;
    private final Clock clock;
    private final CommitGroups groups;
    /** The update ids a group is committing now, and that group's end. */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> committing = new ConcurrentHashMap<>();

    public UpdateIntake(BrokerConnections broker, StorageGuard storage, AcceptedUpdates accepted, IngestStats stats,
                        Clock clock) {
        this.stats = stats;
        this.broker = broker;
        this.storage = storage;
        this.accepted = accepted;
        this.clock = clock;
        this.groups = new CommitGroups(this::commit, COMMITTERS, MAX_GROUP_UPDATES);
    }

    /** Stops taking updates once the commits on their way are done. */
    @Override
    public void close() {
        groups.close();
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
            if (c instanceof JMSException j && j.getLinkedException() != null && j.getLinkedException() != c.getCause()) {
                return isDuplicate(j.getLinkedException());
            }
        }
        return false;
    }

    private void send(List<Queued> items) {
        broker.inTransaction(ctx -> {
            JMSProducer producer = ctx.createProducer();
            for (Queued q : items) {
                producer.send(OUTBOUND, UpdateMessages.toMessage(ctx, q.update(), q.channel(), q.receivedAt()));
            }
            return null;
        });
    }

    public IngestStats stats() {
        return stats;
    }

    /**
     * Every update must carry its updateId already. Waits for the commit that carries the updates
     * ({@link CommitGroups}): the answer comes once they are on the broker's disk, or as an exception
     * when nothing of them was stored.
     */
    public List<Receipt> accept(List<InventoryUpdate> updates, String channel) {
        return CommitGroups.await(groups.submit(updates, channel));
    }

    /**
     * The same without waiting: the receipts once the updates are on the broker's disk, or the failure
     * ({@link StorageFullException}, {@link JMSRuntimeException}) when nothing of them was stored.
     */
    public CompletableFuture<List<Receipt>> acceptLater(List<InventoryUpdate> updates, String channel) {
        return groups.submit(updates, channel);
    }

    /**
     * One commit for the requests of a group: one duplicate lookup, one broker transaction, one mirror
     * transaction. An update id that two requests of the group carry is queued for the first and
     * answered DUPLICATE to the second, as if they had come one after the other. When the broker refuses
     * the group's transaction (nothing of it is stored), each request goes again on its own, so that one
     * request's trouble (an id the broker has seen) is not another's.
     */
    void commit(List<CommitGroups.Request> taken) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        List<String> claimed = new ArrayList<>();
        try {
            List<CommitGroups.Request> group = claim(taken, done, claimed);
            if (group.size() == 1) {
                alone(group.get(0));
            } else if (!group.isEmpty()) {
                commitTogether(group);
            }
        } finally {
            claimed.forEach(id -> committing.remove(id, done));
            done.complete(null);
        }
    }

    /**
     * The requests of the group whose update ids no other group is committing now; the others wait for
     * that group and go again after it (then the mirror knows whether the id was stored). Without this,
     * two groups could both find an id unknown and queue it twice: the broker's duplicate detection
     * checks an id inside a transaction against the ids committed before, not against another
     * transaction on its way.
     */
    private List<CommitGroups.Request> claim(List<CommitGroups.Request> taken, CompletableFuture<Void> done,
                                             List<String> claimed) {
        List<CommitGroups.Request> group = new ArrayList<>(taken.size());
        for (CommitGroups.Request r : taken) {
            int before = claimed.size();
            CompletableFuture<Void> other = null;
            for (InventoryUpdate u : r.updates) {
                CompletableFuture<Void> holder = committing.putIfAbsent(u.updateId(), done);
                if (holder == null) {
                    claimed.add(u.updateId());
                } else if (holder != done) {
                    other = holder;
                    break;
                }
            }
            if (other == null) {
                group.add(r);
            } else {
                List<String> mine = claimed.subList(before, claimed.size());
                mine.forEach(id -> committing.remove(id, done));
                mine.clear();
                other.whenComplete((v, e) -> groups.again(r));
            }
        }
        return group;
    }

    private void commitTogether(List<CommitGroups.Request> group) {
        Instant now = clock.instant();
        List<String> ids = new ArrayList<>();
        for (CommitGroups.Request r : group) {
            r.updates.forEach(u -> ids.add(u.updateId()));
        }
        Set<String> seen = new HashSet<>(accepted.known(ids));
        List<List<InventoryUpdate>> fresh = new ArrayList<>(group.size());
        List<Queued> all = new ArrayList<>();
        for (CommitGroups.Request r : group) {
            List<InventoryUpdate> f = new ArrayList<>();
            for (InventoryUpdate u : r.updates) {
                if (seen.add(u.updateId())) {
                    f.add(u);
                    all.add(new Queued(u, r.channel, now));
                }
            }
            fresh.add(f);
        }
        if (!all.isEmpty()) {
            String refusal = storage.refusal();
            if (refusal != null) {
                failStoring(group, fresh, new StorageFullException(refusal));
                return;
            }
            long failuresBefore = storage.writeFailures();
            try {
                send(all);
            } catch (JMSRuntimeException e) {
                group.forEach(this::alone);
                return;
            }
            if (storage.writeFailures() != failuresBefore) {
                failStoring(group, fresh, new StorageFullException(WRITE_FAILED));
                return;
            }
            record(all);
        }
        for (int i = 0; i < group.size(); i++) {
            CommitGroups.Request r = group.get(i);
            r.answer(receipts(r.updates, r.channel, fresh.get(i)));
        }
    }

    /** The requests with updates to store get the failure; the others (all duplicates) their receipts. */
    private void failStoring(List<CommitGroups.Request> group, List<List<InventoryUpdate>> fresh, RuntimeException e) {
        for (int i = 0; i < group.size(); i++) {
            CommitGroups.Request r = group.get(i);
            if (fresh.get(i).isEmpty()) {
                r.answer(receipts(r.updates, r.channel, List.of()));
            } else {
                r.fail(e);
            }
        }
    }

    private void alone(CommitGroups.Request r) {
        try {
            r.answer(acceptAlone(r.updates, r.channel));
        } catch (RuntimeException e) {
            r.fail(e);
        }
    }

    /** One request in its own transactions. */
    private List<Receipt> acceptAlone(List<InventoryUpdate> updates, String channel) {
        Instant now = clock.instant();
        Set<String> seen = new HashSet<>(accepted.known(updates.stream().map(InventoryUpdate::updateId).toList()));
        List<InventoryUpdate> fresh = new ArrayList<>();
        for (InventoryUpdate u : updates) {
            if (seen.add(u.updateId())) {
                fresh.add(u);
            }
        }
        List<InventoryUpdate> queued = fresh;
        if (!fresh.isEmpty()) {
            String refusal = storage.refusal();
            if (refusal != null) {
                throw new StorageFullException(refusal);
            }
            long failuresBefore = storage.writeFailures();
            Set<String> refused = queue(fresh, channel, now);
            if (storage.writeFailures() != failuresBefore) {
                // The broker failed a disk write while this commit was on its way: it may have answered for
                // messages that never reached the disk. Not acknowledged; a resend is stored or found a duplicate.
                throw new StorageFullException(WRITE_FAILED);
            }
            // From here the updates are on the broker's journal: accepted, whatever the mirror says.
            queued = without(fresh, refused);
            record(queued.stream().map(u -> new Queued(u, channel, now)).toList());
        }
        return receipts(updates, channel, queued);
    }

    /** QUEUED for the first occurrence of each update queued now, DUPLICATE for the rest; counted. */
    private List<Receipt> receipts(List<InventoryUpdate> updates, String channel, List<InventoryUpdate> queuedNow) {
        Set<String> queued = new HashSet<>();
        queuedNow.forEach(u -> queued.add(u.updateId()));
        List<Receipt> receipts = new ArrayList<>(updates.size());
        int count = 0;
        for (InventoryUpdate u : updates) {
            boolean isNew = queued.remove(u.updateId());
            receipts.add(new Receipt(u.updateId(), isNew ? Receipt.Status.QUEUED : Receipt.Status.DUPLICATE));
            count += isNew ? 1 : 0;
        }
        stats.accepted(channel, count);
        stats.duplicates(channel, updates.size() - count);
        return receipts;
    }

    /**
     * The QUEUED rows of updates the broker has committed. A failure here (the mirror's disk is full, the
     * database is away) does not undo the commit: the terminal is told QUEUED, and HQ's answer writes the
     * row when it settles. Until then the update is missing from the pending view and its id is unknown
     * to GET /api/v1/updates; a resend is answered DUPLICATE by the broker's duplicate detection.
     */
    private void record(List<Queued> queued) {
        if (queued.isEmpty()) {
            return;
        }
        try {
            accepted.recordQueued(queued);
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
            send(fresh.stream().map(u -> new Queued(u, channel, now)).toList());
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
                send(List.of(new Queued(u, channel, now)));
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
