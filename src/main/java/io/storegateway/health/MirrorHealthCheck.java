package io.storegateway.health;

import io.storegateway.mirror.MirrorDatabase;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.time.Duration;
import java.util.Map;

/** The mirror database answers a trivial query within the deadline. */
final class MirrorHealthCheck extends AbstractHealthCheck {

    private final MirrorDatabase mirror;
    private final TimedProbe probe;

    MirrorHealthCheck(MirrorDatabase mirror, Duration deadline) {
        super("gateway", "mirror");
        this.mirror = mirror;
        this.probe = new TimedProbe("mirror", deadline, mirror::probe);
    }

    /** A gateway that cannot reach its own broker or mirror is of no use: a restart may fix it. */
    @Override
    public boolean isLiveness() {
        return true;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("database", mirror.vendor());
        String failure = probe.failure();
        if (failure == null) {
            builder.up();
        } else {
            builder.down().message("the mirror database does not answer: " + failure);
        }
    }
}
