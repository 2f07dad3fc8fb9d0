package io.storegateway.tasks;

import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether each background task is failing, since when and why. A task that starts failing gets one
 * WARN line and one INFO line when it recovers, not one per try; {@code /admin/v1/status} shows each
 * task's state and last error, and {@code gateway_task_failing{task}} is 1 while it fails. Tasks whose
 * work needs HQ fail while HQ is away, as expected: they show in the status then, but their WARN waits
 * until a try fails while HQ answers its health check (a refused token, a changed endpoint), and the
 * task has been failing for longer than watch-hq takes to notice an outage (the outage has its own line).
 */
public final class BackgroundTasks {

    public static final String CATALOGUE = "load-catalogue";
    public static final String HQ_CHANGES = "poll-hq-changes";
    public static final String RECONCILIATION = "reconcile-with-hq";
    public static final String FORWARDING = "forward-to-hq";
    public static final List<String> ALL = List.of(CATALOGUE, HQ_CHANGES, RECONCILIATION, FORWARDING);
    /** Forwarding logs its own failures and recoveries (ForwardBackoff), when {@link #failed} and {@link #succeeded} say so. */
    private static final List<String> LOGGING_THEMSELVES = List.of(FORWARDING);

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundTasks.class);

    /** HQ answers its health check (HqConnectivity): failures meanwhile are not explained by an outage. */
    public interface HqOnline {
        boolean online();
    }

    private static final class State {
        Instant failingSince;
        Instant lastFailureAt;
        Instant lastSuccessAt;
        String lastError;
        long failuresInARow;
        boolean warned;
    }

    private final Map<String, State> tasks = new LinkedHashMap<>();
    private final HqOnline hq;
    private final Clock clock;
    private final Duration outageNoticedWithin;

    public BackgroundTasks(HqOnline hq, Clock clock) {
        this(hq, clock, Duration.ZERO);
    }

    /** {@code outageNoticedWithin}: how long watch-hq may take to find HQ unreachable (its interval and time-out). */
    public BackgroundTasks(HqOnline hq, Clock clock, Duration outageNoticedWithin) {
        this.hq = hq;
        this.clock = clock;
        this.outageNoticedWithin = outageNoticedWithin;
        ALL.forEach(name -> tasks.put(name, new State()));
    }

    /** Whether this success ends a failure that was logged. */
    public synchronized boolean succeeded(String task) {
        State s = state(task);
        boolean wasWarned = s.warned;
        if (s.warned && !LOGGING_THEMSELVES.contains(task)) {
            LOG.atInfo().addKeyValue("event", "task-recovered").addKeyValue("task", task)
                    .log("{} works again after {} failed tr{} since {}", task, s.failuresInARow, s.failuresInARow == 1 ? "y" : "ies",
                            s.failingSince);
        }
        s.failingSince = null;
        s.failuresInARow = 0;
        s.warned = false;
        s.lastSuccessAt = clock.instant();
        return wasWarned;
    }

    public synchronized void failed(String task, Throwable error) {
        failed(task, describe(error));
    }

    /** Whether this failure is news: the first one logged since the task last worked. */
    public synchronized boolean failed(String task, String reason) {
        State s = state(task);
        Instant now = clock.instant();
        if (s.failingSince == null) {
            s.failingSince = now;
        }
        s.failuresInARow++;
        s.lastFailureAt = now;
        s.lastError = reason;
        // The first failures of an outage may come before watch-hq has seen it: not news until it had the time.
        if (s.warned || !hq.online() || now.isBefore(s.failingSince.plus(outageNoticedWithin))) {
            return false;
        }
        s.warned = true;
        if (!LOGGING_THEMSELVES.contains(task)) {
            LOG.atWarn().addKeyValue("event", "task-failing").addKeyValue("task", task)
                    .log("{} fails while HQ answers its health check ({} tr{} since {}): {}; it keeps trying, see /admin/v1/status",
                            task, s.failuresInARow, s.failuresInARow == 1 ? "y" : "ies", s.failingSince, reason);
        }
        return true;
    }

    /** Whether the task's failure now was logged as news (not an outage's effect). */
    public synchronized boolean failureIsNews(String task) {
        return state(task).warned;
    }

    public synchronized boolean failing(String task) {
        return state(task).failingSince != null;
    }

    /** For /admin/v1/status: each task, failing or not, since when, its last error and last success. */
    public synchronized ObjectNode status() {
        ObjectNode n = UpdateJson.MAPPER.createObjectNode();
        tasks.forEach((name, s) -> {
            ObjectNode t = n.putObject(name);
            t.put("failing", s.failingSince != null);
            t.put("failingSince", s.failingSince == null ? null : s.failingSince.toString());
            t.put("failuresInARow", s.failuresInARow);
            t.put("lastError", s.lastError);
            t.put("lastFailureAt", s.lastFailureAt == null ? null : s.lastFailureAt.toString());
            t.put("lastSuccessAt", s.lastSuccessAt == null ? null : s.lastSuccessAt.toString());
        });
        return n;
    }

    private State state(String task) {
        State s = tasks.get(task);
        if (s == null) {
            throw new IllegalArgumentException("no such background task: " + task);
        }
        return s;
    }

    /** The innermost cause's message: "HTTP operation failed … statusCode: 401", not Camel's wrapper. */
    static String describe(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return c.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
