package io.storegateway.security;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The users file ({@code gateway.security.users-file}): one line per user,
 * {@code name = role:sha256:<hex of SHA-256 of the token>}. Only hashes are stored, so the file
 * can be read by IT without leaking tokens. Tokens are long random strings, which is why a plain
 * SHA-256 is enough here (no password stretching needed).
 */
public final class AccessTokens {

    private static final String SCHEME = "sha256:";

    private final Map<String, Principal> byHash;

    AccessTokens(Map<String, Principal> byHash) {
        this.byHash = Map.copyOf(byHash);
    }

    public static AccessTokens load(Path usersFile) {
        if (!Files.isRegularFile(usersFile)) {
            throw new IllegalStateException("users file " + usersFile + " not found (gateway.security.users-file)");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(usersFile, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read users file " + usersFile + ": " + e.getMessage(), e);
        }
        Map<String, Principal> byHash = new HashMap<>();
        for (String name : p.stringPropertyNames()) {
            String entry = p.getProperty(name).trim();
            int colon = entry.indexOf(':');
            if (colon < 0 || !entry.substring(colon + 1).startsWith(SCHEME)) {
                throw new IllegalStateException(usersFile + ": user '" + name + "' must be 'role:sha256:<hex>'");
            }
            Role role;
            try {
                role = Role.valueOf(entry.substring(0, colon).trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(usersFile + ": user '" + name + "' has unknown role '" + entry.substring(0, colon) + "' (terminal or admin)");
            }
            String hash = entry.substring(colon + 1 + SCHEME.length()).trim().toLowerCase(Locale.ROOT);
            byHash.put(hash, new Principal(name, role));
        }
        return new AccessTokens(byHash);
    }

    /** The user a bearer token belongs to, if any. */
    public Optional<Principal> authenticate(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(byHash.get(hash(token)));
    }

    /** Broker logins: the user name must match the token's owner. */
    public Optional<Principal> authenticate(String user, String token) {
        return authenticate(token).filter(p -> p.name().equals(user));
    }

    public static String hash(String token) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
