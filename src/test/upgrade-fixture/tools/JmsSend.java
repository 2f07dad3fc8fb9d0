import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSContext;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * Sends terminal updates to the gateway's store.updates.in over JMS (Artemis CORE), one persistent
 * text message per update, in one transacted session committed at the end.
 * usage: java -cp store-gateway.jar JmsSend.java tcp://localhost:PORT USER TOKEN FILE
 * FILE holds one update JSON per line.
 */
public class JmsSend {
    public static void main(String[] args) throws Exception {
        java.util.List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(args[3]));
        try (ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(args[0]);
             JMSContext ctx = f.createContext(args[1], args[2], JMSContext.SESSION_TRANSACTED)) {
            var producer = ctx.createProducer().setDeliveryMode(DeliveryMode.PERSISTENT);
            var queue = ctx.createQueue("store.updates.in");
            int n = 0;
            for (String line : lines) {
                if (line.isBlank()) continue;
                producer.send(queue, ctx.createTextMessage(line));
                n++;
            }
            ctx.commit();
            System.out.println("sent and committed " + n + " messages");
        }
    }
}
