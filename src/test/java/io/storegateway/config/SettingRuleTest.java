package io.storegateway.config;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each kind of rule: what it takes, and what it says of a value it does not. */
class SettingRuleTest {

    @Test
    void aWholeNumberMustBeOneAndInItsRange() {
        SettingRule r = SettingRule.wholeNumber("k", 1, 500);
        assertThat(r.problemWith("250")).isNull();
        assertThat(r.problemWith(" 1 ")).isNull();
        assertThat(r.problemWith("5000")).isEqualTo("must be a whole number from 1 to 500, not '5000'");
        assertThat(r.problemWith("0")).isEqualTo("must be a whole number from 1 to 500, not '0'");
        assertThat(r.problemWith("2.5")).isEqualTo("must be a whole number from 1 to 500, not '2.5'");
        assertThat(SettingRule.wholeNumber("k", 0, Long.MAX_VALUE).problemWith("-1"))
                .isEqualTo("must be a whole number 0 or more, not '-1'");
    }

    @Test
    void aPortIsFromOneTo65535() {
        SettingRule r = SettingRule.port("p");
        assertThat(r.problemWith("8080")).isNull();
        assertThat(r.problemWith("70000")).isEqualTo("must be a port number from 1 to 65535, not '70000'");
        assertThat(r.problemWith("xyz")).isEqualTo("must be a port number from 1 to 65535, not 'xyz'");
        assertThat(r.problemWith("0")).isNotNull();
    }

    @Test
    void numbersWordsBooleansAndUrls() {
        assertThat(SettingRule.number("j", 0, 1).problemWith("0.2")).isNull();
        assertThat(SettingRule.number("j", 0, 1).problemWith("1.5")).isEqualTo("must be a number from 0 to 1, not '1.5'");
        assertThat(SettingRule.oneOf("f", "text", "json").problemWith("JSON")).isNull();
        assertThat(SettingRule.oneOf("f", "text", "json").problemWith("xml")).isEqualTo("must be one of text, json, not 'xml'");
        assertThat(SettingRule.trueOrFalse("g").problemWith("yes")).isEqualTo("must be true or false, not 'yes'");
        assertThat(SettingRule.httpUrl("u").problemWith("https://hq.example/api")).isNull();
        assertThat(SettingRule.httpUrl("u").problemWith("hq.example")).isEqualTo("must be an http:// or https:// URL, not 'hq.example'");
    }

    @Test
    void aParserSaysInItsOwnWordsWithoutRepeatingTheKey() {
        SettingRule r = SettingRule.parsedBy("k", "a colour", v -> {
            throw new IllegalStateException("k names a fruit; use a colour");
        });
        assertThat(r.problemWith("apple")).isEqualTo("names a fruit; use a colour");
    }

    @Test
    void anEmptyValueIsNotSetAndTheDefaultApplies() {
        assertThat(SettingRule.port("p").problemWith("")).isNull();
        assertThat(SettingRule.port("p").problemWith(null)).isNull();
    }

    @Test
    void aFamilyCoversTheKeysUnderIt() {
        SettingRule family = SettingRule.text("a.sku.");
        assertThat(family.covers("a.sku.PROMO-")).isTrue();
        assertThat(family.covers("a.sku.")).isFalse();
        assertThat(family.covers("a.skus")).isFalse();
    }

    @Test
    void unknownKeysAreProblemsUnlessARouteUsesThem() {
        SettingRules rules = new SettingRules(List.of(SettingRule.port("gateway.http.port")), List.of());
        GatewaySettings s = GatewaySettings.of(Map.of("gateway.htp.port", "1", "gateway.my-route.tick-ms", "5", "camel.main.x", "y"));

        assertThat(rules.problems(s, Set.of("gateway.my-route.tick-ms"))).extracting(SettingProblem::toString)
                .contains("gateway.htp.port: unknown setting (misspelt? see the configuration reference)")
                .noneMatch(p -> p.contains("my-route") || p.contains("camel.main.x"));
    }

    @Test
    void relationsAreCheckedOnceEachSettingIsGood() {
        List<SettingRule> known = new ArrayList<>(List.of(SettingRule.wholeNumber("a", 0, 10), SettingRule.wholeNumber("b", 0, 10)));
        GatewaySettings.of(Map.of()).keys().forEach(k -> known.add(SettingRule.text(k))); // the defaults
        SettingRules rules = new SettingRules(known,
                List.of(new SettingsRelation("a", "must not be above b", s -> s.getInt("a", 0) <= s.getInt("b", 0))));

        assertThat(rules.problems(GatewaySettings.of(Map.of("a", "5", "b", "3")), Set.of()))
                .extracting(SettingProblem::toString).containsExactly("a: must not be above b");
        assertThat(rules.problems(GatewaySettings.of(Map.of("a", "50", "b", "3")), Set.of()))
                .extracting(SettingProblem::toString).containsExactly("a: must be a whole number from 0 to 10, not '50'");
        assertThatThrownBy(() -> rules.requireValid(GatewaySettings.of(Map.of("a", "5", "b", "3")), Set.of()))
                .hasMessage("a setting is wrong:\n  a: must not be above b");
    }
}
