package io.storegateway.web;

import io.storegateway.RawHttp;
import io.storegateway.TestGateway;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guard sits on every HTTP server the gateway runs: with {@code gateway.management.port} set,
 * {@code /observe} gets a server of its own, and it is guarded as the main one is.
 */
class HttpServerGuardTest {

    @Test
    void theManagementServerIsGuardedToo() {
        int managementPort = TestGateway.freePort();
        try (TestGateway t = TestGateway.started("guard-management", 1, Map.of(
                "gateway.management.port", Integer.toString(managementPort),
                HttpServerGuard.HEADER_TIMEOUT_MS, "1000"))) {
            try (RawHttp raw = new RawHttp(managementPort, Duration.ofSeconds(10))) {
                raw.write("GET /observe/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
                RawHttp.Response health = raw.readResponse();
                assertThat(health.status()).as(health.body()).isEqualTo(200);
                assertThat(raw.closedWithin(Duration.ofSeconds(5))).as("idle connection closed").isTrue();
            }
            try (RawHttp raw = new RawHttp(managementPort, Duration.ofSeconds(10))) {
                raw.write("GET /observe/nothing HTTP/1.1\r\nHost: localhost\r\n\r\n");
                RawHttp.Response missing = raw.readResponse();
                assertThat(missing.status()).isEqualTo(404);
                assertThat(missing.headers().get("content-type")).startsWith("application/json");
                assertThat(missing.body()).contains("\"error\":\"not_found\"");
            }
            try (RawHttp raw = new RawHttp(managementPort, Duration.ofSeconds(10))) {
                raw.write("GET /observe/health HTTP/1.1\r\nHost: local");
                assertThat(raw.closedWithin(Duration.ofSeconds(5))).as("unfinished headers cut off").isTrue();
            }
        }
    }
}
