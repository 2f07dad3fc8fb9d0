package io.storegateway.health;

import io.storegateway.routes.RouteReloadError;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * DOWN while a route file on disk was refused: the previous routes still run, but the file IT saved
 * is not what runs, and a restart would stop at it. Readiness only: restarting cannot fix a file,
 * and the gateway keeps working meanwhile.
 */
final class RouteReloadHealthCheck extends AbstractHealthCheck {

    private final Supplier<List<RouteReloadError>> errors;

    RouteReloadHealthCheck(Supplier<List<RouteReloadError>> errors) {
        super("gateway", "route-reload");
        this.errors = errors;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<RouteReloadError> refused = errors.get();
        if (refused.isEmpty()) {
            builder.up();
            return;
        }
        builder.detail("refused", refused.size());
        builder.down().message("route file(s) refused, the previous version keeps running; a restart would fail: "
                + String.join("; ", refused.stream().map(RouteReloadError::toString).toList()));
    }
}
