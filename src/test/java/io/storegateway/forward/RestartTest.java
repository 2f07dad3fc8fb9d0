package io.storegateway.forward;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.mirror.UpdateStatus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Updates queued when the gateway stops are still there when it starts again, and arrive once. */
@ExtendWith(ClosesTestGateways.class)
class RestartTest {

    private static final int UPDATES = 60;

    private TestGateway t;

    @Test
    void queuedUpdatesSurviveARestartAndArriveExactlyOnce() {
        t = TestGateway.started("restart", 6);
        t.hq.stop();
        TerminalClient terminal = t.terminal();
        for (int i = 0; i < UPDATES; i++) {
            String sku = String.format("SKU-%04d", 1 + i % 6);
            assertThat(terminal.post(TerminalClient.adjust("r-" + i, sku, 1)).status()).isEqualTo(202);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> t.gateway().backlog() == UPDATES);

        t.stopGateway();
        t.startGateway();
        await().atMost(Duration.ofSeconds(10)).until(() -> t.gateway().backlog() == UPDATES);
        assertThat(t.terminal().product("SKU-0001").path("quantity").asLong()).isEqualTo(110);
        t.hq.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> t.gateway().acceptedUpdates().count(UpdateStatus.APPLIED) == UPDATES);
        assertThat(t.hq.appliedCount(TestGateway.STORE)).isEqualTo(UPDATES);
        for (int s = 1; s <= 6; s++) {
            String sku = String.format("SKU-%04d", s);
            assertThat(t.hq.product(TestGateway.STORE, sku).orElseThrow().quantity()).as(sku).isEqualTo(110);
            assertThat(t.terminal().product(sku).path("quantity").asLong()).as(sku).isEqualTo(110);
        }
    }
}
