package io.storegateway.forward;

import io.storegateway.TerminalClient;
import io.storegateway.TestCertificates;
import io.storegateway.TestGateway;
import io.storegateway.config.GatewaySettings;
import io.storegateway.connectivity.HqConnectivity;
import io.storegateway.hq.simulator.HqSimulator;
import io.storegateway.security.GatewayTls;
import io.storegateway.security.KeyStoreFile;

import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpComponent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gateway calls an HQ that serves HTTPS (the simulator with a key signed by a test CA): it trusts
 * HQ only through gateway.hq.tls.truststore, and presents gateway.hq.tls.keystore when HQ asks for a
 * client certificate. A handshake that fails loses nothing: the updates wait in the queue.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HqTlsTest {

    private TestCertificates hqCa;
    private TestCertificates otherCa;
    private Path hqKeyStore;
    private Path gatewayClientKeyStore;

    @BeforeAll
    void makeKeys() {
        hqCa = TestCertificates.newAuthority("hq-test-ca");
        otherCa = TestCertificates.newAuthority("other-test-ca");
        hqKeyStore = hqCa.serverKeyStore("hq");
        gatewayClientKeyStore = hqCa.clientKeyStore("store-gateway-S001");
        hqCa.trustStore();
        otherCa.trustStore();
    }

    /** HQ serves HTTPS with its key; with {@code clientCa} it also demands a client certificate from that CA. */
    private Consumer<HqSimulator> httpsHq(TestCertificates clientCa) {
        Map<String, String> keys = new HashMap<>(Map.of(
                HqSimulator.TLS_KEYSTORE, hqKeyStore.toString(),
                KeyStoreFile.passwordKey(HqSimulator.TLS_KEYSTORE), TestCertificates.PASSWORD));
        if (clientCa != null) {
            keys.put(HqSimulator.TLS_CLIENT_TRUSTSTORE, clientCa.trustStore().toString());
            keys.put(KeyStoreFile.passwordKey(HqSimulator.TLS_CLIENT_TRUSTSTORE), TestCertificates.PASSWORD);
        }
        return hq -> hq.useTls(GatewaySettings.of(keys));
    }

    private static Map<String, String> trusting(TestCertificates ca) {
        return Map.of(GatewayTls.HQ_TRUSTSTORE, ca.trustStore().toString(),
                KeyStoreFile.passwordKey(GatewayTls.HQ_TRUSTSTORE), TestCertificates.PASSWORD);
    }

    private static String status(TestGateway t, String updateId) {
        return t.terminal().update(updateId).path("status").asText();
    }

    /** The update is queued, HQ was tried and found unreachable, and nothing reached it. */
    private static void assertKeptBack(TestGateway t, String updateId) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> t.gateway().connectivity().state() == HqConnectivity.State.OFFLINE);
        assertThat(status(t, updateId)).isEqualTo("QUEUED");
        assertThat(t.gateway().backlog()).isEqualTo(1);
        assertThat(t.hq.appliedCount(TestGateway.STORE)).isZero();
    }

    @Test
    void anHqTheTrustStoreDoesNotTrustGetsNothingUntilTheTrustStoreIsFixed() {
        try (TestGateway t = TestGateway.started("hq-tls-untrusted", 5, trusting(otherCa), httpsHq(null), false)) {
            assertThat(t.terminal().post(TerminalClient.adjust("tls-2", "SKU-0002", 4)).status()).isEqualTo(202);

            assertKeptBack(t, "tls-2");

            t.stopGateway();
            t.setting(GatewayTls.HQ_TRUSTSTORE, hqCa.trustStore().toString());
            t.startGateway();
            await().atMost(Duration.ofSeconds(20)).until(() -> "APPLIED".equals(status(t, "tls-2")));
            assertThat(t.hq.appliedCount(TestGateway.STORE)).isEqualTo(1);
        }
    }

    @Test
    void mutualTlsForwardsOnlyWithTheGatewaysClientCertificateAndLosesNothingWithout() {
        try (TestGateway t = TestGateway.started("hq-mtls", 5, trusting(hqCa), httpsHq(hqCa), false)) {
            assertThat(t.terminal().post(TerminalClient.adjust("tls-3", "SKU-0003", 5)).status()).isEqualTo(202);

            assertKeptBack(t, "tls-3");

            t.stopGateway();
            t.setting(GatewayTls.HQ_KEYSTORE, gatewayClientKeyStore.toString());
            t.setting(KeyStoreFile.passwordKey(GatewayTls.HQ_KEYSTORE), TestCertificates.PASSWORD);
            t.startGateway();
            await().atMost(Duration.ofSeconds(20)).until(() -> "APPLIED".equals(status(t, "tls-3")));
            assertThat(t.hq.appliedCount(TestGateway.STORE)).isEqualTo(1);
        }
    }

    /** One gateway and HQ for the tests that need HQ trusted (never two gateways at once: one in-VM broker id per JVM). */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class TrustedHq {

        private TestGateway t;

        @BeforeAll
        void start() {
            t = TestGateway.started("hq-tls-trusted", 5, trusting(hqCa), httpsHq(null), true);
        }

        @AfterAll
        void stop() {
            t.close();
        }

        @Test
        void forwardsToAnHttpsHqWhoseCertificateChainsToTheTrustStore() {
            assertThat(t.settings().hqUrl()).startsWith("https://localhost:");
            long before = t.hq.product(TestGateway.STORE, "SKU-0001").orElseThrow().quantity();

            assertThat(t.terminal().post(TerminalClient.adjust("tls-1", "SKU-0001", -3)).status()).isEqualTo(202);

            await().atMost(Duration.ofSeconds(20)).until(() -> "APPLIED".equals(status(t, "tls-1")));
            assertThat(t.hq.product(TestGateway.STORE, "SKU-0001").orElseThrow().quantity()).isEqualTo(before - 3);
        }

        @Test
        void httpsCallsUseTheSameClientSettingsAsHttpOnes() {
            CamelContext camel = t.gateway().camelContext();
            HttpComponent http = camel.getComponent("http", HttpComponent.class);
            HttpComponent https = camel.getComponent("https", HttpComponent.class);

            assertThat(https).isNotSameAs(http);
            assertThat(https.getHttpClientConfigurer()).isInstanceOf(HqHttpClient.class);
            assertThat(https.getConnectTimeout()).isEqualTo(http.getConnectTimeout()).isEqualTo(1000);
            assertThat(https.getResponseTimeout()).isEqualTo(http.getResponseTimeout()).isEqualTo(3000);
            assertThat(https.getSslContextParameters()).isNotNull();
            // camel-http would turn a plain http:// URI into https:// on a component with SSL parameters.
            assertThat(http.getSslContextParameters()).isNull();
        }
    }
}
