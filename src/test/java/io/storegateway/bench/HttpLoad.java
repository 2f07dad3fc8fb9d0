package io.storegateway.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The benchmark's HTTP load: {@code clients} keep-alive connections, each a till with a token of its own
 * and one request in flight, posting until {@code requests} are answered. On Vert.x's client, one event
 * loop: light enough to leave the cores to the server measured (a thread per client on the JDK's client
 * took as much CPU as the gateway). The same load drives the gateway and the bare Camel route.
 */
final class HttpLoad implements AutoCloseable {

    /** The body of a client's next request; called on the load's event loop, one client at a time. */
    @FunctionalInterface
    interface Bodies {
        String next(int client);
    }

    /** What a run measured: its wall time and every request's latency (ns). */
    record Result(long elapsedNanos, List<Long> latencies) {
    }

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));

    Result post(String host, int port, String path, List<String> tokens, int requests, Bodies bodies)
            throws InterruptedException {
        int clients = tokens.size();
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch finished = new CountDownLatch(clients);
        List<Long> latencies = new ArrayList<>(requests);
        List<HttpClient> open = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(host).setDefaultPort(port)
                    .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1));
            open.add(client);
            int me = c;
            vertx.runOnContext(v -> send(client, me, path, "Bearer " + tokens.get(me), requests, bodies, next, latencies,
                    failure, finished));
        }
        if (!finished.await(600, TimeUnit.SECONDS)) {
            throw new IllegalStateException("HTTP load did not finish in 600 s (" + next.get() + " of " + requests + " sent)");
        }
        long elapsed = System.nanoTime() - t0;
        open.forEach(HttpClient::close);
        if (failure.get() != null) {
            throw new IllegalStateException("HTTP load failed", failure.get());
        }
        return new Result(elapsed, latencies);
    }

    private void send(HttpClient client, int me, String path, String authorization, int requests, Bodies bodies,
                      AtomicInteger next, List<Long> latencies, AtomicReference<Throwable> failure, CountDownLatch finished) {
        if (failure.get() != null || next.getAndIncrement() >= requests) {
            finished.countDown();
            return;
        }
        Buffer body = Buffer.buffer(bodies.next(me));
        long s = System.nanoTime();
        post(client, path, authorization, body).onComplete(done -> {
                    if (done.failed()) {
                        failure.compareAndSet(null, done.cause());
                        finished.countDown();
                        return;
                    }
                    latencies.add(System.nanoTime() - s);
                    send(client, me, path, authorization, requests, bodies, next, latencies, failure, finished);
                });
    }

    /**
     * Posts at a fixed rate, {@code rate} requests a second spread over the clients, for {@code count}
     * requests; each latency is counted from when the request was due, not from when it went out (a
     * request that waits for its connection's previous answer counts the wait).
     */
    Result postAtRate(String host, int port, String path, List<String> tokens, int rate, int count, Bodies bodies)
            throws InterruptedException {
        int clients = tokens.size();
        long interval = 1_000_000_000L * clients / rate;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch finished = new CountDownLatch(count);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>(count));
        List<HttpClient> open = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(host).setDefaultPort(port)
                    .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1).setMaxWaitQueueSize(-1));
            open.add(client);
            int me = c;
            int mine = count / clients + (me < count % clients ? 1 : 0);
            long start = t0 + interval * me / clients;
            for (int k = 0; k < mine; k++) {
                long due = start + k * interval;
                vertx.setTimer(Math.max(1, (due - System.nanoTime()) / 1_000_000), id -> {
                    Buffer body = Buffer.buffer(bodies.next(me));
                    post(client, path, "Bearer " + tokens.get(me), body).onComplete(done -> {
                                if (done.failed()) {
                                    failure.compareAndSet(null, done.cause());
                                } else {
                                    latencies.add(System.nanoTime() - due);
                                }
                                finished.countDown();
                            });
                });
            }
        }
        if (!finished.await(600, TimeUnit.SECONDS)) {
            throw new IllegalStateException("HTTP load at a fixed rate did not finish in 600 s");
        }
        long elapsed = System.nanoTime() - t0;
        open.forEach(HttpClient::close);
        if (failure.get() != null) {
            throw new IllegalStateException("HTTP load failed", failure.get());
        }
        return new Result(elapsed, latencies);
    }

    /**
     * GETs {@code path} until its answer contains {@code text}, a millisecond between tries, on the
     * {@link #watcher} client's connections; completes with the {@link System#nanoTime()} of that answer.
     * A 404 counts as "not yet"; any other answer but 200 fails the watch.
     */
    CompletableFuture<Long> watch(HttpClient client, String path, String authorization, String text) {
        CompletableFuture<Long> seen = new CompletableFuture<>();
        watchOnce(client, path, authorization, text, seen);
        return seen;
    }

    /** The client {@link #watch} uses: {@code connections} keep-alive connections to host:port. */
    HttpClient watcher(String host, int port, int connections) {
        return vertx.createHttpClient(new HttpClientOptions().setDefaultHost(host).setDefaultPort(port).setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    }

    private void watchOnce(HttpClient client, String path, String authorization, String text, CompletableFuture<Long> seen) {
        client.request(HttpMethod.GET, path)
                .compose(req -> req.putHeader("Authorization", authorization).send()
                        .compose(resp -> resp.body().map(b -> {
                            // 404: HQ may answer before ingest writes the update's mirror row (both happen before the 202)
                            if (resp.statusCode() == 404) {
                                return false;
                            }
                            if (resp.statusCode() != 200) {
                                throw new IllegalStateException("GET " + path + " answered " + resp.statusCode() + ": " + b);
                            }
                            return b.toString().contains(text);
                        })))
                .onComplete(done -> {
                    if (done.failed()) {
                        seen.completeExceptionally(done.cause());
                    } else if (done.result()) {
                        seen.complete(System.nanoTime());
                    } else {
                        vertx.setTimer(1, id -> watchOnce(client, path, authorization, text, seen));
                    }
                });
    }

    /** One POST; fails unless answered 202. */
    private static Future<Buffer> post(HttpClient client, String path, String authorization, Buffer body) {
        return client.request(HttpMethod.POST, path)
                .compose(req -> req.putHeader("Authorization", authorization).putHeader("Content-Type", "application/json")
                        .send(body).compose(resp -> resp.body().map(b -> {
                            if (resp.statusCode() != 202) {
                                throw new IllegalStateException("POST answered " + resp.statusCode() + ": " + b);
                            }
                            return b;
                        })));
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
