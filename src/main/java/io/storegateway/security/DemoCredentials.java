package io.storegateway.security;

import io.storegateway.config.GatewaySettings;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The shipped demo secrets. They are public (in this repository, the README and the demo's banner),
 * so the {@code demo} command uses them and the {@code run} command refuses to start while any of
 * them is configured, naming each one and what to change.
 */
public final class DemoCredentials {

    /** The demo users' tokens in config/users.properties. */
    public static final List<String> USER_TOKENS = List.of("demo-terminal-token", "demo-admin-token");
    public static final String HQ_TOKEN = "demo-hq-token";
    /** The mirror password of docker/compose.yaml's demo PostgreSQL, as it once shipped. */
    public static final String MIRROR_PASSWORD = "demo-mirror-password";

    private static final String HOW = "see docs/SETUP.md, \"Users and tokens\"";

    private DemoCredentials() {
    }

    /** One line per demo secret in these settings and users; empty when there is none. */
    public static List<String> findIn(GatewaySettings settings, AccessTokens tokens) {
        List<String> found = new ArrayList<>();
        for (String token : USER_TOKENS) {
            tokens.authenticate(token).ifPresent(user -> found.add(settings.usersFile() + ": user '" + user.name()
                    + "' (" + user.role().name().toLowerCase(Locale.ROOT) + ") has a public demo token: make a new token "
                    + "and replace the line's hash with its SHA-256 (" + GatewaySettings.USERS_FILE + " names the file; " + HOW + ")"));
        }
        if (HQ_TOKEN.equals(settings.hqToken())) {
            found.add(GatewaySettings.HQ_TOKEN + " is the demo value: set the token HQ issued for this store as "
                    + GatewaySettings.environmentName(GatewaySettings.HQ_TOKEN) + " in the environment (or in " + where(settings) + ")");
        }
        if (MIRROR_PASSWORD.equals(settings.mirrorPassword())) {
            found.add(GatewaySettings.MIRROR_PASSWORD + " is the demo value: give the mirror's database user a password of its own "
                    + "and set it as " + GatewaySettings.environmentName(GatewaySettings.MIRROR_PASSWORD) + " in the environment");
        }
        return found;
    }

    /** Fails naming every demo secret found; the message says what to change. */
    public static void refuse(GatewaySettings settings, AccessTokens tokens) {
        List<String> found = findIn(settings, tokens);
        if (!found.isEmpty()) {
            throw new IllegalStateException("the demo credentials are public; `run` does not start with them (`demo` does):\n  - "
                    + String.join("\n  - ", found)
                    + "\nMake a token and its hash with: token=$(openssl rand -hex 24); printf %s \"$token\" | sha256sum");
        }
    }

    private static String where(GatewaySettings settings) {
        return settings.source() == null ? GatewaySettings.DEFAULT_CONFIG_FILE : settings.source().toString();
    }
}
