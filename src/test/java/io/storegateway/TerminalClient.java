package io.storegateway;

import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/** A terminal talking to the gateway over real HTTP. */
public final class TerminalClient {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String baseUrl;
    private final String token;

    public TerminalClient(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    public Reply post(String json) {
        return post(json, "application/json");
    }

    public Reply post(String json, String contentType) {
        return post("/api/v1/updates", json, contentType);
    }

    /** A JSON body to any path (admin calls such as resolving a conflict). */
    public Reply post(String path, String json, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    public Reply get(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    /** Any method on any path, without a body (admin calls such as a rollback). */
    public Reply call(String method, String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    public JsonNode product(String sku) {
        return get("/api/v1/products/" + sku).json();
    }

    public JsonNode update(String updateId) {
        return get("/api/v1/updates/" + updateId).json();
    }

    private static Reply send(HttpRequest request) {
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r.headers().firstValue("Retry-After").orElse(null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A valid ADJUST_QUANTITY update as JSON. */
    public static String adjust(String updateId, String sku, int delta) {
        return "{\"updateId\":\"" + updateId + "\",\"terminalId\":\"till-1\",\"type\":\"ADJUST_QUANTITY\",\"sku\":\"" + sku
                + "\",\"delta\":" + delta + ",\"occurredAt\":\"" + Instant.now() + "\"}";
    }

    public record Reply(int status, String body, String retryAfter) {
        public JsonNode json() {
            try {
                return UpdateJson.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }
    }
}
