package io.storegateway;

import io.storegateway.security.AccessTokens;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Users with test tokens, for gateways started with the {@code run} command (a separate JVM), which
 * refuses the shipped demo users. In-process gateways ({@link TestGateway}) keep the demo users.
 */
public final class TestUsers {

    public static final String TERMINAL_USER = "terminal-01";
    public static final String TERMINAL_TOKEN = "test-terminal-token-7c1e9a";
    public static final String ADMIN_USER = "it-admin";
    public static final String ADMIN_TOKEN = "test-admin-token-3f6b2d";

    private TestUsers() {
    }

    /** Writes {@code dir/users.properties} with the two test users; returns its absolute path. */
    public static Path write(Path dir) {
        Path file = dir.resolve("users.properties").toAbsolutePath();
        try {
            Files.createDirectories(dir);
            Files.writeString(file, TERMINAL_USER + " = terminal:sha256:" + AccessTokens.hash(TERMINAL_TOKEN) + "\n"
                    + ADMIN_USER + " = admin:sha256:" + AccessTokens.hash(ADMIN_TOKEN) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
