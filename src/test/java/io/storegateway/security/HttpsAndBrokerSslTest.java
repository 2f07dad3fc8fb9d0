package io.storegateway.security;

import io.storegateway.ClosesTestGateways;
import io.storegateway.Gateway;
import io.storegateway.TerminalClient;
import io.storegateway.TestCertificates;
import io.storegateway.TestGateway;
import io.storegateway.broker.Queues;
import io.storegateway.config.GatewaySettings;
import io.storegateway.update.UpdateJson;

import jakarta.jms.JMSContext;
import jakarta.jms.JMSRuntimeException;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * One PKCS12 key store (gateway.tls.keystore) makes the HTTP port (and the management port) HTTPS and
 * the broker's TCP port SSL. The keys are made by keytool when the test runs.
 */
@ExtendWith(ClosesTestGateways.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpsAndBrokerSslTest {

    private TestCertificates ca;
    private Path keyStore;
    private Path trustStore;
    private int managementPort;
    private TestGateway t;
    private HttpClient trustingClient;

    @BeforeAll
    void start() {
        ca = TestCertificates.newAuthority("gateway-test-ca");
        keyStore = ca.serverKeyStore("gateway");
        trustStore = ca.trustStore();
        managementPort = TestGateway.freePort();
        t = TestGateway.started("tls-server", 5, Map.of(
                GatewayTls.KEYSTORE, keyStore.toString(),
                KeyStoreFile.passwordKey(GatewayTls.KEYSTORE), TestCertificates.PASSWORD,
                "gateway.management.port", Integer.toString(managementPort)));
        trustingClient = HttpClient.newBuilder().sslContext(TestCertificates.trusting(trustStore))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private String https(String path) {
        return "https://localhost:" + t.settings().httpPort() + path;
    }

    private HttpResponse<String> send(HttpClient client, HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + TestGateway.TERMINAL_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String statusOf(String updateId) throws Exception {
        HttpResponse<String> r = send(trustingClient, HttpRequest.newBuilder(URI.create(https("/api/v1/updates/" + updateId))).GET());
        return r.statusCode() == 404 ? "UNKNOWN" : UpdateJson.MAPPER.readTree(r.body()).path("status").asText();
    }

    @Test
    void ingestOverHttpsWorksForAClientTrustingTheCa() throws Exception {
        HttpResponse<String> r = send(trustingClient, HttpRequest.newBuilder(URI.create(https("/api/v1/updates")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TerminalClient.adjust("https-1", "SKU-0001", -1))));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(r.body()).contains("\"https-1\"");
        await().atMost(Duration.ofSeconds(20)).until(() -> "APPLIED".equals(statusOf("https-1")));
    }

    @Test
    void theCertificatePresentedIsTheConfiguredOne() throws Exception {
        HttpResponse<String> r = send(trustingClient, HttpRequest.newBuilder(URI.create(https("/api/v1/products/SKU-0002"))).GET());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.sslSession()).isPresent();
        assertThat(r.sslSession().get().getPeerCertificates()[0]).isEqualTo(TestCertificates.certificateOf(keyStore));
    }

    @Test
    void plainHttpToTheHttpsPortGetsNoAnswer() {
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String url = "http://localhost:" + t.settings().httpPort() + "/api/v1/products/SKU-0002";

        assertThatThrownBy(() -> send(plain, HttpRequest.newBuilder(URI.create(url)).GET())).isInstanceOf(IOException.class);
    }

    @Test
    void aClientThatDoesNotTrustTheCaIsRefusedInTheHandshake() {
        HttpClient defaultTrust = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        assertThatThrownBy(() -> send(defaultTrust, HttpRequest.newBuilder(URI.create(https("/api/v1/products/SKU-0002"))).GET()))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void theManagementPortServesHttpsToo() throws Exception {
        HttpResponse<String> r = send(trustingClient,
                HttpRequest.newBuilder(URI.create("https://localhost:" + managementPort + "/observe/health")).GET());

        // UP or DOWN, what matters here is that the health page answers over TLS.
        assertThat(r.statusCode()).as(r.body()).isIn(200, 503);
        assertThat(r.body()).contains("\"checks\"");
        assertThat(r.sslSession().orElseThrow().getPeerCertificates()[0]).isEqualTo(TestCertificates.certificateOf(keyStore));
    }

    @Test
    void aJmsClientOverSslSendsAnUpdateThatIsAccepted() throws Exception {
        String url = "tcp://localhost:" + t.brokerPort() + "?sslEnabled=true&verifyHost=true&trustStoreType=PKCS12"
                + "&trustStorePath=" + trustStore + "&trustStorePassword=" + TestCertificates.PASSWORD;
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url);
             JMSContext ctx = factory.createContext(TestGateway.TERMINAL_USER, TestGateway.TERMINAL_TOKEN)) {
            ctx.createProducer().send(ctx.createQueue(Queues.INBOUND), TerminalClient.adjust("jms-ssl-1", "SKU-0003", 2));
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> "APPLIED".equals(statusOf("jms-ssl-1")));
    }

    @Test
    void aJmsClientWithoutSslCannotConnect() {
        String url = "tcp://localhost:" + t.brokerPort() + "?callTimeout=2000";
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url)) {
            assertThatThrownBy(() -> factory.createContext(TestGateway.TERMINAL_USER, TestGateway.TERMINAL_TOKEN).close())
                    .isInstanceOf(JMSRuntimeException.class);
        }
    }

    @Test
    void aWrongKeyStorePasswordStopsTheStartNamingTheKeyNotThePassword() {
        Map<String, String> settings = new HashMap<>(Map.of(
                GatewaySettings.DATA_DIR, t.dataDir.resolve("never-started").toString(),
                GatewaySettings.USERS_FILE, Path.of("config/users.properties").toAbsolutePath().toString(),
                GatewaySettings.HTTP_PORT, Integer.toString(TestGateway.freePort()),
                GatewaySettings.BROKER_PORT, Integer.toString(TestGateway.freePort()),
                GatewayTls.KEYSTORE, keyStore.toString(),
                KeyStoreFile.passwordKey(GatewayTls.KEYSTORE), "not-the-s3cret"));

        assertThatThrownBy(() -> Gateway.start(GatewaySettings.of(settings)))
                .hasMessageContaining("gateway.tls.keystore: " + keyStore)
                .hasMessageContaining("cannot be opened with gateway.tls.keystore-password (wrong password)")
                .message().doesNotContain("not-the-s3cret");
    }
}
