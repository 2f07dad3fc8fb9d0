package io.storegateway;

import io.storegateway.admin.ActivityHistory;
import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.EmbeddedBroker;
import io.storegateway.broker.GroupFence;
import io.storegateway.broker.RemoteBroker;
import io.storegateway.config.GatewaySettings;
import io.storegateway.config.SettingProblem;
import io.storegateway.config.SettingRule;
import io.storegateway.config.SettingRules;
import io.storegateway.config.SettingsRelation;
import io.storegateway.conflict.ConflictPolicies;
import io.storegateway.conflict.ConflictPolicy;
import io.storegateway.conflict.ConflictResolver;
import io.storegateway.forward.ForwardBackoff;
import io.storegateway.forward.HqAccessAlert;
import io.storegateway.forward.HqBatchRequest;
import io.storegateway.forward.HqCircuitBreaker;
import io.storegateway.forward.OutboundBatches;
import io.storegateway.forward.SettledNotices;
import io.storegateway.health.GatewayHealthChecks;
import io.storegateway.hq.simulator.HqSimulator;
import io.storegateway.ingest.JmsIngest;
import io.storegateway.mirror.MirrorDatabase;
import io.storegateway.mirror.MirrorRetention;
import io.storegateway.mirror.MirrorUpkeep;
import io.storegateway.routes.RouteFiles;
import io.storegateway.routes.RoutePlaceholders;
import io.storegateway.security.GatewayTls;
import io.storegateway.security.RequestRate;
import io.storegateway.storage.FreeSpaceFloor;
import io.storegateway.update.UpdateType;
import io.storegateway.web.HttpServerGuard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.storegateway.config.SettingRule.httpUrl;
import static io.storegateway.config.SettingRule.matching;
import static io.storegateway.config.SettingRule.noLongerRead;
import static io.storegateway.config.SettingRule.number;
import static io.storegateway.config.SettingRule.oneOf;
import static io.storegateway.config.SettingRule.parsedBy;
import static io.storegateway.config.SettingRule.port;
import static io.storegateway.config.SettingRule.text;
import static io.storegateway.config.SettingRule.trueOrFalse;
import static io.storegateway.config.SettingRule.wholeNumber;

/**
 * The rule of every setting the gateway, its routes and the HQ simulator read (docs/CONFIGURATION.md). Start-up ({@link Gateway#start}) and {@code validate} both check against these, so a value
 * that {@code validate} passes starts, and one that would stop the start is reported by {@code validate}.
 */
public final class GatewaySettingRules {

    private static final long SECOND = 1000;
    private static final long HOUR = 3_600_000;
    private static final long DAY = 24 * HOUR;
    private static final long MAX_BYTES = Long.MAX_VALUE;
    private static final String NAME = "[A-Za-z0-9._-]{1,64}";
    private static final String NAME_IN_WORDS = "1 to 64 characters of A-Z a-z 0-9 . _ -";

    public static final SettingRules ALL = new SettingRules(rules(), relations());

    private GatewaySettingRules() {
    }

    /** Every problem of these settings (with the route files of their routes dir), in the words of {@code validate}. */
    public static List<SettingProblem> problems(GatewaySettings s) {
        return ALL.problems(s, RoutePlaceholders.keysIn(s.routesDir()));
    }

    /** Stops the start with every problem, one a line. */
    public static void requireValid(GatewaySettings s) {
        ALL.requireValid(s, RoutePlaceholders.keysIn(s.routesDir()));
    }

