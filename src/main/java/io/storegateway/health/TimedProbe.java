package io.storegateway.health;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a probe with a deadline, so a health request never hangs on a broker that is reconnecting or a
 * database pool that waits for a connection: too slow counts as down.
 */
final class TimedProbe {

    private static final ExecutorService PROBES = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "health-probe");
        t.setDaemon(true);
        return t;
    });

    private TimedProbe() {
    }

    /** Null when the probe succeeded in time, else why not. */
    static String failure(Duration deadline, Callable<?> probe) {
        Future<?> f = PROBES.submit(probe);
        try {
            f.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (TimeoutException e) {
            f.cancel(true);
            return "no answer within " + deadline.toMillis() + " ms";
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return cause.getClass().getSimpleName() + ": " + cause.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
