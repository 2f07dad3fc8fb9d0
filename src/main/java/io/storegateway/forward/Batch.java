package io.storegateway.forward;

import io.storegateway.broker.UpdateMessages.QueuedUpdate;

import jakarta.jms.JMSContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * Updates taken from the outbound queue in one JMS transaction. The transaction is committed only
 * by an explicit {@link #commit()} once HQ's answer is recorded; anything else rolls it back, so
 * the updates return to the head of the queue in their order.
 */
public final class Batch {

    private final JMSContext session;
    private final List<QueuedUpdate> updates;
    private final String id;
    private final Consumer<Boolean> whenSettled;
    private boolean settled;

    Batch(JMSContext session, List<QueuedUpdate> updates) {
        this(session, updates, healthy -> { });
    }

    /**
     * {@code whenSettled} runs once the batch is committed or rolled back (its session is free again),
     * told whether the session is still usable (false when the rollback itself failed).
     */
    Batch(JMSContext session, List<QueuedUpdate> updates, Consumer<Boolean> whenSettled) {
        this.session = session;
        this.updates = List.copyOf(updates);
        this.id = idOf(updates);
        this.whenSettled = whenSettled;
    }

    public List<QueuedUpdate> updates() {
        return updates;
    }

    public int size() {
        return updates.size();
    }

    /** The same updates always make the same id: HQ's Idempotency-Key for this batch. */
    public String id() {
        return id;
    }

    JMSContext session() {
        return session;
    }

    synchronized void commit() {
        if (!settled) {
            session.commit();
            settled = true;
            whenSettled.accept(true);
        }
    }

    synchronized void rollback() {
        if (!settled) {
            settled = true;
            boolean healthy = false;
            try {
                session.rollback();
                healthy = true;
            } finally {
                whenSettled.accept(healthy);
            }
        }
    }

    /** The same updates always make the same id. */
    static String idOf(List<QueuedUpdate> updates) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (QueuedUpdate u : updates) {
                sha.update(u.update().updateId().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) '\n');
            }
            return "b-" + HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
