package io.storegateway.admin;

import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The update ids and SKUs a set-aside message's body names, for IT to recognise it. The body is
 * invalid by definition, so this reads what it can: a JSON update or array of updates, or else the
 * {@code "updateId": "…"} and {@code "sku": "…"} pairs of a body that is not JSON at all.
 */
record BodyUpdateKeys(String updateIds, String skus) {

    /** More of them are shown as "…": a row is a reminder, the body holds the rest. */
    static final int MAX_SHOWN = 3;

    private static final Pattern UPDATE_ID = field("updateId");
    private static final Pattern SKU = field("sku");

    static BodyUpdateKeys of(String body) {
        if (body == null || body.isBlank()) {
            return new BodyUpdateKeys(null, null);
        }
        Set<String> ids = new LinkedHashSet<>();
        Set<String> skus = new LinkedHashSet<>();
        try {
            JsonNode root = UpdateJson.MAPPER.readTree(body);
            for (JsonNode update : root.isArray() ? root : List.of(root)) {
                textOf(update, "updateId", ids);
                textOf(update, "sku", skus);
            }
        } catch (JsonProcessingException e) {
            found(body, UPDATE_ID, ids);
            found(body, SKU, skus);
        }
        return new BodyUpdateKeys(joined(ids), joined(skus));
    }

    private static void textOf(JsonNode update, String field, Set<String> into) {
        JsonNode value = update.path(field);
        if (value.isTextual() && !value.asText().isBlank()) {
            into.add(value.asText());
        }
    }

    /** {@code "field": "value"}, a value without quotes or escapes in it. */
    private static Pattern field(String name) {
        return Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"\\\\]{1,200})\"");
    }

    private static void found(String body, Pattern field, Set<String> into) {
        Matcher m = field.matcher(body);
        while (m.find()) {
            into.add(m.group(1));
        }
    }

    private static String joined(Set<String> values) {
        if (values.isEmpty()) {
            return null;
        }
        String shown = String.join(", ", values.stream().limit(MAX_SHOWN).toList());
        return values.size() > MAX_SHOWN ? shown + ", …" : shown;
    }
}
