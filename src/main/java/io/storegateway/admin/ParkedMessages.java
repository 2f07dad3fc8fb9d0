package io.storegateway.admin;

import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.MessageCopies;
import io.storegateway.broker.Queues;
import io.storegateway.broker.UpdateMessages;
import io.storegateway.mirror.AcceptedUpdates;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.jms.BytesMessage;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.QueueBrowser;
import jakarta.jms.TextMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.Optional;

/**
 * The messages set aside on {@code store.updates.dlq} (HQ rejected them for good) and
 * {@code store.updates.invalid} (they failed validation), for IT: list them, replay one (the DLQ's
 * back to the outbound queue, the invalid one back to {@code store.updates.in}) or discard one.
 * A replay or a discard is one JMS transaction: the message is never lost or doubled on the way.
 */
public final class ParkedMessages {

    private static final Logger LOG = LoggerFactory.getLogger(ParkedMessages.class);

    public static final int MAX_LISTED = 500;

    /** Ingest's own check ({@code JmsIngest::whyInvalid}): why a message would be set aside again, or null. */
    @FunctionalInterface
    public interface IngestCheck {
        String whyInvalid(Message m) throws JMSException;
    }

    public enum Replayed { REPLAYED, NOT_FOUND, STILL_INVALID }

    /** What became of a replay: the message described, and for STILL_INVALID why. */
    public record Replay(Replayed outcome, ObjectNode message, String whyInvalid) {

        static final Replay NOT_FOUND = new Replay(Replayed.NOT_FOUND, null, null);
    }

    private final BrokerConnections broker;
    private final AcceptedUpdates updates;
    private final IngestCheck ingestCheck;

    public ParkedMessages(BrokerConnections broker, AcceptedUpdates updates, IngestCheck ingestCheck) {
        this.broker = broker;
        this.updates = updates;
        this.ingestCheck = ingestCheck;
    }

    public ObjectNode list(String queue) {
        return broker.inTransaction(ctx -> {
            ObjectNode body = UpdateJson.MAPPER.createObjectNode();
            ArrayNode items = body.putArray("items");
            try (QueueBrowser browser = ctx.createBrowser(ctx.createQueue(queue))) {
                Enumeration<?> messages = browser.getEnumeration();
                while (messages.hasMoreElements() && items.size() < MAX_LISTED) {
                    items.add(describe((Message) messages.nextElement()));
                }
            } catch (JMSException e) {
                throw new IllegalStateException("cannot browse " + queue + ": " + e.getMessage(), e);
            }
            return body;
        });
    }

    /**
     * Moves the message back where it came from. An invalid message that ingest would set aside again
     * stays where it is (unless {@code force}: for an ingest route that changes messages before the check).
     */
    public Replay replay(String queue, String id, boolean force) {
        if (Queues.INVALID.equals(queue) && !force) {
            Optional<Replay> checked = broker.inTransaction(ctx -> peek(ctx, queue, id).map(this::checkedByIngest));
            if (checked.isEmpty()) {
                return Replay.NOT_FOUND;
            }
            if (checked.get().outcome() == Replayed.STILL_INVALID) {
                logged("replay-refused", queue, checked.get().message(), "Message {} on {} not replayed, it is still invalid: {}",
                        id, queue, checked.get().whyInvalid());
                return checked.get();
            }
        }
        return moveBack(queue, id).map(m -> new Replay(Replayed.REPLAYED, m, null)).orElse(Replay.NOT_FOUND);
    }

    /** What a replay would meet: STILL_INVALID with the reason, or REPLAYED when ingest would take the message now. */
    private Replay checkedByIngest(Message m) {
        try {
            String why = ingestCheck.whyInvalid(m);
            return new Replay(why == null ? Replayed.REPLAYED : Replayed.STILL_INVALID, describe(m), why);
        } catch (JMSException e) {
            throw new IllegalStateException("cannot read " + m + ": " + e.getMessage(), e);
        }
    }

