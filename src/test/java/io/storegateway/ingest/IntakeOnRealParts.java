package io.storegateway.ingest;

import io.storegateway.TestGateway;
import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.EmbeddedBroker;
import io.storegateway.config.GatewaySettings;
import io.storegateway.mirror.AcceptedUpdates;
import io.storegateway.mirror.MirrorDatabase;
import io.storegateway.security.AccessTokens;
import io.storegateway.update.UpdateJson;

import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.QueueBrowser;

import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An {@link UpdateIntake} on real parts, for tests that drive it without a whole gateway: an embedded
 * broker with its journal under {@code target/}, the gateway's pooled sessions, a SQLite mirror, and a
 * disk-full switch ({@link #storageFull}) standing in for the free-space floor.
 */
final class IntakeOnRealParts implements AutoCloseable {

    static final String USER = "gateway";
    static final String SECRET = "intake-test-secret";

    final AtomicBoolean storageFull = new AtomicBoolean();
    final EmbeddedBroker embedded;
    final BrokerConnections broker;
    final AcceptedUpdates accepted;
    final UpdateIntake intake;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    IntakeOnRealParts(String name, int sessions) {
        Path dir = Path.of("target", name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")))
                .toAbsolutePath();
        GatewaySettings s = GatewaySettings.of(Map.of(GatewaySettings.DATA_DIR, dir.toString(),
                GatewaySettings.BROKER_PORT, Integer.toString(TestGateway.freePort())));
        embedded = new EmbeddedBroker(s, AccessTokens.load(Path.of("config/users.properties")), USER, SECRET).start();
        toClose.add(embedded);
        broker = new BrokerConnections(EmbeddedBroker.IN_VM_URL, USER, SECRET, sessions);
        toClose.add(broker);
        MirrorDatabase mirror = MirrorDatabase.open(s);
        toClose.add(mirror);
        accepted = new AcceptedUpdates(mirror);
        intake = new UpdateIntake(broker, storageFull::get, accepted, new IngestStats(), Clock.systemUTC());
        toClose.add(intake);
    }

    /** The update ids on a queue, head first (a browser: nothing is taken). */
    List<String> ids(String queue) throws Exception {
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

    /** Closes what the caller added after this, then the intake, mirror and broker. */
    void closeAfter(AutoCloseable c) {
        toClose.add(c);
    }

    @Override
    public void close() throws Exception {
        List<AutoCloseable> reversed = new ArrayList<>(toClose);
        Collections.reverse(reversed);
        for (AutoCloseable c : reversed) {
            c.close();
        }
    }
}
