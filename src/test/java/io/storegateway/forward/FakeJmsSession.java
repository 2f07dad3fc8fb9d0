package io.storegateway.forward;

import jakarta.jms.Destination;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSProducer;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import jakarta.jms.TextMessage;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch's JMS session without a broker, for the settle logic's unit tests: counts commits and
 * rollbacks and keeps what was sent (to which queue). Its messages are text messages with properties.
 */
final class FakeJmsSession {

    /** A message sent through the session, and the queue it went to. */
    record Sent(String queue, TextMessage message) {
    }

    final List<Sent> sent = new ArrayList<>();
    int commits;
    int rollbacks;

    final JMSContext context = proxy(JMSContext.class, (p, m, args) -> switch (m.getName()) {
        case "commit" -> {
            commits++;
            yield null;
        }
        case "rollback" -> {
            rollbacks++;
            yield null;
        }
        case "createTextMessage" -> textMessage(args == null ? null : (String) args[0], Map.of());
        case "createQueue" -> queue((String) args[0]);
        case "createProducer" -> producer();
        default -> throw new UnsupportedOperationException("JMSContext." + m.getName());
    });

    /** A message as taken from the outbound queue: the update's JSON and its properties. */
    static TextMessage textMessage(String text, Map<String, Object> properties) {
        Map<String, Object> props = new LinkedHashMap<>(properties);
        String[] body = {text};
        return proxy(TextMessage.class, (p, m, args) -> switch (m.getName()) {
            case "getText" -> body[0];
            case "setText" -> {
                body[0] = (String) args[0];
                yield null;
            }
            case "getPropertyNames" -> Collections.enumeration(new ArrayList<>(props.keySet()));
            case "getObjectProperty", "getStringProperty" -> props.get((String) args[0]);
            case "setObjectProperty", "setStringProperty" -> {
                props.put((String) args[0], args[1]);
                yield null;
            }
            case "propertyExists" -> props.containsKey((String) args[0]);
            case "toString" -> "TextMessage" + props;
            default -> throw new UnsupportedOperationException("TextMessage." + m.getName());
        });
    }

    private static Queue queue(String name) {
        return proxy(Queue.class, (p, m, args) -> switch (m.getName()) {
            case "getQueueName", "toString" -> name;
            default -> throw new UnsupportedOperationException("Queue." + m.getName());
        });
    }

    private JMSProducer producer() {
        return proxy(JMSProducer.class, (p, m, args) -> {
            if (m.getName().equals("send") && args.length == 2 && args[1] instanceof Message message) {
                sent.add(new Sent(((Queue) (Destination) args[0]).getQueueName(), (TextMessage) message));
                return p;
            }
            throw new UnsupportedOperationException("JMSProducer." + m.getName());
        });
    }

    /** What went to this queue. */
    List<TextMessage> sentTo(String queue) {
        return sent.stream().filter(s -> s.queue().equals(queue)).map(Sent::message).toList();
    }

    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(FakeJmsSession.class.getClassLoader(), new Class<?>[] {type}, handler));
    }
}
