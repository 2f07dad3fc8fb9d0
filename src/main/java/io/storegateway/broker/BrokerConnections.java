package io.storegateway.broker;

import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSRuntimeException;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The gateway's own connections to the broker: a connection factory for Camel's JMS component and a
 * small pool of transacted sessions for sends that must be durable before an answer goes out.
 */
public final class BrokerConnections implements AutoCloseable {

    public static final String PRODUCER_SESSIONS = "gateway.broker.producer-sessions";
    /**
     * Enough for 32 concurrent terminals each to commit at once: concurrent commits share one journal
     * sync, so a terminal waiting for a session is throughput lost.
     */
    public static final int DEFAULT_PRODUCER_SESSIONS = 32;

    private final ActiveMQConnectionFactory factory;
    private final ActiveMQConnectionFactory pooledFactory;
    private final BlockingQueue<JMSContext> idle;
    private final JMSContext root;
    private final JMSContext pooledRoot;

    public BrokerConnections(String url, String user, String password, int producerSessions) {
        this.factory = new ActiveMQConnectionFactory(url, user, password);
        this.root = factory.createContext(JMSContext.SESSION_TRANSACTED);
        // The pooled sessions only ever send inside a transaction, and the commit is where durability is
        // decided: it waits for the journal's sync, and fails if any send of the transaction failed. A send
        // need not wait for the broker's answer of its own (one round trip per message saved).
        this.pooledFactory = new ActiveMQConnectionFactory(url, user, password);
        pooledFactory.setBlockOnDurableSend(false);
        this.pooledRoot = pooledFactory.createContext(JMSContext.SESSION_TRANSACTED);
        this.idle = new ArrayBlockingQueue<>(producerSessions);
        for (int i = 0; i < producerSessions; i++) {
            idle.add(pooledRoot.createContext(JMSContext.SESSION_TRANSACTED));
        }
    }

    public ConnectionFactory connectionFactory() {
        return factory;
    }

    /** A fresh transacted session of its own (for a long-lived consumer); the caller closes it. */
    public JMSContext newTransactedContext() {
        return root.createContext(JMSContext.SESSION_TRANSACTED);
    }

    /**
     * Runs work in a pooled transacted session and commits; on failure rolls back and throws.
     * When this returns, everything the work sent is on disk.
     */
    public <T> T inTransaction(JmsWork<T> work) {
        JMSContext ctx;
        try {
            ctx = idle.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JMSRuntimeException("interrupted while waiting for a broker session");
        }
        boolean healthy = false;
        try {
            T result = work.run(ctx);
            ctx.commit();
            healthy = true;
            return result;
        } finally {
            if (!healthy) {
                ctx = replace(ctx);
            }
            idle.add(ctx);
        }
    }

    /** Opens a session of its own on the gateway's connection and commits nothing: the broker answers. */
    public Void probe() {
        try (JMSContext ctx = root.createContext(JMSContext.SESSION_TRANSACTED)) {
            ctx.commit();
        }
        return null;
    }

    private JMSContext replace(JMSContext broken) {
        try {
            broken.rollback();
            return broken;
        } catch (RuntimeException e) {
            try {
                broken.close();
            } catch (RuntimeException ignored) {
                // already unusable
            }
            return pooledRoot.createContext(JMSContext.SESSION_TRANSACTED);
        }
    }

    @Override
    public void close() {
        idle.forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // shutting down
            }
        });
        pooledRoot.close();
        pooledFactory.close();
        root.close();
        factory.close();
    }

    @FunctionalInterface
    public interface JmsWork<T> {
        T run(JMSContext ctx);
    }
}
