package io.storegateway.security;

import io.storegateway.web.HttpReplies;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Guards an HTTP route: 401 without a known bearer token, 429 when the token's user is over its
 * {@link RequestRate}, 403 when the token's role is not enough. The authenticated user is left in the
 * exchange property {@link #PRINCIPAL}.
 */
public final class RequireRole implements Processor {

    public static final String PRINCIPAL = "gatewayPrincipal";
    private static final String BEARER = "Bearer ";

    private final AccessTokens tokens;
    private final Role needed;
    private final RequestRate rate;

    public RequireRole(AccessTokens tokens, Role needed) {
        this(tokens, needed, RequestRate.unlimited());
    }

    public RequireRole(AccessTokens tokens, Role needed, RequestRate rate) {
        this.tokens = tokens;
        this.needed = needed;
        this.rate = rate;
    }

    @Override
    public void process(Exchange exchange) {
        String header = exchange.getMessage().getHeader("Authorization", String.class);
        String token = header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                ? header.substring(BEARER.length()).trim() : null;
        var principal = tokens.authenticate(token);
        if (principal.isEmpty()) {
            HttpReplies.fail(exchange, 401, "unauthorized", "a valid bearer token is required");
            exchange.getMessage().setHeader("WWW-Authenticate", "Bearer");
            return;
        }
        long wait = rate.secondsToWait(principal.get());
        if (wait > 0) {
            HttpReplies.fail(exchange, 429, "too_many_requests", "this token made more than "
                    + Math.round(rate.perSecond()) + " requests a second; retry after " + wait + " s");
            exchange.getMessage().setHeader("Retry-After", Long.toString(wait));
            return;
        }
        if (!principal.get().role().allows(needed)) {
            HttpReplies.fail(exchange, 403, "forbidden", "this token may not do that");
            return;
        }
        exchange.setProperty(PRINCIPAL, principal.get());
    }
}
