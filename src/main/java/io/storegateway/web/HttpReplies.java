package io.storegateway.web;

import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Writes HTTP answers. Request headers are dropped first: platform-http would otherwise echo them
 * back as response headers, the bearer token among them.
 */
public final class HttpReplies {

    private HttpReplies() {
    }

    public static void json(Exchange exchange, int status, JsonNode body) {
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setBody(body.toString());
    }

    /** The contract's error body: {@code {"error":"code","message":"…"}}. */
    public static ObjectNode error(String code, String message) {
        ObjectNode n = UpdateJson.MAPPER.createObjectNode();
        n.put("error", code);
        n.put("message", message);
        return n;
    }

    public static void error(Exchange exchange, int status, String code, String message) {
        json(exchange, status, error(code, message));
    }

    /** Answers with an error and stops the route there. */
    public static void fail(Exchange exchange, int status, String code, String message) {
        error(exchange, status, code, message);
        exchange.setRouteStop(true);
    }
}
