package io.storegateway.update;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;

/** The one JSON mapper of the gateway, and the wire form of {@link InventoryUpdate}. */
public final class UpdateJson {

    /** Decimals stay exact (prices), duplicate keys are an error, not a silent overwrite. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    private UpdateJson() {
    }

    public static ObjectNode toJson(InventoryUpdate u) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("updateId", u.updateId());
        n.put("terminalId", u.terminalId());
        n.put("type", u.type().name());
        n.put("sku", u.sku());
        if (u.name() != null) n.put("name", u.name());
        if (u.price() != null) n.put("price", u.price());
        if (u.quantity() != null) n.put("quantity", u.quantity());
        if (u.delta() != null) n.put("delta", u.delta());
        n.put("occurredAt", u.occurredAt().toString());
        if (u.baseVersion() != null) n.put("baseVersion", u.baseVersion());
        if (u.force()) n.put("force", true);
        return n;
    }

    public static String toJsonString(InventoryUpdate u) {
        return toJson(u).toString();
    }

    /** Reads an update the gateway itself wrote (already validated); not for terminal input. */
    public static InventoryUpdate fromTrustedJson(String json) {
        try {
            return fromTrustedJson(MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("stored update is not JSON", e);
        }
    }

    public static InventoryUpdate fromTrustedJson(JsonNode n) {
        return new InventoryUpdate(
                text(n, "updateId"),
                text(n, "terminalId"),
                UpdateType.valueOf(n.get("type").asText()),
                text(n, "sku"),
                text(n, "name"),
                n.hasNonNull("price") ? new BigDecimal(n.get("price").asText()) : null,
                n.hasNonNull("quantity") ? n.get("quantity").asLong() : null,
                n.hasNonNull("delta") ? n.get("delta").asLong() : null,
                Instant.parse(n.get("occurredAt").asText()),
                n.hasNonNull("baseVersion") ? n.get("baseVersion").asLong() : null,
                n.path("force").asBoolean(false));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
