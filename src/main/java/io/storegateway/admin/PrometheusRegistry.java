package io.storegateway.admin;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusNamingConvention;

import java.util.Locale;
import java.util.Map;

/**
 * The registry behind {@code /observe/metrics}, made so that {@code promtool check metrics} finds
 * nothing to say: Camel's camelCase tags ({@code routeId}, {@code camelContext}, {@code eventType})
 * become snake_case labels, Camel's meters that come without a description get one, and two
 * Micrometer names promtool objects to are renamed or left out.
 */
public final class PrometheusRegistry {

    /** Camel's meters registered without a description (Prometheus HELP), by their Micrometer name. */
    static final Map<String, String> MISSING_HELP = Map.of(
            "app.info", "Camel's version and runtime, as labels (the value is always 1)",
            "camel.routes.added", "routes added to the Camel context",
            "camel.routes.running", "routes running in the Camel context",
            "camel.routes.reloaded", "routes reloaded in the Camel context");

    /** Micrometer's {@code system_cpu_count}: promtool takes a {@code _count} suffix for a summary's. */
    static final String CPU_COUNT = "system.cpu.count";
    static final String CPUS = "system.cpus";
    /** {@code process_cpu_time_ns_total}, in nanoseconds (promtool: "abbreviated units"); process_cpu_usage shows the CPU load. */
    static final String CPU_TIME_NS = "process.cpu.time";

    private PrometheusRegistry() {
    }

    public static PrometheusMeterRegistry create() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().namingConvention(new SnakeCaseLabels(new PrometheusNamingConvention()));
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals(CPU_TIME_NS)));
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (id.getName().equals(CPU_COUNT)) {
                    return id.withName(CPUS);
                }
                String help = MISSING_HELP.get(id.getName());
                if (help == null || (id.getDescription() != null && !id.getDescription().isBlank())) {
                    return id;
                }
                return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), help, id.getType());
            }
        });
        return registry;
    }

    /** Prometheus's naming, with {@code routeId} written {@code route_id}. */
    static final class SnakeCaseLabels implements NamingConvention {

        private final NamingConvention prometheus;

        SnakeCaseLabels(NamingConvention prometheus) {
            this.prometheus = prometheus;
        }

        @Override
        public String name(String name, Meter.Type type, String baseUnit) {
            return prometheus.name(name, type, baseUnit);
        }

        @Override
        public String tagKey(String key) {
            return prometheus.tagKey(key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT));
        }

        @Override
        public String tagValue(String value) {
            return prometheus.tagValue(value);
        }
    }
}
