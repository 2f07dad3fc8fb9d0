package io.storegateway.ingest;

/**
 * One problem with terminal input, as reported in {@code details} of a 400 answer (docs/HTTP-API.md and docs/JMS.md).
 *
 * @param index   position of the update in the body (0 for a single object), or {@link #WHOLE_BODY}
 *                when the body as a whole is at fault (not JSON, empty array, too many updates)
 * @param field   the field at fault, or null when the problem is not about one field
 * @param message short and human, without the field name (e.g. "is required")
 */
public record FieldError(int index, String field, String message) {

    /** The index of an error that concerns the whole body rather than one update. */
    public static final int WHOLE_BODY = -1;

    static FieldError body(String message) {
        return new FieldError(WHOLE_BODY, null, message);
    }

    /** {@code [2] price: must have at most 2 decimals}, for logs and the JMS {@code error} property. */
    @Override
    public String toString() {
        String where = index == WHOLE_BODY ? "" : "[" + index + "] ";
        return field == null ? where + message : where + field + ": " + message;
    }
}
