package io.storegateway.health;

import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.StorageGuard;
import io.storegateway.connectivity.HqConnectivity;
import io.storegateway.forward.HqAccessAlert;
import io.storegateway.mirror.MirrorDatabase;
import io.storegateway.routes.RouteReloadError;

import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Adds the gateway's checks to Camel's health registry, next to Camel's own (context, routes,
 * consumers). {@code /observe/health/live} holds what a restart could fix (broker, mirror);
 * {@code /observe/health/ready} and {@code /observe/health} add HQ reachability, refused route files and
 * the disk (new updates refused for want of space).
 */
public final class GatewayHealthChecks {

    public static final String PROBE_TIMEOUT_MS = "gateway.health.probe-timeout-ms";

    private GatewayHealthChecks() {
    }

    public static void register(CamelContext camel, Duration probeTimeout, BrokerConnections connections,
                                StorageGuard storage, String brokerWhere, MirrorDatabase mirror,
                                HqConnectivity connectivity, HqAccessAlert accessAlert,
                                Supplier<List<RouteReloadError>> routeErrors) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(camel);
        for (HealthCheck check : List.of(
                new BrokerHealthCheck(connections, brokerWhere, probeTimeout),
                new StorageHealthCheck(storage),
                new MirrorHealthCheck(mirror, probeTimeout),
                new HqHealthCheck(connectivity, accessAlert),
                new RouteReloadHealthCheck(routeErrors))) {
            registry.register(check);
        }
    }
}
