package io.storegateway.broker;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;

import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.JMSSecurityRuntimeException;
import jakarta.jms.Message;
import jakarta.jms.QueueBrowser;
import jakarta.jms.TemporaryQueue;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.Transport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.jms.Session;
import javax.jms.TextMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What each user may do on the embedded broker (docs/HTTP-API.md and docs/JMS.md), checked with real clients over the
 * broker's TCP acceptor: Artemis's Jakarta client (CORE), ActiveMQ Classic's client (OpenWire), a
 * STOMP frame and an AMQP connection (proton-j's engine) on raw sockets.
 */
@ExtendWith(ClosesTestGateways.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrokerSecurityTest {

    private static final String ADMIN_USER = "it-admin";
    /** Every address of the gateway a terminal must keep out of. */
    private static final List<String> GATEWAY_QUEUES = List.of(Queues.OUTBOUND, Queues.INVALID, Queues.DLQ, Queues.EXPIRED, Queues.INBOUND);

    private TestGateway t;
    private ActiveMQConnectionFactory core;

    @BeforeAll
    void start() {
        t = TestGateway.started("broker-security", 5);
        core = new ActiveMQConnectionFactory("tcp://localhost:" + t.brokerPort());
    }

    @AfterAll
    void stop() {
        if (core != null) {
            core.close();
        }
    }

    private JMSContext terminal() {
        return core.createContext(TestGateway.TERMINAL_USER, TestGateway.TERMINAL_TOKEN, JMSContext.AUTO_ACKNOWLEDGE);
    }

    @Test
    void aTerminalSendsToTheInboundQueueAndGetsItsReceiptOnItsOwnTemporaryQueue() {
        try (JMSContext ctx = terminal()) {
            TemporaryQueue replies = ctx.createTemporaryQueue();
            Message m = ctx.createTextMessage(TerminalClient.adjust("sec-core-1", "SKU-0001", 1));
            m.setJMSReplyTo(replies);
            ctx.createProducer().send(ctx.createQueue(Queues.INBOUND), m);
            Message receipt = ctx.createConsumer(replies).receive(20_000);
            assertThat(receipt).as("receipt on the temporary queue").isNotNull();
            assertThat(receipt.getBody(String.class)).contains("sec-core-1").contains("QUEUED");
        } catch (JMSException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aTerminalMayNotConsumeFromOrBrowseAnyGatewayQueue() {
        try (JMSContext ctx = terminal()) {
            for (String queue : GATEWAY_QUEUES) {
                assertThatThrownBy(() -> ctx.createConsumer(ctx.createQueue(queue)).close())
                        .as("consume from %s", queue).isInstanceOf(JMSSecurityRuntimeException.class);
                assertThatThrownBy(() -> {
                    try (QueueBrowser browser = ctx.createBrowser(ctx.createQueue(queue))) {
                        browser.getEnumeration().hasMoreElements();
                    }
                }).as("browse %s", queue).isInstanceOf(JMSSecurityException.class);
            }
            // The gateways' notices: no subscription of a terminal's own either.
            assertThatThrownBy(() -> ctx.createConsumer(ctx.createTopic(Queues.SETTLED)).close())
                    .as("subscribe to %s", Queues.SETTLED).isInstanceOf(JMSSecurityRuntimeException.class);
            // Nor the broker's own notifications (who logged in, which queues exist).
            assertThatThrownBy(() -> ctx.createConsumer(ctx.createTopic("activemq.notifications")).close())
                    .as("subscribe to activemq.notifications").isInstanceOf(JMSSecurityRuntimeException.class);
        }
    }

    @Test
    void aTerminalMayNotSendAnywhereButTheInboundQueue() {
        long outbound = t.gateway().depth(Queues.OUTBOUND);
        try (JMSContext ctx = terminal()) {
            String update = TerminalClient.adjust("sec-elsewhere", "SKU-0002", 1);
            for (String queue : List.of(Queues.OUTBOUND, Queues.INVALID, Queues.DLQ, Queues.EXPIRED, "somewhere.else")) {
                assertThatThrownBy(() -> ctx.createProducer().send(ctx.createQueue(queue), update))
                        .as("send to %s", queue).isInstanceOf(JMSSecurityRuntimeException.class);
            }
            assertThatThrownBy(() -> ctx.createProducer().send(ctx.createTopic(Queues.SETTLED), update))
                    .as("send to %s", Queues.SETTLED).isInstanceOf(JMSSecurityRuntimeException.class);
        }
        // Nothing was added (an earlier test's update may still be leaving the queue meanwhile).
        assertThat(t.gateway().depth(Queues.OUTBOUND)).isLessThanOrEqualTo(outbound);
        assertThat(t.gateway().depth(Queues.DLQ)).isZero();
        assertThat(t.gateway().depth(Queues.INVALID)).isZero();
        assertThat(t.terminal().get("/api/v1/updates/sec-elsewhere").status()).isEqualTo(404);
    }

    @Test
    void aReceiptIsNeverSentToAGatewayQueueNamedAsJmsReplyTo() {
        try (JMSContext ctx = terminal()) {
            // The gateway sends receipts with its own rights: a named queue as JMSReplyTo must not let a
            // terminal write into the DLQ or the invalid queue through it.
            for (String target : List.of(Queues.DLQ, Queues.INVALID)) {
                Message m = ctx.createTextMessage(TerminalClient.adjust("sec-reply-" + target, "SKU-0003", 1));
                m.setJMSReplyTo(ctx.createQueue(target));
                ctx.createProducer().send(ctx.createQueue(Queues.INBOUND), m);
            }
        } catch (JMSException e) {
            throw new AssertionError(e);
        }
        TerminalClient http = t.terminal();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                "APPLIED".equals(http.update("sec-reply-" + Queues.DLQ).path("status").asText())
                        && "APPLIED".equals(http.update("sec-reply-" + Queues.INVALID).path("status").asText()));
        assertThat(t.gateway().depth(Queues.DLQ)).isZero();
        assertThat(t.gateway().depth(Queues.INVALID)).isZero();
    }

    @Test
    void theAdminTokenMayOnlyBrowseTheDlqAndTheInvalidQueueOverJms() throws Exception {
        try (JMSContext admin = core.createContext(ADMIN_USER, TestGateway.ADMIN_TOKEN, JMSContext.AUTO_ACKNOWLEDGE)) {
            for (String queue : List.of(Queues.DLQ, Queues.INVALID)) {
                try (QueueBrowser browser = admin.createBrowser(admin.createQueue(queue))) {
                    assertThat(Collections.list(browser.getEnumeration())).as("browse %s", queue).isEmpty();
                }
                assertThatThrownBy(() -> admin.createConsumer(admin.createQueue(queue)).close())
                        .as("take from %s", queue).isInstanceOf(JMSSecurityRuntimeException.class);
            }
            assertThatThrownBy(() -> admin.createConsumer(admin.createQueue(Queues.OUTBOUND)).close())
                    .isInstanceOf(JMSSecurityRuntimeException.class);
            assertThatThrownBy(() -> admin.createProducer().send(admin.createQueue(Queues.INBOUND), "{}"))
                    .isInstanceOf(JMSSecurityRuntimeException.class);
            assertThatThrownBy(() -> admin.createProducer().send(admin.createQueue(Queues.DLQ), "{}"))
                    .isInstanceOf(JMSSecurityRuntimeException.class);
        }
    }

    @Test
    void anonymousAndUnknownCoreLoginsAreRefused() {
        assertThatThrownBy(() -> core.createContext().close()).isInstanceOf(JMSSecurityRuntimeException.class);
        assertThatThrownBy(() -> core.createContext(TestGateway.TERMINAL_USER, "not-the-token").close())
                .isInstanceOf(JMSSecurityRuntimeException.class);
        // The right token under another user's name is no login either.
        assertThatThrownBy(() -> core.createContext(ADMIN_USER, TestGateway.TERMINAL_TOKEN).close())
                .isInstanceOf(JMSSecurityRuntimeException.class);
        assertThatThrownBy(() -> core.createContext("gateway-internal", "guess").close())
                .isInstanceOf(JMSSecurityRuntimeException.class);
    }

    @Test
    void openWireRefusesAnonymousAndCarriesATerminalsReceiptToItsTemporaryQueue() throws Exception {
        String url = "tcp://localhost:" + t.brokerPort();
        javax.jms.Connection anonymous = new org.apache.activemq.ActiveMQConnectionFactory(url).createConnection();
        try {
            assertThatThrownBy(anonymous::start).isInstanceOf(javax.jms.JMSSecurityException.class);
        } finally {
            closeQuietly(anonymous);
        }
        javax.jms.Connection c = new org.apache.activemq.ActiveMQConnectionFactory(TestGateway.TERMINAL_USER, TestGateway.TERMINAL_TOKEN, url)
                .createConnection();
        try {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            javax.jms.TemporaryQueue replies = s.createTemporaryQueue();
            TextMessage m = s.createTextMessage(TerminalClient.adjust("sec-openwire-1", "SKU-0004", 1));
            m.setJMSReplyTo(replies);
            s.createProducer(s.createQueue(Queues.INBOUND)).send(m);
            javax.jms.Message receipt = s.createConsumer(replies).receive(20_000);
            assertThat(receipt).as("receipt on the OpenWire temporary queue").isInstanceOf(TextMessage.class);
            assertThat(((TextMessage) receipt).getText()).contains("sec-openwire-1");
            assertThatThrownBy(() -> s.createConsumer(s.createQueue(Queues.OUTBOUND)).receive(2000))
                    .isInstanceOf(javax.jms.JMSSecurityException.class);
        } finally {
            closeQuietly(c);
        }
    }

    @Test
    void stompRefusesAConnectWithoutLoginAndAcceptsATerminals() throws IOException {
        assertThat(stompConnect(null, null)).startsWith("ERROR");
        assertThat(stompConnect(TestGateway.TERMINAL_USER, "not-the-token")).startsWith("ERROR");
        assertThat(stompConnect(TestGateway.TERMINAL_USER, TestGateway.TERMINAL_TOKEN)).startsWith("CONNECTED");
    }

    @Test
    void amqpRefusesAnAnonymousLoginAndAWrongToken() throws IOException {
        // Artemis lets SASL ANONYMOUS through the handshake, then closes the connection unopened.
        AmqpLogin anonymous = amqpLogin(null, null);
        assertThat(anonymous.opened()).as(anonymous.toString()).isFalse();
        assertThat(anonymous.closedWith()).contains("amqp:unauthorized-access");
        AmqpLogin wrong = amqpLogin(TestGateway.TERMINAL_USER, "not-the-token");
        assertThat(wrong.outcome()).as(wrong.toString()).isEqualTo(Sasl.SaslOutcome.PN_SASL_AUTH);
        assertThat(wrong.opened()).isFalse();
        AmqpLogin right = amqpLogin(TestGateway.TERMINAL_USER, TestGateway.TERMINAL_TOKEN);
        assertThat(right.opened()).as(right.toString()).isTrue();
    }

    private String stompConnect(String login, String passcode) throws IOException {
        try (Socket s = new Socket("localhost", t.brokerPort())) {
            s.setSoTimeout(10_000);
            StringBuilder frame = new StringBuilder("CONNECT\naccept-version:1.2\nhost:localhost\n");
            if (login != null) {
                frame.append("login:").append(login).append("\npasscode:").append(passcode).append('\n');
            }
            frame.append('\n').append('\0');
            OutputStream out = s.getOutputStream();
            out.write(frame.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) > 0) {
                answer.write(b);
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    private record AmqpLogin(List<String> mechanisms, Sasl.SaslOutcome outcome, boolean opened, String closedWith) {
    }

    /** An AMQP client's SASL exchange and Open (proton-j's engine driven over a plain socket); ANONYMOUS when user is null. */
    private AmqpLogin amqpLogin(String user, String password) throws IOException {
        Transport transport = Proton.transport();
        Sasl sasl = transport.sasl();
        sasl.client();
        if (user == null) {
            sasl.setMechanisms("ANONYMOUS");
        } else {
            sasl.plain(user, password);
        }
        Connection connection = Proton.connection();
        connection.setContainer("broker-security-test");
        connection.setHostname("localhost");
        transport.bind(connection);
        connection.open();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        try (Socket s = new Socket("localhost", t.brokerPort())) {
            s.setSoTimeout(100);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[4096];
            while (connection.getRemoteState() == EndpointState.UNINITIALIZED && transport.getCondition() == null
                    && sasl.getOutcome() != Sasl.SaslOutcome.PN_SASL_AUTH && System.nanoTime() < deadline) {
                while (transport.pending() > 0) {
                    ByteBuffer head = transport.head();
                    byte[] bytes = new byte[head.remaining()];
                    head.get(bytes);
                    out.write(bytes);
                    transport.pop(bytes.length);
                }
                out.flush();
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                if (n < 0) {
                    transport.close_tail();
                    break;
                }
                for (int off = 0; off < n; ) {
                    int chunk = Math.min(n - off, transport.capacity());
                    transport.tail().put(buffer, off, chunk);
                    transport.process();
                    off += chunk;
                }
            }
        }
        String[] offered = sasl.getRemoteMechanisms();
        var closed = connection.getRemoteCondition() != null && connection.getRemoteCondition().getCondition() != null
                ? connection.getRemoteCondition() : transport.getCondition();
        return new AmqpLogin(offered == null ? List.of() : List.of(offered), sasl.getOutcome(),
                connection.getRemoteState() == EndpointState.ACTIVE && (closed == null || closed.getCondition() == null),
                closed == null || closed.getCondition() == null ? null : closed.getCondition() + ": " + closed.getDescription());
    }

    private static void closeQuietly(javax.jms.Connection c) {
        try {
            c.close();
        } catch (javax.jms.JMSException | RuntimeException e) {
            // closing a refused connection may fail too
        }
    }
}
