package io.storegateway.ingest;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.mirror.UpdateStatus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The guards against an update being queued twice, each proven on its own. */
@ExtendWith(ClosesTestGateways.class)
class DuplicateDetectionTest {

    private TestGateway t;

    @Test
    void theBrokerDropsASecondCopyWhenTheMirrorLostItsRecordOfTheFirst() throws Exception {
        t = TestGateway.started("dup-detection", 3);
        t.hq.stop();
        TerminalClient terminal = t.terminal();
        String update = TerminalClient.adjust("twice-1", "SKU-0001", 4);
        assertThat(terminal.post(update).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> t.gateway().backlog() == 1);

        // As after a crash between queueing and recording: the mirror has no row for the update.
        try (Connection c = t.gateway().mirror().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM queued_update WHERE update_id = 'twice-1'")) {
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        // The broker's duplicate detection knows the id: it is not queued twice, and, as the gateway cannot
        // tell a queued copy from one already gone to HQ, it is answered DUPLICATE with no QUEUED row.
        assertThat(terminal.post(update).json().at("/accepted/0/status").asText()).isEqualTo("DUPLICATE");

        // Forwarding keeps trying (and rolling back) while HQ is away, so the count is read once it is steady.
        await().atMost(Duration.ofSeconds(10)).during(Duration.ofSeconds(1)).until(() -> t.gateway().backlog() == 1);
        t.hq.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> t.gateway().acceptedUpdates().count(UpdateStatus.APPLIED) == 1);
        assertThat(t.hq.appliedCount(TestGateway.STORE)).isEqualTo(1);
        assertThat(t.hq.product(TestGateway.STORE, "SKU-0001").orElseThrow().quantity()).isEqualTo(104);
    }

    @Test
    void aBatchMixingNewAndAlreadyQueuedIdsQueuesEachExactlyOnce() throws Exception {
        t = TestGateway.started("dup-mixed", 3);
        t.hq.stop();
        TerminalClient terminal = t.terminal();
        assertThat(terminal.post(TerminalClient.adjust("mix-1", "SKU-0002", 1)).status()).isEqualTo(202);
        try (Connection c = t.gateway().mirror().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM queued_update WHERE update_id = 'mix-1'")) {
            ps.executeUpdate();
        }

        String both = "[" + TerminalClient.adjust("mix-1", "SKU-0002", 1) + "," + TerminalClient.adjust("mix-2", "SKU-0002", 1) + "]";
        assertThat(terminal.post(both).status()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(10)).during(Duration.ofSeconds(1)).until(() -> t.gateway().backlog() == 2);
        t.hq.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> t.gateway().acceptedUpdates().count(UpdateStatus.APPLIED) == 2);
        assertThat(t.hq.product(TestGateway.STORE, "SKU-0002").orElseThrow().quantity()).isEqualTo(102);
    }
}
