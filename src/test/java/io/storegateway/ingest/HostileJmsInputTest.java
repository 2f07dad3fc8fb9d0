package io.storegateway.ingest;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.broker.Queues;

import jakarta.jms.BytesMessage;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.QueueBrowser;
import jakarta.jms.StreamMessage;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile input over JMS (issue 6, docs/HTTP-API.md and docs/JMS.md): every message the gateway cannot take lands on
 * {@code store.updates.invalid}, body untouched, with an {@code error} property saying why; nothing
 * is queued outbound or written to the mirror; and the consumer goes on with the next good message.
 */
@ExtendWith(ClosesTestGateways.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileJmsInputTest {

    private static final int MIB = 1024 * 1024;
    private static final AtomicBoolean DESERIALISED = new AtomicBoolean();

    private TestGateway t;
    private ActiveMQConnectionFactory factory;
    private final AtomicInteger ids = new AtomicInteger();

    @BeforeAll
    void start() {
        t = TestGateway.started("hostile-jms", 10);
        factory = new ActiveMQConnectionFactory("tcp://localhost:" + t.brokerPort());
    }

    @AfterAll
    void stop() {
        factory.close();
    }

    /** Makes the message of one case on the terminal's context. */
    interface MessageMaker {
        Message make(JMSContext ctx) throws JMSException;
    }

    /** Would record its own deserialisation: the gateway runs in this JVM, so the flag would show. */
    static final class Tripwire implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            DESERIALISED.set(true);
            in.defaultReadObject();
        }
    }

    static Stream<Arguments> hostileMessages() {
        String update = TerminalClient.adjust("x", "SKU-0001", 1).replace("\"updateId\":\"x\",", "");
        return Stream.of(
                hostile("an object message", ctx -> ctx.createObjectMessage(new Tripwire()), "object message"),
                hostile("a map message", ctx -> {
                    MapMessage m = ctx.createMapMessage();
                    m.setString("update", update);
                    return m;
                }, "map message"),
                hostile("a stream message", ctx -> {
                    StreamMessage m = ctx.createStreamMessage();
                    m.writeString(update);
                    return m;
                }, "stream message"),
                hostile("a message without a body", JMSContext::createMessage, "without a body"),
                hostile("an empty text message", ctx -> ctx.createTextMessage(""), "empty"),
                hostile("a text message with a null body", ctx -> ctx.createTextMessage(), "empty"),
                // Artemis delivers a bytes message with nothing written as four zero bytes.
                hostile("an empty bytes message", JMSContext::createBytesMessage, "not valid JSON"),
                hostile("5 MB of text", ctx -> ctx.createTextMessage("[" + " ".repeat(5 * MIB) + update + "]"), "over 1 MiB"),
                hostile("5 MB of bytes", ctx -> bytes(ctx, ("[" + " ".repeat(5 * MIB) + update + "]").getBytes(StandardCharsets.UTF_8)),
                        "over 1 MiB"),
                hostile("an array of 501 updates", ctx -> ctx.createTextMessage(IntStream.range(0, 501).mapToObj(i -> update)
                        .collect(Collectors.joining(",", "[", "]"))), "more than 500 updates"),
                hostile("10,000 [", ctx -> ctx.createTextMessage("[".repeat(10_000)), "nested deeper"),
                hostile("invalid UTF-8", ctx -> bytes(ctx, new byte[] {'{', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'}), "UTF-8"),
                hostile("an exponent beyond BigDecimal", ctx -> ctx.createTextMessage(update.replace("\"delta\":1",
                        "\"delta\":1e40099999999999999999999")), "out of range"),
                hostile("NaN", ctx -> ctx.createTextMessage(update.replace("\"delta\":1", "\"delta\":NaN")), "NaN"),
                hostile("a duplicate key", ctx -> ctx.createTextMessage(update.replace("\"delta\":1", "\"delta\":1,\"delta\":2")),
                        "duplicate key"),
                hostile("SQL in sku", ctx -> ctx.createTextMessage(update.replace("SKU-0001", "x';DROP TABLE product;--")), "sku"),
                hostile("a control character in terminalId", ctx -> ctx.createTextMessage(update.replace("till-1", "till\\u001b1")),
                        "terminalId"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileMessages")
    void aHostileMessageIsSetAsideWithAnErrorAndTheConsumerGoesOn(MessageMaker maker, String errorContains) throws Exception {
        long outbound = quietOutbound();
        long rows = updateRows();
        String caseId = "case-" + ids.incrementAndGet();
        Message sent;

        try (JMSContext ctx = factory.createContext(TestGateway.TERMINAL_USER, TestGateway.TERMINAL_TOKEN)) {
            sent = maker.make(ctx);
            sent.setStringProperty("caseId", caseId);
            ctx.createProducer().send(ctx.createQueue(Queues.INBOUND), sent);
        }

        // IT may browse the invalid queue over JMS (taking from it is the admin API's job).
        try (JMSContext admin = factory.createContext("it-admin", TestGateway.ADMIN_TOKEN, JMSContext.AUTO_ACKNOWLEDGE)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> browse(admin, caseId), Objects::nonNull);
            // Read while the browser is open: a large message's body streams from its session.
            try (QueueBrowser browser = admin.createBrowser(admin.createQueue(Queues.INVALID), "caseId = '" + caseId + "'")) {
                Message invalid = (Message) browser.getEnumeration().nextElement();
                assertThat(invalid.getStringProperty(JmsIngest.ERROR_PROPERTY)).containsIgnoringCase(errorContains)
                        .hasSizeLessThan(2100).doesNotContain("Exception");
                assertUntouched(sent, invalid);
            }
        }
        assertThat(t.gateway().depth(Queues.OUTBOUND)).as("nothing queued outbound").isEqualTo(outbound);
        assertThat(updateRows()).as("nothing in the mirror").isEqualTo(rows);
        assertThat(DESERIALISED).as("no object body deserialised").isFalse();
        assertTheConsumerTakesAGoodUpdate();
    }

    // --- helpers -------------------------------------------------------------------------------------

    private static Message browse(JMSContext admin, String caseId) throws JMSException {
        try (QueueBrowser browser = admin.createBrowser(admin.createQueue(Queues.INVALID), "caseId = '" + caseId + "'")) {
            var e = browser.getEnumeration();
            return e.hasMoreElements() ? (Message) e.nextElement() : null;
        }
    }

    private static Arguments hostile(String name, MessageMaker maker, String errorContains) {
        return Arguments.of(Named.of(name, maker), errorContains);
    }

    private static BytesMessage bytes(JMSContext ctx, byte[] body) throws JMSException {
        BytesMessage m = ctx.createBytesMessage();
        m.writeBytes(body);
        return m;
    }

    private static void assertUntouched(Message sent, Message invalid) throws JMSException {
        if (sent instanceof TextMessage text) {
            assertThat(invalid).isInstanceOf(TextMessage.class);
            assertThat(((TextMessage) invalid).getText()).isEqualTo(text.getText());
        } else if (sent instanceof BytesMessage) {
            assertThat(invalid).isInstanceOf(BytesMessage.class);
            BytesMessage copy = (BytesMessage) invalid;
            byte[] body = new byte[(int) copy.getBodyLength()];
            copy.readBytes(body);
            BytesMessage original = (BytesMessage) sent;
            original.reset();
            byte[] expected = new byte[(int) original.getBodyLength()];
            original.readBytes(expected);
            assertThat(body).isEqualTo(expected);
        } else if (sent instanceof MapMessage map) {
            assertThat(invalid).isInstanceOf(MapMessage.class);
            assertThat(((MapMessage) invalid).getString("update")).isEqualTo(map.getString("update"));
        }
        // Object and stream bodies are not read, so not copied: the copy says what the original was.
    }

    /** The outbound depth once earlier good updates have gone to HQ. */
    private long quietOutbound() {
        await().atMost(Duration.ofSeconds(30)).until(() -> t.gateway().depth(Queues.OUTBOUND) == 0);
        return t.gateway().depth(Queues.OUTBOUND);
    }

    private long updateRows() throws Exception {
        try (Connection c = t.gateway().mirror().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT COUNT(*) FROM queued_update) + (SELECT COUNT(*) FROM settled_update)")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void assertTheConsumerTakesAGoodUpdate() {
        String updateId = "jms-good-" + ids.incrementAndGet();
        try (JMSContext ctx = factory.createContext(TestGateway.TERMINAL_USER, TestGateway.TERMINAL_TOKEN)) {
            ctx.createProducer().send(ctx.createQueue(Queues.INBOUND), TerminalClient.adjust(updateId, "SKU-0002", 1));
        }
        TerminalClient http = t.terminal();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(http.update(updateId).path("status").asText()).isEqualTo("APPLIED"));
    }
}
