package io.storegateway.security;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The users file ({@code gateway.security.users-file}): one line per user,
 * {@code name = role:sha256:<hex of SHA-256 of the token>}. Only hashes are stored, so the file
 * can be read by IT without leaking tokens. Tokens are long random strings, which is why a plain
 * SHA-256 is enough here (no password stretching needed). A token is checked against every user's
 * hash in constant time, so how long a refusal takes says nothing about the stored hashes.
 */
public final class AccessTokens {

    private static final String SCHEME = "sha256:";
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private record User(byte[] hash, Principal principal) {
    }

    private final List<User> users;

    private AccessTokens(List<User> users) {
        this.users = List.copyOf(users);
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
        List<User> users = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        for (String name : new TreeSet<>(p.stringPropertyNames())) {
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
            if (!SHA256_HEX.matcher(hash).matches()) {
                throw new IllegalStateException(usersFile + ": user '" + name + "': the hash must be 64 hex digits (the SHA-256 of the token)");
            }
            if (hashes.contains(hash)) {
                throw new IllegalStateException(usersFile + ": user '" + name + "' has the same token as another user; give each its own");
            }
            hashes.add(hash);
            users.add(new User(HexFormat.of().parseHex(hash), new Principal(name, role)));
        }
        return new AccessTokens(users);
    }

    /** The user a bearer token belongs to, if any. Every user's hash is compared, in constant time. */
    public Optional<Principal> authenticate(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        byte[] given = digest(token);
        Principal found = null;
        for (User u : users) {
            if (MessageDigest.isEqual(u.hash(), given) && found == null) {
                found = u.principal();
            }
        }
        return Optional.ofNullable(found);
    }

    /** Broker logins: the user name must match the token's owner. */
    public Optional<Principal> authenticate(String user, String token) {
        return authenticate(token).filter(p -> p.name().equals(user));
    }

    public static String hash(String token) {
        return HexFormat.of().formatHex(digest(token));
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
