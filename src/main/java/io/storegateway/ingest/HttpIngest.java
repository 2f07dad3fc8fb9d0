package io.storegateway.ingest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateJson;
import io.storegateway.web.HttpReplies;
import jakarta.jms.JMSRuntimeException;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** {@code POST /api/v1/updates} (README, Terminals): 202 only once every update in the body is on disk. */
public final class HttpIngest implements Processor {

    public static final int MAX_BODY_BYTES = 1024 * 1024;
    /** Seconds a terminal should wait before retrying when the gateway cannot store more. */
    static final String RETRY_AFTER_SECONDS = "5";

    private static final Logger LOG = LoggerFactory.getLogger(HttpIngest.class);

    private final UpdateValidator validator;
    private final UpdateIntake intake;

    public HttpIngest(UpdateValidator validator, UpdateIntake intake) {
        this.validator = validator;
        this.intake = intake;
    }

    @Override
    public void process(Exchange exchange) {
        String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        if (!isJsonInUtf8(contentType)) {
            rejected("media_type");
            HttpReplies.error(exchange, 415, "unsupported_media_type", "Content-Type must be application/json (UTF-8)");
            return;
        }
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body == null || body.length == 0) {
            rejected("validation");
            HttpReplies.error(exchange, 400, "validation_failed", "the body is empty");
            return;
        }
        if (body.length > MAX_BODY_BYTES) {
            rejected("too_large");
            HttpReplies.error(exchange, 413, "payload_too_large", "the body is over 1 MiB");
            return;
        }
        ValidationResult result = validator.validate(body);
        if (result.isTooMany()) {
            rejected("too_large");
            HttpReplies.error(exchange, 413, "payload_too_large", result.summary());
            return;
        }
        if (!result.isValid()) {
            rejected("validation");
            HttpReplies.json(exchange, 400, validationFailed(result.errors()));
            return;
        }
        List<InventoryUpdate> updates = result.updates().stream()
                .map(u -> u.updateId() == null ? u.withUpdateId(UUID.randomUUID().toString()) : u)
                .toList();
        List<Receipt> receipts;
        try {
            receipts = intake.accept(updates, UpdateIntake.CHANNEL_HTTP);
        } catch (UpdateIntake.StorageFullException | JMSRuntimeException e) {
            if (e instanceof UpdateIntake.StorageFullException) {
                LOG.debug("Refused {} update(s): {}", updates.size(), e.getMessage()); // logged once by the floor
            } else {
                LOG.warn("Could not store {} update(s) in the broker: {}", updates.size(), e.getMessage());
            }
            rejected("unavailable");
            HttpReplies.error(exchange, 503, "unavailable", e instanceof UpdateIntake.StorageFullException
                    ? "the gateway cannot store updates right now (" + e.getMessage() + "); retry later"
                    : "the gateway cannot store updates right now; retry later");
            exchange.getMessage().setHeader("Retry-After", RETRY_AFTER_SECONDS);
            return;
        }
        HttpReplies.json(exchange, 202, accepted(receipts));
    }

    /**
     * {@code application/json}, with no charset or UTF-8, the only encoding JSON may travel in
     * (RFC 8259). Not a prefix match: {@code application/json-patch+json} is another format.
     */
    static boolean isJsonInUtf8(String contentType) {
        if (contentType == null) {
            return false;
        }
        String[] parts = contentType.split(";");
        if (!parts[0].trim().equalsIgnoreCase("application/json")) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].split("=", 2);
            if (param[0].trim().equalsIgnoreCase("charset")) {
                String charset = param.length < 2 ? "" : param[1].trim().replace("\"", "").toLowerCase(Locale.ROOT);
                if (!charset.equals("utf-8") && !charset.equals("utf8")) {
                    return false;
                }
            }
        }
        return true;
    }

    private void rejected(String reason) {
        intake.stats().rejected(UpdateIntake.CHANNEL_HTTP, reason);
    }

    static ObjectNode accepted(List<Receipt> receipts) {
        ObjectNode body = UpdateJson.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("accepted");
        for (Receipt r : receipts) {
            list.addObject().put("updateId", r.updateId()).put("status", r.status().name());
        }
        return body;
    }

    static ObjectNode validationFailed(List<FieldError> errors) {
        ObjectNode body = HttpReplies.error("validation_failed", errors.size() == 1 && errors.get(0).field() == null
                ? errors.get(0).message() : errors.size() + " problem(s) in the update(s)");
        ArrayNode details = body.putArray("details");
        for (FieldError e : errors) {
            ObjectNode d = details.addObject();
            d.put("index", Math.max(e.index(), 0));
            if (e.field() != null) {
                d.put("field", e.field());
            } else {
                d.putNull("field");
            }
            d.put("message", e.message());
        }
        return body;
    }
}
