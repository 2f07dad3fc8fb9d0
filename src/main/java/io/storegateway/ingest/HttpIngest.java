package io.storegateway.ingest;

import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateJson;
import io.storegateway.web.HttpReplies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.jms.JMSRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /api/v1/updates} (docs/HTTP-API.md and docs/JMS.md): 202 only once every update in the body is on disk.
 * Free of any HTTP framework: {@link HttpIngestHandler} serves it.
 */
public final class HttpIngest {

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

    /** An answer to write: its status, its JSON body and, if any, one header. */
    public record Reply(int status, JsonNode body, String header, String headerValue) {
        static Reply of(int status, JsonNode body) {
            return new Reply(status, body, null, null);
        }

        static Reply error(int status, String code, String message) {
            return of(status, HttpReplies.error(code, message));
        }
    }

    /**
     * Checks the body and hands its updates to the intake; the reply is complete once they are on
     * disk (202), or at once for a body that is refused (4xx). Fails, for a 500, only on the unexpected.
     */
    public CompletableFuture<Reply> post(String contentType, byte[] body) {
        if (!isJsonInUtf8(contentType)) {
            rejected("media_type");
            return done(Reply.error(415, "unsupported_media_type", "Content-Type must be application/json (UTF-8)"));
        }
        if (body == null || body.length == 0) {
            rejected("validation");
            return done(Reply.error(400, "validation_failed", "the body is empty"));
        }
        if (body.length > MAX_BODY_BYTES) {
            rejected("too_large");
            return done(Reply.error(413, "payload_too_large", "the body is over 1 MiB"));
        }
        ValidationResult result = validator.validate(body);
        if (result.isTooMany()) {
            rejected("too_large");
            return done(Reply.error(413, "payload_too_large", result.summary()));
        }
        if (!result.isValid()) {
            rejected("validation");
            return done(Reply.of(400, validationFailed(result.errors())));
        }
        List<InventoryUpdate> updates = new ArrayList<>(result.updates().size());
        for (InventoryUpdate u : result.updates()) {
            updates.add(u.updateId() == null ? u.withUpdateId(UUID.randomUUID().toString()) : u);
        }
        return intake.acceptLater(updates, UpdateIntake.CHANNEL_HTTP).handle((receipts, failure) -> {
            if (failure == null) {
                return Reply.of(202, accepted(receipts));
            }
            Throwable e = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
            if (e instanceof UpdateIntake.StorageFullException) {
                LOG.debug("Refused {} update(s): {}", updates.size(), e.getMessage()); // logged once by the floor
            } else if (e instanceof JMSRuntimeException) {
                LOG.atWarn().addKeyValue("event", "store-failed")
                        .log("Could not store {} update(s) in the broker: {}", updates.size(), e.getMessage());
            } else {
                throw e instanceof RuntimeException re ? re : new CompletionException(e);
            }
            rejected("unavailable");
            return new Reply(503, HttpReplies.error("unavailable", e instanceof UpdateIntake.StorageFullException
                    ? "the gateway cannot store updates right now (" + e.getMessage() + "); retry later"
                    : "the gateway cannot store updates right now; retry later"), "Retry-After", RETRY_AFTER_SECONDS);
        });
    }

    private static CompletableFuture<Reply> done(Reply reply) {
        return CompletableFuture.completedFuture(reply);
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
