package io.storegateway.conflict;

import io.storegateway.hq.HqJson;
import io.storegateway.mirror.ConflictRecords;
import io.storegateway.security.RequireRole;
import io.storegateway.update.UpdateJson;
import io.storegateway.web.ApiErrors;
import io.storegateway.web.HttpReplies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import java.io.IOException;

/** {@code GET /admin/v1/conflicts} and {@code POST /admin/v1/conflicts/{id}/resolve} (docs/OPERATING.md, IT staff). */
public final class ConflictApiRoutes extends RouteBuilder {

    private final RequireRole admin;
    private final ConflictRecords conflicts;
    private final ManualResolutions resolutions;

    public ConflictApiRoutes(RequireRole admin, ConflictRecords conflicts, ManualResolutions resolutions) {
        this.admin = admin;
        this.conflicts = conflicts;
        this.resolutions = resolutions;
    }

    @Override
    public void configure() {
        from("platform-http:/admin/v1/conflicts?httpMethodRestrict=GET")
                .routeId("admin-conflicts")
                .routeConfigurationId(ApiErrors.ID)
                .process(admin)
                .process(this::list);

        from("platform-http:/admin/v1/conflicts/{id}/resolve?httpMethodRestrict=POST")
                .routeId("admin-resolve-conflict")
                .routeConfigurationId(ApiErrors.ID)
                .process(admin)
                .process(this::resolve);
    }

    private void list(Exchange exchange) {
        ObjectNode body = UpdateJson.MAPPER.createObjectNode();
        ArrayNode items = body.putArray("items");
        for (ConflictRecords.Conflict c : conflicts.open()) {
            ObjectNode n = items.addObject();
            n.put("id", c.id());
            n.put("sku", c.sku());
            n.put("updateId", c.updateId());
            n.set("local", UpdateJson.toJson(c.local()));
            n.set("hq", HqJson.toJson(c.hq()));
            n.put("createdAt", c.createdAt().toString());
        }
        HttpReplies.json(exchange, 200, body);
    }

    private void resolve(Exchange exchange) {
        long id;
        try {
            id = Long.parseLong(exchange.getMessage().getHeader("id", String.class));
        } catch (NumberFormatException e) {
            HttpReplies.error(exchange, 404, "not_found", "no conflict with that id");
            return;
        }
        JsonNode request;
        try {
            String text = exchange.getMessage().getBody(String.class);
            request = UpdateJson.MAPPER.readTree(text == null || text.isBlank() ? "{}" : text);
        } catch (IOException | NumberFormatException | ArithmeticException e) {
            // (a number JSON allows but a BigDecimal cannot hold is not an IOException)
            HttpReplies.error(exchange, 400, "validation_failed", "the body must be JSON: choose LOCAL, HQ or CUSTOM, and a record for CUSTOM");
            return;
        }
        ManualResolutions.Outcome outcome = resolutions.resolve(id, request);
        HttpReplies.json(exchange, outcome.status(), outcome.body());
    }
}
