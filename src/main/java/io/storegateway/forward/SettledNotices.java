package io.storegateway.forward;

import io.storegateway.broker.Queues;
import io.storegateway.broker.TransactedReceiver;
import io.storegateway.config.GatewaySettings;
import io.storegateway.hq.HqJson;
import io.storegateway.mirror.HqVerdict;
import io.storegateway.mirror.MirrorWriter;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Gateways sharing a remote broker, each with its own mirror: the gateway that forwarded a batch
 * publishes HQ's answers to it on {@link #ADDRESS}, in the batch's own transaction, and every other
 * gateway writes them into its mirror. Without this, an update that gateway A accepted and gateway
 * B forwarded would stay QUEUED in A's mirror for ever. Each gateway reads through a durable
 * subscription of its own ({@code gateway.instance-id}), so a gateway that was down catches up;
 * notices expire after {@code gateway.peers.notice-ttl-ms}, so the subscription of a gateway that
 * never returns cannot fill the broker. With one shared (PostgreSQL) mirror the writes repeat
 * harmlessly.
 */
public final class SettledNotices implements AutoCloseable {

    /** A multicast address on the remote broker (config/remote-broker/store-gateway-broker.xml). */
    public static final String ADDRESS = Queues.SETTLED;
    public static final String INSTANCE_ID = "gateway.instance-id";
    public static final String TTL_MS = "gateway.peers.notice-ttl-ms";
    static final long DEFAULT_TTL_MS = 7L * 24 * 60 * 60 * 1000;
    static final String ORIGIN = "origin";
    private static final long MAX_PAUSE_MS = 30_000;

    private static final Logger LOG = LoggerFactory.getLogger(SettledNotices.class);

    private final ConnectionFactory factory;
    private final MirrorWriter mirror;
    private final String instanceId;
    private final long ttlMs;
    private final Thread reader;
    private volatile boolean closed;

    private SettledNotices(ConnectionFactory factory, MirrorWriter mirror, String instanceId, long ttlMs) {
        this.factory = factory;
        this.mirror = mirror;
        this.instanceId = instanceId;
        this.ttlMs = ttlMs;
        this.reader = factory == null ? null : new Thread(this::readPeers, "settled-notices");
    }

    /** One gateway on its own broker: nobody to tell, nobody to hear from. */
    public static SettledNotices none() {
        return new SettledNotices(null, null, null, 0);
    }

    /** Publishes this gateway's answers and starts writing the other gateways' into {@code mirror}. */
    public static SettledNotices shared(GatewaySettings s, ConnectionFactory factory, MirrorWriter mirror) {
        SettledNotices n = new SettledNotices(factory, mirror, instanceId(s), s.getLong(TTL_MS, DEFAULT_TTL_MS));
        // The subscription exists before this gateway takes or forwards anything, so no notice
        // published from now on can pass it by; failing that, the start fails.
        try (JMSContext ctx = factory.createContext(JMSContext.SESSION_TRANSACTED);
             JMSConsumer ignored = n.subscribe(ctx)) {
            ctx.commit();
        }
        n.reader.setDaemon(true);
        n.reader.start();
        LOG.atInfo().addKeyValue("event", "notices-shared")
                .log("Sharing HQ's answers with the other gateways on {} as {}", ADDRESS, n.instanceId);
        return n;
    }

    /** {@code gateway.instance-id}, or one made up once and kept in the data directory. */
    static String instanceId(GatewaySettings s) {
        String configured = s.get(INSTANCE_ID, "");
        if (!configured.isBlank()) {
            if (!configured.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalStateException(INSTANCE_ID + " must be 1-64 of [A-Za-z0-9._-], not " + configured);
            }
            return configured;
        }
        Path file = s.dataDir().resolve("instance-id");
        try {
            if (Files.isRegularFile(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            Files.createDirectories(file.getParent());
            String id = "gw-" + UUID.randomUUID();
            Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep " + INSTANCE_ID + " in " + file, e);
        }
    }

    /** Inside the batch's transaction, before its commit: the notice leaves with the batch or not at all. */
    void publish(JMSContext session, List<HqVerdict> verdicts) throws JMSException {
        if (factory == null || verdicts.isEmpty()) {
            return;
        }
        TextMessage m = session.createTextMessage(toJson(verdicts).toString());
        m.setStringProperty(ORIGIN, instanceId);
        session.createProducer().setDeliveryMode(DeliveryMode.PERSISTENT).setTimeToLive(ttlMs)
                .send(session.createTopic(ADDRESS), m);
    }

    static ArrayNode toJson(List<HqVerdict> verdicts) {
        ArrayNode list = UpdateJson.MAPPER.createArrayNode();
        for (HqVerdict v : verdicts) {
            ObjectNode n = list.addObject();
            n.set("update", UpdateJson.toJson(v.update()));
            n.put("channel", v.channel());
            n.put("receivedAt", v.receivedAt().toEpochMilli());
            n.set("result", HqJson.toJson(v.result()));
            if (v.note() != null) {
                n.put("note", v.note());
            }
        }
        return list;
    }

    static List<HqVerdict> fromJson(String body) throws IOException {
        List<HqVerdict> out = new ArrayList<>();
        for (JsonNode n : UpdateJson.MAPPER.readTree(body)) {
            out.add(new HqVerdict(UpdateJson.fromTrustedJson(n.get("update")), n.path("channel").asText(),
                    Instant.ofEpochMilli(n.path("receivedAt").asLong()), HqJson.resultFromJson(n.get("result")),
                    n.hasNonNull("note") ? n.get("note").asText() : null, false));
        }
        return out;
    }

    private JMSConsumer subscribe(JMSContext ctx) {
        return ctx.createSharedDurableConsumer(ctx.createTopic(ADDRESS), instanceId, ORIGIN + " <> '" + instanceId + "'");
    }

    /**
     * The other gateways' notices, one per transaction: each written to the mirror and then taken off the
     * subscription. A failure gives the notice back and closes the session; it is read again after a
     * pause that doubles with each failure in a row.
     */
    private void readPeers() {
        TransactedReceiver receiver = new TransactedReceiver(() -> factory.createContext(JMSContext.SESSION_TRANSACTED),
                this::subscribe);
        long pause = 1000;
        try (receiver) {
            while (!closed) {
                try {
                    if (receiver.receive(1000, 0, this::settle) > 0) {
                        receiver.commit();
                        pause = 1000;
                    }
                } catch (Exception e) {
                    receiver.rollbackQuietly();
                    receiver.reset();
                    if (closed) {
                        return;
                    }
                    LOG.atWarn().addKeyValue("event", "notices-unreadable")
                            .log("Reading the other gateways' answers from {} failed ({}); trying again in {} ms", ADDRESS, e.toString(), pause);
                    sleep(pause);
                    pause = Math.min(pause * 2, MAX_PAUSE_MS);
                }
            }
        }
    }

    /** Writes one notice into the mirror (in the receiver's transaction); one notice is a batch. */
    private boolean settle(Message m) throws JMSException {
        List<HqVerdict> verdicts;
        try {
            verdicts = fromJson(((TextMessage) m).getText());
        } catch (IOException | RuntimeException e) {
            // Asking again will not make it readable; only gateways may send here. Taken off with the commit.
            LOG.atError().addKeyValue("event", "notice-dropped")
                    .log("Dropping an unreadable notice {} from {}: {}", m.getJMSMessageID(), m.getStringProperty(ORIGIN), e.toString());
            return false;
        }
        mirror.recordFromPeer(verdicts);
        return false;
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        if (reader != null) {
            // not interrupted: the JMS client takes that badly; it sees `closed` within a second
            try {
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