    private Optional<ObjectNode> moveBack(String queue, String id) {
        return broker.inTransaction(ctx -> take(ctx, queue, id).map(m -> {
            try {
                String target = Queues.DLQ.equals(queue) ? Queues.OUTBOUND : Queues.INBOUND;
                Message copy = MessageCopies.copy(ctx, m,
                        name -> !name.equals("error") && !name.startsWith("_AMQ") && !name.startsWith("JMSX"));
                if (Queues.OUTBOUND.equals(target)) {
                    String updateId = m.getStringProperty(UpdateMessages.UPDATE_ID);
                    copy.setStringProperty(UpdateMessages.GROUP_ID, m.getStringProperty(UpdateMessages.SKU));
                    // A new duplicate-detection id: the broker remembers the first one.
                    copy.setStringProperty(UpdateMessages.DUPLICATE_ID, updateId + ":replay:" + m.getJMSMessageID());
                    UpdateMessages.QueuedUpdate q = UpdateMessages.fromMessage(m);
                    updates.requeue(q.update(), q.channel(), q.receivedAt());
                }
                ctx.createProducer().send(ctx.createQueue(target), copy);
                ObjectNode answer = describe(m);
                answer.put("replayedTo", target);
                logged("replayed", queue, answer, "Message {} on {} replayed to {} by IT", id, queue, target);
                return answer;
            } catch (JMSException e) {
                throw new IllegalStateException("cannot replay " + id + ": " + e.getMessage(), e);
            }
        }));
    }

    /** Removes the message for good; empty when there is no such message. */
    public Optional<ObjectNode> discard(String queue, String id) {
        return broker.inTransaction(ctx -> take(ctx, queue, id).map(m -> {
            ObjectNode answer = describe(m);
            logged("discarded", queue, answer, "Message {} on {} discarded by IT", id, queue);
            return answer;
        }));
    }

    private static void logged(String event, String queue, ObjectNode message, String text, Object... args) {
        LOG.atInfo().addKeyValue("event", event).addKeyValue("queue", queue)
                .addKeyValue("updateId", message.path("updateId").asText(null))
                .addKeyValue("sku", message.path("sku").asText(null))
                .log(text, args);
    }

    private static Optional<Message> take(JMSContext ctx, String queue, String id) {
        if (!wellFormed(id)) {
            return Optional.empty();
        }
        try (JMSConsumer consumer = ctx.createConsumer(ctx.createQueue(queue), selector(id))) {
            return Optional.ofNullable(consumer.receive(1000));
        }
    }

    /** The message, left on the queue. */
    private static Optional<Message> peek(JMSContext ctx, String queue, String id) {
        if (!wellFormed(id)) {
            return Optional.empty();
        }
        try (QueueBrowser browser = ctx.createBrowser(ctx.createQueue(queue), selector(id))) {
            Enumeration<?> found = browser.getEnumeration();
            return found.hasMoreElements() ? Optional.of((Message) found.nextElement()) : Optional.empty();
        } catch (JMSException e) {
            throw new IllegalStateException("cannot browse " + queue + ": " + e.getMessage(), e);
        }
    }

    /** Only a JMS message id goes into a selector: nothing else can be said there. */
    private static boolean wellFormed(String id) {
        return id != null && id.matches("ID:[A-Za-z0-9-]{1,80}");
    }

    private static String selector(String id) {
        return "JMSMessageID = '" + id + "'";
    }

    static ObjectNode describe(Message m) {
        ObjectNode n = UpdateJson.MAPPER.createObjectNode();
        try {
            n.put("id", m.getJMSMessageID());
            n.put("error", m.getStringProperty("error"));
            n.put("timestamp", m.getJMSTimestamp());
            String body = null;
            if (m instanceof TextMessage t) {
                body = t.getText();
            } else if (m instanceof BytesMessage b) {
                byte[] bytes = new byte[(int) Math.min(b.getBodyLength(), 64 * 1024)];
                b.readBytes(bytes);
                b.reset();
                body = new String(bytes, StandardCharsets.UTF_8);
            }
            // An invalid message is the terminal's own: no properties of the gateway's, but its body may name them.
            String updateId = m.getStringProperty(UpdateMessages.UPDATE_ID);
            String sku = m.getStringProperty(UpdateMessages.SKU);
            BodyUpdateKeys inBody = updateId == null || sku == null ? BodyUpdateKeys.of(body) : null;
            n.put("updateId", updateId != null ? updateId : inBody.updateIds());
            n.put("sku", sku != null ? sku : inBody.skus());
            if (body != null) {
                n.put("body", body);
            }
        } catch (JMSException e) {
            n.put("unreadable", e.getMessage());
        }
        return n;
    }
}
