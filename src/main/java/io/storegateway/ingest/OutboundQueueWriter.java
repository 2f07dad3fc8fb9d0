package io.storegateway.ingest;

import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.Queues;
import io.storegateway.broker.StorageGuard;
import io.storegateway.broker.UpdateMessages;
import io.storegateway.config.GatewaySettings;
import io.storegateway.mirror.AcceptedUpdates;
import io.storegateway.mirror.AcceptedUpdates.Queued;
import io.storegateway.update.InventoryUpdate;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSProducer;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Group commit into the outbound queue. Requests that arrive while a commit is on its way to disk
 * wait here and go together in the next broker transaction, one journal sync for all of them, and
 * then into the mirror in one JDBC batch. Each request is still all or nothing: the group commits
 * whole or not at all, and a group that fails is tried again request by request, so one request's
 * trouble (an id the broker already holds) is that request's alone. A request is answered only
 * after its group's commit returned, that is once the broker has synced it to its journal.
 */
final class OutboundQueueWriter implements AutoCloseable {

    public static final String WRITERS = "gateway.ingest.writers";
    public static final String MAX_GROUP = "gateway.ingest.max-group-updates";
    static final int DEFAULT_WRITERS = 2;
    static final int DEFAULT_MAX_GROUP = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(OutboundQueueWriter.class);

