package io.storegateway.broker;

import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.Message;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One transacted session with one consumer, opened when first needed: the receiving half of the
 * gateway's batch loops (JMS ingest, each outbound lane, the other gateways' notices). {@link #receive}
 * takes messages into the open transaction until the caller's {@link Taker} says the batch is full or
 * nothing more is there; the batch then leaves with {@link #commit}, or goes back whole, in its order,
 * with {@link #rollbackQuietly}. When a rollback fails, or the caller gives the session up
 * ({@link #reset}), the session is closed (the broker takes back what it held) and a new one is opened
 * at the next receive.
 * <p>
 * Each loop keeps its own pause policy and its own {@link GroupFence}: this class only receives.
 * Not thread-safe: each loop uses its receiver from one thread at a time.
 */
public final class TransactedReceiver implements AutoCloseable {

    /** Looks at one message just received (its body can only be read until the next one is); false when the batch is full. */
    @FunctionalInterface
    public interface Taker {
        boolean take(Message m) throws JMSException;
    }

    private final Supplier<JMSContext> open;
    private final Function<JMSContext, JMSConsumer> subscribe;
    private JMSContext session;
    private JMSConsumer consumer;

    /**
     * @param open      opens a transacted session ({@link JMSContext#SESSION_TRANSACTED})
     * @param subscribe creates the consumer on it
     */
    public TransactedReceiver(Supplier<JMSContext> open, Function<JMSContext, JMSConsumer> subscribe) {
        this.open = open;
        this.subscribe = subscribe;
    }

    /** A receiver on one of the gateway's queues. */
    public static TransactedReceiver onQueue(BrokerConnections broker, String queue) {
        return new TransactedReceiver(broker::newTransactedContext, s -> s.createConsumer(s.createQueue(queue)));
    }

    /** The consumer, opening the session first if there is none. */
    public JMSConsumer consumer() {
        if (consumer == null) {
            JMSContext s = open.get();
            try {
                consumer = subscribe.apply(s);
            } catch (RuntimeException e) {
                s.close();
                throw e;
            }
            session = s;
        }
        return consumer;
    }

    /** The open session (opened if need be): what is sent on it leaves with the batch, or not at all. */
    public JMSContext session() {
        consumer();
        return session;
    }

    /**
     * Takes messages into the open transaction: waits up to {@code waitMs} for the first, then up to
     * {@code lingerMs} for each next one (0: only what is already there), until none comes or the taker
     * says the batch is full. Returns how many were taken.
     */
    public int receive(long waitMs, long lingerMs, Taker taker) throws JMSException {
        JMSConsumer c = consumer();
        int taken = 0;
        Message m = c.receive(waitMs);
        while (m != null) {
            taken++;
            if (!taker.take(m)) {
                break;
            }
            m = lingerMs > 0 ? c.receive(lingerMs) : c.receiveNoWait();
        }
        return taken;
    }

    /** The batch leaves: everything received and sent in the transaction since the last commit or rollback. */
    public void commit() {
        session.commit();
    }

    /**
     * Gives back everything received in the open transaction, to the head of the queue in its order.
     * False when the rollback failed: the session is then closed, and the broker takes the messages back.
     */
    public boolean rollbackQuietly() {
        if (session == null) {
            return true;
        }
        try {
            session.rollback();
            return true;
        } catch (RuntimeException e) {
            reset();
            return false;
        }
    }

    /**
     * Closes the session (the broker takes back what it held; other consumers may now get its message
     * groups); the next receive opens a new one. True when a session was open.
     */
    public boolean reset() {
        JMSContext s = session;
        session = null;
        consumer = null;
        if (s == null) {
            return false;
        }
        try {
            s.close();
        } catch (RuntimeException ignored) {
            // the broker takes the messages back when the connection is gone
        }
        return true;
    }

    public boolean isOpen() {
        return session != null;
    }

    @Override
    public void close() {
        reset();
    }
}
