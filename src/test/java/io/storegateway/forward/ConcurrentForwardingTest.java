package io.storegateway.forward;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several batches on their way to HQ at once (gateway.forward.consumers), and gzip to HQ: per-SKU order
 * and exactly-once hold, and a gzipped request is what HQ receives.
 */
@ExtendWith(ClosesTestGateways.class)
class ConcurrentForwardingTest {

    private TestGateway t;

    @Test
    void fourConsumersKeepEachSkusOrderAndApplyEveryUpdateOnce() throws Exception {
        t = TestGateway.started("concurrent-forward", 20, Map.of(
                OutboundBatches.CONSUMERS, "4", "gateway.forward.batch-size", "7"));
        // HQ away first, so a backlog builds and the consumers drain it together.
        t.hq.setFault("down", 1.0, 0);
        int skus = 20;
        int perSku = 40;
        List<Thread> terminals = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int s = 1; s <= skus; s++) {
            String sku = String.format("SKU-%04d", s);
            Thread thread = new Thread(() -> {
                try {
                    TerminalClient terminal = t.terminal();
                    for (int i = 0; i < perSku; i++) {
                        assertThat(terminal.post(TerminalClient.adjust(sku + "-" + String.format("%03d", i), sku, 1)).status())
                                .isEqualTo(202);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            thread.start();
            terminals.add(thread);
        }
        for (Thread thread : terminals) {
            thread.join();
        }
        assertThat(failure.get()).isNull();
        t.hq.setFault("none", 0, 0);

        await().atMost(Duration.ofSeconds(60)).until(() -> t.hq.appliedCount(TestGateway.STORE) == skus * perSku
                && t.gateway().backlog() == 0);
        for (int s = 1; s <= skus; s++) {
            String sku = String.format("SKU-%04d", s);
            List<String> order = t.hq.appliedOrder(TestGateway.STORE, sku);
            assertThat(order).as("updates of %s in the order they were accepted", sku).isSorted().hasSize(perSku);
            assertThat(t.hq.product(TestGateway.STORE, sku).orElseThrow().quantity()).isEqualTo(100 + perSku);
        }
    }

    @Test
    void withGzipOnHqReceivesACompressedBatchAndAppliesIt() {
        t = TestGateway.started("gzip-forward", 5, Map.of(HqBatchRequest.GZIP, "true"));
        TerminalClient terminal = t.terminal();

        assertThat(terminal.post(TerminalClient.adjust("gz-1", "SKU-0002", -4)).status()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(20)).until(() -> "APPLIED".equals(terminal.update("gz-1").path("status").asText()));
        assertThat(t.hq.lastBatchHeader("Content-Encoding")).contains("gzip");
        assertThat(t.hq.product(TestGateway.STORE, "SKU-0002").orElseThrow().quantity()).isEqualTo(96);
    }
}
