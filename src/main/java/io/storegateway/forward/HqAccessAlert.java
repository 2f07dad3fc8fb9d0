package io.storegateway.forward;

import io.storegateway.config.GatewaySettings;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;

/**
 * Raised when HQ refuses the gateway itself (401/403): forwarding stops, the updates stay queued,
 * and IT is told (log, status). Retrying every few seconds would only hammer HQ with a bad token, so
 * one probe goes out every {@code gateway.forward.access-retry-ms}; IT can also clear it.
 */
public final class HqAccessAlert {

    public static final String RETRY_MS = "gateway.forward.access-retry-ms";

    private static final Logger LOG = LoggerFactory.getLogger(HqAccessAlert.class);

    private final Clock clock;
    private final long retryMs;
    private volatile String reason;
    private volatile Instant raisedAt;
    private volatile long probeAt;

    public HqAccessAlert(GatewaySettings s, Clock clock) {
        this.clock = clock;
        this.retryMs = s.getLong(RETRY_MS, 60_000);
    }

    void raise(String why, int queued) {
        if (reason == null) {
            LOG.atError().addKeyValue("event", "hq-access-denied")
                    .log("HQ refused the gateway's credentials ({}): forwarding stopped, {} update(s) of this batch and the rest "
                            + "of the queue are kept. Check gateway.hq.token.", why, queued);
            raisedAt = clock.instant();
        }
        reason = why;
        probeAt = clock.millis() + retryMs;
    }

    void cleared() {
        if (reason != null) {
            LOG.atInfo().addKeyValue("event", "hq-access-restored")
                    .log("HQ accepts the gateway's credentials again; forwarding resumes");
        }
        reason = null;
        raisedAt = null;
    }

    /** IT fixed the token (or HQ did): try at once. */
    public void clear() {
        probeAt = 0;
    }

    /** Whether forwarding must hold back now (raised, and not yet time for the next probe). */
    boolean holding() {
        return reason != null && clock.millis() < probeAt;
    }

    public boolean raised() {
        return reason != null;
    }

    public String reason() {
        return reason;
    }

    public Instant raisedAt() {
        return raisedAt;
    }
}
