package io.storegateway.ingest;

import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.EmbeddedBroker;
import io.storegateway.broker.Queues;
import io.storegateway.config.GatewaySettings;
import io.storegateway.mirror.AcceptedUpdates;
import io.storegateway.mirror.MirrorDatabase;
import io.storegateway.security.AccessTokens;
import io.storegateway.update.UpdateJson;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.QueueBrowser;
import jakarta.jms.TextMessage;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A JMS batch that cannot be stored is given back to the head of store.updates.in, and the ingest
 * pauses: when it takes messages again, it takes the given-back ones first, so one SKU's updates reach
 * the outbound queue in the order the terminal sent them. (With a redelivery delay on the queue, as
 * before, the next poll took the later messages while the given-back ones waited.)
 */
class JmsIngestGiveBackTest {

    private static final String USER = "gateway";
    private static final String SECRET = "jms-give-back-secret";

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final AtomicBoolean storageFull = new AtomicBoolean();
    private BrokerConnections broker;
    private io.storegateway.broker.BrokerIdentity identity;
    private JmsIngest ingest;
    private UpdateIntake intake;
    private DefaultCamelContext camel;

    @BeforeEach
    void start() {
        Path dir = Path.of("target", "jms-give-back-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")))
                .toAbsolutePath();
        GatewaySettings s = GatewaySettings.of(Map.of(GatewaySettings.DATA_DIR, dir.toString(),
                GatewaySettings.BROKER_PORT, Integer.toString(TestGateway.freePort())));
        EmbeddedBroker embedded = new EmbeddedBroker(s, AccessTokens.load(Path.of("config/users.properties")), USER, SECRET).start();
        toClose.add(embedded);
        identity = embedded;
        broker = new BrokerConnections(EmbeddedBroker.IN_VM_URL, USER, SECRET, 2);
        toClose.add(broker);
        MirrorDatabase mirror = MirrorDatabase.open(s);
        toClose.add(mirror);
        intake = new UpdateIntake(broker, storageFull::get, new AcceptedUpdates(mirror), new IngestStats(),
                Clock.systemUTC());
        toClose.add(intake);
        ingest = new JmsIngest(new UpdateValidator(), intake, broker, identity, 50);
        toClose.add(ingest);
        camel = new DefaultCamelContext();
        toClose.add(camel);
    }

    @AfterEach
    void stop() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    @Test
    void aBatchThatCouldNotBeStoredIsTakenAgainBeforeTheLaterMessagesOfItsSku() throws Exception {
        List<String> sent = IntStream.range(0, 10).mapToObj(i -> "give-back-u" + i).toList();
        sendToInbound(sent, "SKU-0001", "SKU-0001");

        // The broker's disk is full: the first batch (4 messages) is given back whole.
        storageFull.set(true);
        assertThat(takeBatch(4)).as("the first batch was stored").isFalse();
        storageFull.set(false);

        // Right after a failure, nothing is taken (the ingest pauses instead of spinning)...
        assertThat(takeBatch(4)).as("a batch taken during the pause").isFalse();
        assertThat(ids(Queues.OUTBOUND)).isEmpty();
        // (a browser does not see messages a consumer holds: those the closed one had fetched ahead
        // come back a moment later)
        await().atMost(Duration.ofSeconds(10)).until(() -> ids(Queues.INBOUND).size() == sent.size());
        assertThat(ids(Queues.INBOUND)).as("the queue, head first, after the failure").containsExactlyElementsOf(sent);

        // ...then everything goes through, in the order it was sent.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            takeBatch(4);
            return ids(Queues.OUTBOUND).size() >= sent.size();
        });
        assertThat(ids(Queues.OUTBOUND)).containsExactlyElementsOf(sent);
    }

    @Test
    void onASharedBrokerANewMessageGroupIsGivenBackOnceAndThenIngestedInOrder() throws Exception {
        ingest.close();
        ingest = new JmsIngest(new UpdateValidator(), intake, broker, identity, 50, new io.storegateway.broker.GroupFence(100));
        toClose.add(ingest);
        List<String> sent = IntStream.range(0, 6).mapToObj(i -> "fenced-u" + i).toList();
        sendToInbound(sent, "SKU-0002", "till-3");

        assertThat(takeBatch(10)).as("a first take of a group this gateway never saw").isFalse();
        assertThat(ids(Queues.OUTBOUND)).isEmpty();

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            takeBatch(10);
            return ids(Queues.OUTBOUND).size() >= sent.size();
        });
        assertThat(ids(Queues.OUTBOUND)).containsExactlyElementsOf(sent);
    }

    /** What a terminal sends: one message per update id, each with the given JMSXGroupID. */
    private void sendToInbound(List<String> ids, String sku, String group) {
        broker.inTransaction(ctx -> {
            for (String id : ids) {
                TextMessage m = ctx.createTextMessage(TerminalClient.adjust(id, sku, 1));
                try {
                    m.setStringProperty("JMSXGroupID", group);
                } catch (jakarta.jms.JMSException e) {
                    throw new IllegalStateException(e);
                }
                ctx.createProducer().send(ctx.createQueue(Queues.INBOUND), m);
            }
            return null;
        });
    }

    private boolean takeBatch(int max) throws Exception {
        Exchange exchange = new DefaultExchange(camel);
        ingest.takeBatch(exchange, max);
        return exchange.getProperty(Exchange.SCHEDULER_POLLED_MESSAGES, Boolean.class);
    }

    /** The update ids in a queue, head first. */
    private List<String> ids(String queue) throws Exception {
        List<String> ids = new ArrayList<>();
        try (JMSContext ctx = broker.connectionFactory().createContext(USER, SECRET);
             QueueBrowser browser = ctx.createBrowser(ctx.createQueue(queue))) {
            for (var e = browser.getEnumeration(); e.hasMoreElements(); ) {
                Message m = (Message) e.nextElement();
                ids.add(UpdateJson.MAPPER.readTree(m.getBody(String.class)).path("updateId").asText());
            }
        }
        return ids;
    }
}
