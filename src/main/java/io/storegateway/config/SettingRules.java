package io.storegateway.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every setting's rule, checked at once against the values the gateway would run with (the file, then
 * the environment and {@code -D} overrides). The same check runs at start-up and in {@code validate},
 * so the two say the same thing with the same words. A key under {@code gateway.} or {@code hq.} that
 * no rule knows and no route file uses is a problem too: a misspelt key would otherwise be silently ignored.
 */
public final class SettingRules {

    private static final List<String> OWN_PREFIXES = List.of("gateway.", "hq.");

    private final List<SettingRule> rules;
    private final List<SettingsRelation> relations;

    public SettingRules(List<SettingRule> rules, List<SettingsRelation> relations) {
        this.rules = List.copyOf(rules);
        this.relations = List.copyOf(relations);
    }

    public List<SettingRule> rules() {
        return rules;
    }

    /** Whether some rule covers this key. */
    public boolean knows(String key) {
        return rules.stream().anyMatch(r -> r.covers(key));
    }

    /** @param usedByRoutes the keys the route files use as placeholders (a route of IT's own may add keys) */
    public List<SettingProblem> problems(GatewaySettings s, Set<String> usedByRoutes) {
        List<SettingProblem> found = new ArrayList<>();
        Set<String> keys = new TreeSet<>(s.keys());
        for (SettingRule rule : rules) {
            if (!rule.isFamily()) {
                keys.add(rule.key());
            }
        }
        for (String key : keys) {
            if (OWN_PREFIXES.stream().noneMatch(key::startsWith) && rules.stream().noneMatch(r -> r.covers(key))) {
                continue; // camel.* and others: Camel's own, checked by Camel
            }
            SettingRule rule = rules.stream().filter(r -> r.covers(key)).findFirst().orElse(null);
            if (rule == null && !usedByRoutes.contains(key)) {
                found.add(new SettingProblem(s.whereSet(key), key, "unknown setting (misspelt? see the configuration reference)"));
                continue;
            }
            if (rule == null) {
                continue;
            }
            String problem = rule.problemWith(s.get(key, null));
            if (problem != null) {
                found.add(new SettingProblem(s.whereSet(key), key, problem));
            }
        }
        if (found.isEmpty()) {
            for (SettingsRelation r : relations) {
                if (!r.holds().test(s)) {
                    found.add(new SettingProblem(s.whereSet(r.key()), r.key(), r.message()));
                }
            }
        }
        return found;
    }

    /** Stops the start with every problem, one a line, when there is any. */
    public void requireValid(GatewaySettings s, Set<String> usedByRoutes) {
        List<SettingProblem> found = problems(s, usedByRoutes);
        if (!found.isEmpty()) {
            StringBuilder m = new StringBuilder(found.size() == 1 ? "a setting is wrong:" : found.size() + " settings are wrong:");
            found.forEach(p -> m.append("\n  ").append(p));
            throw new IllegalStateException(m.toString());
        }
    }
}
