package io.storegateway.mirror;

import io.storegateway.hq.ProductRecord;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON of the mirror's read side (docs/HTTP-API.md and docs/JMS.md). */
public final class ProductJson {

    private ProductJson() {
    }

    public static ObjectNode toJson(ProductView v) {
        ObjectNode n = UpdateJson.MAPPER.createObjectNode();
        n.put("sku", v.sku());
        n.put("name", v.name());
        n.put("price", v.price());
        n.put("quantity", v.quantity());
        if (v.version() == null) {
            n.putNull("version");
        } else {
            n.put("version", v.version());
        }
        if (v.deleted()) {
            n.put("deleted", true);
        }
        n.put("syncState", v.syncState().name());
        n.put("pending", v.pending());
        if (v.hq() == null) {
            n.putNull("hq");
        } else {
            ProductRecord hq = v.hq();
            ObjectNode h = n.putObject("hq");
            h.put("name", hq.name());
            h.put("price", hq.price());
            h.put("quantity", hq.quantity());
            h.put("version", hq.version());
            h.put("updatedAt", hq.updatedAt() == null ? null : hq.updatedAt().toString());
            if (hq.deleted()) {
                h.put("deleted", true);
            }
        }
        return n;
    }

    public static ObjectNode toJson(UpdateRow row) {
        ObjectNode n = UpdateJson.MAPPER.createObjectNode();
        n.put("updateId", row.updateId());
        n.put("sku", row.sku());
        n.put("type", row.type().name());
        n.put("status", row.status().name());
        if (row.reason() != null) {
            n.put("reason", row.reason());
        }
        if (row.hqVersion() != null) {
            n.put("hqVersion", row.hqVersion());
        }
        n.put("receivedAt", row.receivedAt().toString());
        n.put("channel", row.channel());
        return n;
    }
}