    private final BrokerConnections broker;
    private final StorageGuard storage;
    private final AcceptedUpdates accepted;
    private final int maxGroup;
    private final BlockingQueue<Request> waiting = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    OutboundQueueWriter(BrokerConnections broker, StorageGuard storage, AcceptedUpdates accepted, int writers, int maxGroup) {
        this.broker = broker;
        this.storage = storage;
        this.accepted = accepted;
        this.maxGroup = Math.max(1, maxGroup);
        for (int i = 0; i < Math.max(1, writers); i++) {
            Thread t = new Thread(this::run, "outbound-writer-" + (i + 1));
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    static OutboundQueueWriter from(GatewaySettings s, BrokerConnections broker, StorageGuard storage, AcceptedUpdates accepted) {
        return new OutboundQueueWriter(broker, storage, accepted, s.getInt(WRITERS, DEFAULT_WRITERS), s.getInt(MAX_GROUP, DEFAULT_MAX_GROUP));
    }

    /**
     * Queues the updates the gateway has not accepted before durably and records them in the mirror;
     * returns once both are done, with the ones that were new (the others are duplicates). Ids seen
     * before are looked up for the whole group in one query.
     *
     * @throws UpdateIntake.StorageFullException when the broker's disk is over its limit (nothing stored)
     */
    List<InventoryUpdate> write(List<InventoryUpdate> updates, String channel, Instant receivedAt) {
        if (closed) {
            throw new JMSRuntimeException("the gateway is stopping");
        }
        Request r = new Request(updates, channel, receivedAt, new CompletableFuture<>());
        waiting.add(r);
        try {
            return r.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JMSRuntimeException("interrupted while the updates were being stored");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private record Request(List<InventoryUpdate> updates, String channel, Instant receivedAt,
                           CompletableFuture<List<InventoryUpdate>> done) {
    }

    /** A request with the updates of it that are new: not in the mirror, not earlier in the group. */
    private record Fresh(Request request, List<InventoryUpdate> updates) {
    }

    private void run() {
        Session session = null;
        while (!closed) {
            List<Request> group;
            try {
                group = nextGroup();
            } catch (InterruptedException e) {
                return;
            }
            if (group == null) {
                continue;
            }
            List<Fresh> fresh;
            try {
                fresh = fresh(group);
            } catch (RuntimeException e) {
                group.forEach(r -> r.done().completeExceptionally(e));
                continue;
            }
            List<Fresh> toSend = fresh.stream().filter(f -> !f.updates().isEmpty()).toList();
            fresh.stream().filter(f -> f.updates().isEmpty()).forEach(f -> f.request().done().complete(List.of()));
            if (toSend.isEmpty()) {
                continue;
            }
            if (storage.full()) {
                toSend.forEach(f -> f.request().done().completeExceptionally(new UpdateIntake.StorageFullException()));
                continue;
            }
            List<Fresh> stored = new ArrayList<>(toSend.size());
            try {
                if (session == null) {
                    session = new Session(broker.newTransactedContext());
                }
                session.send(toSend);
                stored.addAll(toSend);
            } catch (RuntimeException e) {
                session = closeQuietly(session);
                if (toSend.size() == 1 && !UpdateIntake.isDuplicate(e)) {
                    toSend.get(0).request().done().completeExceptionally(e);
                } else {
                    // One at a time, each in its own transaction, so each request gets its own verdict.
                    for (Fresh f : toSend) {
                        try {
                            sendAlone(f);
                            stored.add(f);
                        } catch (RuntimeException e2) {
                            f.request().done().completeExceptionally(e2);
                        }
                    }
                }
            }
            if (stored.isEmpty()) {
                continue;
            }
            List<Queued> rows = new ArrayList<>();
            for (Fresh f : stored) {
                for (InventoryUpdate u : f.updates()) {
                    rows.add(new Queued(u, f.request().channel(), f.request().receivedAt()));
                }
            }
            try {
                accepted.recordQueued(rows);
                stored.forEach(f -> f.request().done().complete(f.updates()));
            } catch (RuntimeException e) {
                // Queued but not recorded: forwarding recreates the rows; the terminal sees an error and
                // its retry is answered DUPLICATE by the broker's duplicate detection.
                stored.forEach(f -> f.request().done().completeExceptionally(e));
            }
        }
        closeQuietly(session);
    }

    /** One query for the whole group's ids; a repeated id is new only the first time. */
    private List<Fresh> fresh(List<Request> group) {
        List<String> ids = new ArrayList<>();
        group.forEach(r -> r.updates().forEach(u -> ids.add(u.updateId())));
        java.util.Set<String> seen = new java.util.HashSet<>(accepted.known(ids));
        List<Fresh> out = new ArrayList<>(group.size());
        for (Request r : group) {
            List<InventoryUpdate> mine = new ArrayList<>(r.updates().size());
            for (InventoryUpdate u : r.updates()) {
                if (seen.add(u.updateId())) {
                    mine.add(u);
                }
            }
            out.add(new Fresh(r, mine));
        }
        return out;
    }

    private List<Request> nextGroup() throws InterruptedException {
        Request first = waiting.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (first == null) {
            return null;
        }
        List<Request> group = new ArrayList<>();
        group.add(first);
        int n = first.updates().size();
        Request next;
        while (n < maxGroup && (next = waiting.peek()) != null && n + next.updates().size() <= maxGroup) {
            next = waiting.poll();
            if (next == null) {
                break;
            }
            group.add(next);
            n += next.updates().size();
        }
        return group;
    }

    /**
     * A request alone: one transaction, and when the broker's duplicate detection refuses it (some ids
     * already queued: a retry after a crash between queueing and recording), the updates one by one;
     * each one the broker refuses is already there.
     */
    private void sendAlone(Fresh f) {
        Request r = f.request();
        try {
            sendInPool(f.updates(), r.channel(), r.receivedAt());
        } catch (JMSRuntimeException e) {
            if (!UpdateIntake.isDuplicate(e)) {
                throw e;
            }
            for (InventoryUpdate u : f.updates()) {
                try {
                    sendInPool(List.of(u), r.channel(), r.receivedAt());
                } catch (JMSRuntimeException e2) {
                    if (!UpdateIntake.isDuplicate(e2)) {
                        throw e2;
                    }
                }
            }
        }
    }

    private void sendInPool(List<InventoryUpdate> updates, String channel, Instant receivedAt) {
        broker.inTransaction(ctx -> {
            Queue outbound = ctx.createQueue(Queues.OUTBOUND);
            JMSProducer producer = ctx.createProducer();
            for (InventoryUpdate u : updates) {
                producer.send(outbound, UpdateMessages.toMessage(ctx, u, channel, receivedAt));
            }
            return null;
        });
    }

    private static Session closeQuietly(Session s) {
        if (s != null) {
            try {
                s.ctx.rollback();
            } catch (RuntimeException ignored) {
                // broken anyway
            }
            try {
                s.ctx.close();
            } catch (RuntimeException ignored) {
                // broken anyway
            }
        }
        return null;
    }

    /** A writer's own transacted session, its producer and the queue, made once. */
    private static final class Session {
        final JMSContext ctx;
        final JMSProducer producer;
        final Queue outbound;

        Session(JMSContext ctx) {
            this.ctx = ctx;
            this.producer = ctx.createProducer();
            this.outbound = ctx.createQueue(Queues.OUTBOUND);
        }

        void send(List<Fresh> group) {
            for (Fresh f : group) {
                for (InventoryUpdate u : f.updates()) {
                    producer.send(outbound, UpdateMessages.toMessage(ctx, u, f.request().channel(), f.request().receivedAt()));
                }
            }
            ctx.commit();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        Request r;
        while ((r = waiting.poll()) != null) {
            r.done().completeExceptionally(new JMSRuntimeException("the gateway is stopping"));
        }
        LOG.debug("Outbound queue writers stopped");
    }
}
