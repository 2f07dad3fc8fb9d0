package io.storegateway.ingest;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TerminalClient.Reply;
import io.storegateway.TestGateway;
import io.storegateway.mirror.AcceptedUpdates;
import io.storegateway.mirror.UpdateStatus;
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
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code POST /api/v1/updates} turns away what docs/HTTP-API.md and docs/JMS.md: the update message and §3 forbid, over real HTTP: the right
 * status, a JSON error body naming the field at fault, nothing stored, and the gateway keeps
 * accepting good updates afterwards.
 */
@ExtendWith(ClosesTestGateways.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpIngestValidationTest {

    private static final String AT = "2026-11-27T10:00:00Z";
    private static final int ONE_MIB = 1024 * 1024;

    private TestGateway t;
    private TerminalClient terminal;
    private final AtomicInteger ids = new AtomicInteger();

    @BeforeAll
    void start() {
        t = TestGateway.started("ingest-validation", 10);
        terminal = t.terminal();
    }

    // --- 400: a broken update, the field at fault named ------------------------------------------------
    // The rules themselves (every required field, JSON type, length, range, character set) are
    // UpdateValidatorTest's; over HTTP one case of each kind proves the answer maps them: 400
    // validation_failed, details naming the index and field, nothing stored, good updates still taken.

    static Stream<Arguments> invalidUpdates() {
        return Stream.of(
                bad("missing sku", """
                        {"terminalId":"till-1","type":"ADJUST_QUANTITY","delta":1,"occurredAt":"2026-11-27T10:00:00Z"}""", "sku"),
                bad("price as a string", """
                        {"terminalId":"till-1","type":"SET_PRICE","sku":"SKU-0001","price":"1.99","occurredAt":"2026-11-27T10:00:00Z"}""", "price"),
                bad("price on ADJUST_QUANTITY", """
                        {"terminalId":"till-1","type":"ADJUST_QUANTITY","sku":"SKU-0001","delta":1,"price":1.00,
                         "occurredAt":"2026-11-27T10:00:00Z"}""", "price"),
                bad("sku with SQL in it", """
                        {"terminalId":"till-1","type":"ADJUST_QUANTITY","sku":"x' OR 1=1","delta":1,"occurredAt":"2026-11-27T10:00:00Z"}""", "sku"),
                bad("unknown field", """
                        {"terminalId":"till-1","type":"ADJUST_QUANTITY","sku":"SKU-0001","delta":1,"colour":"red",
                         "occurredAt":"2026-11-27T10:00:00Z"}""", "colour"),
                bad("force is for the gateway only", """
                        {"terminalId":"till-1","type":"SET_PRICE","sku":"SKU-0001","price":1.00,"force":true,
                         "occurredAt":"2026-11-27T10:00:00Z"}""", "force"));
    }

    @ParameterizedTest(name = "{0} -> 400 naming {1}")
    @MethodSource("invalidUpdates")
    void anUpdateBreakingARuleIsRefusedNamingTheField(String body, String field) {
        Stored before = storedOnceQuiet();

        Reply reply = terminal.post(body);

        assertValidationFailed(reply, "0:" + field);
        assertThat(stored()).as("what the gateway holds after a refused update").isEqualTo(before);
        assertStillAcceptsAGoodUpdate();
    }

    // Which bodies are not JSON, or not the JSON we take, is UpdateValidatorTest's; one of each kind here.
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "{\"terminalId\":",
            "not json",
            "42",
            "[]",
    })
    void aBodyThatIsNotAnUpdateIsRefusedAsAWhole(String body) {
        Stored before = storedOnceQuiet();

        Reply reply = terminal.post(body);

        JsonNode json = assertErrorBody(reply, 400, "validation_failed");
        JsonNode details = json.path("details");
        assertThat(details.isArray()).as("details in %s", reply.body()).isTrue();
        assertThat(details.size()).as("details in %s", reply.body()).isEqualTo(1);
        assertThat(details.get(0).path("index").isInt()).as("index in %s", reply.body()).isTrue();
        assertThat(details.get(0).path("index").asInt()).isZero();
        // Not about one field: the field may be null (or absent), but never a made-up name.
        assertThat(details.get(0).path("field").isNull() || details.get(0).path("field").isMissingNode())
                .as("field in %s", reply.body()).isTrue();
        assertThat(details.get(0).path("message").asText()).isNotBlank();
        assertThat(stored()).isEqualTo(before);
        assertStillAcceptsAGoodUpdate();
    }

    @Test
    void anArrayElementThatIsNotAnObjectIsNamedByItsIndex() {
        String batch = "[" + TerminalClient.adjust(id("elem"), "SKU-0002", 1) + ",\"oops\",42]";

        assertValidationFailed(terminal.post(batch), "1:null", "2:null");
    }

    @Test
    void everyProblemInABodyIsReportedAtItsIndex() {
        String batch = "[" + String.join(",",
                """
                {"terminalId":"till-1","type":"SET_PRICE","sku":"SKU-0003","price":1.234,"occurredAt":"2026-11-27T10:00:00Z"}""",
                TerminalClient.adjust(id("multi"), "SKU-0003", 1),
                """
                {"terminalId":"till-1","type":"ADJUST_QUANTITY","sku":"a/b","delta":0,"occurredAt":"2026-11-27T10:00:00Z"}""")
                + "]";

        assertValidationFailed(terminal.post(batch), "0:price", "2:sku", "2:delta");
    }

    // --- all or nothing ---------------------------------------------------------------------------

    @Test
    void aBatchWithOneInvalidUpdateStoresNoneOfIt() {
        String first = id("batch-first");
        String third = id("batch-third");
        String batch = "[" + String.join(",",
                TerminalClient.adjust(first, "SKU-0004", 2),
                """
                {"updateId":"%s","terminalId":"till-1","type":"ADJUST_QUANTITY","sku":"SKU-0004","delta":0,
                 "occurredAt":"2026-11-27T10:00:00Z"}""".formatted(id("batch-second")),
                TerminalClient.adjust(third, "SKU-0004", 3)) + "]";
        Stored before = storedOnceQuiet();

        Reply reply = terminal.post(batch);

        assertValidationFailed(reply, "1:delta");
        assertThat(stored()).as("what the gateway holds after a refused batch").isEqualTo(before);
        assertUnknown(first);
        assertUnknown(third);
        assertThat(t.hq.product(TestGateway.STORE, "SKU-0004").orElseThrow().quantity()).isEqualTo(100);

        // The same batch with the bad update fixed goes through, in order.
        Reply fixed = terminal.post("[" + TerminalClient.adjust(first, "SKU-0004", 2) + ","
                + TerminalClient.adjust(id("batch-second"), "SKU-0004", 1) + ","
                + TerminalClient.adjust(third, "SKU-0004", 3) + "]");
        assertThat(fixed.status()).as(fixed.body()).isEqualTo(202);
        assertThat(fixed.json().at("/accepted/0/updateId").asText()).isEqualTo(first);
        assertThat(fixed.json().at("/accepted/2/updateId").asText()).isEqualTo(third);
        assertThat(fixed.json().path("accepted").size()).isEqualTo(3);
    }

    // --- 401 ----------------------------------------------------------------------------------------

    static Stream<Arguments> badTokens() {
        return Stream.of(
                Arguments.of(Named.of("no token", null)),
                Arguments.of(Named.of("an unknown token", "not-a-known-token")),
                Arguments.of(Named.of("the terminal token with one character changed",
                        TestGateway.TERMINAL_TOKEN.substring(0, TestGateway.TERMINAL_TOKEN.length() - 1) + "X")));
    }

    @ParameterizedTest(name = "{0} -> 401")
    @MethodSource("badTokens")
    void withoutAKnownTokenNothingIsAccepted(String token) {
        String updateId = id("unauth");
        TerminalClient stranger = new TerminalClient(t.baseUrl(), token);

        Reply reply = stranger.post(TerminalClient.adjust(updateId, "SKU-0005", 1));

        assertErrorBody(reply, 401, null);
        assertThat(reply.json().has("details")).isFalse();
        assertUnknown(updateId);
        assertStillAcceptsAGoodUpdate();
    }

    // --- 413 and 415 ----------------------------------------------------------------------------------

    @Test
    void moreThan500UpdatesIsTooLarge() {
        String firstId = id("too-many");
        String batch = IntStream.range(0, 501)
                .mapToObj(i -> TerminalClient.adjust(i == 0 ? firstId : id("too-many"), "SKU-0006", 1))
                .collect(Collectors.joining(",", "[", "]"));
        Stored before = storedOnceQuiet();

        Reply reply = terminal.post(batch);

        assertErrorBody(reply, 413, null);
        assertThat(stored()).isEqualTo(before);
        assertUnknown(firstId);
        assertStillAcceptsAGoodUpdate();
    }

    @Test
    void exactly500UpdatesAreAccepted() {
        String batch = IntStream.range(0, 500)
                .mapToObj(i -> TerminalClient.adjust(id("five-hundred"), "SKU-0007", 1))
                .collect(Collectors.joining(",", "[", "]"));

        Reply reply = terminal.post(batch);

        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        assertThat(reply.json().path("accepted").size()).isEqualTo(500);
    }

    @ParameterizedTest(name = "a body of {0} bytes -> 413")
    @ValueSource(ints = {ONE_MIB + 1, 3 * ONE_MIB})
    void aBodyOverOneMibIsTooLarge(int size) {
        String updateId = id("big");
        String body = padded(TerminalClient.adjust(updateId, "SKU-0008", 1), size);
        Stored before = storedOnceQuiet();

        Reply reply = terminal.post(body);

        assertErrorBody(reply, 413, null);
        assertThat(stored()).isEqualTo(before);
        assertUnknown(updateId);
        assertStillAcceptsAGoodUpdate();
    }

    @Test
    void aBodyOfExactlyOneMibIsAccepted() {
        String updateId = id("one-mib");

        Reply reply = terminal.post(padded(TerminalClient.adjust(updateId, "SKU-0008", 1), ONE_MIB));

        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        assertThat(reply.json().at("/accepted/0/updateId").asText()).isEqualTo(updateId);
    }

    @ParameterizedTest(name = "Content-Type {0} -> 415")
    @ValueSource(strings = {"text/plain", "application/xml", "application/x-www-form-urlencoded"})
    void aBodyThatIsNotDeclaredJsonIsUnsupported(String contentType) {
        String updateId = id("media");

        Reply reply = terminal.post(TerminalClient.adjust(updateId, "SKU-0009", 1), contentType);

        assertErrorBody(reply, 415, null);
        assertUnknown(updateId);
        assertStillAcceptsAGoodUpdate();
    }

    @Test
    void aBodyWithoutContentTypeIsUnsupported() {
        String updateId = id("no-media");

        Reply reply = terminal.post(TerminalClient.adjust(updateId, "SKU-0009", 1), null);

        assertErrorBody(reply, 415, null);
        assertUnknown(updateId);
    }

    @Test
    void jsonWithACharsetIsAccepted() {
        Reply reply = terminal.post(TerminalClient.adjust(id("charset"), "SKU-0009", 1), "application/json; charset=utf-8");

        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
    }

    // --- the gateway keeps working ------------------------------------------------------------------

    @Test
    void badRequestsOfEveryKindDoNotStopGoodOnesFromBeingAccepted() {
        TerminalClient stranger = new TerminalClient(t.baseUrl(), "who-am-i");
        List<BadRequest> bad = List.of(
                new BadRequest(400, () -> terminal.post("{\"terminalId\":")),
                new BadRequest(400, () -> terminal.post("""
                        {"terminalId":"till-1","type":"ADJUST_QUANTITY","sku":"SKU-0010","delta":0,"occurredAt":"2026-11-27T10:00:00Z"}""")),
                new BadRequest(401, () -> stranger.post(TerminalClient.adjust(id("mixed-bad"), "SKU-0010", 1))),
                new BadRequest(415, () -> terminal.post(TerminalClient.adjust(id("mixed-bad"), "SKU-0010", 1), "text/plain")),
                new BadRequest(413, () -> terminal.post(padded(TerminalClient.adjust(id("mixed-bad"), "SKU-0010", 1), ONE_MIB + 1))),
                new BadRequest(400, () -> terminal.post("[" + TerminalClient.adjust(id("mixed-bad"), "SKU-0010", 1) + ",{}]")),
                new BadRequest(400, () -> terminal.post("\u0000\u0001garbage")));
        List<String> good = new ArrayList<>();

        for (BadRequest request : bad) {
            assertErrorBody(request.send().get(), request.status(), null);

            String updateId = id("mixed-good");
            Reply reply = terminal.post(TerminalClient.adjust(updateId, "SKU-0010", 1));
            assertThat(reply.status()).as(reply.body()).isEqualTo(202);
            assertThat(reply.json().at("/accepted/0/status").asText()).isEqualTo("QUEUED");
            good.add(updateId);
        }

        for (String updateId : good) {
            Reply status = terminal.get("/api/v1/updates/" + updateId);
            assertThat(status.status()).as(status.body()).isEqualTo(200);
            assertThat(status.json().path("status").asText()).isIn("QUEUED", "APPLIED");
        }
        // Only the good ones reach HQ: SKU-0010 starts at 100.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> t.hq.product(TestGateway.STORE, "SKU-0010").orElseThrow().quantity() == 100 + good.size());
    }

    // --- helpers --------------------------------------------------------------------------------------

    private record BadRequest(int status, Supplier<Reply> send) {
    }

    /** What the gateway holds: the outbound queue and the mirror's rows by status. */
    private record Stored(long backlog, long queued, long applied, long conflict, long rejected) {
    }

    private Stored stored() {
        AcceptedUpdates rows = t.gateway().acceptedUpdates();
        return new Stored(t.gateway().backlog(), rows.count(UpdateStatus.QUEUED), rows.count(UpdateStatus.APPLIED),
                rows.count(UpdateStatus.CONFLICT), rows.count(UpdateStatus.REJECTED));
    }

    /**
     * The stored state once earlier good updates have reached HQ, so that a comparison after the next
     * request sees only what that request did, not forwarding still under way.
     */
    private Stored storedOnceQuiet() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(stored())
                .as("backlog and QUEUED rows drain").extracting(Stored::backlog, Stored::queued).containsExactly(0L, 0L));
        return stored();
    }

    private void assertStillAcceptsAGoodUpdate() {
        String updateId = id("good");
        Reply reply = terminal.post(TerminalClient.adjust(updateId, "SKU-0001", 1));
        assertThat(reply.status()).as("a good update after a bad request: %s", reply.body()).isEqualTo(202);
        assertThat(reply.json().at("/accepted/0/updateId").asText()).isEqualTo(updateId);
        assertThat(reply.json().at("/accepted/0/status").asText()).isEqualTo("QUEUED");
    }

    private void assertUnknown(String updateId) {
        Reply reply = terminal.get("/api/v1/updates/" + updateId);
        assertThat(reply.status()).as("GET update %s: %s", updateId, reply.body()).isEqualTo(404);
    }

    /** 400 validation_failed whose details are exactly {@code index:field} in order ("null" for no field). */
    private static void assertValidationFailed(Reply reply, String... indexAndField) {
        JsonNode json = assertErrorBody(reply, 400, "validation_failed");
        JsonNode details = json.path("details");
        assertThat(details.isArray()).as("details in %s", reply.body()).isTrue();
        List<JsonNode> list = StreamSupport.stream(details.spliterator(), false).toList();
        assertThat(list).as("details in %s", reply.body())
                .allSatisfy(d -> {
                    assertThat(d.path("index").isInt()).as("index is an integer: %s", d).isTrue();
                    assertThat(d.path("message").isTextual()).as("message is a string: %s", d).isTrue();
                    assertThat(d.path("message").asText()).isNotBlank();
                })
                .extracting(d -> d.path("index").asInt() + ":" + (d.path("field").isTextual() ? d.path("field").asText() : "null"))
                .containsExactly(indexAndField);
    }

    /** The contract's error body: JSON with a code and a message, never a stack trace. */
    private static JsonNode assertErrorBody(Reply reply, int status, String code) {
        assertThat(reply.status()).as("status; body was %s", reply.body()).isEqualTo(status);
        assertThat(reply.body()).as("error body").isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
        JsonNode json = json(reply);
        assertThat(json.isObject()).as("error body is a JSON object: %s", reply.body()).isTrue();
        assertThat(json.path("error").isTextual()).as("error is a string: %s", reply.body()).isTrue();
        assertThat(json.path("error").asText()).matches("[a-z][a-z_]*");
        if (code != null) {
            assertThat(json.path("error").asText()).isEqualTo(code);
        }
        assertThat(json.path("message").isTextual()).as("message is a string: %s", reply.body()).isTrue();
        assertThat(json.path("message").asText()).isNotBlank();
        return json;
    }

    private static JsonNode json(Reply reply) {
        try {
            return UpdateJson.MAPPER.readTree(reply.body());
        } catch (IOException e) {
            throw new AssertionError("expected a JSON error body, got: " + reply.body(), e);
        }
    }

    /** Valid JSON of exactly {@code size} bytes: the update followed by whitespace. */
    private static String padded(String json, int size) {
        assertThat(json).isASCII();
        return json + " ".repeat(size - json.length());
    }

    private String id(String prefix) {
        return prefix + "-" + ids.incrementAndGet();
    }

    private static Arguments bad(String name, String body, String field) {
        return Arguments.of(Named.of(name, body), field);
    }
}
