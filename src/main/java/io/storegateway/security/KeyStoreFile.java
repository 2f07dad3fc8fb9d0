package io.storegateway.security;

import io.storegateway.config.GatewaySettings;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A PKCS12 key store or trust store named in the settings: its path under {@code key}, its password
 * under {@code key-password} (best set in the environment, e.g. {@code GATEWAY_TLS_KEYSTORE_PASSWORD}).
 * Every problem names the key and the file, never the password.
 */
public final class KeyStoreFile {

    public static final String TYPE = "PKCS12";

    private final String key;
    private final Path path;
    private final String password;

    KeyStoreFile(String key, Path path, String password) {
        this.key = key;
        this.path = path;
        this.password = password;
    }

    /** The store set under {@code key}, if it is set. */
    public static Optional<KeyStoreFile> of(GatewaySettings settings, String key) {
        String path = settings.get(key, null);
        return path == null ? Optional.empty()
                : Optional.of(new KeyStoreFile(key, Path.of(path), settings.get(passwordKey(key), "")));
    }

    public static String passwordKey(String key) {
        return key + "-password";
    }

    public String key() {
        return key;
    }

    public Path path() {
        return path.toAbsolutePath().normalize();
    }

    public String password() {
        return password;
    }

    /** The password as the JDK takes it: none when empty. */
    public char[] passwordChars() {
        return password.isEmpty() ? null : password.toCharArray();
    }

    /** Opens the store; an {@link IllegalStateException} naming the key when it is missing, unreadable or locked. */
    public KeyStore load() {
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(key + ": no such file: " + path());
        }
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore store = KeyStore.getInstance(TYPE);
            store.load(in, passwordChars());
            return store;
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new IllegalStateException(key + ": " + path() + " cannot be opened with " + passwordKey(key)
                        + " (wrong password)");
            }
            throw new IllegalStateException(key + ": " + path() + " is not a readable " + TYPE + " store: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(key + ": " + path() + " cannot be read: " + e.getMessage());
        }
    }

    /**
     * Opens it as the source of this side's certificate: it must hold a private key, exactly one when
     * {@code exactlyOne} (a server presents the one key its store holds; there is no alias to pick another).
     */
    public KeyStore loadKey(boolean exactlyOne) {
        KeyStore store = load();
        List<String> keys = aliases(store, true);
        if (keys.isEmpty()) {
            throw new IllegalStateException(key + ": " + path() + " holds no private key (a trust store where a key store belongs?)");
        }
        if (exactlyOne && keys.size() > 1) {
            throw new IllegalStateException(key + ": " + path() + " holds " + keys.size() + " private keys " + keys
                    + "; keep only the one to present");
        }
        try {
            // PKCS12 keeps each key under the store's password: a key under another cannot be used.
            for (String alias : keys) {
                store.getKey(alias, passwordChars());
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(key + ": the private key in " + path() + " cannot be opened with "
                    + passwordKey(key) + " (its key password must be the store password)");
        }
        return store;
    }

    /** Opens it as a trust store: it must hold at least one certificate to trust. */
    public KeyStore loadTrust() {
        KeyStore store = load();
        if (aliases(store, false).isEmpty()) {
            throw new IllegalStateException(key + ": " + path() + " holds no trusted certificate");
        }
        return store;
    }

    private List<String> aliases(KeyStore store, boolean privateKeys) {
        List<String> found = new ArrayList<>();
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (privateKeys ? store.isKeyEntry(alias) : store.isCertificateEntry(alias)) {
                    found.add(alias);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(key + ": " + path() + " cannot be read: " + e.getMessage());
        }
        return found;
    }

    @Override
    public String toString() {
        return key + "=" + path();
    }
}
