package io.storegateway.ingest;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** When the broker may not use more disk, terminals get 503 with Retry-After, and reads keep working. */
@ExtendWith(ClosesTestGateways.class)
class BackPressureTest {

    private TestGateway t;

    @Test
    void aFullDiskAnswers503WithRetryAfterAndReadsStillWork() throws IOException {
        FileStore disk = Files.getFileStore(Path.of("target").toAbsolutePath());
        long usedPercent = 100 * (disk.getTotalSpace() - disk.getUsableSpace()) / disk.getTotalSpace();
        assertThat(usedPercent).as("this test needs a disk that is at least 2 %% used").isGreaterThanOrEqualTo(2);
        // A limit below what the disk already uses: to the broker, the disk is full.
        t = TestGateway.started("back-pressure", 3, Map.of("gateway.broker.max-disk-usage-percent", Long.toString(usedPercent - 1)));
        TerminalClient terminal = t.terminal();

        await().atMost(Duration.ofSeconds(20)).until(() -> terminal.post(TerminalClient.adjust("full-" + System.nanoTime(), "SKU-0001", 1)).status() == 503);
        TerminalClient.Reply refused = terminal.post(TerminalClient.adjust("full-1", "SKU-0001", 1));

        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.retryAfter()).isNotBlank();
        assertThat(refused.json().path("error").asText()).isEqualTo("unavailable");
        assertThat(terminal.get("/api/v1/updates/full-1").status()).isEqualTo(404);
        assertThat(terminal.get("/api/v1/products/SKU-0001").status()).isEqualTo(200);
        assertThat(new TerminalClient(t.baseUrl(), TestGateway.ADMIN_TOKEN).get("/admin/v1/status").status()).isEqualTo(200);
    }
}
