package io.storegateway.health;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one check's probe with a deadline, so a health request never hangs on a broker that is
 * reconnecting or a database pool that waits for a connection: too slow counts as down. At most one
 * probe per check runs at a time: while an earlier one is still stuck, a new health request waits
 * on that one rather than starting another thread (a probe every 2 s during a long broker outage
 * must not pile up threads).
 */
final class TimedProbe {

    private final Duration deadline;
    private final Callable<?> probe;
    private final ExecutorService thread;
    private Future<?> running;

    TimedProbe(String name, Duration deadline, Callable<?> probe) {
        this.deadline = deadline;
        this.probe = probe;
        ThreadPoolExecutor one = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "health-probe-" + name);
            t.setDaemon(true);
            return t;
        });
        // No thread is kept between health requests far apart (nor after the gateway is gone).
        one.allowCoreThreadTimeOut(true);
        this.thread = one;
    }

    /** Null when the probe succeeded in time, else why not. */
    synchronized String failure() {
        boolean earlier = running != null && !running.isDone();
        if (!earlier) {
            running = thread.submit(probe);
        }
        try {
            running.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (TimeoutException e) {
            return earlier ? "no answer yet to a probe started more than " + deadline.toMillis() + " ms ago"
                    : "no answer within " + deadline.toMillis() + " ms";
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return cause.getClass().getSimpleName() + ": " + cause.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
