package io.storegateway.ingest;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TestGateway;
import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.EmbeddedBroker;
import io.storegateway.broker.Queues;
import io.storegateway.config.GatewaySettings;
import io.storegateway.security.AccessTokens;

import jakarta.jms.JMSContext;
import jakarta.jms.JMSProducer;
import jakarta.jms.Message;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.jms.Connection;
import javax.jms.MessageProducer;
import javax.jms.Session;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A JMS message without updateId gets an id of its own, on every protocol the acceptor speaks, also
 * when the message has no message id or shares one: five identical bodies (a till selling the same
 * item five times) are five updates at HQ. Before, the id came from JMSMessageID, which STOMP, an AMQP
 * message without a message-id and a producer with message ids disabled all leave null: the five
 * became one, and four were answered DUPLICATE and gone. A redelivered message keeps its id.
 */
@ExtendWith(ClosesTestGateways.class)
class JmsWithoutUpdateIdTest {

    private static final int TIMES = 5;

    private TestGateway t;
    private EmbeddedBroker broker;
    private BrokerConnections connections;

    @AfterEach
    void stop() {
        if (connections != null) {
            connections.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** An update without updateId, the same body every time. */
    private static String sale(String sku) {
        return "{\"terminalId\":\"till-9\",\"type\":\"ADJUST_QUANTITY\",\"sku\":\"" + sku
                + "\",\"delta\":-1,\"occurredAt\":\"2026-12-03T10:00:00Z\"}";
    }

    @Test
    void fiveIdenticalMessagesWithoutUpdateIdAreFiveUpdatesOnEveryProtocol() throws Exception {
        t = TestGateway.started("jms-without-id", 8, Map.of());
        int port = t.brokerPort();
        Map<String, Long> before = new HashMap<>();
        for (int i = 1; i <= 6; i++) {
            String sku = String.format("SKU-%04d", i);
            before.put(sku, t.hq.product(TestGateway.STORE, sku).orElseThrow().quantity());
        }

        // CORE, with message ids and with them disabled
        try (ActiveMQConnectionFactory core = new ActiveMQConnectionFactory("tcp://localhost:" + port);
             JMSContext jms = core.createContext(TestGateway.TERMINAL_USER, TestGateway.TERMINAL_TOKEN)) {
            send(jms.createProducer(), jms, "SKU-0001");
            send(jms.createProducer().setDisableMessageID(true), jms, "SKU-0002");
        }
        // AMQP 1.0 (Qpid JMS), with and without a message-id
        JmsConnectionFactory amqp = new JmsConnectionFactory("amqp://localhost:" + port);
        try (JMSContext jms = amqp.createContext(TestGateway.TERMINAL_USER, TestGateway.TERMINAL_TOKEN)) {
            send(jms.createProducer(), jms, "SKU-0003");
            send(jms.createProducer().setDisableMessageID(true), jms, "SKU-0004");
        }
        // OpenWire (ActiveMQ Classic's client)
        Connection openWire = new org.apache.activemq.ActiveMQConnectionFactory(TestGateway.TERMINAL_USER,
                TestGateway.TERMINAL_TOKEN, "tcp://localhost:" + port).createConnection();
        try {
            Session s = openWire.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer p = s.createProducer(s.createQueue(Queues.INBOUND));
            for (int i = 0; i < TIMES; i++) {
                p.send(s.createTextMessage(sale("SKU-0005")));
            }
        } finally {
            openWire.close();
        }
        // STOMP: its messages carry no JMS message id at all
        stompSend(port, sale("SKU-0006"), TIMES);

        for (int i = 1; i <= 6; i++) {
            String sku = String.format("SKU-%04d", i);
            long expected = before.get(sku) - TIMES;
            await(sku).atMost(Duration.ofSeconds(30))
                    .until(() -> t.hq.product(TestGateway.STORE, sku).orElseThrow().quantity() == expected);
            assertThat(t.hq.appliedOrder(TestGateway.STORE, sku)).as(sku).hasSize(TIMES).doesNotHaveDuplicates();
        }
    }

    @Test
    void aRedeliveredMessageKeepsItsKeyAndTwoIdenticalMessagesDoNot() throws Exception {
        Path dir = Path.of("target", "jms-key-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")))
                .toAbsolutePath();
        int port = TestGateway.freePort();
        GatewaySettings s = GatewaySettings.of(Map.of(GatewaySettings.DATA_DIR, dir.toString(), GatewaySettings.BROKER_PORT,
                Integer.toString(port)));
        broker = new EmbeddedBroker(s, AccessTokens.load(Path.of("config/users.properties")), "gateway", "jms-key-secret").start();
        connections = new BrokerConnections(EmbeddedBroker.IN_VM_URL, "gateway", "jms-key-secret", 1);
        stompSend(port, sale("SKU-0001"), 2);

        try (JMSContext tx = connections.newTransactedContext()) {
            var consumer = tx.createConsumer(tx.createQueue(Queues.INBOUND));
            Message first = consumer.receive(10_000);
            Message second = consumer.receive(10_000);
            assertThat(first.getJMSMessageID()).as("STOMP gives none").isNull();
            String firstKey = JmsIngest.messageKey(broker, first);
            String secondKey = JmsIngest.messageKey(broker, second);
            assertThat(firstKey).isNotEqualTo(secondKey).startsWith(broker.nodeId());
            tx.rollback();

            Message again = consumer.receive(10_000);
            assertThat(again.getJMSRedelivered()).isTrue();
            assertThat(JmsIngest.messageKey(broker, again)).isEqualTo(firstKey);
            tx.rollback();
        }
    }

    private static void send(JMSProducer producer, JMSContext jms, String sku) {
        for (int i = 0; i < TIMES; i++) {
            producer.send(jms.createQueue(Queues.INBOUND), sale(sku));
        }
    }

    /** STOMP frames on a raw socket, as a STOMP terminal sends them; waits for the broker's receipt. */
    private static void stompSend(int port, String body, int times) throws IOException {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            StringBuilder frames = new StringBuilder("CONNECT\naccept-version:1.2\nhost:localhost\nlogin:" + TestGateway.TERMINAL_USER
                    + "\npasscode:" + TestGateway.TERMINAL_TOKEN + "\n\n\0");
            for (int i = 0; i < times; i++) {
                frames.append("SEND\ndestination:").append(Queues.INBOUND).append("\ncontent-type:application/json\n\n")
                        .append(body).append('\0');
            }
            frames.append("DISCONNECT\nreceipt:sent-").append(Instant.now().toEpochMilli()).append("\n\n\0");
            OutputStream out = socket.getOutputStream();
            out.write(frames.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                answer.write(b);
                if (answer.toString(StandardCharsets.UTF_8).contains("RECEIPT")) {
                    break;
                }
            }
            assertThat(answer.toString(StandardCharsets.UTF_8)).as("the broker took the STOMP frames").contains("CONNECTED")
                    .contains("RECEIPT").doesNotContain("ERROR");
        }
    }
}