    private static List<SettingRule> rules() {
        List<SettingRule> r = new ArrayList<>(List.of(
                // Camel's own keys that config/application.properties sets
                text("camel.main.name"),
                wholeNumber("camel.main.shutdownTimeout", 1, 3600),
                trueOrFalse("camel.main.jmxEnabled"),
                wholeNumber("camel.server.maxBodySize", 1024, Integer.MAX_VALUE),
                wholeNumber("camel.component.http.connectTimeout", 1, 10 * 60 * SECOND),
                wholeNumber("camel.component.http.responseTimeout", 1, HOUR),

                matching(GatewaySettings.STORE_ID, NAME, NAME_IN_WORDS),
                text(GatewaySettings.DATA_DIR),
                text(GatewaySettings.ROUTES_DIR),
                text(GatewaySettings.USERS_FILE),
                oneOf("gateway.log.format", "text", "json"),

                port(GatewaySettings.HTTP_PORT),
                port(Gateway.MANAGEMENT_PORT),
                wholeNumber(HttpServerGuard.HEADER_TIMEOUT_MS, 1, HOUR),
                wholeNumber(HttpServerGuard.BODY_TIMEOUT_MS, 1, HOUR),
                text(GatewayTls.KEYSTORE),
                text(GatewayTls.KEYSTORE + "-password"),

                port(GatewaySettings.BROKER_PORT),
                matching(GatewaySettings.BROKER_URL, "[a-z]+://\\S+|\\(\\S+\\)\\S*",
                        "empty (the embedded broker) or an Artemis URL such as tcp://broker:61616"),
                text(RemoteBroker.USERNAME),
                text(RemoteBroker.PASSWORD),
                text(RemoteBroker.MANAGEMENT_ADDRESS),
                wholeNumber(RemoteBroker.CALL_TIMEOUT_MS, 1, 10 * 60 * SECOND),
                wholeNumber(GroupFence.SETTLE_MS, 0, 60 * SECOND),
                matching(SettledNotices.INSTANCE_ID, NAME, NAME_IN_WORDS),
                wholeNumber(SettledNotices.TTL_MS, SECOND, 365 * DAY),
                wholeNumber(BrokerConnections.PRODUCER_SESSIONS, 1, 256),
                text(GatewayTls.BROKER_KEYSTORE),
                text(GatewayTls.BROKER_KEYSTORE + "-password"),

                wholeNumber(FreeSpaceFloor.MIN_FREE_BYTES, 0, MAX_BYTES),
                wholeNumber(EmbeddedBroker.MAX_DISK_USAGE, 1, 100),
                wholeNumber(EmbeddedBroker.MAX_SIZE_BYTES, 64 * 1024, MAX_BYTES),
                wholeNumber(EmbeddedBroker.GLOBAL_MAX_SIZE_BYTES, 64 * 1024, MAX_BYTES),
                wholeNumber(EmbeddedBroker.DISK_SCAN_MS, 100, HOUR),
                wholeNumber(EmbeddedBroker.ID_CACHE_SIZE, 1, 10_000_000),
                wholeNumber(EmbeddedBroker.JOURNAL_BUFFER_TIMEOUT_US, 1, 1_000_000),
                wholeNumber(EmbeddedBroker.JOURNAL_FILE_SIZE, 1024 * 1024, 1024 * 1024 * 1024),
                wholeNumber(EmbeddedBroker.JOURNAL_MIN_FILES, 2, 1000),

                httpUrl(GatewaySettings.HQ_URL),
                text(GatewaySettings.HQ_TOKEN),
                wholeNumber(Gateway.HQ_CONNECT_TIMEOUT_MS, 1, 10 * 60 * SECOND),
                wholeNumber(Gateway.HQ_RESPONSE_TIMEOUT_MS, 1, HOUR),
                trueOrFalse(HqBatchRequest.GZIP),
                text(GatewayTls.HQ_TRUSTSTORE),
                text(GatewayTls.HQ_TRUSTSTORE + "-password"),
                text(GatewayTls.HQ_KEYSTORE),
                text(GatewayTls.HQ_KEYSTORE + "-password"),

                parsedBy(GatewaySettings.MIRROR_JDBC_URL, "empty (the SQLite file under the data dir) or a jdbc:sqlite: "
                        + "or jdbc:postgresql: URL", MirrorDatabase::engineOf),
                text(GatewaySettings.MIRROR_USERNAME),
                text(GatewaySettings.MIRROR_PASSWORD),
                wholeNumber(MirrorDatabase.POOL_SIZE, 1, 64),
                parsedBy(MirrorRetention.RETENTION, "0 (keep everything), a number of days (30, 30d), hours (12h), "
                        + "minutes (90m), seconds (45s) or an ISO-8601 duration (P30D)", MirrorRetention::parse),
                wholeNumber(MirrorUpkeep.INTERVAL_MS, 100, 7 * DAY),

                wholeNumber(RouteFiles.WATCH_INTERVAL_MS, 0, HOUR),
                number(RequestRate.PER_SECOND, 0, 1_000_000),
                number(RequestRate.BURST, 0, 1_000_000),

                wholeNumber("gateway.ingest.jms.batch-size", 1, 10_000),
                wholeNumber(JmsIngest.POLL_TIMEOUT_MS, 1, 60 * SECOND),
                wholeNumber("gateway.ingest.jms.poll-delay-ms", 1, 60 * SECOND),

                wholeNumber("gateway.catalogue.retry-ms", 100, DAY),
                wholeNumber("gateway.connectivity.interval-ms", 100, HOUR),

                number(HqCircuitBreaker.FAILURE_RATE, 1, 100),
                wholeNumber(HqCircuitBreaker.WINDOW, 1, 1000),
                wholeNumber(HqCircuitBreaker.MINIMUM_CALLS, 1, 1000),
                wholeNumber(HqCircuitBreaker.WAIT_OPEN_MS, 1, DAY),
                wholeNumber(HqCircuitBreaker.HALF_OPEN_CALLS, 1, 100),
                wholeNumber(HqCircuitBreaker.SLOW_CALL_MS, 1, HOUR),

                wholeNumber(OutboundBatches.BATCH_SIZE, 1, 500),
                wholeNumber(OutboundBatches.CONSUMERS, 1, 16),
                wholeNumber(OutboundBatches.POLL_TIMEOUT_MS, 1, 60 * SECOND),
                wholeNumber(OutboundBatches.LINGER_MS, 0, 60 * SECOND),
                wholeNumber("gateway.forward.poll-delay-ms", 1, 60 * SECOND),
                wholeNumber(ForwardBackoff.INITIAL_MS, 1, DAY),
                number(ForwardBackoff.MULTIPLIER, 1, 10),
                wholeNumber(ForwardBackoff.MAX_MS, 1, DAY),
                number(ForwardBackoff.JITTER, 0, 1),
                wholeNumber(HqAccessAlert.RETRY_MS, 100, DAY),

                wholeNumber(ConflictResolver.MAX_SKEW_MS, 0, 365 * DAY),
                wholeNumber("gateway.changes.interval-ms", 100, 7 * DAY),
                noLongerRead("gateway.changes.tick-ms", "watch-hq asks for a poll of HQ's changes when HQ comes back"),
                wholeNumber("gateway.reconcile.interval-ms", SECOND, 365 * DAY),
                noLongerRead("gateway.reconcile.tick-ms",
                        "watch-hq asks for a reconciliation when HQ comes back, forward-to-hq for a consistency check when the backlog drains"),

                wholeNumber(GatewayHealthChecks.PROBE_TIMEOUT_MS, 1, 60 * SECOND),
                wholeNumber(ActivityHistory.SAMPLE_INTERVAL_MS, 100, HOUR),

                // the HQ simulator (hq-simulator and demo)
                port(GatewaySettings.SIMULATOR_PORT),
                text("hq.token"),
                text(HqSimulator.TLS_KEYSTORE),
                text(HqSimulator.TLS_KEYSTORE + "-password"),
                text(HqSimulator.TLS_CLIENT_TRUSTSTORE),
                text(HqSimulator.TLS_CLIENT_TRUSTSTORE + "-password")));
        String[] policies = Arrays.stream(ConflictPolicy.values()).map(Enum::name).toArray(String[]::new);
        r.add(oneOf(ConflictPolicies.DEFAULT_KEY, policies));
        for (UpdateType type : UpdateType.values()) {
            r.add(oneOf(ConflictPolicies.DEFAULT_KEY + "." + type.name(), policies));
        }
        r.add(oneOf(ConflictPolicies.SKU_PREFIX_KEY, policies));
        return r;
    }

