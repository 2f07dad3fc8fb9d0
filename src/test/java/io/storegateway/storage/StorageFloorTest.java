package io.storegateway.storage;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.broker.Queues;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.JMSContext;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The floor, wired end to end in one gateway whose floor is above any disk's free space: HTTP answers
 * 503 naming the disk, a JMS message stays on store.updates.in, and IT sees it in the status, the
 * health (readiness only: a restart frees no disk) and the metrics. Reads go on.
 */
@ExtendWith(ClosesTestGateways.class)
class StorageFloorTest {

    private TestGateway t;

    @Test
    void belowTheFloorUpdatesAreRefusedOnBothChannelsAndItShows() throws Exception {
        t = TestGateway.started("storage-floor", 3, Map.of(FreeSpaceFloor.MIN_FREE_BYTES, Long.toString(Long.MAX_VALUE / 4)));
        TerminalClient terminal = t.terminal();
        TerminalClient admin = new TerminalClient(t.baseUrl(), TestGateway.ADMIN_TOKEN);

        TerminalClient.Reply refused = terminal.post(TerminalClient.adjust("floor-1", "SKU-0001", 1));
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.retryAfter()).isNotBlank();
        assertThat(refused.json().path("error").asText()).isEqualTo("unavailable");
        assertThat(refused.json().path("message").asText()).contains(t.dataDir.toAbsolutePath().normalize().toString())
                .contains(FreeSpaceFloor.MIN_FREE_BYTES);
        assertThat(terminal.get("/api/v1/updates/floor-1").status()).isEqualTo(404);
        assertThat(terminal.get("/api/v1/products/SKU-0001").status()).isEqualTo(200);

        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("tcp://localhost:" + t.brokerPort());
        try (factory; JMSContext jms = factory.createContext(TestGateway.TERMINAL_USER, TestGateway.TERMINAL_TOKEN)) {
            jms.createProducer().send(jms.createQueue(Queues.INBOUND), TerminalClient.adjust("floor-jms-1", "SKU-0001", 1));
        }
        // The ingest takes it, cannot store it, gives it back: it stays on the inbound queue, nothing goes out.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> t.gateway().depth(Queues.INBOUND) == 1);
        assertThat(t.gateway().depth(Queues.OUTBOUND)).isZero();

        JsonNode storage = admin.get("/admin/v1/status").json().path("storage");
        assertThat(storage.path("refusing").asBoolean()).as(storage.toString()).isTrue();
        assertThat(storage.path("minFreeBytes").asLong()).isEqualTo(Long.MAX_VALUE / 4);
        assertThat(storage.path("disks")).isNotEmpty();

        JsonNode health = admin.get("/observe/health").json();
        assertThat(health.toString()).contains("storage");
        assertThat(admin.get("/observe/health").status()).isEqualTo(503);
        assertThat(admin.get("/observe/health/live").status()).as("a restart frees no disk").isEqualTo(200);
        assertThat(admin.get("/observe/metrics").body()).contains("gateway_storage_free_bytes")
                .contains("gateway_storage_min_free_bytes");
    }
}
