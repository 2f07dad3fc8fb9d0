package io.storegateway.bench;

import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.EmbeddedBroker;
import io.storegateway.broker.Queues;
import io.storegateway.broker.UpdateMessages;
import io.storegateway.config.GatewaySettings;
import io.storegateway.security.AccessTokens;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.JMSException;
import jakarta.jms.JMSProducer;
import jakarta.jms.Queue;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.api.jms.ActiveMQJMSClient;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The benchmark's second baseline: the bare stack the gateway is built on, doing only what ingest cannot
 * do without. Camel's platform-http on Vert.x takes {@code POST /ingest}, Jackson reads the body (one
 * update or an array), a pooled transacted JMS session sends each update to the outbound queue with the
 * same duplicate-id and group properties, commits (the journal's sync), and the route answers 202.
 * No validation, no duplicate lookup, no mirror, no authentication. The gateway's own embedded broker
 * (same class, same config file, same journal settings), in a JVM of its own at the gateway's heap.
 * Prints {@code BARE-CAMEL-UP} when it takes requests; runs until killed.
 */
public final class BareCamelIngest {

    private BareCamelIngest() {
    }

    /** args: config file, data dir, HTTP port. */
    public static void main(String[] args) throws Exception {
        GatewaySettings settings = GatewaySettings.load(Path.of(args[0])).with(GatewaySettings.DATA_DIR, args[1]);
        String secret = "bare-" + System.nanoTime();
        EmbeddedBroker broker = new EmbeddedBroker(settings, AccessTokens.load(settings.usersFile()), "bench", secret).start();
        BrokerConnections connections = new BrokerConnections(EmbeddedBroker.IN_VM_URL, "bench", secret,
                BrokerConnections.DEFAULT_PRODUCER_SESSIONS);
        Queue outbound = ActiveMQJMSClient.createQueue(Queues.OUTBOUND);
        Main camel = new Main();
        Properties p = new Properties();
        p.setProperty("camel.server.enabled", "true");
        p.setProperty("camel.server.port", args[2]);
        p.setProperty("camel.server.maxBodySize", Integer.toString(2 * 1024 * 1024));
        camel.setOverrideProperties(p);
        camel.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                from("platform-http:/ingest?httpMethodRestrict=POST").routeId("bare-ingest").process(exchange -> {
                    JsonNode body = UpdateJson.MAPPER.readTree(exchange.getMessage().getBody(byte[].class));
                    List<JsonNode> updates = new ArrayList<>();
                    if (body.isArray()) {
                        body.forEach(updates::add);
                    } else {
                        updates.add(body);
                    }
                    connections.inTransaction(ctx -> {
                        JMSProducer producer = ctx.createProducer();
                        for (JsonNode u : updates) {
                            TextMessage m = ctx.createTextMessage(u.toString());
                            try {
                                m.setStringProperty(UpdateMessages.DUPLICATE_ID, u.path("updateId").asText());
                                m.setStringProperty(UpdateMessages.GROUP_ID, u.path("sku").asText());
                            } catch (JMSException e) {
                                throw new IllegalStateException(e);
                            }
                            producer.send(outbound, m);
                        }
                        return null;
                    });
                    StringBuilder reply = new StringBuilder("{\"accepted\":[");
                    for (int i = 0; i < updates.size(); i++) {
                        reply.append(i == 0 ? "" : ",").append("{\"updateId\":")
                                .append(updates.get(i).path("updateId").toString()).append(",\"status\":\"QUEUED\"}");
                    }
                    exchange.getMessage().removeHeaders("*");
                    exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
                    exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
                    exchange.getMessage().setBody(reply.append("]}").toString());
                });
            }
        });
        camel.start();
        System.out.println("BARE-CAMEL-UP");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            camel.stop();
            connections.close();
            broker.close();
        }));
        Thread.currentThread().join();
    }
}
