package io.storegateway.cli;

import io.storegateway.TestCertificates;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code validate} opens every configured key and trust store, as the gateway would at start. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ValidateTlsStoresTest {

    private Path keyStore;
    private Path trustStore;

    @BeforeAll
    void makeKeys() {
        TestCertificates ca = TestCertificates.newAuthority("validate-test-ca");
        keyStore = ca.serverKeyStore("gateway");
        trustStore = ca.trustStore();
    }

    private static String validate(Path config, Path routes, int expectedCode) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new ConfigValidator(new PrintStream(out, true, StandardCharsets.UTF_8)).validate(config, routes);
        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(report).isEqualTo(expectedCode);
        return report;
    }

    @Test
    void aMissingStoreAWrongPasswordAndAStoreWithoutAKeyAreReportedAtTheirKeysLines(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("no-such.p12");
        Path config = dir.resolve("application.properties");
        Files.writeString(config, String.join("\n",
                "gateway.hq.url = https://hq.example",
                "gateway.tls.keystore = " + missing,
                "gateway.tls.keystore-password = whatever",
                "gateway.hq.tls.truststore = " + trustStore,
                "gateway.hq.tls.truststore-password = not-the-s3cret",
                "gateway.broker.tls.keystore = " + trustStore,
                "gateway.broker.tls.keystore-password = " + TestCertificates.PASSWORD,
                "gateway.hq.tls.keystore = " + keyStore,
                "gateway.hq.tls.keystore-password = " + TestCertificates.PASSWORD,
                ""));

        String report = validate(config, Files.createDirectories(dir.resolve("routes")), 1);

        assertThat(report.lines()).as(report).containsExactlyInAnyOrder(
                config + ":2: gateway.tls.keystore: no such file: " + missing,
                config + ":4: gateway.hq.tls.truststore: " + trustStore
                        + " cannot be opened with gateway.hq.tls.truststore-password (wrong password)",
                config + ":6: gateway.broker.tls.keystore: " + trustStore
                        + " holds no private key (a trust store where a key store belongs?)");
        assertThat(report).doesNotContain("not-the-s3cret");
    }

    @Test
    void storesThatOpenWithTheirPasswordsPass(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("application.properties");
        Files.writeString(config, String.join("\n",
                "gateway.tls.keystore = " + keyStore,
                "gateway.tls.keystore-password = " + TestCertificates.PASSWORD,
                "gateway.hq.tls.truststore = " + trustStore,
                "gateway.hq.tls.truststore-password = " + TestCertificates.PASSWORD,
                "hq.tls.keystore = " + keyStore,
                "hq.tls.keystore-password = " + TestCertificates.PASSWORD,
                ""));

        validate(config, Files.createDirectories(dir.resolve("routes")), 0);
    }
}
