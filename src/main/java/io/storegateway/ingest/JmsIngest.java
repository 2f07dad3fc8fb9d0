package io.storegateway.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.storegateway.broker.MessageCopies;
import io.storegateway.broker.Queues;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateJson;
import jakarta.jms.BytesMessage;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.ObjectMessage;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.StreamMessage;
import jakarta.jms.TextMessage;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.component.jms.JmsMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Takes one message from {@code store.updates.in} (CONTRACT §4), inside the route's JMS transaction.
 * A valid message goes through {@link UpdateIntake}; an invalid one is copied, untouched but for an
 * {@code error} property, to {@code store.updates.invalid} in the same transaction as its removal,
 * so it is never lost and never doubled. The body returned is the receipt (sent to JMSReplyTo, if set).
 */
public final class JmsIngest {

    public static final String ERROR_PROPERTY = "error";

    private static final Logger LOG = LoggerFactory.getLogger(JmsIngest.class);

    private final UpdateValidator validator;
    private final UpdateIntake intake;

    public JmsIngest(UpdateValidator validator, UpdateIntake intake) {
        this.validator = validator;
        this.intake = intake;
    }

    public String take(Exchange exchange) throws JMSException {
        JmsMessage in = exchange.getIn(JmsMessage.class);
        Message message = in.getJmsMessage();
        if (!mayReplyTo(message.getJMSReplyTo())) {
            // The receipt would be sent with the gateway's own rights: a terminal naming a gateway
            // queue (the outbound queue, the DLQ) as JMSReplyTo could write there through it.
            exchange.setPattern(ExchangePattern.InOnly);
            LOG.warn("JMS message {} asks for its receipt on {}, which is not a temporary queue: no receipt sent",
                    message.getJMSMessageID(), message.getJMSReplyTo());
        }
        String error = unreadable(message);
        byte[] body = error == null ? bodyOf(message) : null;
        if (body != null && body.length > HttpIngest.MAX_BODY_BYTES) {
            error = "body is over 1 MiB";
        } else if (body != null) {
            ValidationResult result = validator.validate(body);
            if (result.isValid()) {
                List<InventoryUpdate> updates = withIds(result.updates(), message.getJMSMessageID());
                List<Receipt> receipts = intake.accept(updates, UpdateIntake.CHANNEL_JMS);
                return receipts(receipts, result.array()).toString();
            }
            error = result.summary();
        }
        setAside(in.getJmsSession(), message, error);
        intake.stats().rejected(UpdateIntake.CHANNEL_JMS, "validation");
        LOG.warn("Invalid JMS message {} set aside on {}: {}", message.getJMSMessageID(), Queues.INVALID, error);
        ObjectNode reply = UpdateJson.MAPPER.createObjectNode();
        reply.put("status", "INVALID");
        reply.put("error", error);
        return reply.toString();
    }

    /** Receipts go to a terminal's own temporary queue (CONTRACT §4), never to a named address. */
    static boolean mayReplyTo(Destination replyTo) {
        return replyTo == null || replyTo instanceof TemporaryQueue || replyTo instanceof TemporaryTopic;
    }

    /**
     * Ids for updates that came without one, derived from the JMS message id and the position in the
     * body, so a redelivered message gets the same ids and is recognised as a duplicate.
     */
    static List<InventoryUpdate> withIds(List<InventoryUpdate> updates, String jmsMessageId) {
        String base = null;
        List<InventoryUpdate> out = new ArrayList<>(updates.size());
        for (int i = 0; i < updates.size(); i++) {
            InventoryUpdate u = updates.get(i);
            if (u.updateId() == null) {
                if (base == null) {
                    base = "jms-" + shortHash(jmsMessageId);
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

    /** Copies the message to the invalid queue on the consumer's own (transacted) session. */
    private static void setAside(Session session, Message original, String error) throws JMSException {
        Message copy = MessageCopies.copy(MessageCopies.on(session), original, name -> true);
        copy.setStringProperty(ERROR_PROPERTY, error.length() > 2000 ? error.substring(0, 2000) : error);
        copy.setStringProperty("originalMessageId", original.getJMSMessageID());
        try (MessageProducer producer = session.createProducer(session.createQueue(Queues.INVALID))) {
            producer.send(copy);
        }
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
