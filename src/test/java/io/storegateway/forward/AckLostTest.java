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

/** HQ applies a batch and its answer is lost: the retry gets DUPLICATE and every update counts once. */
@ExtendWith(ClosesTestGateways.class)
class AckLostTest {

    private TestGateway t;

    @Test
    void aLostAnswerIsRetriedAndEveryUpdateCountsOnce() {
        t = TestGateway.started("ack-lost", 5);
        TerminalClient terminal = t.terminal();
        t.hq.setFault("ack-lost", 1.0, 0);

        for (int i = 0; i < 5; i++) {
            assertThat(terminal.post(TerminalClient.adjust("lost-" + i, "SKU-0002", 1)).status()).isEqualTo(202);
        }
        // HQ has applied all five, but the gateway never heard so: they are still queued here.
        await().atMost(Duration.ofSeconds(20)).until(() -> t.hq.appliedCount(TestGateway.STORE) == 5);
        await().atMost(Duration.ofSeconds(10)).until(() -> t.gateway().backlog() == 5);
        assertThat(terminal.update("lost-0").path("status").asText()).isEqualTo("QUEUED");

        t.hq.setFault("none", 1.0, 0);

        await().atMost(Duration.ofSeconds(20)).until(() -> t.gateway().acceptedUpdates().count(UpdateStatus.APPLIED) == 5);
        assertThat(t.hq.appliedCount(TestGateway.STORE)).isEqualTo(5);
        assertThat(t.hq.product(TestGateway.STORE, "SKU-0002").orElseThrow().quantity()).isEqualTo(105);
        assertThat(terminal.product("SKU-0002").path("quantity").asLong()).isEqualTo(105);
        assertThat(terminal.product("SKU-0002").path("syncState").asText()).isEqualTo("SYNCED");
        assertThat(t.gateway().backlog()).isZero();
    }
}
