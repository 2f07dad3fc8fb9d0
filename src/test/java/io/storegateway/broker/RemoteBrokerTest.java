package io.storegateway.broker;

import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.config.GatewaySettings;
import io.storegateway.security.AccessTokens;

import jakarta.jms.JMSContext;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The gateway's questions to a remote broker, asked over TCP of a broker in this JVM: the gateway's
 * own embedded broker stands in for one set up as config/remote-broker/ says (it has the same
 * queues, address settings and roles), a bare Artemis for one that is not. RemoteBrokerIT does the
 * same against the real standalone distribution.
 */
class RemoteBrokerTest {

    private static final String USER = "store-gateway";
    private static final String SECRET = "remote-broker-test-secret";

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void readsQueueDepthsFromABrokerSetUpForTheGateway() {
        String url = gatewayLikeBroker(Map.of());
        RemoteBroker remote = RemoteBroker.connect(GatewaySettings.of(Map.of()), url, USER, SECRET);
        toClose.add(remote);

        sendTo(url, Queues.OUTBOUND, 3);

        // The broker's message count follows the commit a moment later (seen once at 0 in CI).
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(remote.depth(Queues.OUTBOUND)).isEqualTo(3));
        assertThat(remote.depth(Queues.DLQ)).isZero();
        assertThat(remote.depth("no.such.queue")).isZero();
        assertThat(remote.full()).isFalse();
    }

    @Test
    void refusesABrokerWithoutTheGatewaysQueues() {
        String url = bareBroker(false);

        assertThatThrownBy(() -> RemoteBroker.connect(GatewaySettings.of(Map.of()), url, USER, SECRET))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("queue store.updates.outbound does not exist")
                .hasMessageContaining("address store.gateway.settled does not exist")
                .hasMessageContaining(RemoteBroker.SETUP_DOC);
    }

    @Test
    void refusesABrokerThatWouldDeadLetterOrExpireUpdatesOnItsOwn() {
        String url = bareBroker(true);

        assertThatThrownBy(() -> RemoteBroker.connect(GatewaySettings.of(Map.of()), url, USER, SECRET))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("store.updates.outbound has maxDeliveryAttempts 10, needs -1")
                .hasMessageContaining("store.updates.outbound has deadLetterAddress unset, needs store.updates.dlq");
    }

    @Test
    void refusesABrokerThatWouldDelayARedelivery() {
        // Everything else as the gateway needs it: a given-back update that waited would be overtaken
        // by the later updates of its SKU.
        String url = bareBroker(true, new AddressSettings()
                .setMaxDeliveryAttempts(-1)
                .setDeadLetterAddress(SimpleString.of(Queues.DLQ))
                .setExpiryAddress(SimpleString.of(Queues.EXPIRED))
                .setRedeliveryDelay(1000));

        assertThatThrownBy(() -> RemoteBroker.connect(GatewaySettings.of(Map.of()), url, USER, SECRET))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("store.updates.in has redeliveryDelay 1000, needs 0")
                .hasMessageContaining("store.updates.outbound has redeliveryDelay 1000, needs 0")
                .hasMessageNotContaining("store.updates.in has maxDeliveryAttempts")
                .hasMessageNotContaining("deadLetterAddress");
    }

    @Test
    void aFullRemoteDiskAnswers503InsteadOfBlockingTheTerminal() throws IOException {
        FileStore disk = Files.getFileStore(Path.of("target").toAbsolutePath());
        long usedPercent = 100 * (disk.getTotalSpace() - disk.getUsableSpace()) / disk.getTotalSpace();
        assertThat(usedPercent).as("this test needs a disk that is at least 2 %% used").isGreaterThanOrEqualTo(2);
        // A limit below what the disk already uses: to the broker, its disk is full, and it would
        // block the gateway's sends for as long as that lasts.
        String url = gatewayLikeBroker(Map.of(EmbeddedBroker.MAX_DISK_USAGE, Long.toString(usedPercent - 1),
                EmbeddedBroker.DISK_SCAN_MS, "200"));
        TestGateway t = TestGateway.started("remote-disk-full", 3, Map.of(
                GatewaySettings.BROKER_URL, url, RemoteBroker.USERNAME, USER, RemoteBroker.PASSWORD, SECRET,
                EmbeddedBroker.DISK_SCAN_MS, "200"));
        toClose.add(t);
        // The gateway learns the broker's disk state by asking it every disk-scan-ms (the broker's own
        // scan may not have run when the gateway connected): wait until it knows, as its health says.
        TerminalClient admin = new TerminalClient(t.baseUrl(), TestGateway.ADMIN_TOKEN);
        await().atMost(Duration.ofSeconds(10)).until(() -> admin.get("/observe/health").body().contains("max-disk-usage"));

        TerminalClient.Reply refused = t.terminal().post(TerminalClient.adjust("remote-full-1", "SKU-0001", 1));

        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.retryAfter()).isNotBlank();
        assertThat(t.terminal().get("/api/v1/updates/remote-full-1").status()).isEqualTo(404);
        assertThat(new TerminalClient(t.baseUrl(), TestGateway.ADMIN_TOKEN).get("/admin/v1/status").json()
                .path("backlog").asLong()).isZero();
    }

    /** The gateway's embedded broker, reached over TCP as a remote one would be. */
    private String gatewayLikeBroker(Map<String, String> more) {
        int port = TestGateway.freePort();
        Map<String, String> s = new HashMap<>(more);
        s.put(GatewaySettings.DATA_DIR, dataDir().toString());
        s.put(GatewaySettings.BROKER_PORT, Integer.toString(port));
        EmbeddedBroker broker = new EmbeddedBroker(GatewaySettings.of(s),
                AccessTokens.load(Path.of("config/users.properties")), USER, SECRET).start();
        toClose.add(broker);
        return "tcp://localhost:" + port;
    }

    /** Artemis as it comes: no security, default address settings; with or without the gateway's queues. */
    private String bareBroker(boolean withQueues) {
        return bareBroker(withQueues, null);
    }

    /** The same, with these settings for the gateway's addresses (store.updates.#). */
    private String bareBroker(boolean withQueues, AddressSettings gatewayAddresses) {
        int port = TestGateway.freePort();
        ConfigurationImpl c = new ConfigurationImpl();
        c.setPersistenceEnabled(false);
        c.setSecurityEnabled(false);
        c.setJMXManagementEnabled(false);
        try {
            c.addAcceptorConfiguration("tcp", "tcp://localhost:" + port);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        if (withQueues) {
            for (String q : Queues.ALL) {
                c.addQueueConfiguration(QueueConfiguration.of(q).setRoutingType(RoutingType.ANYCAST));
            }
        }
        if (gatewayAddresses != null) {
            c.addAddressSetting("store.updates.#", gatewayAddresses);
        }
        EmbeddedActiveMQ server = new EmbeddedActiveMQ().setConfiguration(c);
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        toClose.add(server::stop);
        return "tcp://localhost:" + port;
    }

    private static void sendTo(String url, String queue, int n) {
        try (ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(url, USER, SECRET);
             JMSContext ctx = f.createContext(JMSContext.SESSION_TRANSACTED)) {
            for (int i = 0; i < n; i++) {
                ctx.createProducer().send(ctx.createQueue(queue), "m" + i);
            }
            ctx.commit();
        }
    }

    private static Path dataDir() {
        Path dir = Path.of("target", "test-data", "remote-broker-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
