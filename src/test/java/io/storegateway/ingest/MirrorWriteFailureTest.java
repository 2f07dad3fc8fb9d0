package io.storegateway.ingest;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The broker's commit is what makes an update accepted: when the mirror then cannot write its QUEUED
 * row (its disk is full), the terminal is still told QUEUED, the update reaches HQ, and its settle
 * writes the row. Before, such a request answered 500 for an update that was queued all the same.
 * The failure is real: a trigger makes SQLite refuse the insert.
 */
@ExtendWith(ClosesTestGateways.class)
class MirrorWriteFailureTest {

    private TestGateway t;

    @Test
    void anUpdateTheBrokerCommittedIsAcknowledgedWhenTheMirrorCannotRecordIt() {
        t = TestGateway.started("mirror-write-failure", 3, Map.of());
        TerminalClient terminal = t.terminal();
        t.hq.stop();
        sql("CREATE TRIGGER refuse_queued BEFORE INSERT ON queued_update BEGIN SELECT RAISE(ABORT, 'database or disk is full (test)'); END");

        TerminalClient.Reply reply = terminal.post(TerminalClient.adjust("mwf-1", "SKU-0001", -1));

        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        assertThat(reply.json().at("/accepted/0/status").asText()).isEqualTo("QUEUED");
        assertThat(terminal.get("/api/v1/updates/mwf-1").status()).as("no row yet").isEqualTo(404);
        assertThat(terminal.post(TerminalClient.adjust("mwf-1", "SKU-0001", -1)).json().at("/accepted/0/status").asText())
                .as("a resend is the broker's duplicate").isEqualTo("DUPLICATE");

        sql("DROP TRIGGER refuse_queued");
        int appliedBefore = t.hq.appliedCount(TestGateway.STORE);
        t.hq.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> "APPLIED".equals(terminal.update("mwf-1").path("status").asText()));
        assertThat(t.hq.appliedCount(TestGateway.STORE)).isEqualTo(appliedBefore + 1);
    }

    private void sql(String statement) {
        t.gateway().mirror().inTransaction(c -> {
            try (Statement st = c.createStatement()) {
                st.execute(statement);
            }
            return null;
        });
    }
}
