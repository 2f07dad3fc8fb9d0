package io.storegateway.health;

import io.storegateway.connectivity.HqConnectivity;
import io.storegateway.forward.HqAccessAlert;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * HQ reachability, as the watch-hq route last saw it. A readiness check only: with HQ away the
 * gateway is alive and keeps taking updates (that is its job), so a liveness probe must not restart
 * it; but the aggregate {@code /observe/health} says DOWN so monitoring sees the link is gone.
 */
final class HqHealthCheck extends AbstractHealthCheck {

    private final HqConnectivity connectivity;
    private final HqAccessAlert accessAlert;

    HqHealthCheck(HqConnectivity connectivity, HqAccessAlert accessAlert) {
        super("gateway", "hq");
        this.connectivity = connectivity;
        this.accessAlert = accessAlert;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("state", connectivity.state().name());
        builder.detail("since", String.valueOf(connectivity.since()));
        if (accessAlert.raised()) {
            builder.down().message("HQ refuses the gateway's credentials (" + accessAlert.reason()
                    + "): forwarding is stopped, updates are kept; check gateway.hq.token");
        } else if (connectivity.state() == HqConnectivity.State.OFFLINE) {
            builder.down().message("HQ is unreachable since " + connectivity.since()
                    + ": updates are kept in the queue and forwarded when it answers");
        } else {
            builder.up();
        }
    }
}
