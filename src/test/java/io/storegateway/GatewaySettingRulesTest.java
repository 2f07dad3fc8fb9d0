package io.storegateway;

import io.storegateway.config.GatewaySettings;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules against the shipped config: every key it sets or shows commented out has one, and its values pass. */
class GatewaySettingRulesTest {

    private static final Path SHIPPED = Path.of("config/application.properties");
    /** "key = value", or "# key = value" for a setting shown commented out. */
    private static final Pattern SETTING_LINE = Pattern.compile("^#?\\s*((?:gateway|hq|camel)\\.[A-Za-z0-9._-]+)\\s*=");

    @Test
    void everyKeyOfTheShippedConfigHasARuleCommentedOutOrNot() throws IOException {
        List<String> keys = Files.readAllLines(SHIPPED, StandardCharsets.UTF_8).stream()
                .map(SETTING_LINE::matcher).filter(Matcher::find).map(m -> m.group(1)).distinct().toList();

        assertThat(keys).hasSizeGreaterThan(80);
        assertThat(keys).allSatisfy(k -> assertThat(GatewaySettingRules.ALL.knows(k)).as("a rule for " + k).isTrue());
    }

    @Test
    void theShippedConfigAndItsCommentedOutExamplesPass() throws IOException {
        Properties shownCommentedOut = new Properties();
        for (String line : Files.readAllLines(SHIPPED, StandardCharsets.UTF_8)) {
            Matcher m = SETTING_LINE.matcher(line);
            if (m.find() && line.startsWith("#")) {
                shownCommentedOut.load(new StringReader(line.substring(1)));
            }
        }
        GatewaySettings shipped = GatewaySettings.load(SHIPPED);
        assertThat(GatewaySettingRules.problems(shipped)).isEmpty();

        // the examples IT uncomment must pass too (but the empty ones, which mean "not set")
        Map<String, String> examples = new HashMap<>();
        shownCommentedOut.stringPropertyNames().forEach(k -> examples.put(k, shownCommentedOut.getProperty(k)));
        assertThat(GatewaySettingRules.problems(GatewaySettings.of(examples))).isEmpty();
    }

    @Test
    void theKeysOfTheIssueThatUsedToPassValidateAreCaught() {
        GatewaySettings s = GatewaySettings.of(Map.of(
                "gateway.forward.batch-size", "0",
                "gateway.forward.consumers", "99",
                "gateway.conflict.policy", "FIRST_WINS",
                "gateway.http.port", "70000",
                "gateway.connectivity.interval-ms", "-1",
                "gateway.conflict.policy.NOT_A_TYPE", "MANUAL",
                "gateway.conflict.policy.sku.PROMO-", "SOMETIMES"));

        assertThat(GatewaySettingRules.problems(s)).extracting(Object::toString).containsExactlyInAnyOrder(
                "gateway.forward.batch-size: must be a whole number from 1 to 500, not '0'",
                "gateway.forward.consumers: must be a whole number from 1 to 16, not '99'",
                "gateway.conflict.policy: must be one of LAST_WRITE_WINS, HQ_WINS, STORE_WINS, MANUAL, not 'FIRST_WINS'",
                "gateway.http.port: must be a port number from 1 to 65535, not '70000'",
                "gateway.connectivity.interval-ms: must be a whole number from 100 to 3600000, not '-1'",
                "gateway.conflict.policy.NOT_A_TYPE: unknown setting (misspelt? see the configuration reference)",
                "gateway.conflict.policy.sku.PROMO-: must be one of LAST_WRITE_WINS, HQ_WINS, STORE_WINS, MANUAL, not 'SOMETIMES'");
    }

    @Test
    void settingsThatGoTogetherAreCheckedTogether() {
        assertThat(GatewaySettingRules.problems(GatewaySettings.of(Map.of(
                "gateway.forward.backoff.initial-ms", "5000", "gateway.forward.backoff.max-ms", "1000"))))
                .extracting(Object::toString).containsExactly("gateway.forward.backoff.initial-ms: must not be above gateway.forward.backoff.max-ms");
        assertThat(GatewaySettingRules.problems(GatewaySettings.of(Map.of("gateway.management.port", "8080"))))
                .extracting(Object::toString).containsExactly(
                        "gateway.management.port: must not be gateway.http.port (leave it unset to serve /observe on the HTTP port)");
    }

    @Test
    void theTicksNoLongerReadStillLetAStoreThatSetsThemStart() {
        GatewaySettings s = GatewaySettings.of(Map.of("gateway.changes.tick-ms", "1000", "gateway.reconcile.tick-ms", "2000"));

        assertThat(GatewaySettingRules.problems(s)).isEmpty();
        assertThat(GatewaySettingRules.ALL.rules()).filteredOn(r -> r.key().endsWith(".tick-ms"))
                .extracting(r -> r.expects()).allSatisfy(e -> assertThat(e).startsWith("anything; no longer read"));
    }
}
