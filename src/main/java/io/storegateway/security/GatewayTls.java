package io.storegateway.security;

import io.storegateway.config.GatewaySettings;

import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * TLS, from the settings. One PKCS12 key store ({@code gateway.tls.keystore}) turns the HTTP side
 * (API, console, {@code /observe}) into HTTPS and the broker's TCP port into SSL; the broker may have
 * a store of its own ({@code gateway.broker.tls.keystore}). Towards HQ the gateway trusts what
 * {@code gateway.hq.tls.truststore} holds (else the JVM's default trust) and, for mutual TLS, presents
 * the key in {@code gateway.hq.tls.keystore}. Host names are always verified. Without these keys
 * everything is plain, as before.
 */
public final class GatewayTls {

    public static final String KEYSTORE = "gateway.tls.keystore";
    public static final String BROKER_KEYSTORE = "gateway.broker.tls.keystore";
    public static final String HQ_TRUSTSTORE = "gateway.hq.tls.truststore";
    public static final String HQ_KEYSTORE = "gateway.hq.tls.keystore";

    private final Optional<KeyStoreFile> server;
    private final Optional<KeyStoreFile> hqTrust;
    private final Optional<KeyStoreFile> hqKey;
    private final KeyStore serverKeys;
    private final KeyStore hqTrusted;
    private final KeyStore hqClientKeys;

    private GatewayTls(GatewaySettings settings) {
        server = KeyStoreFile.of(settings, KEYSTORE);
        hqTrust = KeyStoreFile.of(settings, HQ_TRUSTSTORE);
        hqKey = KeyStoreFile.of(settings, HQ_KEYSTORE);
        serverKeys = server.map(f -> f.loadKey(true)).orElse(null);
        hqTrusted = hqTrust.map(KeyStoreFile::loadTrust).orElse(null);
        hqClientKeys = hqKey.map(f -> f.loadKey(false)).orElse(null);
        brokerStore(settings).ifPresent(f -> f.loadKey(true));
    }

    /** Reads and opens every configured store; fails naming the key of the first that is wrong. */
    public static GatewayTls from(GatewaySettings settings) {
        return new GatewayTls(settings);
    }

    /** The broker's store: its own, else the HTTP side's. */
    public static Optional<KeyStoreFile> brokerStore(GatewaySettings settings) {
        return KeyStoreFile.of(settings, BROKER_KEYSTORE).or(() -> KeyStoreFile.of(settings, KEYSTORE));
    }

    /** What {@code validate} reports: each configured store that cannot be used, as "key: problem". */
    public static List<Problem> problems(GatewaySettings settings) {
        List<Problem> problems = new ArrayList<>();
        check(settings, KEYSTORE, f -> f.loadKey(true), problems);
        check(settings, BROKER_KEYSTORE, f -> f.loadKey(true), problems);
        check(settings, HQ_TRUSTSTORE, KeyStoreFile::loadTrust, problems);
        check(settings, HQ_KEYSTORE, f -> f.loadKey(false), problems);
        return problems;
    }

    /** A configured store that cannot be used: the key it is set under, and why. */
    public record Problem(String key, String message) {
    }

    public static void check(GatewaySettings settings, String key, Consumer<KeyStoreFile> open,
                      List<Problem> problems) {
        KeyStoreFile.of(settings, key).ifPresent(f -> {
            try {
                open.accept(f);
            } catch (IllegalStateException e) {
                problems.add(new Problem(key, e.getMessage()));
            }
        });
    }

    /** Whether the HTTP side serves HTTPS. */
    public boolean httpsEnabled() {
        return server.isPresent();
    }

    /** The HTTP server's key, for Camel's platform-http (Vert.x) server; empty: plain HTTP. */
    public Optional<SSLContextParameters> httpServer() {
        return server.map(f -> {
            SSLContextParameters ssl = new SSLContextParameters();
            ssl.setKeyManagers(keyManagers(serverKeys, f.password()));
            return ssl;
        });
    }

    /**
     * The client side of every HQ call: HQ's certificate must chain to the configured trust store (the
     * JVM's default trust without one), and the gateway's own certificate goes along when one is set.
     */
    public SSLContextParameters hqClient() {
        SSLContextParameters ssl = new SSLContextParameters();
        if (hqTrusted != null) {
            KeyStoreParameters store = new KeyStoreParameters();
            store.setKeyStore(hqTrusted);
            TrustManagersParameters trust = new TrustManagersParameters();
            trust.setKeyStore(store);
            ssl.setTrustManagers(trust);
        }
        hqKey.ifPresent(f -> ssl.setKeyManagers(keyManagers(hqClientKeys, f.password())));
        return ssl;
    }

    private static KeyManagersParameters keyManagers(KeyStore keys, String password) {
        KeyStoreParameters store = new KeyStoreParameters();
        store.setKeyStore(keys);
        KeyManagersParameters managers = new KeyManagersParameters();
        managers.setKeyStore(store);
        managers.setKeyPassword(password);
        return managers;
    }

    /**
     * A server-side SSL context from a key store, and when {@code clients} is given, the certificates a
     * client must present one of (the HQ simulator's mutual TLS).
     */
    public static SSLContext serverContext(KeyStoreFile keys, Optional<KeyStoreFile> clients) {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys.loadKey(true), keys.passwordChars());
            TrustManagerFactory tmf = null;
            if (clients.isPresent()) {
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(clients.get().loadTrust());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(keys.key() + ": " + keys.path() + " cannot be used: " + e.getMessage(), e);
        }
    }
}
