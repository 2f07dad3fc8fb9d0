package io.storegateway.security;

import io.storegateway.TerminalClient;
import io.storegateway.TerminalClient.Reply;
import io.storegateway.TestGateway;
import io.storegateway.config.GatewaySettings;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Requests per token: a bucket per user, 429 with Retry-After once it is empty, the others unaffected. */
class RequestRateTest {

    private static final Principal TILL = new Principal("terminal-01", Role.TERMINAL);
    private static final Principal IT = new Principal("it-admin", Role.ADMIN);

    private final AtomicLong nanos = new AtomicLong();

    @Test
    void aUserMayMakeABurstThenWaitsForTheRefill() {
        RequestRate rate = new RequestRate(2, 3, nanos::get);

        assertThat(rate.secondsToWait(TILL)).isZero();
        assertThat(rate.secondsToWait(TILL)).isZero();
        assertThat(rate.secondsToWait(TILL)).isZero();
        assertThat(rate.secondsToWait(TILL)).as("the 4th at once").isEqualTo(1);

        nanos.addAndGet(Duration.ofMillis(500).toNanos()); // one request's worth at 2 a second
        assertThat(rate.secondsToWait(TILL)).isZero();
        assertThat(rate.secondsToWait(TILL)).isEqualTo(1);
    }

    @Test
    void aRefusedRequestTakesNothingSoWaitingAsToldIsEnough() {
        RequestRate rate = new RequestRate(0.25, 1, nanos::get);
        assertThat(rate.secondsToWait(TILL)).isZero();

        for (int i = 0; i < 100; i++) {
            assertThat(rate.secondsToWait(TILL)).isEqualTo(4);
        }
        nanos.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(rate.secondsToWait(TILL)).isZero();
    }

    @Test
    void theBucketHoldsNoMoreThanTheBurstHoweverLongTheUserWasAway() {
        RequestRate rate = new RequestRate(10, 2, nanos::get);
        nanos.addAndGet(Duration.ofHours(5).toNanos());

        assertThat(rate.secondsToWait(TILL)).isZero();
        assertThat(rate.secondsToWait(TILL)).isZero();
        assertThat(rate.secondsToWait(TILL)).isEqualTo(1);
    }

    @Test
    void eachUserHasItsOwnBucket() {
        RequestRate rate = new RequestRate(1, 1, nanos::get);

        assertThat(rate.secondsToWait(TILL)).isZero();
        assertThat(rate.secondsToWait(TILL)).isEqualTo(1);
        assertThat(rate.secondsToWait(IT)).isZero();
    }

    @Test
    void zeroSwitchesTheLimitOff() {
        for (RequestRate rate : new RequestRate[] {new RequestRate(0, 10, nanos::get), new RequestRate(10, 0, nanos::get),
                RequestRate.unlimited()}) {
            for (int i = 0; i < 10_000; i++) {
                assertThat(rate.secondsToWait(TILL)).isZero();
            }
        }
    }

    @Test
    void theDefaultsAreGenerousAndBadSettingsFailNamingTheKey() {
        RequestRate defaults = RequestRate.from(GatewaySettings.of(Map.of()));
        assertThat(defaults.limited()).isTrue();
        assertThat(defaults.perSecond()).isGreaterThanOrEqualTo(100);

        assertThatThrownBy(() -> RequestRate.from(GatewaySettings.of(Map.of(RequestRate.PER_SECOND, "-1"))))
                .hasMessageContaining(RequestRate.PER_SECOND);
        assertThatThrownBy(() -> RequestRate.from(GatewaySettings.of(Map.of(RequestRate.BURST, "0.5"))))
                .hasMessageContaining(RequestRate.BURST);
    }

    /** Over real HTTP: 429 with Retry-After and the JSON error body, nothing queued, IT still served. */
    @Test
    void aTokenOverItsRateGets429WithRetryAfterWhileOthersAreServed() {
        try (TestGateway t = TestGateway.started("request-rate", 3, Map.of(RequestRate.PER_SECOND, "1", RequestRate.BURST, "3"))) {
            TerminalClient terminal = t.terminal();
            TerminalClient admin = new TerminalClient(t.baseUrl(), TestGateway.ADMIN_TOKEN);
            TerminalClient stranger = new TerminalClient(t.baseUrl(), "not-a-token");

            // Unknown tokens are turned away before any bucket is touched.
            for (int i = 0; i < 10; i++) {
                assertThat(stranger.get("/api/v1/products/SKU-0001").status()).isEqualTo(401);
            }
            // The first three within the burst (the clock may add one more while they run).
            int served = 0;
            Reply refused = null;
            for (int i = 0; i < 6 && refused == null; i++) {
                Reply r = terminal.post(TerminalClient.adjust("rate-" + i, "SKU-0001", 1));
                if (r.status() == 202) {
                    served++;
                } else {
                    refused = r;
                }
            }

            assertThat(served).isBetween(3, 4);
            assertThat(refused).as("a refusal once the burst is spent").isNotNull();
            assertThat(refused.status()).as(refused.body()).isEqualTo(429);
            assertThat(refused.retryAfter()).as("Retry-After").isNotNull();
            assertThat(Long.parseLong(refused.retryAfter())).isBetween(1L, 2L);
            JsonNode body = refused.json();
            assertThat(body.path("error").asText()).isEqualTo("too_many_requests");
            assertThat(body.path("message").asText()).isNotBlank().doesNotContain(TestGateway.TERMINAL_TOKEN);
            String refusedId = "rate-" + served;
            assertThat(t.gateway().acceptedUpdates().find(refusedId)).as("the refused update is not stored").isEmpty();

            // Another user has a bucket of its own.
            assertThat(admin.get("/admin/v1/status").status()).isEqualTo(200);

            // Waiting as told is enough.
            await().pollDelay(Duration.ofSeconds(Long.parseLong(refused.retryAfter()))).atMost(Duration.ofSeconds(10))
                    .until(() -> terminal.post(TerminalClient.adjust(refusedId, "SKU-0001", 1)).status() == 202);
        }
    }
}
