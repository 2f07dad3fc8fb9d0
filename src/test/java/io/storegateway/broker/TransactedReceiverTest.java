package io.storegateway.broker;

import io.storegateway.TestGateway;
import io.storegateway.config.GatewaySettings;
import io.storegateway.security.AccessTokens;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The receiving half of the batch loops, on a real embedded broker: batches end where the taker says, and go back whole, in order. */
class TransactedReceiverTest {

    private static final String USER = "gateway";
    private static final String SECRET = "transacted-receiver-secret";

    private EmbeddedBroker embedded;
    private BrokerConnections broker;
    private TransactedReceiver receiver;

    @BeforeEach
    void start() {
        Path dir = Path.of("target", "transacted-receiver-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")))
                .toAbsolutePath();
        embedded = new EmbeddedBroker(GatewaySettings.of(Map.of(GatewaySettings.DATA_DIR, dir.toString(),
                GatewaySettings.BROKER_PORT, Integer.toString(TestGateway.freePort()))),
                AccessTokens.load(Path.of("config/users.properties")), USER, SECRET).start();
        broker = new BrokerConnections(EmbeddedBroker.IN_VM_URL, USER, SECRET, 1);
        receiver = TransactedReceiver.onQueue(broker, Queues.INVALID);
    }

    @AfterEach
    void stop() throws Exception {
        receiver.close();
        broker.close();
        embedded.close();
    }

    @Test
    void aBatchEndsWhereTheTakerSaysAndTheRestWaitsForTheNext() throws Exception {
        send("m0", "m1", "m2", "m3", "m4");

        List<String> first = new ArrayList<>();
        assertThat(receiver.receive(1000, 0, m -> add(first, m) < 2)).isEqualTo(2);
        receiver.commit();
        List<String> rest = new ArrayList<>();
        assertThat(receiver.receive(1000, 0, m -> add(rest, m) > 0)).isEqualTo(3);
        receiver.commit();

        assertThat(first).containsExactly("m0", "m1");
        assertThat(rest).containsExactly("m2", "m3", "m4");
        assertThat(receiver.receive(50, 0, m -> true)).as("nothing left").isZero();
    }

    @Test
    void aRolledBackBatchComesBackWholeInItsOrder() throws Exception {
        send("r0", "r1", "r2");
        receiver.receive(1000, 0, m -> true);

        assertThat(receiver.rollbackQuietly()).isTrue();

        List<String> again = new ArrayList<>();
        receiver.receive(1000, 0, m -> add(again, m) > 0);
        receiver.commit();
        assertThat(again).containsExactly("r0", "r1", "r2");
    }

    @Test
    void aResetGivesTheOpenBatchBackAndTheNextReceiveOpensANewSession() throws Exception {
        send("s0", "s1");
        receiver.receive(1000, 0, m -> true);

        assertThat(receiver.reset()).as("a session was open").isTrue();
        assertThat(receiver.isOpen()).isFalse();
        assertThat(receiver.reset()).as("nothing left to close").isFalse();

        List<String> again = new ArrayList<>();
        receiver.receive(5000, 0, m -> add(again, m) > 0);
        receiver.commit();
        assertThat(again).containsExactly("s0", "s1");
        assertThat(receiver.isOpen()).isTrue();
    }

    @Test
    void whatIsSentOnTheSessionLeavesWithTheBatchOrNotAtAll() throws Exception {
        send("t0");
        receiver.receive(1000, 0, m -> {
            receiver.session().createProducer().send(receiver.session().createQueue(Queues.INVALID), "copy of " + text(m));
            return true;
        });
        receiver.rollbackQuietly();

        List<String> seen = new ArrayList<>();
        receiver.receive(1000, 0, m -> add(seen, m) > 0);
        assertThat(seen).as("the copy was rolled back with the batch").containsExactly("t0");
    }

    private void send(String... texts) {
        broker.inTransaction(ctx -> {
            for (String t : texts) {
                ctx.createProducer().send(ctx.createQueue(Queues.INVALID), t);
            }
            return null;
        });
    }

    private static int add(List<String> to, Message m) throws JMSException {
        to.add(text(m));
        return to.size();
    }

    private static String text(Message m) throws JMSException {
        return ((TextMessage) m).getText();
    }
}
