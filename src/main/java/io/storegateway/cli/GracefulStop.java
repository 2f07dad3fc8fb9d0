package io.storegateway.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * SIGTERM and SIGINT stop the gateway in order (routes, then broker and mirror) and exit 0, as
 * CONTRACT §1 asks. A plain JVM shutdown hook would exit 143; handling the signal ourselves lets
 * in-flight batches finish or roll back first and then report success.
 */
final class GracefulStop {

    private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);
    private static final CountDownLatch STOPPED = new CountDownLatch(1);

    private GracefulStop() {
    }

    static void onTerminate(AutoCloseable... parts) {
        List<AutoCloseable> inOrder = List.of(parts);
        java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable stop = () -> {
            if (!once.compareAndSet(false, true)) {
                return;
            }
            LOG.info("Stopping: finishing or rolling back in-flight work");
            try {
                for (AutoCloseable part : inOrder) {
                    try {
                        part.close();
                    } catch (Exception | LinkageError e) {
                        // LinkageError: the jar was replaced under the running process (an upgrade in place).
                        LOG.warn("Stopping {} failed: {}", part, e.toString());
                    }
                }
                LOG.info("Stopped");
            } finally {
                // Whatever failed, the process must not hang after SIGTERM.
                STOPPED.countDown();
            }
        };
        Signal.handle(new Signal("TERM"), s -> new Thread(stop, "graceful-stop").start());
        Signal.handle(new Signal("INT"), s -> new Thread(stop, "graceful-stop").start());
    }

    static void awaitTermination() {
        try {
            STOPPED.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
