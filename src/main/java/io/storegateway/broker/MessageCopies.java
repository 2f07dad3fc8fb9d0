package io.storegateway.broker;

import jakarta.jms.BytesMessage;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.Session;
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

    /** Makes empty messages on a session or a context (the JMS API gives the two no common type). */
    public interface Factory {
        TextMessage text(String body) throws JMSException;

        BytesMessage bytes() throws JMSException;

        MapMessage map() throws JMSException;

        Message plain() throws JMSException;
    }

    private MessageCopies() {
    }

    public static Factory on(Session s) {
        return new Factory() {
            public TextMessage text(String body) throws JMSException {
                return s.createTextMessage(body);
            }

            public BytesMessage bytes() throws JMSException {
                return s.createBytesMessage();
            }

            public MapMessage map() throws JMSException {
                return s.createMapMessage();
            }

            public Message plain() throws JMSException {
                return s.createMessage();
            }
        };
    }

    public static Factory on(JMSContext c) {
        return new Factory() {
            public TextMessage text(String body) {
                return c.createTextMessage(body);
            }

            public BytesMessage bytes() {
                return c.createBytesMessage();
            }

            public MapMessage map() {
                return c.createMapMessage();
            }

            public Message plain() {
                return c.createMessage();
            }
        };
    }

    public static Message copy(Factory make, Message original, Predicate<String> keepProperty) throws JMSException {
        Message copy = copyBody(make, original);
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

    private static Message copyBody(Factory make, Message original) throws JMSException {
        if (original instanceof TextMessage t) {
            return make.text(t.getText());
        }
        if (original instanceof BytesMessage b) {
            byte[] bytes = new byte[(int) b.getBodyLength()];
            b.readBytes(bytes);
            b.reset();
            BytesMessage copy = make.bytes();
            copy.writeBytes(bytes);
            return copy;
        }
        if (original instanceof MapMessage m) {
            MapMessage copy = make.map();
            for (String name : Collections.list(names(m.getMapNames()))) {
                copy.setObject(name, m.getObject(name));
            }
            return copy;
        }
        Message copy = make.plain();
        copy.setStringProperty("originalType", original.getClass().getSimpleName());
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static Enumeration<String> names(Enumeration<?> e) {
        return (Enumeration<String>) e;
    }
}
