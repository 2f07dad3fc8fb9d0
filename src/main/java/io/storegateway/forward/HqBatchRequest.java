package io.storegateway.forward;

import io.storegateway.broker.UpdateMessages.QueuedUpdate;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.util.List;

/**
 * Turns a batch into HQ's request (docs/HQ-PROTOCOL.md): {@code {"updates":[…]}} with the Idempotency-Key and
 * the HQ token. Every other header is dropped first so nothing internal leaks to HQ.
 */
public final class HqBatchRequest {

    /** gzip the request body (Content-Encoding: gzip), for thin store links; HQ must accept it. */
    public static final String GZIP = "gateway.hq.gzip";

    private final String hqToken;
    private final boolean gzip;

    public HqBatchRequest(String hqToken) {
        this(hqToken, false);
    }

    public HqBatchRequest(String hqToken, boolean gzip) {
        this.hqToken = hqToken;
        this.gzip = gzip;
    }

    public void prepare(Exchange exchange) {
        Batch batch = exchange.getProperty(OutboundBatches.BATCH, Batch.class);
        fill(exchange.getMessage(), batch.updates(), batch.id());
    }

    /** Fills a message with the request for these updates (also used for the parts of a refused batch). */
    void fill(Message m, List<QueuedUpdate> updates, String idempotencyKey) {
        ObjectNode body = UpdateJson.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("updates");
        for (QueuedUpdate u : updates) {
            list.add(UpdateJson.toJson(u.update()));
        }
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_METHOD, "POST");
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setHeader("Idempotency-Key", idempotencyKey);
        if (gzip) {
            // camel-http compresses the body itself when this header says gzip
            m.setHeader(Exchange.CONTENT_ENCODING, "gzip");
        }
        if (!hqToken.isEmpty()) {
            m.setHeader("Authorization", "Bearer " + hqToken);
        }
        m.setBody(body.toString());
    }
}
