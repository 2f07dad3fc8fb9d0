package io.storegateway.forward;

import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.GroupFence;
import io.storegateway.broker.Queues;
import io.storegateway.broker.TransactedReceiver;
import io.storegateway.broker.UpdateMessages;
import io.storegateway.broker.UpdateMessages.QueuedUpdate;
import io.storegateway.config.GatewaySettings;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import jakarta.jms.JMSException;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Takes batches from the outbound queue for the {@code forward-to-hq} route, each in its own JMS
 * transaction. There are {@code gateway.forward.consumers} long-lived consumers ("lanes"), each with its
 * own session, so that several batches can be on their way to HQ at once; a lane takes its next batch
 * only after its last one is settled. Per-SKU order holds: every update carries its SKU as the message
 * group (JMSXGroupID), and the broker hands all of one group to one consumer, in queue order (a batch
 * rolled back goes back to the head of the queue, to the same consumer). A lane that meets a SKU for the
 * first time while another consumer may just have let go of it (a gateway sharing the broker, or a lane of
 * this one whose session was replaced) holds it for a moment and then takes it again ({@link GroupFence}). A batch that
 * is not committed explicitly by the end of its exchange is rolled back: an edited route can delay updates,
 * never lose them.
 */
public final class OutboundBatches implements AutoCloseable {

    public static final String BATCH_SIZE = "gateway.forward.batch-size";
    public static final String POLL_TIMEOUT_MS = "gateway.forward.poll-timeout-ms";
    public static final String LINGER_MS = "gateway.forward.linger-ms";
    public static final String CONSUMERS = "gateway.forward.consumers";
    static final int DEFAULT_CONSUMERS = 1;
    /** With several lanes, how long a poll waits on one before trying the next. */
    static final long MULTI_LANE_POLL_MS = 20;
    static final int DEFAULT_BATCH_SIZE = 250;
    static final long DEFAULT_POLL_TIMEOUT_MS = 500;
    static final long DEFAULT_LINGER_MS = 0;

    /** Exchange property holding the {@link Batch}. */
    public static final String BATCH = "gatewayBatch";
    /** Exchange property with the batch size (0 when nothing was taken). */
    public static final String BATCH_SIZE_PROPERTY = "gatewayBatchSize";
    /** Exchange property set (true) when a take finds the queue empty after updates were taken: the backlog has drained. */
    public static final String BACKLOG_DRAINED = "gatewayBacklogDrained";

    private static final Logger LOG = LoggerFactory.getLogger(OutboundBatches.class);

    private final BrokerConnections broker;
    private final ForwardBackoff backoff;
    private final CircuitBreaker breaker;
    private final HqAccessAlert accessAlert;
    private final int batchSize;
    private final long pollTimeoutMs;
    private final long lingerMs;
    private final List<Lane> lanes = new ArrayList<>();
    private int nextLane;
    private volatile boolean closed;
    private volatile boolean tookSinceDrained;
    private volatile int warnedBatchSize;
    private volatile Runnable onDrained = () -> { };
    private final GatewaySettings settings;
    /** Other consumers share the queue (a remote broker), or one of ours was replaced: new groups are fenced. */
    private volatile boolean othersMayLetGo;

    public OutboundBatches(BrokerConnections broker, ForwardBackoff backoff, CircuitBreaker breaker,
                           HqAccessAlert accessAlert, GatewaySettings s) {
        this.broker = broker;
        this.backoff = backoff;
        this.breaker = breaker;
        this.accessAlert = accessAlert;
        this.batchSize = s.getInt(BATCH_SIZE, DEFAULT_BATCH_SIZE);
        this.pollTimeoutMs = s.getLong(POLL_TIMEOUT_MS, DEFAULT_POLL_TIMEOUT_MS);
        this.lingerMs = s.getLong(LINGER_MS, DEFAULT_LINGER_MS);
        this.settings = s;
        this.othersMayLetGo = !s.brokerUrl().isEmpty();
        if (batchSize < 1 || batchSize > 500) {
            throw new IllegalStateException(BATCH_SIZE + " must be between 1 and 500, not " + batchSize);
        }
        int consumers = s.getInt(CONSUMERS, DEFAULT_CONSUMERS);
        if (consumers < 1 || consumers > 16) {
            throw new IllegalStateException(CONSUMERS + " must be between 1 and 16, not " + consumers);
        }
        for (int i = 0; i < consumers; i++) {
            lanes.add(new Lane());
        }
    }

