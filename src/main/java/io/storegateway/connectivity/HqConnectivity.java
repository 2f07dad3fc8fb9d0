package io.storegateway.connectivity;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HQ's reachability as the {@code watch-hq} route sees it. A change is logged once and counted;
 * when HQ comes back, the listeners run at once (forwarding stops waiting and drains), rather than
 * at the next back-off tick, and the exchange is marked ({@link #RETURNED}) so that the route sends
 * the catch-up (HQ's changes, a reconciliation) on its way.
 */
public final class HqConnectivity {

    public enum State { UNKNOWN, ONLINE, OFFLINE }

    /** How often watch-hq pings HQ (its route reads the key). */
    public static final String INTERVAL_MS = "gateway.connectivity.interval-ms";
    public static final long DEFAULT_INTERVAL_MS = 1000;

    /** Exchange property set (true) by {@link #reachable} when HQ answered first, or again after an outage. */
    public static final String RETURNED = "gatewayHqReturned";

    private static final Logger LOG = LoggerFactory.getLogger(HqConnectivity.class);

    private final Clock clock;
    private final List<Runnable> onRestored = new CopyOnWriteArrayList<>();
    private final AtomicLong wentOnline = new AtomicLong();
    private final AtomicLong wentOffline = new AtomicLong();
    private volatile State state = State.UNKNOWN;
    private volatile Instant since;

    public HqConnectivity(Clock clock) {
        this.clock = clock;
        this.since = clock.instant();
    }

    /** Runs when HQ answers again after being unreachable. */
    public void onRestored(Runnable action) {
        onRestored.add(action);
    }

    /** Route step: HQ's health check answered. Marks the exchange ({@link #RETURNED}) when HQ was not online before. */
    public void reachable(Exchange exchange) {
        State before = change(State.ONLINE);
        if (before == State.ONLINE) {
            return;
        }
        if (exchange != null) {
            exchange.setProperty(RETURNED, true);
        }
        if (before == State.OFFLINE) {
            LOG.atInfo().addKeyValue("event", "online").log("HQ is reachable again; forwarding the backlog now");
        } else {
            LOG.atInfo().addKeyValue("event", "online").log("HQ is reachable");
        }
        onRestored.forEach(Runnable::run);
    }

    /** Route step: HQ's health check failed (the exception is in the exchange). */
    public void unreachable(Exchange exchange) {
        Throwable cause = exchange == null ? null : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (change(State.OFFLINE) != State.OFFLINE) {
            LOG.atWarn().addKeyValue("event", "offline").log("HQ is unreachable ({}); updates are kept in the queue until it answers again",
                    cause == null ? "no answer" : cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
    }

    private synchronized State change(State next) {
        State before = state;
        if (before != next) {
            state = next;
            since = clock.instant();
            (next == State.ONLINE ? wentOnline : wentOffline).incrementAndGet();
        }
        return before;
    }

    public State state() {
        return state;
    }

    public boolean online() {
        return state == State.ONLINE;
    }

    public Instant since() {
        return since;
    }

    public long timesWentOnline() {
        return wentOnline.get();
    }

    public long timesWentOffline() {
        return wentOffline.get();
    }
}
