package io.storegateway.hq;

import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.time.Instant;

/** JSON form of the HQ protocol's records and results, shared by the client and the simulator. */
public final class HqJson {

    private HqJson() {
    }

    public static ObjectNode toJson(ProductRecord r) {
        ObjectNode n = UpdateJson.MAPPER.createObjectNode();
        n.put("sku", r.sku());
        n.put("name", r.name());
        n.put("price", r.price());
        n.put("quantity", r.quantity());
        n.put("version", r.version());
        n.put("updatedAt", r.updatedAt() == null ? null : r.updatedAt().toString());
        n.put("deleted", r.deleted());
        return n;
    }

    public static ProductRecord recordFromJson(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        return new ProductRecord(
                n.path("sku").asText(),
                n.hasNonNull("name") ? n.get("name").asText() : null,
                n.hasNonNull("price") ? new BigDecimal(n.get("price").asText()) : null,
                n.path("quantity").asLong(),
                n.path("version").asLong(),
                n.hasNonNull("updatedAt") ? Instant.parse(n.get("updatedAt").asText()) : null,
                n.path("deleted").asBoolean(false));
    }

    public static ObjectNode toJson(UpdateResult r) {
        ObjectNode n = UpdateJson.MAPPER.createObjectNode();
        n.put("updateId", r.updateId());
        n.put("status", r.status().name());
        if (r.reason() != null) n.put("reason", r.reason());
        if (r.record() != null) n.set("record", toJson(r.record()));
        return n;
    }

    public static UpdateResult resultFromJson(JsonNode n) {
        return new UpdateResult(
                n.path("updateId").asText(),
                UpdateResult.Status.valueOf(n.path("status").asText()),
                n.hasNonNull("reason") ? n.get("reason").asText() : null,
                recordFromJson(n.get("record")));
    }
}
