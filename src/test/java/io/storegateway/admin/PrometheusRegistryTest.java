package io.storegateway.admin;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Camel's meters written as Prometheus (and promtool) expect them. */
class PrometheusRegistryTest {

    private final PrometheusMeterRegistry registry = PrometheusRegistry.create();

    @Test
    void camelCaseTagsBecomeSnakeCaseLabels() {
        Gauge.builder("camel.routes.running", () -> 7).tag("camelContext", "camel-1").tag("routeId", "post-to-hq")
                .tag("already_snake", "x").register(registry);

        assertThat(registry.scrape())
                .contains("camel_routes_running{already_snake=\"x\",camel_context=\"camel-1\",route_id=\"post-to-hq\"} 7")
                .doesNotContain("routeId").doesNotContain("camelContext");
    }

    @Test
    void camelsMetersWithoutADescriptionGetOneAndDescribedOnesKeepTheirs() {
        Gauge.builder("app.info", () -> 1).register(registry);
        Gauge.builder("camel.routes.added", () -> 9).description("Camel's own words").register(registry);

        assertThat(registry.scrape()).contains("# HELP app_info " + PrometheusRegistry.MISSING_HELP.get("app.info"))
                .contains("# HELP camel_routes_added Camel's own words");
    }
}
