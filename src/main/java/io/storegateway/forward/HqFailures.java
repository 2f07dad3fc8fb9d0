package io.storegateway.forward;

import io.storegateway.update.UpdateJson;

import org.apache.camel.http.base.HttpOperationFailedException;

import java.io.IOException;

/**
 * What an HQ call's failure means (docs/HQ-PROTOCOL.md): HQ refused the gateway (401/403: stop and alert),
 * HQ refused the batch (400/422: find the update at fault), or anything else, which is transient
 * (5xx, time-outs, connection errors, an answer we could not read): retry for as long as it takes.
 */
public final class HqFailures {

    public enum Kind { TRANSIENT, ACCESS_DENIED, BATCH_REFUSED }

    private HqFailures() {
    }

    public static Kind classify(Throwable t) {
        HttpOperationFailedException http = find(t);
        if (http == null) {
            return Kind.TRANSIENT;
        }
        int status = http.getStatusCode();
        if (status == 401 || status == 403) {
            return Kind.ACCESS_DENIED;
        }
        if (status == 400 || status == 422) {
            return Kind.BATCH_REFUSED;
        }
        return Kind.TRANSIENT;
    }

    /** Only transient failures say anything about HQ's health, so only they count for the breaker. */
    public static boolean countsAgainstHq(Throwable t) {
        return classify(t) == Kind.TRANSIENT;
    }

    static HttpOperationFailedException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof HttpOperationFailedException h) {
                return h;
            }
        }
        return null;
    }

    /** HQ's explanation from an error answer: its JSON {@code message}, or the raw body, kept short. */
    static String reasonOf(Throwable t) {
        HttpOperationFailedException http = find(t);
        if (http == null) {
            return t == null ? "unknown failure" : t.getClass().getSimpleName() + ": " + t.getMessage();
        }
        String body = http.getResponseBody();
        String message = null;
        if (body != null && !body.isBlank()) {
            try {
                var node = UpdateJson.MAPPER.readTree(body);
                message = node.path("message").asText(null);
            } catch (IOException notJson) {
                message = body;
            }
        }
        String reason = "HQ answered " + http.getStatusCode() + (message == null ? "" : ": " + message);
        return reason.length() > 500 ? reason.substring(0, 500) : reason;
    }
}