    /** Route step: puts the next batch in the body (and the {@link #BATCH} property), or an empty list. */
    public void take(Exchange exchange) throws JMSException {
        takeAtMost(exchange, batchSize);
    }

    /**
     * The same, with the batch size given by the route ({@code takeAtMost(*, 50)}), so IT can change it in the
     * route file. Outside 1–500 it is clamped, with a warning.
     */
    public void takeAtMost(Exchange exchange, int maxBatchSize) throws JMSException {
        int size = Math.max(1, Math.min(500, maxBatchSize));
        if (size != maxBatchSize && warnedBatchSize != maxBatchSize) {
            warnedBatchSize = maxBatchSize;
            LOG.atWarn().addKeyValue("event", "batch-size-clamped")
                    .log("Batch size {} given by the route is outside 1-500; using {}", maxBatchSize, size);
        }
        exchange.setProperty(BATCH_SIZE_PROPERTY, 0);
        releaseHeldLanes();
        // A lane carries one batch at a time (busy until it is settled), so a second route calling
        // take, or a swap that forced a route down mid-batch, never shares a batch's transaction.
        if (closed || holdingBack()) {
            nothingPolled(exchange);
            return;
        }
        // Each SKU's updates go to one consumer (message groups), so when one lane finds nothing the
        // next may have something: try each free lane once, briefly when there are several.
        long wait = lanes.size() > 1 ? Math.min(pollTimeoutMs, MULTI_LANE_POLL_MS) : pollTimeoutMs;
        Lane lane = null;
        List<QueuedUpdate> updates = new ArrayList<>();
        for (int tries = 0; tries < lanes.size() && updates.isEmpty(); tries++) {
            lane = freeLane();
            if (lane == null) {
                // every lane has a batch on its way: nothing to take now
                break;
            }
            if (holdingBack()) {
                // the batch this waited for failed: the back-off (or the breaker, or the alert) holds now
                lane.release(true);
                break;
            }
            try {
                lane.receiver.receive(wait, lingerMs, m -> {
                    updates.add(UpdateMessages.fromMessage(m));
                    return updates.size() < size;
                });
            } catch (JMSException | RuntimeException e) {
                // Nothing taken so far may ride along with a later commit: give it all back.
                lane.rollbackQuietly();
                lane.release(true);
                throw e;
            }
            if (!updates.isEmpty() && othersMayLetGo && !lane.fence.knowsAll(groupsOf(updates))) {
                // Another consumer may have just let go of one of these SKUs, with earlier updates of it
                // still on their way back to the queue: the lane holds the batch (busy, its transaction
                // open) for the settle time, then gives it back (releaseHeldLanes) and takes it in order.
                LOG.debug("Lane met new SKUs; holding {} update(s) for {} ms, then giving them back so that earlier ones come first",
                        updates.size(), lane.fence.settleMs());
                try {
                    lane.fence.hold(groupsOf(updates), lane.receiver.consumer());
                } catch (JMSException | RuntimeException e) {
                    lane.rollbackQuietly();
                    lane.release(true);
                    throw e;
                }
                updates.clear();
                continue;
            }
            if (updates.isEmpty()) {
                lane.release(true);
            }
        }
        if (updates.isEmpty()) {
            if (tookSinceDrained && inFlight() == 0) {
                tookSinceDrained = false;
                onDrained.run();
                // the backlog has drained: forward-to-hq's filter sends the consistency check on its way
                exchange.setProperty(BACKLOG_DRAINED, true);
            }
            nothingPolled(exchange);
            return;
        }
        tookSinceDrained = true;
        Batch batch = new Batch(lane.receiver.session(), updates, lane::release);
        exchange.setProperty(BATCH, batch);
        exchange.setProperty(BATCH_SIZE_PROPERTY, batch.size());
        exchange.getMessage().setBody(batch);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                rollbackIfOpen(batch);
            }
        });
    }

    /**
     * A lane with no batch on its way, taken for the caller; the lanes take turns. When all are busy it
     * waits for one (up to the poll time-out), so a lane is used again as soon as its batch is settled
     * rather than after the route's poll delay. Null when none became free.
     */
    private synchronized Lane freeLane() {
        long deadline = System.nanoTime() + pollTimeoutMs * 1_000_000;
        while (!closed) {
            for (int i = 0; i < lanes.size(); i++) {
                int at = (nextLane + i) % lanes.size();
                Lane lane = lanes.get(at);
                if (!lane.busy) {
                    lane.busy = true;
                    nextLane = (at + 1) % lanes.size();
                    return lane;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    /** Batches taken and not settled yet. */
    synchronized int inFlight() {
        return (int) lanes.stream().filter(l -> l.busy).count();
    }

    /** Lanes whose hold of new SKUs is over give the held updates back (in their order) and are free again. */
    private void releaseHeldLanes() {
        for (Lane lane : lanes) {
            if (lane.fence.releaseDue()) {
                lane.rollbackQuietly();
                lane.release(true);
            }
        }
    }

    private static Set<String> groupsOf(List<QueuedUpdate> updates) throws JMSException {
        Set<String> groups = new HashSet<>();
        for (QueuedUpdate u : updates) {
            groups.add(u.message() == null ? u.update().sku() : GroupFence.groupOf(u.message()));
        }
        return groups;
    }

    /** One consumer on the outbound queue with its own transacted session; busy while its batch is out. */
    private final class Lane {
        final TransactedReceiver receiver = TransactedReceiver.onQueue(broker, Queues.OUTBOUND);
        boolean busy;
        final GroupFence fence = GroupFence.from(settings);

        void rollbackQuietly() {
            if (!receiver.rollbackQuietly()) {
                lostSession();
            }
        }

        /** The lane's batch is settled; a lane whose rollback failed starts a new session next time. */
        void release(boolean healthy) {
            if (!healthy) {
                reset();
            }
            synchronized (OutboundBatches.this) {
                busy = false;
                OutboundBatches.this.notifyAll();
            }
        }

        void reset() {
            if (receiver.reset()) {
                lostSession();
            } else {
                fence.forget();
            }
        }

        /** The session is closed: its SKUs may now go to another lane while its updates are on their way back. */
        private void lostSession() {
            othersMayLetGo = true;
            fence.forget();
        }
    }

    /** Also runs {@code action} when the queue is found empty after updates were taken (the backlog has drained). */
    public void whenDrained(Runnable action) {
        Runnable before = this.onDrained;
        this.onDrained = before == null ? action : () -> {
            before.run();
            action.run();
        };
    }

    /**
     * While any of these holds, nothing is taken and the updates stay in the queue untouched: the
     * back-off after a failure, the circuit breaker open, or HQ refusing the gateway's credentials.
     */
    boolean holdingBack() {
        return backoff.waiting() || breaker.getState() == CircuitBreaker.State.OPEN
                || breaker.getState() == CircuitBreaker.State.FORCED_OPEN || accessAlert.holding();
    }

    /** Route step after a failed HQ call: the batch goes back to the head of the queue, and we wait. */
    public void giveBack(Exchange exchange) {
        giveBackAfter(exchange, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
    }

    void giveBackAfter(Exchange exchange, Throwable cause) {
        Batch batch = exchange.getProperty(BATCH, Batch.class);
        int size = batch == null ? 0 : batch.size();
        // The hold first, then the rollback: the rollback frees the lane, and a poll waiting for it
        // would otherwise take the batch again at once, before the back-off (a second failed call).
        if (HqFailures.classify(cause) == HqFailures.Kind.ACCESS_DENIED) {
            accessAlert.raise(HqFailures.reasonOf(cause), size);
        } else {
            backoff.failed(size, describe(cause));
        }
        rollbackIfOpen(batch);
        nothingPolled(exchange);
    }

    private void rollbackIfOpen(Batch batch) {
        if (batch == null) {
            return;
        }
        try {
            batch.rollback();
        } catch (RuntimeException e) {
            // the lane has dropped its session: the broker redelivers the batch when the session is gone
            LOG.atWarn().addKeyValue("event", "batch-rollback-failed")
                    .log("Rolling back batch {} failed ({}); the broker will redeliver it when the session closes", batch.id(), e.toString());
        }
    }

    private static void nothingPolled(Exchange exchange) {
        exchange.setProperty(Exchange.SCHEDULER_POLLED_MESSAGES, false);
    }

    static String describe(Throwable t) {
        if (t == null) {
            return "unknown failure";
        }
        String msg = t.getMessage();
        return t.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }

    @Override
    public void close() {
        closed = true;
        List<Lane> all;
        synchronized (this) {
            all = List.copyOf(lanes);
            notifyAll();
        }
        all.forEach(Lane::reset);
    }
}
