package io.storegateway.hq.simulator;

import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** One request to the simulator: decoded path and query, the body read in full, JSON answers. */
final class SimExchange {

    private final HttpExchange exchange;
    private List<String> pathSegments;
    private byte[] body;

    SimExchange(HttpExchange exchange) {
        this.exchange = exchange;
    }

    String method() {
        return exchange.getRequestMethod();
    }

    String path() {
        return exchange.getRequestURI().getPath();
    }

    /**
     * Decoded one by one, so an encoded '/' inside a sku stays part of that sku.
     *
     * @throws IllegalArgumentException for a broken percent-encoding
     */
    List<String> pathSegments() {
        if (pathSegments == null) {
            pathSegments = segments(exchange.getRequestURI().getRawPath());
        }
        return pathSegments;
    }

    String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    /** The request headers, names in lower case, first value of each. */
    Map<String, String> headers() {
        Map<String, String> all = new TreeMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> all.put(k.toLowerCase(Locale.ROOT), v.isEmpty() ? "" : v.get(0)));
        return all;
    }

    /**
     * The decoded value of a query parameter, or null when absent.
     *
     * @throws IllegalArgumentException for a broken percent-encoding
     */
    String query(String name) {
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null) {
            return null;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = decodeForm(eq < 0 ? pair : pair.substring(0, eq));
            if (key.equals(name)) {
                return eq < 0 ? "" : decodeForm(pair.substring(eq + 1));
            }
        }
        return null;
    }

    /** The request body, inflated when it came with {@code Content-Encoding: gzip} (the gateway's option for thin links). */
    byte[] body() throws IOException {
        if (body == null) {
            byte[] raw = exchange.getRequestBody().readAllBytes();
            String encoding = header("Content-Encoding");
            if (encoding != null && encoding.trim().equalsIgnoreCase("gzip") && raw.length > 0) {
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                    raw = in.readAllBytes();
                } catch (ZipException e) {
                    body = new byte[0];
                    throw new IllegalArgumentException("body says Content-Encoding: gzip but is not gzip: " + e.getMessage());
                }
            }
            body = raw;
        }
        return body;
    }

    void reply(int status, JsonNode json) throws IOException {
        body(); // an unread body would spoil the keep-alive connection
        byte[] bytes = UpdateJson.MAPPER.writeValueAsBytes(json);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        } finally {
            exchange.close();
        }
    }

    void fail(int status, String error, String message) throws IOException {
        ObjectNode n = UpdateJson.MAPPER.createObjectNode();
        n.put("error", error);
        n.put("message", message);
        reply(status, n);
    }

    void setHeader(String name, String value) {
        exchange.getResponseHeaders().set(name, value);
    }

    /**
     * Ends the exchange without a single byte of answer. With no response headers sent, the JDK
     * server closes the socket itself, so the client sees the connection drop.
     */
    void drop() {
        exchange.close();
    }

    private static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        for (String raw : rawPath.split("/")) {
            if (!raw.isEmpty()) {
                segments.add(decodePathSegment(raw));
            }
        }
        return List.copyOf(segments);
    }

    /** Percent-decoding only: in a path a '+' is a plus, not a space. */
    private static String decodePathSegment(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String decodeForm(String raw) {
        return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    }
}
