package io.storegateway.broker;

import io.storegateway.security.AccessTokens;
import io.storegateway.security.Principal;

import org.apache.activemq.artemis.core.security.CheckType;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.spi.core.protocol.RemotingConnection;
import org.apache.activemq.artemis.spi.core.security.ActiveMQSecurityManager5;
import org.apache.activemq.artemis.spi.core.security.jaas.RolePrincipal;
import org.apache.activemq.artemis.spi.core.security.jaas.UserPrincipal;

import javax.security.auth.Subject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Set;

/**
 * Broker logins: the same users and tokens as the HTTP side (user name + token as password),
 * plus the gateway's own in-process user whose secret lives only in memory. No anonymous access.
 */
final class BrokerUsers implements ActiveMQSecurityManager5 {

    static final String GATEWAY_ROLE = "gateway";
    static final String TERMINAL_ROLE = "terminal";
    static final String ADMIN_ROLE = "admin";

    private final AccessTokens tokens;
    private final String gatewayUser;
    private final byte[] gatewaySecret;

    BrokerUsers(AccessTokens tokens, String gatewayUser, String gatewaySecret) {
        this.tokens = tokens;
        this.gatewayUser = gatewayUser;
        this.gatewaySecret = gatewaySecret.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Subject authenticate(String user, String password, RemotingConnection connection, String securityDomain) {
        if (user == null || password == null) {
            return null;
        }
        if (user.equals(gatewayUser)) {
            return MessageDigest.isEqual(gatewaySecret, password.getBytes(StandardCharsets.UTF_8))
                    ? subject(user, GATEWAY_ROLE) : null;
        }
        return tokens.authenticate(user, password)
                .map(p -> subject(p.name(), roleName(p)))
                .orElse(null);
    }

    @Override
    public boolean authorize(Subject subject, Set<Role> roles, CheckType checkType, String address) {
        Set<RolePrincipal> held = subject.getPrincipals(RolePrincipal.class);
        for (Role role : roles) {
            if (checkType.hasRole(role) && held.stream().anyMatch(r -> r.getName().equals(role.getName()))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean validateUser(String user, String password) {
        return authenticate(user, password, null, null) != null;
    }

    @Override
    public boolean validateUserAndRole(String user, String password, Set<Role> roles, CheckType checkType) {
        Subject s = authenticate(user, password, null, null);
        return s != null && authorize(s, roles, checkType, null);
    }

    static String roleName(Principal p) {
        return p.role().name().toLowerCase(Locale.ROOT);
    }

    private static Subject subject(String user, String role) {
        Subject s = new Subject();
        s.getPrincipals().add(new UserPrincipal(user));
        s.getPrincipals().add(new RolePrincipal(role));
        return s;
    }
}
