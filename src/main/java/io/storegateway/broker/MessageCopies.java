package io.storegateway.broker;

import jakarta.jms.BytesMessage;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;

import java.util.Collections;
import java.util.Enumeration;
import java.util.function.Predicate;

/**
 * Copies a message for setting it aside or sending it back (the invalid queue, the DLQ, a replay):
 * the same body and the properties asked for. Text, bytes and map bodies are copied; object and
 * stream bodies are not read, since deserialising a stranger's object is a risk we do not take.
 */
public final class MessageCopies {

    private MessageCopies() {
    }

    public static Message copy(JMSContext session, Message original, Predicate<String> keepProperty) throws JMSException {
        Message copy = copyBody(session, original);
        for (String name : Collections.list(names(original.getPropertyNames()))) {
            if (!keepProperty.test(name)) {
                continue;
            }
            try {
                copy.setObjectProperty(name, original.getObjectProperty(name));
            } catch (JMSException | RuntimeException e) {
                // broker-reserved properties cannot be set by clients; the rest are kept
            }
        }
        return copy;
    }

    private static Message copyBody(JMSContext session, Message original) throws JMSException {
        if (original instanceof TextMessage t) {
            return session.createTextMessage(t.getText());
        }
        if (original instanceof BytesMessage b) {
            byte[] bytes = new byte[(int) b.getBodyLength()];
            b.readBytes(bytes);
            b.reset();
            BytesMessage copy = session.createBytesMessage();
            copy.writeBytes(bytes);
            return copy;
        }
        if (original instanceof MapMessage m) {
            MapMessage copy = session.createMapMessage();
            for (String name : Collections.list(names(m.getMapNames()))) {
                copy.setObject(name, m.getObject(name));
            }
            return copy;
        }
        Message copy = session.createMessage();
        copy.setStringProperty("originalType", original.getClass().getSimpleName());
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static Enumeration<String> names(Enumeration<?> e) {
        return (Enumeration<String>) e;
    }
}
