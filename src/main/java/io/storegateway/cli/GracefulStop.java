package io.storegateway.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * SIGTERM and SIGINT stop the gateway in order (routes, then broker and mirror) and exit 0, as
 * README, Commands, and docs/SETUP.md asks. A plain JVM shutdown hook would exit 143; handling the signal ourselves lets
 * in-flight batches finish or roll back first and then report success.
 */
final class GracefulStop {

    private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);
    private static final CountDownLatch STOPPED = new CountDownLatch(1);

    private GracefulStop() {
    }

    private static final AtomicBoolean REQUESTED = new AtomicBoolean();
    private static volatile Runnable stop;

    /**
     * Takes SIGTERM and SIGINT from now on, before anything has started: a signal that arrives while
     * the gateway is still starting is kept and acted on as soon as {@link #onTerminate} knows what
     * to stop (the JVM's default handler would leave a half-started process behind).
     */
    static void takeSignals() {
        sun.misc.Signal.handle(new Signal("TERM"), s -> requested());
        sun.misc.Signal.handle(new Signal("INT"), s -> requested());
    }

    private static void requested() {
        REQUESTED.set(true);
        Runnable r = stop;
        if (r != null) {
            new Thread(r, "graceful-stop").start();
        }
    }

    static void onTerminate(AutoCloseable... parts) {
        List<AutoCloseable> inOrder = List.of(parts);
        AtomicBoolean once = new AtomicBoolean();
        Runnable r = () -> {
            if (!once.compareAndSet(false, true)) {
                return;
            }
            LOG.atInfo().addKeyValue("event", "stopping").log("Stopping: finishing or rolling back in-flight work");
            try {
                for (AutoCloseable part : inOrder) {
                    try {
                        part.close();
                    } catch (Exception | LinkageError e) {
                        // LinkageError: the jar was replaced under the running process (an upgrade in place).
                        LOG.atWarn().addKeyValue("event", "stop-failed").log("Stopping {} failed: {}", part, e.toString());
                    }
                }
                LOG.atInfo().addKeyValue("event", "stopped").log("Stopped");
            } finally {
                // Whatever failed, the process must not hang after SIGTERM.
                STOPPED.countDown();
            }
        };
        takeSignals();
        stop = r;
        if (REQUESTED.get()) {
            new Thread(r, "graceful-stop").start();
        }
    }

    /**
     * Stops as on SIGTERM, from inside (the broker failed); if stopping hangs on what failed, the process
     * halts with {@code code} after 30 s all the same.
     */
    static void stopNow(int code) {
        CompletableFuture.delayedExecutor(30, TimeUnit.SECONDS).execute(() -> {
            LOG.atError().addKeyValue("event", "stop-timed-out")
                    .log("Stopping took over 30 s; halting with exit code {}", code);
            Runtime.getRuntime().halt(code);
        });
        requested();
    }

    static void awaitTermination() {
        try {
            STOPPED.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
