package io.storegateway.forward;

import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.EmbeddedBroker;
import io.storegateway.broker.GroupFence;
import io.storegateway.broker.Queues;
import io.storegateway.broker.UpdateMessages;
import io.storegateway.config.GatewaySettings;
import io.storegateway.ingest.UpdateIntake;
import io.storegateway.security.AccessTokens;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateJson;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With a broker other gateways share, a lane that meets a SKU for the first time gives the batch back
 * after the settle time and takes it again (in queue order); a SKU it has seen goes at once. With the
 * embedded broker (no one else consumes) nothing waits.
 */
class NewSkuFenceTest {

    private static final String USER = "gateway";
    private static final String SECRET = "new-sku-fence-secret";

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private BrokerConnections broker;
    private OutboundBatches batches;
    private DefaultCamelContext camel;

    @AfterEach
    void stop() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    @Test
    void onASharedBrokerALaneTakesANewSkuOnlyAfterGivingItBackOnceAndAKnownSkuAtOnce() throws Exception {
        start(true);
        queue("fence-u0", "SKU-0001");
        queue("fence-u1", "SKU-0001");
        queue("fence-u2", "SKU-0002");

        assertThat(take()).as("first take: new SKUs, given back after the settle time").isEmpty();
        assertThat(takeUntil(3)).as("taken again, in queue order").containsExactly("fence-u0", "fence-u1", "fence-u2");

        queue("fence-u3", "SKU-0001");
        assertThat(take()).as("a SKU the lane has seen goes at once").containsExactly("fence-u3");

        queue("fence-u4", "SKU-0003");
        queue("fence-u5", "SKU-0001");
        assertThat(take()).as("a batch with one new SKU waits as a whole").isEmpty();
        assertThat(takeUntil(2)).containsExactly("fence-u4", "fence-u5");
    }

    @Test
    void withTheEmbeddedBrokerNothingWaits() throws Exception {
        start(false);
        queue("solo-u0", "SKU-0001");
        queue("solo-u1", "SKU-0002");

        assertThat(take()).containsExactly("solo-u0", "solo-u1");
    }

    private void start(boolean shared) {
        Path dir = Path.of("target", "new-sku-fence-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")))
                .toAbsolutePath();
        Map<String, String> s = new HashMap<>(Map.of(GatewaySettings.DATA_DIR, dir.toString(),
                GatewaySettings.BROKER_PORT, Integer.toString(TestGateway.freePort()),
                GroupFence.SETTLE_MS, "100",
                OutboundBatches.POLL_TIMEOUT_MS, "200"));
        if (shared) {
            // as if the broker were remote: the embedded one, reached the same way
            s.put(GatewaySettings.BROKER_URL, EmbeddedBroker.IN_VM_URL);
        }
        GatewaySettings settings = GatewaySettings.of(s);
        EmbeddedBroker embedded = new EmbeddedBroker(GatewaySettings.of(Map.of(GatewaySettings.DATA_DIR, dir.toString(),
                GatewaySettings.BROKER_PORT, s.get(GatewaySettings.BROKER_PORT))),
                AccessTokens.load(Path.of("config/users.properties")), USER, SECRET).start();
        toClose.add(embedded);
        broker = new BrokerConnections(EmbeddedBroker.IN_VM_URL, USER, SECRET, 2);
        toClose.add(broker);
        Clock clock = Clock.systemUTC();
        batches = new OutboundBatches(broker, ForwardBackoff.from(settings, clock), HqCircuitBreaker.from(settings),
                new HqAccessAlert(settings, clock), settings);
        toClose.add(batches);
        camel = new DefaultCamelContext();
        toClose.add(camel);
    }

    private void queue(String updateId, String sku) {
        InventoryUpdate u = UpdateJson.fromTrustedJson(TerminalClient.adjust(updateId, sku, 1));
        broker.inTransaction(ctx -> {
            ctx.createProducer().send(ctx.createQueue(Queues.OUTBOUND),
                    UpdateMessages.toMessage(ctx, u, UpdateIntake.CHANNEL_HTTP, Instant.now()));
            return null;
        });
    }

    /** Takes until n updates were taken (a take may find a SKU the look-ahead had not reached: empty again). */
    private List<String> takeUntil(int n) throws Exception {
        List<String> all = new ArrayList<>();
        for (int takes = 0; takes < 10 && all.size() < n; takes++) {
            all.addAll(take());
        }
        return all;
    }

    /** One take by the route's step; the ids taken, committed at once (as if HQ had applied them). */
    private List<String> take() throws Exception {
        Exchange exchange = new DefaultExchange(camel);
        batches.take(exchange);
        Batch batch = exchange.getProperty(OutboundBatches.BATCH, Batch.class);
        if (batch == null) {
            return List.of();
        }
        batch.commit();
        return batch.updates().stream().map(q -> q.update().updateId()).toList();
    }
}
