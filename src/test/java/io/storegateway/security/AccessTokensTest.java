package io.storegateway.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The users file: who a token belongs to, and a clear refusal of a file that is wrong. */
class AccessTokensTest {

    @Test
    void aTokenNamesItsUserAndRoleAndNothingElseDoes(@TempDir Path dir) throws IOException {
        AccessTokens tokens = AccessTokens.load(users(dir, "till-1 = terminal:sha256:" + AccessTokens.hash("t-1") + "\n"
                + "it = ADMIN:sha256:" + AccessTokens.hash("a-1").toUpperCase() + "\n"));

        assertThat(tokens.authenticate("t-1")).contains(new Principal("till-1", Role.TERMINAL));
        assertThat(tokens.authenticate("a-1")).contains(new Principal("it", Role.ADMIN));
        assertThat(tokens.authenticate("t-2")).isEmpty();
        assertThat(tokens.authenticate("")).isEmpty();
        assertThat(tokens.authenticate(null)).isEmpty();
        // A stored hash is not a token.
        assertThat(tokens.authenticate(AccessTokens.hash("t-1"))).isEmpty();
        // Broker logins: the name must be the token's owner.
        assertThat(tokens.authenticate("till-1", "t-1")).isPresent();
        assertThat(tokens.authenticate("it", "t-1")).isEmpty();
    }

    @Test
    void aWrongLineIsRefusedNamingTheUser(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> AccessTokens.load(users(dir, "till-1 = terminal:" + AccessTokens.hash("t") + "\n")))
                .hasMessageContaining("user 'till-1' must be 'role:sha256:<hex>'");
        assertThatThrownBy(() -> AccessTokens.load(users(dir, "till-1 = cashier:sha256:" + AccessTokens.hash("t") + "\n")))
                .hasMessageContaining("user 'till-1' has unknown role 'cashier'");
        assertThatThrownBy(() -> AccessTokens.load(users(dir, "till-1 = terminal:sha256:my-token\n")))
                .hasMessageContaining("user 'till-1': the hash must be 64 hex digits");
        assertThatThrownBy(() -> AccessTokens.load(users(dir, "till-1 = terminal:sha256:" + AccessTokens.hash("t") + "\n"
                + "till-2 = terminal:sha256:" + AccessTokens.hash("t") + "\n")))
                .hasMessageContaining("user 'till-2' has the same token as another user");
        assertThatThrownBy(() -> AccessTokens.load(dir.resolve("missing.properties")))
                .hasMessageContaining("not found (gateway.security.users-file)");
    }

    private static Path users(Path dir, String text) throws IOException {
        return Files.writeString(dir.resolve("users.properties"), text);
    }
}
