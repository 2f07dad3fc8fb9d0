package io.storegateway.ingest;

import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.BrokerIdentity;
import io.storegateway.broker.GroupFence;
import io.storegateway.broker.MessageCopies;
import io.storegateway.broker.Queues;
import io.storegateway.broker.TransactedReceiver;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.jms.BytesMessage;
import jakarta.jms.Destination;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.ObjectMessage;
import jakarta.jms.StreamMessage;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQMessage;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Takes messages from {@code store.updates.in} (docs/JMS.md). The route takes them in batches
 * ({@link #takeBatch}): up to {@code gateway.ingest.jms.batch-size} messages in one JMS transaction on
 * one consumer, so a terminal's messages keep their order and a batch costs two journal syncs, not two
 * per message. The valid ones go through {@link UpdateIntake} together; an invalid one is copied,
 * untouched but for an {@code error} property, to {@code store.updates.invalid} in the same transaction
 * as its removal, so it is never lost and never doubled. Receipts go to JMSReplyTo, if set, in that
 * transaction too. When the updates cannot be stored (disk full, broker trouble) the whole batch is
 * given back to the head of the queue, and nothing is taken for a pause that grows with each failure
 * in a row (1 s, doubling, at most 30 s), with the consumer closed meanwhile so that another gateway
 * sharing the broker may take its message groups. The pause is the gateway's, not the broker's: a
 * redelivery delay on the queue would hold back the given-back messages while later messages of the
 * same terminal and SKU went ahead.
 */
public final class JmsIngest implements AutoCloseable {

    public static final String ERROR_PROPERTY = "error";
    public static final String POLL_TIMEOUT_MS = "gateway.ingest.jms.poll-timeout-ms";
    static final long DEFAULT_POLL_TIMEOUT_MS = 500;
    static final long FIRST_PAUSE_MS = 1000;
    static final long MAX_PAUSE_MS = 30_000;

    private static final Logger LOG = LoggerFactory.getLogger(JmsIngest.class);

    private final UpdateValidator validator;
    private final UpdateIntake intake;
    private final BrokerIdentity identity;
    private final long pollTimeoutMs;
    private final TransactedReceiver receiver;
    private volatile boolean closed;
    /** After a failed batch: nothing is taken before this (System.nanoTime()); the pause doubles with each failure in a row. */
    private long pausedUntil;
    private long pauseMs;
    private final GroupFence fence;

    public JmsIngest(UpdateValidator validator, UpdateIntake intake, BrokerConnections broker, BrokerIdentity identity,
                     long pollTimeoutMs) {
        this(validator, intake, broker, identity, pollTimeoutMs, null);
    }

    /**
     * @param fence for a broker other gateways share (null: none): a terminal's message group (JMSXGroupID)
     *              that this gateway meets for the first time is taken only after a pause, so that
     *              messages of it another gateway was holding when it ended come first
     */
    public JmsIngest(UpdateValidator validator, UpdateIntake intake, BrokerConnections broker, BrokerIdentity identity,
                     long pollTimeoutMs, GroupFence fence) {
        this.validator = validator;
        this.intake = intake;
        this.identity = identity;
        this.pollTimeoutMs = pollTimeoutMs;
        this.fence = fence;
        this.receiver = TransactedReceiver.onQueue(broker, Queues.INBOUND);
        // not paused (System.nanoTime() may be negative: compared by difference, never with 0)
        this.pausedUntil = System.nanoTime();
    }

    /** A message of a batch that is not a valid update, and why. */
    private record Invalid(Message message, String error) {
    }

    /** A message of a batch, and what became of it. */
    private record Taken(Message message, List<InventoryUpdate> updates, boolean array) {
    }

    /**
     * Route step: takes up to {@code max} messages from {@code store.updates.in} in one transaction and
     * commits it once their updates are queued (or set aside). Sets nothing on the exchange but whether
     * anything was taken.
     */
    public synchronized void takeBatch(Exchange exchange, int max) throws JMSException {
        exchange.setProperty(Exchange.SCHEDULER_POLLED_MESSAGES, false);
        if (closed || System.nanoTime() - pausedUntil < 0) {
            return;
        }
        if (fence != null) {
            if (fence.holding()) {
                return;
            }
            if (fence.releaseDue()) {
                // the messages held for new groups go back, in their order, and are taken below
                if (!receiver.rollbackQuietly()) {
                    fence.forget();
                }
            }
        }
        JMSContext session = receiver.session();
        List<Taken> valid = new ArrayList<>();
        List<InventoryUpdate> all = new ArrayList<>();
        List<String> groups = new ArrayList<>(); // one per message taken
        List<Invalid> invalid = new ArrayList<>();
        try {
            int taken = receiver.receive(pollTimeoutMs, 0, m -> {
                groups.add(GroupFence.groupOf(m));
                Read read = read(m);
                if (read.error() == null) {
                    valid.add(new Taken(m, read.updates(), read.array()));
                    all.addAll(read.updates());
                } else {
                    // copied now: the body of a large message can only be read until the next one is received
                    setAside(session, m, read.error());
                    reply(session, m, invalidReply(read.error()));
                    invalid.add(new Invalid(m, read.error()));
                }
                return groups.size() < max && all.size() < UpdateValidator.MAX_BATCH * 2;
            });
            if (taken == 0) {
                return;
            }
            if (fence != null && !fence.knowsAll(groups)) {
                // Another gateway may have just let go of one of these groups, with earlier messages of
                // it still on their way back to the queue: hold these (transaction open) for the settle
                // time, then give them back and take them again in order.
                LOG.debug("New message groups; holding {} JMS message(s) for {} ms, then giving them back so that earlier ones come first",
                        taken, fence.settleMs());
                fence.hold(groups, receiver.consumer());
                return;
            }
            if (!all.isEmpty()) {
                List<Receipt> receipts = intake.accept(all, UpdateIntake.CHANNEL_JMS);
                int at = 0;
                for (Taken t : valid) {
                    List<Receipt> mine = receipts.subList(at, at + t.updates().size());
                    at += t.updates().size();
                    reply(session, t.message(), receipts(mine, t.array()).toString());
                }
            }
            receiver.commit();
            pauseMs = 0;
            for (Invalid i : invalid) {
                intake.stats().rejected(UpdateIntake.CHANNEL_JMS, "validation");
                LOG.atWarn().addKeyValue("event", "invalid-message")
                        .log("Invalid JMS message {} set aside on {}: {}", i.message().getJMSMessageID(), Queues.INVALID, i.error());
            }
            exchange.setProperty(Exchange.SCHEDULER_POLLED_MESSAGES, true);
        } catch (JMSException | RuntimeException e) {
            // Given back whole, to the head of the queue in their order; taken again after a pause.
            pauseMs = pauseMs == 0 ? FIRST_PAUSE_MS : Math.min(MAX_PAUSE_MS, pauseMs * 2);
            pausedUntil = System.nanoTime() + pauseMs * 1_000_000;
            LOG.atWarn().addKeyValue("event", "store-failed")
                    .log("Could not store {} JMS message(s) from {}; they stay there, tried again in {} ms: {}", groups.size(),
                            Queues.INBOUND, pauseMs, e.toString());
            // closed below all the same: the broker takes the messages back when the session is gone
            receiver.rollbackQuietly();
            // A new consumer after the pause: meanwhile another gateway on the same broker may take
            // the message groups this one held.
            closeSession();
        }
    }

    private static void reply(JMSContext session, Message m, String text) throws JMSException {
        Destination to = m.getJMSReplyTo();
        if (to == null) {
            return;
        }
        if (!mayReplyTo(to)) {
            // The receipt would be sent with the gateway's own rights: a terminal naming a gateway
            // queue (the outbound queue, the DLQ) as JMSReplyTo could write there through it.
            LOG.atWarn().addKeyValue("event", "receipt-not-sent")
                    .log("JMS message {} asks for its receipt on {}, which is not a temporary queue: no receipt sent",
                            m.getJMSMessageID(), to);
            return;
        }
        TextMessage r = session.createTextMessage(text);
        r.setJMSCorrelationID(m.getJMSCorrelationID() != null ? m.getJMSCorrelationID() : m.getJMSMessageID());
        session.createProducer().send(to, r);
    }

    private static String invalidReply(String error) {
        ObjectNode reply = UpdateJson.MAPPER.createObjectNode();
        reply.put("status", "INVALID");
        reply.put("error", error);
        return reply.toString();
    }

    private void closeSession() {
        receiver.reset();
        if (fence != null) {
            fence.forget();
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeSession();
    }

    /** Why this message would be set aside as invalid if it came in now; null when it would be taken. */
    public String whyInvalid(Message m) throws JMSException {
        return read(m).error();
    }

    /** A message's updates (with their ids) and whether its body was an array, or why it is invalid. */
    private record Read(List<InventoryUpdate> updates, boolean array, String error) {
    }

    private Read read(Message m) throws JMSException {
        String unreadable = unreadable(m);
        if (unreadable != null) {
            return new Read(List.of(), false, unreadable);
        }
        byte[] body = bodyOf(m);
        if (body == null) {
            return new Read(List.of(), false, "body must be a text or bytes message holding a JSON update or array of updates");
        }
        if (body.length > HttpIngest.MAX_BODY_BYTES) {
            return new Read(List.of(), false, "body is over 1 MiB");
        }
        ValidationResult result = validator.validate(body);
        if (!result.isValid()) {
            return new Read(List.of(), false, result.summary());
        }
        return new Read(withIds(result.updates(), messageKey(m)), result.array(), null);
    }

    /** Receipts go to a terminal's own temporary queue (docs/JMS.md), never to a named address. */
    static boolean mayReplyTo(Destination replyTo) {
        return replyTo == null || replyTo instanceof TemporaryQueue || replyTo instanceof TemporaryTopic;
    }

    /**
     * What names this message for good: the broker's node id and the broker's own id of the message,
     * which it gives every message it stores, whatever the protocol, and keeps across redeliveries and
     * restarts. Not JMSMessageID: a STOMP message has none, nor an AMQP message sent without a
     * message-id, nor a JMS producer's with message ids disabled, and an AMQP client may send the same
     * message-id twice; all of those then got one id, and HQ applied one of them.
     */
    private String messageKey(Message m) {
        return messageKey(identity, m);
    }

    static String messageKey(BrokerIdentity broker, Message m) {
        if (!(m instanceof ActiveMQMessage artemis)) {
            throw new IllegalStateException("not a message of the Artemis client: " + m.getClass().getName());
        }
        return broker.nodeId() + "/" + artemis.getCoreMessage().getMessageID();
    }

    /**
     * Ids for updates that came without one, derived from the message's key ({@link #messageKey}) and
     * the position in the body, so a redelivered message gets the same ids and is recognised as a duplicate.
     */
    static List<InventoryUpdate> withIds(List<InventoryUpdate> updates, String messageKey) {
        String base = null;
        List<InventoryUpdate> out = new ArrayList<>(updates.size());
        for (int i = 0; i < updates.size(); i++) {
            InventoryUpdate u = updates.get(i);
            if (u.updateId() == null) {
                if (base == null) {
                    base = "jms-" + shortHash(messageKey);
                }
                u = u.withUpdateId(base + "-" + i);
            }
            out.add(u);
        }
        return out;
    }

    static JsonNode receipts(List<Receipt> receipts, boolean array) {
        ArrayNode list = UpdateJson.MAPPER.createArrayNode();
        for (Receipt r : receipts) {
            list.addObject().put("updateId", r.updateId()).put("status", r.status().name());
        }
        return array ? list : list.get(0);
    }

    /** Why the body is not even read (the wrong kind of message, over 1 MiB as over HTTP), or null. */
    private static String unreadable(Message m) throws JMSException {
        long size;
        if (m instanceof TextMessage t) {
            String text = t.getText();
            size = text == null ? 0 : text.length();
        } else if (m instanceof BytesMessage b) {
            size = b.getBodyLength();
        } else {
            return "body must be a text or bytes message holding a JSON update or array of updates, not " + kind(m);
        }
        // A character is at least one byte: more characters than the limit is too large either way.
        return size > HttpIngest.MAX_BODY_BYTES ? "body is over 1 MiB" : null;
    }

    private static byte[] bodyOf(Message m) throws JMSException {
        if (m instanceof TextMessage t) {
            String text = t.getText();
            return text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
        }
        if (m instanceof BytesMessage b) {
            byte[] bytes = new byte[(int) b.getBodyLength()];
            b.readBytes(bytes);
            b.reset();
            return bytes;
        }
        return null;
    }

    private static String kind(Message m) {
        if (m instanceof ObjectMessage) {
            return "an object message (object bodies are never deserialised)";
        }
        if (m instanceof MapMessage) {
            return "a map message";
        }
        if (m instanceof StreamMessage) {
            return "a stream message";
        }
        return "a message without a body";
    }

    /** Copies the message to the invalid queue in the batch's own transaction. */
    private static void setAside(JMSContext session, Message original, String error) throws JMSException {
        Message copy = MessageCopies.copy(session, original, name -> true);
        copy.setStringProperty(ERROR_PROPERTY, error.length() > 2000 ? error.substring(0, 2000) : error);
        copy.setStringProperty("originalMessageId", original.getJMSMessageID());
        session.createProducer().send(session.createQueue(Queues.INVALID), copy);
    }

    private static String shortHash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(String.valueOf(s).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
