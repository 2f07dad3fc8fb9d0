package io.storegateway.mirror;

import io.storegateway.security.RequireRole;
import io.storegateway.update.UpdateJson;
import io.storegateway.web.ApiErrors;
import io.storegateway.web.HttpReplies;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import java.util.Optional;

/** The read side for terminals (docs/HTTP-API.md and docs/JMS.md), served from the mirror, offline too. */
public final class MirrorApiRoutes extends RouteBuilder {

    private static final int MAX_ID = 64;

    private final RequireRole terminal;
    private final ProductViews products;
    private final AcceptedUpdates updates;

    public MirrorApiRoutes(RequireRole terminal, ProductViews products, AcceptedUpdates updates) {
        this.terminal = terminal;
        this.products = products;
        this.updates = updates;
    }

    @Override
    public void configure() {
        from("platform-http:/api/v1/updates/{updateId}?httpMethodRestrict=GET")
                .routeId("read-update-status")
                .routeConfigurationId(ApiErrors.ID)
                .process(terminal)
                .process(this::updateStatus);

        from("platform-http:/api/v1/products/{sku}?httpMethodRestrict=GET")
                .routeId("read-product")
                .routeConfigurationId(ApiErrors.ID)
                .process(terminal)
                .process(this::product);

        from("platform-http:/api/v1/products?httpMethodRestrict=GET")
                .routeId("read-products")
                .routeConfigurationId(ApiErrors.ID)
                .process(terminal)
                .process(this::productPage);
    }

    private void updateStatus(Exchange exchange) {
        String id = exchange.getMessage().getHeader("updateId", String.class);
        var row = validId(id) ? updates.find(id) : Optional.<UpdateRow>empty();
        if (row.isEmpty()) {
            HttpReplies.error(exchange, 404, "not_found", "no update with that id");
            return;
        }
        HttpReplies.json(exchange, 200, ProductJson.toJson(row.get()));
    }

    private void product(Exchange exchange) {
        String sku = exchange.getMessage().getHeader("sku", String.class);
        var view = validId(sku) ? products.find(sku) : Optional.<ProductView>empty();
        if (view.isEmpty()) {
            HttpReplies.error(exchange, 404, "not_found", "neither the store nor HQ knows that SKU");
            return;
        }
        HttpReplies.json(exchange, 200, ProductJson.toJson(view.get()));
    }

    private void productPage(Exchange exchange) {
        String after = exchange.getMessage().getHeader("after", String.class);
        String limitText = exchange.getMessage().getHeader("limit", String.class);
        int limit = 100;
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > ProductViews.MAX_PAGE) {
                HttpReplies.error(exchange, 400, "bad_request", "limit must be a whole number from 1 to " + ProductViews.MAX_PAGE);
                return;
            }
        }
        if (after != null && !validId(after)) {
            HttpReplies.error(exchange, 400, "bad_request", "after must be a SKU");
            return;
        }
        ProductViews.Page page = products.page(after, limit);
        ObjectNode body = UpdateJson.MAPPER.createObjectNode();
        ArrayNode items = body.putArray("items");
        page.items().forEach(v -> items.add(ProductJson.toJson(v)));
        body.put("next", page.next());
        HttpReplies.json(exchange, 200, body);
    }

    /** Ids and SKUs are short and plain; anything else cannot exist, so it is simply not found. */
    static boolean validId(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_ID) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-' || c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
