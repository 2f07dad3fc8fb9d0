package io.storegateway.bench;

import io.storegateway.broker.EmbeddedBroker;
import io.storegateway.broker.Queues;
import io.storegateway.broker.UpdateMessages;
import io.storegateway.config.GatewaySettings;
import io.storegateway.security.AccessTokens;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateType;

import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSProducer;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The broker alone, as the benchmark's baseline: the gateway's own embedded broker (same class, same
 * journal settings, from the same config file), in a JVM of its own at the gateway's heap. It sends
 * {@code count} updates, as the gateway's outbound messages, persistent, from several producers in
 * transactions (as ingest does), then receives them all in transactions of {@code batch} (as
 * forwarding does). Prints one line per figure for the benchmark to read.
 */
public final class BrokerBaseline {

    private BrokerBaseline() {
    }

    /** args: config file, data dir, count, producers, updates per send transaction, receive batch size. */
    public static void main(String[] args) throws Exception {
        Path config = Path.of(args[0]);
        Path dataDir = Path.of(args[1]);
        int count = Integer.parseInt(args[2]);
        int producers = Integer.parseInt(args[3]);
        int perTx = Integer.parseInt(args[4]);
        int batch = Integer.parseInt(args[5]);
        GatewaySettings settings = GatewaySettings.load(config).with(GatewaySettings.DATA_DIR, dataDir.toString());
        String secret = "baseline-" + System.nanoTime();
        EmbeddedBroker broker = new EmbeddedBroker(settings, AccessTokens.load(settings.usersFile()), "bench", secret).start();
        try (ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(EmbeddedBroker.IN_VM_URL, "bench", secret)) {
            // warm-up: a few hundred round trips, received back at once
            sendAll(cf, 2_000, 2, perTx, "warm");
            receiveAll(cf, 2_000, batch);

            long t0 = System.nanoTime();
            sendAll(cf, count, producers, perTx, "base");
            long sent = System.nanoTime() - t0;
            System.out.println("BASELINE-SEND " + count + " " + sent);
            long t1 = System.nanoTime();
            int got = receiveAll(cf, count, batch);
            long received = System.nanoTime() - t1;
            System.out.println("BASELINE-RECEIVE " + got + " " + received);
        } finally {
            broker.close();
        }
        System.exit(0);
    }

    private static void sendAll(ActiveMQConnectionFactory cf, int count, int producers, int perTx, String prefix)
            throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            Thread t = new Thread(() -> {
                try (JMSContext ctx = cf.createContext(JMSContext.SESSION_TRANSACTED)) {
                    Queue q = ctx.createQueue(Queues.OUTBOUND);
                    JMSProducer producer = ctx.createProducer();
                    int inTx = 0;
                    int i;
                    while ((i = next.getAndIncrement()) < count) {
                        producer.send(q, UpdateMessages.toMessage(ctx, update(prefix, i), "HTTP", Instant.now()));
                        if (++inTx == perTx) {
                            ctx.commit();
                            inTx = 0;
                        }
                    }
                    ctx.commit();
                }
            }, "baseline-producer-" + p);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private static int receiveAll(ActiveMQConnectionFactory cf, int count, int batch) throws Exception {
        int got = 0;
        try (JMSContext ctx = cf.createContext(JMSContext.SESSION_TRANSACTED);
             JMSConsumer consumer = ctx.createConsumer(ctx.createQueue(Queues.OUTBOUND))) {
            while (got < count) {
                Message m = consumer.receive(2000);
                if (m == null) {
                    break;
                }
                int inBatch = 0;
                while (m != null) {
                    UpdateMessages.fromMessage(m);
                    got++;
                    if (++inBatch >= batch) {
                        break;
                    }
                    m = consumer.receiveNoWait();
                }
                ctx.commit();
            }
        }
        return got;
    }

    static InventoryUpdate update(String prefix, int i) {
        return new InventoryUpdate(prefix + "-" + i, "T" + (i % 32), UpdateType.ADJUST_QUANTITY,
                String.format("SKU-%04d", 1 + i % 1000), null, null, null, -1L, Instant.now(), null, false);
    }
}