    private static List<SettingsRelation> relations() {
        return List.of(
                new SettingsRelation(ForwardBackoff.INITIAL_MS, "must not be above " + ForwardBackoff.MAX_MS,
                        s -> s.getLong(ForwardBackoff.INITIAL_MS, ForwardBackoff.DEFAULT_INITIAL_MS)
                                <= s.getLong(ForwardBackoff.MAX_MS, ForwardBackoff.DEFAULT_MAX_MS)),
                new SettingsRelation(RequestRate.BURST, "must be at least 1 (or 0: no limit) while "
                        + RequestRate.PER_SECOND + " is above 0",
                        s -> {
                            double perSecond = s.getDouble(RequestRate.PER_SECOND, RequestRate.DEFAULT_PER_SECOND);
                            double burst = s.getDouble(RequestRate.BURST, RequestRate.DEFAULT_BURST);
                            return perSecond == 0 || burst == 0 || burst >= 1;
                        }),
                new SettingsRelation(Gateway.MANAGEMENT_PORT, "must not be " + GatewaySettings.HTTP_PORT
                        + " (leave it unset to serve /observe on the HTTP port)",
                        s -> s.get(Gateway.MANAGEMENT_PORT, null) == null
                                || s.getInt(Gateway.MANAGEMENT_PORT, 0) != s.httpPort()),
                new SettingsRelation(GatewaySettings.BROKER_PORT, "must not be " + GatewaySettings.HTTP_PORT,
                        s -> !s.brokerUrl().isEmpty() || s.brokerPort() != s.httpPort()));
    }
}
