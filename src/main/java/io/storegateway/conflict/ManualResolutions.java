package io.storegateway.conflict;

import io.storegateway.hq.ProductRecord;
import io.storegateway.ingest.Receipt;
import io.storegateway.ingest.UpdateIntake;
import io.storegateway.ingest.UpdateValidator;
import io.storegateway.ingest.ValidationResult;
import io.storegateway.mirror.ConflictRecords;
import io.storegateway.mirror.ConflictRecords.Conflict;
import io.storegateway.mirror.ProductViews;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * A person's decision on a parked conflict (POST /admin/v1/conflicts/{id}/resolve). HQ: HQ's record
 * stands. LOCAL: the store's change goes to HQ again as a new update based on HQ's current version.
 * CUSTOM: the record given goes to HQ as a new UPSERT_PRODUCT based on HQ's current version. New
 * updates take the normal path (validated, queued durably, forwarded), so nothing here talks to HQ.
 */
public final class ManualResolutions {

    private static final Logger LOG = LoggerFactory.getLogger(ManualResolutions.class);

    public enum Choice { LOCAL, HQ, CUSTOM }

    public record Outcome(int status, ObjectNode body) {
    }

    private final ConflictRecords conflicts;
    private final ProductViews products;
    private final UpdateIntake intake;
    private final UpdateValidator validator;
    private final Clock clock;

    public ManualResolutions(ConflictRecords conflicts, ProductViews products, UpdateIntake intake,
                             UpdateValidator validator, Clock clock) {
        this.conflicts = conflicts;
        this.products = products;
        this.intake = intake;
        this.validator = validator;
        this.clock = clock;
    }

    public Outcome resolve(long id, JsonNode request) {
        Optional<Conflict> found = conflicts.find(id);
        if (found.isEmpty()) {
            return error(404, "not_found", "no conflict with that id");
        }
        Conflict conflict = found.get();
        if (!ConflictRecords.OPEN.equals(conflict.status())) {
            return error(409, "already_resolved", "this conflict was resolved: " + conflict.resolution());
        }
        Choice choice;
        try {
            choice = Choice.valueOf(request.path("choose").asText(""));
        } catch (IllegalArgumentException e) {
            return error(400, "validation_failed", "choose must be LOCAL, HQ or CUSTOM");
        }
        long hqVersion = products.find(conflict.sku()).map(v -> v.hq() == null ? conflict.hq().version() : v.hq().version())
                .orElse(conflict.hq().version());
        String newId = null;
        if (choice != Choice.HQ) {
            ObjectNode update = choice == Choice.LOCAL ? localAgain(conflict, hqVersion) : custom(conflict, request.path("record"), hqVersion);
            update.put("updateId", resolutionId(conflict));
            ValidationResult v = validator.validate(update.toString());
            if (!v.isValid()) {
                return error(400, "validation_failed", "the chosen record is not a valid update: " + v.summary());
            }
            List<Receipt> receipts = intake.accept(v.updates(), "ADMIN");
            newId = receipts.get(0).updateId();
        }
        String resolution = switch (choice) {
            case HQ -> "HQ's record kept";
            case LOCAL -> "the store's change sent again as " + newId;
            case CUSTOM -> "a custom record sent as " + newId;
        };
        if (!conflicts.resolve(id, resolution, clock.instant())) {
            return error(409, "already_resolved", "this conflict was resolved meanwhile");
        }
        LOG.atInfo().addKeyValue("event", "conflict-resolved").addKeyValue("updateId", conflict.local().updateId())
                .addKeyValue("sku", conflict.sku())
                .log("Conflict {} on sku {} resolved by IT: {}", id, conflict.sku(), resolution);
        ObjectNode body = UpdateJson.MAPPER.createObjectNode();
        body.put("id", id);
        body.put("status", ConflictRecords.RESOLVED);
        body.put("choose", choice.name());
        body.put("resolution", resolution);
        if (newId != null) {
            body.put("updateId", newId);
        }
        return new Outcome(200, body);
    }

    private static ObjectNode localAgain(Conflict conflict, long hqVersion) {
        ObjectNode u = UpdateJson.toJson(conflict.local());
        u.remove("force");
        u.put("baseVersion", hqVersion);
        u.put("occurredAt", conflict.local().occurredAt().toString());
        return u;
    }

    private ObjectNode custom(Conflict conflict, JsonNode record, long hqVersion) {
        ProductRecord hq = conflict.hq();
        ObjectNode u = UpdateJson.MAPPER.createObjectNode();
        u.put("terminalId", "admin");
        u.put("type", "UPSERT_PRODUCT");
        u.put("sku", conflict.sku());
        u.set("name", record.has("name") ? record.get("name") : UpdateJson.MAPPER.getNodeFactory().textNode(hq.name()));
        u.set("price", record.has("price") ? record.get("price") : UpdateJson.MAPPER.getNodeFactory().numberNode(hq.price()));
        u.set("quantity", record.has("quantity") ? record.get("quantity") : UpdateJson.MAPPER.getNodeFactory().numberNode(hq.quantity()));
        u.put("occurredAt", clock.instant().toString());
        u.put("baseVersion", hqVersion);
        return u;
    }

    /** A new, valid update id derived from the conflict, the same if the request is repeated. */
    private static String resolutionId(Conflict conflict) {
        String id = "resolved-" + conflict.id() + "-" + conflict.updateId();
        return id.length() <= 64 ? id : id.substring(0, 64);
    }

    private static Outcome error(int status, String code, String message) {
        ObjectNode body = UpdateJson.MAPPER.createObjectNode();
        body.put("error", code);
        body.put("message", message);
        return new Outcome(status, body);
    }

}
