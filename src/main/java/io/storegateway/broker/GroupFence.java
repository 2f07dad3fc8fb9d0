package io.storegateway.broker;

import io.storegateway.config.GatewaySettings;

import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSException;
import jakarta.jms.Message;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Keeps one consumer from acting on a message group (a SKU) it has only just been given, so that per-SKU
 * order survives another consumer's end.
 * <p>
 * Why: when a consumer that held a group goes away (a gateway killed, a session closed), Artemis gives the
 * group to another consumer at once, but puts the gone consumer's unfinished messages back only once its
 * journal work is done. For a few milliseconds a later message of the group can reach the new consumer
 * before an earlier one is back (RemoteBrokerIT saw HQ apply SKU-0003-u15 before -u14 that way).
 * <p>
 * So a consumer that meets a group for the first time holds what it took for a moment (the settle time),
 * taking nothing else meanwhile, and then gives it back. Artemis puts given-back messages back in the order they first arrived, so the next take gets
 * the group's messages in order. A group once seen stays with its consumer until that consumer is closed
 * ({@link #forget} then), so each group costs one pause per consumer. One fence per consumer.
 */
public final class GroupFence {

    public static final String SETTLE_MS = "gateway.broker.group-settle-ms";
    static final long DEFAULT_SETTLE_MS = 500;
    /** How many further messages a settling consumer reads ahead, so that one pause covers their groups too. */
    static final int LOOK_AHEAD = 1000;

    private final long settleMs;
    private final Set<String> seen = new HashSet<>();
    private boolean held;
    private long heldUntil;

    public GroupFence(long settleMs) {
        if (settleMs < 0 || settleMs > 60_000) {
            throw new IllegalStateException(SETTLE_MS + " must be between 0 and 60000, not " + settleMs);
        }
        this.settleMs = settleMs;
    }

    public static GroupFence from(GatewaySettings s) {
        return new GroupFence(s.getLong(SETTLE_MS, DEFAULT_SETTLE_MS));
    }

    /** The group of a message; null when it has none. */
    public static String groupOf(Message m) throws JMSException {
        return m.getStringProperty(UpdateMessages.GROUP_ID);
    }

    /** Whether this consumer has seen every one of these groups before (null entries, no group, are ignored). */
    public synchronized boolean knowsAll(Collection<String> groups) {
        if (settleMs == 0) {
            return true;
        }
        for (String g : groups) {
            if (g != null && !seen.contains(g)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Learns these groups and those of the messages waiting in the consumer, and starts holding: the
     * caller keeps what it took, untouched, until {@link #releaseDue} says the settle time is over, and
     * then gives it all back (rolls its transaction back). Nothing waits meanwhile.
     */
    public synchronized void hold(Collection<String> groups, JMSConsumer consumer) throws JMSException {
        learn(groups);
        for (int i = 0; i < LOOK_AHEAD; i++) {
            Message m = consumer.receiveNoWait();
            if (m == null) {
                break;
            }
            String g = groupOf(m);
            if (g != null) {
                seen.add(g);
            }
        }
        heldUntil = System.nanoTime() + settleMs * 1_000_000;
        held = true;
    }

    /** Holding, and the settle time is not over yet. */
    public synchronized boolean holding() {
        return held && System.nanoTime() - heldUntil < 0;
    }

    /** True once when the settle time of a hold is over: the caller gives back what it took now. */
    public synchronized boolean releaseDue() {
        if (held && System.nanoTime() - heldUntil >= 0) {
            held = false;
            return true;
        }
        return false;
    }

    private void learn(Collection<String> groups) {
        for (String g : groups) {
            if (g != null) {
                seen.add(g);
            }
        }
    }

    /** The consumer was closed: the broker may give its groups to others, and others' to its successor. */
    public synchronized void forget() {
        seen.clear();
        held = false;
    }

    public long settleMs() {
        return settleMs;
    }
}
