package io.storegateway.web;

import io.vertx.core.http.HttpClosedException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Answers the HTTP server's own failures (a body over the server's limit, a request it cannot read)
 * with the contract's JSON error body instead of Vert.x's plain text, so terminals see one error format.
 */
public final class JsonHttpErrors {

    private static final Logger LOG = LoggerFactory.getLogger(JsonHttpErrors.class);

    private static final Map<Integer, String[]> ERRORS = Map.of(
            413, new String[] {"payload_too_large", "the body is over 1 MiB"},
            404, new String[] {"not_found", "no such resource"},
            405, new String[] {"method_not_allowed", "this resource does not take that method"},
            400, new String[] {"bad_request", "the request could not be read"},
            500, new String[] {"internal_error", "the gateway could not handle this request; see its log"});

    private static final String RETRY_AFTER_SECONDS = "5";

    private JsonHttpErrors() {
    }

    public static void install(CamelContext camel, int port, BooleanSupplier stopping) {
        Router router = VertxPlatformHttpRouter.lookup(camel, VertxPlatformHttpRouter.getRouterNameFromPort(port));
        // While the gateway stops, Camel's consumers answer a bare 503 (no body, no Retry-After): this one
        // answers first, in the contract's format, and tells the client when to come back.
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            if (stopping.getAsBoolean()) {
                answer(ctx, 503, "unavailable", "the gateway is stopping; retry later");
            } else {
                ctx.next();
            }
        });
        // A failure handler on the router Camel's routes live in sees the failures of their handlers,
        // the body-size check among them.
        router.route().failureHandler(ctx -> {
            if (ctx.failure() instanceof HttpClosedException) {
                // The client went away (or was cut off for being too slow): nobody to answer.
                LOG.debug("{} {}: the connection closed before the request was read", ctx.request().method(), ctx.request().path());
                return;
            }
            String[] error = ERRORS.get(ctx.statusCode());
            if (ctx.statusCode() >= 500 || ctx.failure() != null) {
                LOG.atWarn().addKeyValue("event", "request-failed")
                        .log("{} {} failed with {}", ctx.request().method(), ctx.request().path(),
                                ctx.failure() == null ? ctx.statusCode() : ctx.failure().toString(), ctx.failure());
            }
            if (error == null) {
                ctx.next();
            } else {
                answer(ctx, ctx.statusCode(), error[0], error[1]);
            }
        });
    }

    private static void answer(RoutingContext ctx, int status, String code, String message) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        if (status == 503) {
            ctx.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
        }
        ctx.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(HttpReplies.error(code, message).toString());
    }
}
