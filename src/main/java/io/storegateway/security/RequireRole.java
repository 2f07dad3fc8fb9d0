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

    /** Why a request is refused: the status, the contract's error code and message, and a header to add. */
    public record Denial(int status, String code, String message, String header, String headerValue) {
    }

    /** The principal a request may go on as, or the denial to answer it with (exactly one is set). */
    public record Check(Principal principal, Denial denial) {
    }

    /** Decides on a request from its {@code Authorization} header (which may be null). */
    public Check check(String authorization) {
        String token = authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
                ? authorization.substring(BEARER.length()).trim() : null;
        var principal = tokens.authenticate(token);
        if (principal.isEmpty()) {
            return denied(401, "unauthorized", "a valid bearer token is required", "WWW-Authenticate", "Bearer");
        }
        long wait = rate.secondsToWait(principal.get());
        if (wait > 0) {
            return denied(429, "too_many_requests", "this token made more than "
                    + Math.round(rate.perSecond()) + " requests a second; retry after " + wait + " s",
                    "Retry-After", Long.toString(wait));
        }
        if (!principal.get().role().allows(needed)) {
            return denied(403, "forbidden", "this token may not do that", null, null);
        }
        return new Check(principal.get(), null);
    }

    private static Check denied(int status, String code, String message, String header, String value) {
        return new Check(null, new Denial(status, code, message, header, value));
    }

    @Override
    public void process(Exchange exchange) {
        Check check = check(exchange.getMessage().getHeader("Authorization", String.class));
        Denial d = check.denial();
        if (d != null) {
            HttpReplies.fail(exchange, d.status(), d.code(), d.message());
            if (d.header() != null) {
                exchange.getMessage().setHeader(d.header(), d.headerValue());
            }
            return;
        }
        exchange.setProperty(PRINCIPAL, check.principal());
    }
}
