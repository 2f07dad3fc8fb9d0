package io.storegateway.ingest;

import io.storegateway.update.InventoryUpdate;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What {@link UpdateValidator} made of a body: the updates in input order, or the errors.
 *
 * @param outcome whether the body is accepted, invalid (HTTP 400) or holds too many updates (HTTP 413)
 * @param array   whether the body was a JSON array (false for a single object, or when unknown)
 * @param updates the parsed updates when {@link Outcome#VALID}, else empty
 * @param errors  the problems when not valid (one describing the count for {@link Outcome#TOO_MANY}), else empty
 */
public record ValidationResult(Outcome outcome, boolean array, List<InventoryUpdate> updates, List<FieldError> errors) {

    public enum Outcome {
        VALID,
        INVALID,
        TOO_MANY
    }

    /** How many errors {@link #summary()} spells out before it only counts the rest. */
    private static final int SUMMARY_ERRORS = 10;

    public ValidationResult {
        updates = List.copyOf(updates);
        errors = List.copyOf(errors);
    }

    static ValidationResult valid(List<InventoryUpdate> updates, boolean array) {
        return new ValidationResult(Outcome.VALID, array, updates, List.of());
    }

    static ValidationResult invalid(List<FieldError> errors, boolean array) {
        return new ValidationResult(Outcome.INVALID, array, List.of(), errors);
    }

    /** Counting stops at the first update over the limit, so the answer does not say how many there were. */
    static ValidationResult tooMany() {
        return new ValidationResult(Outcome.TOO_MANY, true, List.of(), List.of(FieldError.body(
                "body holds more than " + UpdateValidator.MAX_BATCH + " updates; at most " + UpdateValidator.MAX_BATCH
                        + " are allowed")));
    }

    public boolean isValid() {
        return outcome == Outcome.VALID;
    }

    public boolean isTooMany() {
        return outcome == Outcome.TOO_MANY;
    }

    /** One line naming the first errors, e.g. for the {@code error} property of an invalid JMS message. */
    public String summary() {
        if (errors.isEmpty()) {
            return "";
        }
        String first = errors.stream().limit(SUMMARY_ERRORS).map(FieldError::toString)
                .collect(Collectors.joining("; "));
        int rest = errors.size() - SUMMARY_ERRORS;
        return rest > 0 ? first + "; and " + rest + " more" : first;
    }
}
