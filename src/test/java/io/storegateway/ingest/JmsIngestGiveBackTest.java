package io.storegateway.ingest;

import io.storegateway.TerminalClient;
import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.BrokerIdentity;
import io.storegateway.broker.GroupFence;
import io.storegateway.broker.Queues;

import jakarta.jms.JMSException;
import jakarta.jms.TextMessage;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
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

    private IntakeOnRealParts parts;
    private BrokerConnections broker;
    private BrokerIdentity identity;
    private JmsIngest ingest;
    private UpdateIntake intake;
    private DefaultCamelContext camel;

    @BeforeEach
    void start() {
        parts = new IntakeOnRealParts("jms-give-back", 2);
        broker = parts.broker;
        identity = parts.embedded;
        intake = parts.intake;
        ingest = new JmsIngest(new UpdateValidator(), intake, broker, identity, 50);
        parts.closeAfter(ingest);
        camel = new DefaultCamelContext();
        parts.closeAfter(camel);
    }

    @AfterEach
    void stop() throws Exception {
        parts.close();
    }

    @Test
    void aBatchThatCouldNotBeStoredIsTakenAgainBeforeTheLaterMessagesOfItsSku() throws Exception {
        List<String> sent = IntStream.range(0, 10).mapToObj(i -> "give-back-u" + i).toList();
        sendToInbound(sent, "SKU-0001", "SKU-0001");

        // The broker's disk is full: the first batch (4 messages) is given back whole.
        parts.storageFull.set(true);
        assertThat(takeBatch(4)).as("the first batch was stored").isFalse();
        parts.storageFull.set(false);

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
        ingest = new JmsIngest(new UpdateValidator(), intake, broker, identity, 50, new GroupFence(100));
        parts.closeAfter(ingest);
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
                } catch (JMSException e) {
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
        return parts.ids(queue);
    }
}
