package io.storegateway;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Key material made at run time with the JDK's keytool, so none is committed: a certificate
 * authority, PKCS12 key stores with a key and a certificate it signed (for "localhost": DNS name and
 * 127.0.0.1, or for a named client), and a trust store holding the CA. Valid for two days.
 */
public final class TestCertificates {

    public static final String PASSWORD = "test-store-password";
    private static final String KEYTOOL = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();

    public final Path dir;
    private final Path caStore;
    private final Path caCert;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.caStore = dir.resolve("ca.p12");
        this.caCert = dir.resolve("ca.pem");
    }

    /** A new CA, in a directory of its own under target/test-certs. */
    public static TestCertificates newAuthority(String name) {
        Path dir = Path.of("target", "test-certs", name + "-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestCertificates ca = new TestCertificates(dir);
        ca.keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "bc:c", "-validity", "2", "-keystore", ca.caStore.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD);
        ca.keytool("-exportcert", "-alias", "ca", "-keystore", ca.caStore.toString(), "-storepass", PASSWORD, "-rfc",
                "-file", ca.caCert.toString());
        return ca;
    }

    /** A key store whose certificate, signed by this CA, is good for a server on localhost (and 127.0.0.1). */
    public Path serverKeyStore(String name) {
        return signedKeyStore(name, "localhost", "SAN=dns:localhost,ip:127.0.0.1", "EKU=serverAuth");
    }

    /** A key store whose certificate, signed by this CA, is good for a client named {@code name}. */
    public Path clientKeyStore(String name) {
        return signedKeyStore(name, name, "EKU=clientAuth", "KU=digitalSignature");
    }

    /** A trust store that holds this CA's certificate. */
    public Path trustStore() {
        Path store = dir.resolve("truststore.p12");
        if (!Files.exists(store)) {
            keytool("-importcert", "-alias", "ca", "-file", caCert.toString(), "-keystore", store.toString(),
                    "-storetype", "PKCS12", "-storepass", PASSWORD, "-noprompt");
        }
        return store;
    }

    private Path signedKeyStore(String name, String cn, String... extensions) {
        Path store = dir.resolve(name + ".p12");
        Path csr = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".pem");
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + cn,
                "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-certreq", "-alias", name, "-keystore", store.toString(), "-storepass", PASSWORD, "-file", csr.toString());
        List<String> sign = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", caStore.toString(),
                "-storepass", PASSWORD, "-infile", csr.toString(), "-outfile", cert.toString(), "-rfc", "-validity", "2"));
        for (String ext : extensions) {
            sign.add("-ext");
            sign.add(ext);
        }
        keytool(sign.toArray(String[]::new));
        // The reply is installed over the CA, which the store must hold to build the chain.
        keytool("-importcert", "-alias", "ca", "-file", caCert.toString(), "-keystore", store.toString(),
                "-storepass", PASSWORD, "-noprompt");
        keytool("-importcert", "-alias", name, "-file", cert.toString(), "-keystore", store.toString(),
                "-storepass", PASSWORD, "-noprompt");
        return store;
    }

    private void keytool(String... args) {
        List<String> command = new ArrayList<>(List.of(KEYTOOL, "-J-XX:TieredStopAtLevel=1"));
        Collections.addAll(command, args);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + new String(out, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- for clients in tests

    public static KeyStore load(Path store) {
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD.toCharArray());
            return ks;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The certificate of the (one) key a key store holds. */
    public static X509Certificate certificateOf(Path keyStore) {
        KeyStore ks = load(keyStore);
        try {
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    return (X509Certificate) ks.getCertificate(alias);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException(keyStore + " holds no key");
    }

    /** A client's SSL context that trusts what {@code trustStore} holds. */
    public static SSLContext trusting(Path trustStore) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(load(trustStore));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
