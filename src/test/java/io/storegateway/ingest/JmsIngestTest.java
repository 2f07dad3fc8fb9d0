package io.storegateway.ingest;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.broker.Queues;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.BytesMessage;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.JMSSecurityRuntimeException;
import jakarta.jms.Message;
import jakarta.jms.QueueBrowser;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Terminals over JMS: a real Artemis Jakarta client on the broker's TCP acceptor (CORE protocol). */
@ExtendWith(ClosesTestGateways.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JmsIngestTest {

    private TestGateway t;
    private ActiveMQConnectionFactory factory;

    @BeforeAll
    void start() {
        t = TestGateway.started("jms-ingest", 10);
        factory = new ActiveMQConnectionFactory("tcp://localhost:" + t.brokerPort());
    }

    @AfterAll
    void stop() {
        factory.close();
    }

    private JMSContext terminal() {
        return factory.createContext(TestGateway.TERMINAL_USER, TestGateway.TERMINAL_TOKEN);
    }

    @Test
    void aJmsUpdateReachesHqAndTheMirrorShowsItSynced() {
        try (JMSContext ctx = terminal()) {
            ctx.createProducer().send(ctx.createQueue(Queues.INBOUND), """
                    {"updateId":"jms-1","terminalId":"till-7","type":"SET_QUANTITY","sku":"SKU-0002","quantity":42,
                     "occurredAt":"2026-11-27T10:00:00Z"}""");
        }
        TerminalClient http = t.terminal();

        await().atMost(Duration.ofSeconds(20)).until(() -> "APPLIED".equals(http.update("jms-1").path("status").asText()));
        assertThat(t.hq.product(TestGateway.STORE, "SKU-0002").orElseThrow().quantity()).isEqualTo(42);
        JsonNode product = http.product("SKU-0002");
        assertThat(product.path("syncState").asText()).isEqualTo("SYNCED");
        assertThat(product.path("quantity").asLong()).isEqualTo(42);
        assertThat(product.path("version").asLong()).isEqualTo(t.hq.product(TestGateway.STORE, "SKU-0002").orElseThrow().version());
    }

    @Test
    void aBytesMessageWithAnArrayAndNoIdsGetsDeterministicIdsAndAReceipt() throws Exception {
        String body = "[" + TerminalClient.adjust("x", "SKU-0003", 1).replace("\"updateId\":\"x\",", "") + ","
                + TerminalClient.adjust("x", "SKU-0003", 2).replace("\"updateId\":\"x\",", "") + "]";
        JsonNode receipt;
        try (JMSContext ctx = terminal()) {
            TemporaryQueue replies = ctx.createTemporaryQueue();
            BytesMessage m = ctx.createBytesMessage();
            m.writeBytes(body.getBytes(StandardCharsets.UTF_8));
            m.setJMSReplyTo(replies);
            ctx.createProducer().send(ctx.createQueue(Queues.INBOUND), m);
            Message reply = ctx.createConsumer(replies).receive(20_000);
            assertThat(reply).as("receipt on JMSReplyTo").isNotNull();
            receipt = UpdateJson.MAPPER.readTree(((TextMessage) reply).getText());
        }
        assertThat(receipt.isArray()).isTrue();
        assertThat(receipt).hasSize(2);
        assertThat(receipt.get(0).path("status").asText()).isEqualTo("QUEUED");
        String first = receipt.get(0).path("updateId").asText();
        assertThat(first).startsWith("jms-").endsWith("-0");
        assertThat(receipt.get(1).path("updateId").asText()).isEqualTo(first.substring(0, first.length() - 1) + "1");

        TerminalClient http = t.terminal();
        await().atMost(Duration.ofSeconds(20)).until(() -> "APPLIED".equals(http.update(first).path("status").asText()));
        assertThat(t.hq.product(TestGateway.STORE, "SKU-0003").orElseThrow().quantity()).isEqualTo(103);
    }

    @Test
    void aMalformedMessageLandsUntouchedOnTheInvalidQueueWithAnError() throws Exception {
        String garbage = "{\"terminalId\":\"till-7\",\"type\":\"SET_PRICE\",\"sku\":\"SKU-0004\",\"price\":1.234";
        try (JMSContext ctx = terminal()) {
            TextMessage m = ctx.createTextMessage(garbage);
            m.setStringProperty("till", "7");
            ctx.createProducer().send(ctx.createQueue(Queues.INBOUND), m);
        }
        Message invalid = invalidMessage(m -> m instanceof TextMessage text && garbage.equals(text.getText()));
        assertThat(invalid.getStringProperty("till")).isEqualTo("7");
        assertThat(invalid.getStringProperty("error")).contains("body");
        assertThat(t.gateway().depth(Queues.INBOUND)).isZero();
    }

    @Test
    void aValidJsonWithBadFieldsIsSetAsideNamingTheField() throws Exception {
        try (JMSContext ctx = terminal()) {
            ctx.createProducer().send(ctx.createQueue(Queues.INBOUND),
                    "{\"terminalId\":\"till-7\",\"type\":\"ADJUST_QUANTITY\",\"sku\":\"SKU-0004\",\"delta\":0,\"occurredAt\":\"2026-11-27T10:00:00Z\"}");
        }
        Message invalid = invalidMessage(m -> m instanceof TextMessage text && text.getText().contains("SKU-0004\",\"delta\":0"));
        assertThat(invalid.getStringProperty("error")).contains("delta");
    }

    /** The message on the invalid queue that {@code which} picks, browsed (not taken) as IT may over JMS. */
    private Message invalidMessage(JmsPredicate which) {
        try (JMSContext admin = factory.createContext("it-admin", TestGateway.ADMIN_TOKEN, JMSContext.AUTO_ACKNOWLEDGE)) {
            return await().atMost(Duration.ofSeconds(20)).until(() -> {
                try (QueueBrowser browser = admin.createBrowser(admin.createQueue(Queues.INVALID))) {
                    for (Object m : Collections.list(browser.getEnumeration())) {
                        if (which.test((Message) m)) {
                            return (Message) m;
                        }
                    }
                    return null;
                }
            }, Objects::nonNull);
        }
    }

    private interface JmsPredicate {
        boolean test(Message m) throws JMSException;
    }

    @Test
    void anonymousAndWrongPasswordConnectionsAreRefused() {
        assertThatThrownBy(() -> factory.createContext().close()).isInstanceOf(JMSSecurityRuntimeException.class);
        assertThatThrownBy(() -> factory.createContext(TestGateway.TERMINAL_USER, "wrong").close())
                .isInstanceOf(JMSSecurityRuntimeException.class);
    }

    @Test
    void aTerminalMayNotReadTheGatewaysQueues() {
        try (JMSContext ctx = terminal()) {
            assertThatThrownBy(() -> ctx.createConsumer(ctx.createQueue(Queues.OUTBOUND)))
                    .isInstanceOf(JMSRuntimeException.class);
        }
    }
}
