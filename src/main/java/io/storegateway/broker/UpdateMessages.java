package io.storegateway.broker;

import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateJson;

import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;

import java.time.Instant;

/** The form of an update on the outbound queue: its JSON, plus where and when it was accepted. */
public final class UpdateMessages {

    public static final String UPDATE_ID = "updateId";
    public static final String SKU = "sku";
    public static final String CHANNEL = "channel";
    public static final String RECEIVED_AT = "receivedAt";
    /** Artemis duplicate detection: the broker drops a second message with the same update id. */
    public static final String DUPLICATE_ID = "_AMQ_DUPL_ID";
    /** Artemis message groups keep one SKU's updates on one consumer, in order. */
    public static final String GROUP_ID = "JMSXGroupID";

    private UpdateMessages() {
    }

    public static TextMessage toMessage(JMSContext ctx, InventoryUpdate u, String channel, Instant receivedAt) {
        TextMessage m = ctx.createTextMessage(UpdateJson.toJsonString(u));
        try {
            m.setStringProperty(UPDATE_ID, u.updateId());
            m.setStringProperty(SKU, u.sku());
            m.setStringProperty(CHANNEL, channel);
            m.setLongProperty(RECEIVED_AT, receivedAt.toEpochMilli());
            m.setStringProperty(GROUP_ID, u.sku());
            m.setStringProperty(DUPLICATE_ID, u.updateId());
        } catch (JMSException e) {
            throw new IllegalStateException("cannot set message properties", e);
        }
        return m;
    }

    public static QueuedUpdate fromMessage(Message m) throws JMSException {
        String json = ((TextMessage) m).getText();
        long received = m.propertyExists(RECEIVED_AT) ? m.getLongProperty(RECEIVED_AT) : m.getJMSTimestamp();
        String channel = m.propertyExists(CHANNEL) ? m.getStringProperty(CHANNEL) : "UNKNOWN";
        return new QueuedUpdate(UpdateJson.fromTrustedJson(json), channel, Instant.ofEpochMilli(received), m);
    }

    /** An update read back from the outbound queue, with the message it came in (for the DLQ). */
    public record QueuedUpdate(InventoryUpdate update, String channel, Instant receivedAt, Message message) {
    }
}
