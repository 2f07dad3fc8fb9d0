package io.storegateway.ingest;

import io.storegateway.security.RequireRole;
import io.storegateway.web.HttpReplies;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /api/v1/updates} served by the HTTP server itself, on the router Camel's platform-http
 * routes live in (so the server's guards, JSON errors and stopping answer apply to it as to them).
 * It is the gateway's hot path: a Camel exchange, a worker thread held for the whole commit, and the
 * copying of every header in and out were most of an update's cost (issue 14's profile). The request
 * is read and checked on the event loop (a large body on a worker), waits for its commit without
 * holding any thread, and is answered on its event loop. What it answers is {@link HttpIngest}'s.
 */
public final class HttpIngestHandler implements Handler<RoutingContext> {

    public static final String PATH = "/api/v1/updates";
    /** Bodies up to this size are checked on the event loop; larger ones (up to 500 updates) on a worker. */
    static final int CHECK_INLINE_BYTES = 16 * 1024;

    private final RequireRole terminal;
    private final HttpIngest ingest;

    public HttpIngestHandler(RequireRole terminal, HttpIngest ingest) {
        this.terminal = terminal;
        this.ingest = ingest;
    }

    /** Serves the path on the router, its body read by the router's own body handler (and size limit). */
    public void install(Router router, Handler<RoutingContext> bodyHandler) {
        router.post(PATH).handler(bodyHandler).handler(this);
    }

    @Override
    public void handle(RoutingContext ctx) {
        RequireRole.Check check = terminal.check(ctx.request().getHeader("Authorization"));
        RequireRole.Denial denial = check.denial();
        if (denial != null) {
            write(ctx, new HttpIngest.Reply(denial.status(), HttpReplies.error(denial.code(), denial.message()),
                    denial.header(), denial.headerValue()));
            return;
        }
        String contentType = ctx.request().getHeader("Content-Type");
        Buffer buffer = ctx.body().buffer();
        byte[] body = buffer == null ? new byte[0] : buffer.getBytes();
        Context context = Vertx.currentContext();
        if (body.length <= CHECK_INLINE_BYTES) {
            answer(ctx, context, ingest.post(contentType, body));
        } else {
            ctx.vertx().<CompletableFuture<HttpIngest.Reply>>executeBlocking(() -> ingest.post(contentType, body), false)
                    .onComplete(posted -> {
                        if (posted.succeeded()) {
                            answer(ctx, context, posted.result());
                        } else {
                            ctx.fail(posted.cause());
                        }
                    });
        }
    }

    private static void answer(RoutingContext ctx, Context context, CompletableFuture<HttpIngest.Reply> reply) {
        reply.whenComplete((r, failure) -> context.runOnContext(v -> {
            if (failure != null) {
                ctx.fail(failure);
            } else {
                write(ctx, r);
            }
        }));
    }

    private static void write(RoutingContext ctx, HttpIngest.Reply reply) {
        HttpServerResponse response = ctx.response();
        if (response.ended()) {
            return; // the client went away, or the server cut it off
        }
        response.setStatusCode(reply.status()).putHeader("Content-Type", "application/json");
        if (reply.header() != null) {
            response.putHeader(reply.header(), reply.headerValue());
        }
        response.end(reply.body().toString());
    }
}
