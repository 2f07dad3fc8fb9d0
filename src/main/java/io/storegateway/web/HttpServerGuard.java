package io.storegateway.web;

import io.storegateway.config.GatewaySettings;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the gateway's HTTP server does before any route sees a request:
 * <ul>
 * <li>Cuts off clients that hold a connection without finishing a request (slowloris): the headers
 * of a request must be in within {@link #HEADER_TIMEOUT_MS} of the connection opening or of the
 * previous request, and its body within {@link #BODY_TIMEOUT_MS} of its headers; otherwise the
 * connection is closed (a late body first gets {@code 408 request_timeout}). Vert.x's own idle
 * time-out would not do: a client sending a byte every few seconds is never idle.
 * <li>Answers a request it cannot even parse (a request line over 4 KiB, headers over 8 KiB,
 * garbage), a path no route serves (404) and a method the path does not take (405) with the
 * contract's JSON error body, not Vert.x's plain text or empty answers.
 * </ul>
 *
 * <p>Camel's platform-http builds its Vert.x HTTP server from a bare {@code HttpServerOptions} and
 * has no setting for any of this; it does take the Vert.x instance from the registry. So the
 * gateway binds one made here, whose {@code createHttpServer} sets up each server it makes before
 * Camel starts it, and sees the router Camel hands the server.
 */
public final class HttpServerGuard {

    public static final String HEADER_TIMEOUT_MS = "gateway.http.request-header-timeout-ms";
    public static final String BODY_TIMEOUT_MS = "gateway.http.request-body-timeout-ms";
    static final long DEFAULT_HEADER_TIMEOUT_MS = 20_000;
    static final long DEFAULT_BODY_TIMEOUT_MS = 60_000;

    private static final Logger LOG = LoggerFactory.getLogger(HttpServerGuard.class);

    private final long headerTimeoutMs;
    private final long bodyTimeoutMs;

    HttpServerGuard(long headerTimeoutMs, long bodyTimeoutMs) {
        if (headerTimeoutMs <= 0 || bodyTimeoutMs <= 0) {
            throw new IllegalArgumentException(HEADER_TIMEOUT_MS + " and " + BODY_TIMEOUT_MS + " must be above 0");
        }
        this.headerTimeoutMs = headerTimeoutMs;
        this.bodyTimeoutMs = bodyTimeoutMs;
    }

    public static HttpServerGuard from(GatewaySettings settings) {
        return new HttpServerGuard(settings.getLong(HEADER_TIMEOUT_MS, DEFAULT_HEADER_TIMEOUT_MS),
                settings.getLong(BODY_TIMEOUT_MS, DEFAULT_BODY_TIMEOUT_MS));
    }

    /** A Vert.x instance for Camel's HTTP servers; the caller closes it after Camel has stopped. */
    public Vertx vertx() {
        Vertx real = Vertx.vertx();
        return (Vertx) Proxy.newProxyInstance(HttpServerGuard.class.getClassLoader(), new Class<?>[] {Vertx.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("equals") && args != null && args.length == 1) {
                        return proxy == args[0] || real.equals(args[0]);
                    }
                    if (method.getName().equals("createHttpServer")) {
                        HttpServerOptions options = args == null || args.length == 0
                                ? new HttpServerOptions() : new HttpServerOptions((HttpServerOptions) args[0]);
                        return guarded(real, real.createHttpServer(configured(options)));
                    }
                    return delegate(real, method, args);
                });
    }

    private static HttpServerOptions configured(HttpServerOptions options) {
        // Terminals speak HTTP/1.1. Cleartext HTTP/2 (h2c) would multiplex requests on one connection,
        // out of reach of the per-connection clock below, and adds attack surface for nothing.
        return options.setHttp2ClearTextEnabled(false);
    }

    private HttpServer guarded(Vertx vertx, HttpServer server) {
        Map<HttpConnection, ConnectionClock> clocks = new ConcurrentHashMap<>();
        server.connectionHandler(connection -> {
            ConnectionClock clock = new ConnectionClock(vertx, connection);
            clocks.put(connection, clock);
            connection.closeHandler(closed -> {
                clock.cancel();
                clocks.remove(connection);
            });
            clock.awaitRequest();
        });
        server.invalidRequestHandler(HttpServerGuard::unreadable);
        InvocationHandler handler = new InvocationHandler() {
            @Override
            public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
                if (method.getName().equals("requestHandler") && args != null && args.length == 1) {
                    @SuppressWarnings("unchecked")
                    Handler<HttpServerRequest> inner = (Handler<HttpServerRequest>) args[0];
                    if (inner instanceof Router router) {
                        // Camel's top router: its answers when no route matches at all.
                        router.errorHandler(404, ctx -> answer(ctx, 404, "not_found", "no such resource"));
                        router.errorHandler(405, ctx -> answer(ctx, 405, "method_not_allowed",
                                "this resource does not take that method"));
                    }
                    server.requestHandler(request -> {
                        ConnectionClock clock = clocks.get(request.connection());
                        if (clock != null) {
                            clock.requestStarted(request);
                        }
                        inner.handle(request);
                    });
                    return proxy;
                }
                Object result = delegate(server, method, args);
                return result == server ? proxy : result;
            }
        };
        return (HttpServer) Proxy.newProxyInstance(HttpServerGuard.class.getClassLoader(),
                new Class<?>[] {HttpServer.class}, handler);
    }

    private static Object delegate(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Vert.x's default answers these in plain text; terminals get the one error format instead. */
    static void unreadable(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        int status;
        String code;
        String message;
        if (cause instanceof TooLongHttpLineException) {
            status = 414;
            code = "uri_too_long";
            message = "the request line is over " + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH + " bytes";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = 431;
            code = "headers_too_large";
            message = "the request headers are over " + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE + " bytes";
        } else {
            status = 400;
            code = "bad_request";
            message = "the request is not valid HTTP/1.1";
        }
        answerAndClose(request.response(), status, code, message);
    }

    private static void answer(RoutingContext ctx, int status, String code, String message) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.headWritten()) {
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(HttpReplies.error(code, message).toString());
    }

    private static void answerAndClose(HttpServerResponse response, int status, String code, String message) {
        if (response.ended() || response.headWritten()) {
            response.close();
            return;
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader("Connection", "close")
                .end(HttpReplies.error(code, message).toString())
                .onComplete(done -> response.close());
    }

    /**
     * The deadlines of one connection. Runs on the connection's event loop: its timers and its
     * request callbacks never run at the same time, so no locking.
     */
    private final class ConnectionClock {
        private final Vertx vertx;
        private final HttpConnection connection;
        private HttpServerRequest current;
        private long timer = -1;
        private boolean multiplexed;

        ConnectionClock(Vertx vertx, HttpConnection connection) {
            this.vertx = vertx;
            this.connection = connection;
        }

        /** Until the next request's headers are in; an idle keep-alive connection ends this way too. */
        void awaitRequest() {
            cancel();
            timer = vertx.setTimer(headerTimeoutMs, id -> {
                timer = -1;
                headersLate();
            });
        }

        void requestStarted(HttpServerRequest request) {
            current = request;
            cancel();
            if (request.version() == HttpVersion.HTTP_2) {
                // Several requests share the connection: only each request's own body clock applies.
                multiplexed = true;
            }
            long bodyTimer = vertx.setTimer(bodyTimeoutMs, id -> bodyLate(request));
            request.end().onComplete(done -> {
                vertx.cancelTimer(bodyTimer);
                if (!multiplexed && current == request) {
                    awaitRequest();
                }
            });
        }

        private void headersLate() {
            if (current != null && !current.response().ended()) {
                awaitRequest(); // the gateway is still answering: not the client's delay
                return;
            }
            LOG.debug("Closing a connection from {}: no request within {} ms", connection.remoteAddress(), headerTimeoutMs);
            connection.close();
        }

        private void bodyLate(HttpServerRequest request) {
            if (request.isEnded()) {
                return;
            }
            LOG.atInfo().addKeyValue("event", "slow-request-closed")
                    .log("Closing a connection from {}: the body of {} {} took over {} ms", connection.remoteAddress(),
                            request.method(), request.path(), bodyTimeoutMs);
            answerAndClose(request.response(), 408, "request_timeout",
                    "the request body did not arrive within " + bodyTimeoutMs + " ms");
        }

        void cancel() {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }
    }
}
