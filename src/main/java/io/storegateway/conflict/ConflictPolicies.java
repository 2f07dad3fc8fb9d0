package io.storegateway.conflict;

import io.storegateway.config.GatewaySettings;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateType;

import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Which policy settles a conflict (config/): {@code gateway.conflict.policy} for all,
 * {@code gateway.conflict.policy.<TYPE>} per update type, and {@code gateway.conflict.policy.sku.<prefix>}
 * per SKU prefix; the longest matching prefix wins over the type, the type over the default.
 */
public final class ConflictPolicies {

    public static final String DEFAULT_KEY = "gateway.conflict.policy";
    public static final String SKU_PREFIX_KEY = DEFAULT_KEY + ".sku.";

    private final ConflictPolicy fallback;
    private final Map<UpdateType, ConflictPolicy> byType;
    private final Map<String, ConflictPolicy> bySkuPrefix;

    ConflictPolicies(ConflictPolicy fallback, Map<UpdateType, ConflictPolicy> byType, Map<String, ConflictPolicy> bySkuPrefix) {
        this.fallback = fallback;
        this.byType = byType;
        this.bySkuPrefix = bySkuPrefix;
    }

    public static ConflictPolicies from(GatewaySettings s) {
        Properties p = s.asProperties();
        ConflictPolicy fallback = parse(DEFAULT_KEY, s.get(DEFAULT_KEY, ConflictPolicy.LAST_WRITE_WINS.name()));
        Map<UpdateType, ConflictPolicy> byType = new EnumMap<>(UpdateType.class);
        Map<String, ConflictPolicy> bySku = new LinkedHashMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith(SKU_PREFIX_KEY)) {
                bySku.put(key.substring(SKU_PREFIX_KEY.length()), parse(key, p.getProperty(key)));
            } else if (key.startsWith(DEFAULT_KEY + ".")) {
                String type = key.substring(DEFAULT_KEY.length() + 1);
                try {
                    byType.put(UpdateType.valueOf(type), parse(key, p.getProperty(key)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException(key + ": '" + type + "' is not an update type");
                }
            }
        }
        Map<String, ConflictPolicy> longestFirst = new LinkedHashMap<>();
        bySku.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed())
                .forEach(k -> longestFirst.put(k, bySku.get(k)));
        return new ConflictPolicies(fallback, byType, longestFirst);
    }

    public ConflictPolicy policyFor(InventoryUpdate u) {
        for (Map.Entry<String, ConflictPolicy> e : bySkuPrefix.entrySet()) {
            if (u.sku().startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return byType.getOrDefault(u.type(), fallback);
    }

    private static ConflictPolicy parse(String key, String value) {
        try {
            return ConflictPolicy.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(key + " must be LAST_WRITE_WINS, HQ_WINS, STORE_WINS or MANUAL, not '" + value + "'");
        }
    }
}
