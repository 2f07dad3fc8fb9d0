package io.storegateway.ingest;

import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class UpdateValidatorTest {

    private static final String OCCURRED = "\"occurredAt\":\"2026-01-01T10:00:00Z\"";
    private static final Instant OCCURRED_AT = Instant.parse("2026-01-01T10:00:00Z");

    private final UpdateValidator validator = new UpdateValidator();

    /** Valid updates of every type, as JSON objects without braces, so tests can add or swap fields. */
    private static final Map<UpdateType, String> VALID = Map.of(
            UpdateType.UPSERT_PRODUCT, "\"terminalId\":\"T1\",\"type\":\"UPSERT_PRODUCT\",\"sku\":\"SKU-1\","
                    + "\"name\":\"Milk 1 l\",\"price\":1.99,\"quantity\":10," + OCCURRED,
            UpdateType.SET_QUANTITY, "\"terminalId\":\"T1\",\"type\":\"SET_QUANTITY\",\"sku\":\"SKU-1\","
                    + "\"quantity\":7," + OCCURRED,
            UpdateType.ADJUST_QUANTITY, "\"terminalId\":\"T1\",\"type\":\"ADJUST_QUANTITY\",\"sku\":\"SKU-1\","
                    + "\"delta\":-3," + OCCURRED,
            UpdateType.SET_PRICE, "\"terminalId\":\"T1\",\"type\":\"SET_PRICE\",\"sku\":\"SKU-1\","
                    + "\"price\":2.50," + OCCURRED,
            UpdateType.DELETE_PRODUCT, "\"terminalId\":\"T1\",\"type\":\"DELETE_PRODUCT\",\"sku\":\"SKU-1\","
                    + OCCURRED);

    private static String valid(UpdateType type) {
        return "{" + VALID.get(type) + "}";
    }

    /** A valid update of the type with one field set to a raw JSON value (added or replaced). */
    private static String with(UpdateType type, String field, String rawJson) {
        String fields = VALID.get(type).replaceAll("\"" + field + "\":(\"[^\"]*\"|[^,]*),?", "");
        if (fields.endsWith(",")) {
            fields = fields.substring(0, fields.length() - 1);
        }
        return "{\"" + field + "\":" + rawJson + "," + fields + "}";
    }

    /** A valid update of the type without the field. */
    private static String without(UpdateType type, String field) {
        String fields = VALID.get(type).replaceAll("\"" + field + "\":(\"[^\"]*\"|[^,]*),?", "");
        if (fields.endsWith(",")) {
            fields = fields.substring(0, fields.length() - 1);
        }
        return "{" + fields + "}";
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || Character.isSurrogate(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static String array(int n, UpdateType type) {
        return IntStream.range(0, n).mapToObj(i -> valid(type)).collect(Collectors.joining(",", "[", "]"));
    }

    private ValidationResult assertSingleError(String body, String field, String message) {
        ValidationResult result = validator.validate(body);
        assertThat(result.outcome()).as(body).isEqualTo(ValidationResult.Outcome.INVALID);
        assertThat(result.updates()).isEmpty();
        assertThat(result.errors()).as(body).containsExactly(new FieldError(0, field, message));
        return result;
    }

    private void assertBodyError(ValidationResult result, String messageContains) {
        assertThat(result.outcome()).isEqualTo(ValidationResult.Outcome.INVALID);
        assertThat(result.errors()).hasSize(1);
        FieldError error = result.errors().get(0);
        assertThat(error.index()).isEqualTo(FieldError.WHOLE_BODY);
        assertThat(error.field()).isNull();
        assertThat(error.message()).startsWith("body").containsIgnoringCase(messageContains)
                .doesNotContain("com.fasterxml", "jackson", "Jackson", "Exception", "`", "\n", "\tat ");
    }

    // --- valid input -------------------------------------------------------------------------

    @Test
    void acceptsAnUpsert() {
        ValidationResult result = validator.validate(valid(UpdateType.UPSERT_PRODUCT));

        assertThat(result.isValid()).isTrue();
        assertThat(result.array()).isFalse();
        assertThat(result.errors()).isEmpty();
        assertThat(result.updates()).containsExactly(new InventoryUpdate(null, "T1", UpdateType.UPSERT_PRODUCT,
                "SKU-1", "Milk 1 l", new BigDecimal("1.99"), 10L, null, OCCURRED_AT, null, false));
    }

    @Test
    void acceptsASetQuantity() {
        assertThat(validator.validate(valid(UpdateType.SET_QUANTITY)).updates()).containsExactly(new InventoryUpdate(
                null, "T1", UpdateType.SET_QUANTITY, "SKU-1", null, null, 7L, null, OCCURRED_AT, null, false));
    }

    @Test
    void acceptsAnAdjustQuantity() {
        assertThat(validator.validate(valid(UpdateType.ADJUST_QUANTITY)).updates()).containsExactly(new InventoryUpdate(
                null, "T1", UpdateType.ADJUST_QUANTITY, "SKU-1", null, null, null, -3L, OCCURRED_AT, null, false));
    }

    @Test
    void acceptsASetPrice() {
        assertThat(validator.validate(valid(UpdateType.SET_PRICE)).updates()).containsExactly(new InventoryUpdate(
                null, "T1", UpdateType.SET_PRICE, "SKU-1", null, new BigDecimal("2.50"), null, null, OCCURRED_AT,
                null, false));
    }

    @Test
    void acceptsADeleteProduct() {
        assertThat(validator.validate(valid(UpdateType.DELETE_PRODUCT)).updates()).containsExactly(new InventoryUpdate(
                null, "T1", UpdateType.DELETE_PRODUCT, "SKU-1", null, null, null, null, OCCURRED_AT, null, false));
    }

    @Test
    void keepsOptionalUpdateIdAndBaseVersion() {
        String body = "{\"updateId\":\"pos-7:2026.01_01-42\",\"baseVersion\":12," + VALID.get(UpdateType.SET_PRICE) + "}";

        InventoryUpdate update = validator.validate(body).updates().get(0);

        assertThat(update.updateId()).isEqualTo("pos-7:2026.01_01-42");
        assertThat(update.baseVersion()).isEqualTo(12L);
        assertThat(update.force()).isFalse();
    }

    @Test
    void treatsNullOptionalFieldsAsAbsent() {
        String body = "{\"updateId\":null,\"baseVersion\":null," + VALID.get(UpdateType.DELETE_PRODUCT) + "}";

        InventoryUpdate update = validator.validate(body).updates().get(0);

        assertThat(update.updateId()).isNull();
        assertThat(update.baseVersion()).isNull();
    }

    @Test
    void acceptsBytesLikeStrings() {
        String body = with(UpdateType.UPSERT_PRODUCT, "name", json("Käse \uD83E\uDDC0 200 g"));

        ValidationResult fromBytes = validator.validate(body.getBytes(StandardCharsets.UTF_8));

        assertThat(fromBytes).isEqualTo(validator.validate(body));
        assertThat(fromBytes.updates().get(0).name()).isEqualTo("Käse \uD83E\uDDC0 200 g");
    }

    @Test
    void acceptsAnArrayInInputOrder() {
        String body = "[" + valid(UpdateType.SET_QUANTITY) + "," + valid(UpdateType.DELETE_PRODUCT) + ","
                + valid(UpdateType.ADJUST_QUANTITY) + "]";

        ValidationResult result = validator.validate(body);

        assertThat(result.isValid()).isTrue();
        assertThat(result.array()).isTrue();
        assertThat(result.updates()).extracting(InventoryUpdate::type).containsExactly(
                UpdateType.SET_QUANTITY, UpdateType.DELETE_PRODUCT, UpdateType.ADJUST_QUANTITY);
    }

    @Test
    void acceptsAnArrayOfOne() {
        ValidationResult result = validator.validate("[" + valid(UpdateType.SET_PRICE) + "]");

        assertThat(result.isValid()).isTrue();
        assertThat(result.array()).isTrue();
        assertThat(result.updates()).hasSize(1);
    }

    @ParameterizedTest
    @CsvSource({
            "2026-01-01T10:00:00Z,          2026-01-01T10:00:00Z",
            "2026-01-01T10:00:00.123456Z,   2026-01-01T10:00:00.123456Z",
            "2026-01-01T10:00:00+01:00,     2026-01-01T09:00:00Z",
            "2026-01-01T10:00:00.5-05:30,   2026-01-01T15:30:00.5Z",
            "2026-01-01T10:00+01:00,        2026-01-01T09:00:00Z",
    })
    void acceptsInstantsWithOffsets(String occurredAt, String expected) {
        ValidationResult result = validator.validate(with(UpdateType.DELETE_PRODUCT, "occurredAt", json(occurredAt)));

        assertThat(result.errors()).isEmpty();
        assertThat(result.updates().get(0).occurredAt()).isEqualTo(Instant.parse(expected));
    }

    @ParameterizedTest
    @CsvSource({
            "0,            0",
            "0.00,         0.00",
            "1.5,          1.5",
            "2.50,         2.50",
            "1.500,        1.5",
            "1E+2,         100",
            "1.0E1,        10",
            "999999999.99, 999999999.99",
    })
    void acceptsPricesWithAtMostTwoDecimals(String price, String expected) {
        ValidationResult result = validator.validate(with(UpdateType.SET_PRICE, "price", price));

        assertThat(result.errors()).isEmpty();
        assertThat(result.updates().get(0).price()).isEqualTo(new BigDecimal(expected));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 1_000_000_000})
    void acceptsQuantitiesInRange(long quantity) {
        ValidationResult result = validator.validate(with(UpdateType.SET_QUANTITY, "quantity", Long.toString(quantity)));

        assertThat(result.updates()).extracting(InventoryUpdate::quantity).containsExactly(quantity);
    }

    @ParameterizedTest
    @ValueSource(longs = {-1_000_000_000, -1, 1, 1_000_000_000})
    void acceptsDeltasInRange(long delta) {
        ValidationResult result = validator.validate(with(UpdateType.ADJUST_QUANTITY, "delta", Long.toString(delta)));

        assertThat(result.updates()).extracting(InventoryUpdate::delta).containsExactly(delta);
    }

    @Test
    void acceptsLengthsAtTheLimits() {
        String body = "{\"updateId\":" + json("u".repeat(64)) + ",\"terminalId\":" + json("t".repeat(64))
                + ",\"sku\":" + json("S".repeat(64)) + ",\"name\":" + json("\uD83E\uDDC0".repeat(100))
                + ",\"type\":\"UPSERT_PRODUCT\",\"price\":1,\"quantity\":1," + OCCURRED + "}";

        assertThat(validator.validate(body).errors()).isEmpty();
    }

    @Test
    void countsTextLengthsInUtf16UnitsAsTheMirrorDoes() {
        // 64 code points, 65 UTF-16 units: one emoji counts two.
        assertSingleError(with(UpdateType.DELETE_PRODUCT, "terminalId", json("\uD83E\uDDC0" + "t".repeat(63))),
                "terminalId", "must be 1 to 64 characters");
        assertSingleError(with(UpdateType.UPSERT_PRODUCT, "name", json("\uD83E\uDDC0".repeat(101))),
                "name", "must be 1 to 200 characters");
    }

    // --- required fields and JSON types ------------------------------------------------------

    static Stream<Arguments> requiredFields() {
        return Stream.of(
                Arguments.of(UpdateType.DELETE_PRODUCT, "terminalId"),
                Arguments.of(UpdateType.DELETE_PRODUCT, "type"),
                Arguments.of(UpdateType.DELETE_PRODUCT, "sku"),
                Arguments.of(UpdateType.DELETE_PRODUCT, "occurredAt"),
                Arguments.of(UpdateType.UPSERT_PRODUCT, "name"),
                Arguments.of(UpdateType.UPSERT_PRODUCT, "price"),
                Arguments.of(UpdateType.UPSERT_PRODUCT, "quantity"),
                Arguments.of(UpdateType.SET_PRICE, "price"),
                Arguments.of(UpdateType.SET_QUANTITY, "quantity"),
                Arguments.of(UpdateType.ADJUST_QUANTITY, "delta"));
    }

    @ParameterizedTest
    @MethodSource("requiredFields")
    void rejectsAMissingRequiredField(UpdateType type, String field) {
        assertSingleError(without(type, field), field, "is required");
    }

    @ParameterizedTest
    @MethodSource("requiredFields")
    void rejectsNullForARequiredField(UpdateType type, String field) {
        assertSingleError(with(type, field, "null"), field, "is required");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "DELETE_PRODUCT  | terminalId  | 42             | must be a string",
            "DELETE_PRODUCT  | terminalId  | {}             | must be a string",
            "DELETE_PRODUCT  | sku         | 123            | must be a string",
            "DELETE_PRODUCT  | sku         | [\"A\"]        | must be a string",
            "DELETE_PRODUCT  | updateId    | 7              | must be a string",
            "DELETE_PRODUCT  | occurredAt  | 1767261600000  | must be a string",
            "UPSERT_PRODUCT  | name        | true           | must be a string",
            "SET_PRICE       | price       | \"1.99\"       | must be a number, not a string",
            "SET_PRICE       | price       | true           | must be a number",
            "SET_PRICE       | price       | {\"amount\":1} | must be a number",
            "SET_QUANTITY    | quantity    | \"5\"          | must be an integer, not a string",
            "SET_QUANTITY    | quantity    | [5]            | must be an integer",
            "ADJUST_QUANTITY | delta       | \"-1\"         | must be an integer, not a string",
            "ADJUST_QUANTITY | delta       | false          | must be an integer",
            "DELETE_PRODUCT  | baseVersion | \"3\"          | must be an integer, not a string",
    })
    void rejectsWrongJsonTypes(UpdateType type, String field, String rawJson, String message) {
        assertSingleError(with(type, field, rawJson), field, message);
    }

    // --- field rules ------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "u/1", "u 1", "ü", "u#1", "u1?x=1"})
    void rejectsBadUpdateIds(String updateId) {
        assertSingleError(with(UpdateType.DELETE_PRODUCT, "updateId", json(updateId)), "updateId",
                "must be 1 to 64 characters of A-Z a-z 0-9 . _ : -");
    }

    @Test
    void rejectsATooLongUpdateId() {
        assertSingleError(with(UpdateType.DELETE_PRODUCT, "updateId", json("u".repeat(65))), "updateId",
                "must be 1 to 64 characters of A-Z a-z 0-9 . _ : -");
    }

    @ParameterizedTest
    @ValueSource(strings = {"T\u0000", "T\n1", "\tT1", "T\r", "T\u001b[31m", "T\u007f", "T\u0085"})
    void rejectsControlCharactersInTerminalId(String terminalId) {
        assertSingleError(with(UpdateType.DELETE_PRODUCT, "terminalId", json(terminalId)), "terminalId",
                "must not contain control characters");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 65})
    void rejectsTerminalIdsOfBadLength(int length) {
        assertSingleError(with(UpdateType.DELETE_PRODUCT, "terminalId", json("t".repeat(length))), "terminalId",
                "must be 1 to 64 characters");
    }

    @Test
    void rejectsUnpairedSurrogatesInText() {
        assertSingleError(with(UpdateType.DELETE_PRODUCT, "terminalId", "\"T\\ud800\""), "terminalId",
                "must be valid unicode text");
    }

    @ParameterizedTest
    @ValueSource(strings = {"UPSERT", "upsert_product", "Set_Price", "", " SET_PRICE"})
    void rejectsUnknownTypes(String type) {
        assertSingleError(with(UpdateType.DELETE_PRODUCT, "type", json(type)), "type",
                "must be one of UPSERT_PRODUCT, SET_QUANTITY, ADJUST_QUANTITY, SET_PRICE, DELETE_PRODUCT");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "'; DROP TABLE products;--",
            "1' OR '1'='1",
            "SKU\" OR 1=1 --",
            "../../etc/passwd",
            "..\\..\\windows\\win.ini",
            "/etc/passwd",
            "%2e%2e%2f",
            "SKU%00",
            "<script>alert(1)</script>",
            "${jndi:ldap://x/a}",
            "SKU 1",
            "SKU:1",
            "skü",
            "",
    })
    void rejectsSkusOutsideTheAllowedCharacters(String sku) {
        assertSingleError(with(UpdateType.DELETE_PRODUCT, "sku", json(sku)), "sku",
                "must be 1 to 64 characters of A-Z a-z 0-9 . _ -");
    }

    @Test
    void rejectsATooLongSku() {
        assertSingleError(with(UpdateType.DELETE_PRODUCT, "sku", json("S".repeat(65))), "sku",
                "must be 1 to 64 characters of A-Z a-z 0-9 . _ -");
    }

    @ParameterizedTest
    @ValueSource(strings = {".", ".."})
    void rejectsDotSegmentsAsSku(String sku) {
        assertSingleError(with(UpdateType.DELETE_PRODUCT, "sku", json(sku)), "sku", "must not be . or ..");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.b-c_D9", "...x", "x..y"})
    void acceptsSkusOfTheAllowedCharacters(String sku) {
        assertThat(validator.validate(with(UpdateType.DELETE_PRODUCT, "sku", json(sku))).errors()).isEmpty();
    }

    @Test
    void rejectsATooLongName() {
        assertSingleError(with(UpdateType.UPSERT_PRODUCT, "name", json("n".repeat(201))), "name",
                "must be 1 to 200 characters");
    }

    @Test
    void rejectsAnEmptyName() {
        assertSingleError(with(UpdateType.UPSERT_PRODUCT, "name", "\"\""), "name", "must be 1 to 200 characters");
    }

    @Test
    void rejectsControlCharactersInName() {
        assertSingleError(with(UpdateType.UPSERT_PRODUCT, "name", json("Milk\r\nX-Injected: 1")), "name",
                "must not contain control characters");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "-0.01          | must not be negative",
            "-5             | must not be negative",
            "1000000000     | must be below 1000000000",
            "1E9            | must be below 1000000000",
            "999999999.999  | must have at most 2 decimals",
            "1.999          | must have at most 2 decimals",
            "0.001          | must have at most 2 decimals",
            "1E-400         | must have at most 2 decimals",
            "1E+400         | must be below 1000000000",
            "123456789012345678901234567890 | must be below 1000000000",
    })
    void rejectsBadPrices(String price, String message) {
        assertSingleError(with(UpdateType.SET_PRICE, "price", price), "price", message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1.0                         | must be an integer",
            "1e3                         | must be an integer",
            "5.5                         | must be an integer",
            "-1                          | must be between 0 and 1000000000",
            "1000000001                  | must be between 0 and 1000000000",
            "9223372036854775808         | must be between 0 and 1000000000",
            "-99999999999999999999999999 | must be between 0 and 1000000000",
    })
    void rejectsBadQuantities(String quantity, String message) {
        assertSingleError(with(UpdateType.SET_QUANTITY, "quantity", quantity), "quantity", message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0                       | must not be 0",
            "-0                      | must not be 0",
            "1000000001              | must be between -1000000000 and 1000000000",
            "-1000000001             | must be between -1000000000 and 1000000000",
            "99999999999999999999999 | must be between -1000000000 and 1000000000",
            "2.0                     | must be an integer",
    })
    void rejectsBadDeltas(String delta, String message) {
        assertSingleError(with(UpdateType.ADJUST_QUANTITY, "delta", delta), "delta", message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "-1                   | must be between 0 and 9223372036854775807",
            "9223372036854775808  | must be between 0 and 9223372036854775807",
            "1.5                  | must be an integer",
    })
    void rejectsBadBaseVersions(String baseVersion, String message) {
        assertSingleError(with(UpdateType.SET_PRICE, "baseVersion", baseVersion), "baseVersion", message);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "yesterday", "2026-01-01", "2026-01-01T10:00:00", "2026-13-01T10:00:00Z", "2026-01-01 10:00:00Z",
            "1767261600", "2026-01-01T10:00:00Z trailing",
    })
    void rejectsMalformedInstants(String occurredAt) {
        assertSingleError(with(UpdateType.DELETE_PRODUCT, "occurredAt", json(occurredAt)), "occurredAt",
                "must be an ISO-8601 instant such as 2026-01-01T10:00:00Z");
    }

    @Test
    void rejectsInstantsBeyondYear9999() {
        assertSingleError(with(UpdateType.DELETE_PRODUCT, "occurredAt", json("+10000-01-01T00:00:00Z")),
                "occurredAt", "must be between years 0001 and 9999");
    }

    static Stream<Arguments> fieldsOfOtherTypes() {
        return Stream.of(
                Arguments.of(UpdateType.ADJUST_QUANTITY, "price", "1.00"),
                Arguments.of(UpdateType.ADJUST_QUANTITY, "quantity", "1"),
                Arguments.of(UpdateType.ADJUST_QUANTITY, "name", "\"x\""),
                Arguments.of(UpdateType.SET_QUANTITY, "delta", "1"),
                Arguments.of(UpdateType.SET_QUANTITY, "price", "1"),
                Arguments.of(UpdateType.SET_PRICE, "quantity", "1"),
                Arguments.of(UpdateType.SET_PRICE, "name", "\"x\""),
                Arguments.of(UpdateType.UPSERT_PRODUCT, "delta", "1"),
                Arguments.of(UpdateType.DELETE_PRODUCT, "price", "1"),
                Arguments.of(UpdateType.DELETE_PRODUCT, "name", "null"),
                // not checked for its own rules: it does not belong there at all
                Arguments.of(UpdateType.DELETE_PRODUCT, "quantity", "\"lots\""));
    }

    @ParameterizedTest
    @MethodSource("fieldsOfOtherTypes")
    void rejectsFieldsThatDoNotBelongToTheType(UpdateType type, String field, String rawJson) {
        assertSingleError(with(type, field, rawJson), field, "is not allowed for type " + type.name());
    }

    @ParameterizedTest
    @ValueSource(strings = {"force", "Force", "sku ", "version", "storeId", "extra"})
    void rejectsUnknownFields(String field) {
        assertSingleError(with(UpdateType.DELETE_PRODUCT, field, "true"), field, "unknown field");
    }

    @Test
    void doesNotAcceptForceFromTerminals() {
        assertSingleError(with(UpdateType.SET_PRICE, "force", "false"), "force", "unknown field");
    }

    @Test
    void shortensLongUnknownFieldNames() {
        ValidationResult result = validator.validate(with(UpdateType.DELETE_PRODUCT, "x".repeat(5000), "1"));

        assertThat(result.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).hasSizeLessThan(70).startsWith("xxxx");
            assertThat(e.message()).isEqualTo("unknown field");
        });
    }

    // --- collecting errors -------------------------------------------------------------------

    @Test
    void collectsEveryErrorOfAnUpdate() {
        String body = "{\"updateId\":\"a b\",\"terminalId\":\"\",\"type\":\"SET_QUANTITY\",\"sku\":\"../x\","
                + "\"quantity\":1.5,\"delta\":3,\"occurredAt\":\"soon\",\"baseVersion\":-1,\"force\":true,\"foo\":1}";

        ValidationResult result = validator.validate(body);

        assertThat(result.outcome()).isEqualTo(ValidationResult.Outcome.INVALID);
        assertThat(result.errors()).extracting(FieldError::index, FieldError::field).containsExactlyInAnyOrder(
                tuple(0, "force"), tuple(0, "foo"), tuple(0, "updateId"), tuple(0, "terminalId"), tuple(0, "sku"),
                tuple(0, "quantity"), tuple(0, "delta"), tuple(0, "occurredAt"), tuple(0, "baseVersion"));
    }

    @Test
    void checksPresentFieldsButNotTheirPresenceWhenTheTypeIsInvalid() {
        String body = "{\"terminalId\":\"T1\",\"type\":\"RESTOCK\",\"sku\":\"S1\",\"price\":1.234,\"delta\":0,"
                + OCCURRED + "}";

        ValidationResult result = validator.validate(body);

        assertThat(result.errors()).containsExactlyInAnyOrder(
                new FieldError(0, "type", UpdateValidator.TYPE_VALUES),
                new FieldError(0, "price", "must have at most 2 decimals"),
                new FieldError(0, "delta", "must not be 0"));
    }

    @Test
    void reportsEmptyObjectWithAllRequiredFields() {
        ValidationResult result = validator.validate("{}");

        assertThat(result.errors()).extracting(FieldError::field)
                .containsExactlyInAnyOrder("terminalId", "type", "sku", "occurredAt");
    }

    @Test
    void reportsErrorsWithTheirPositionInTheArray() {
        String body = "[" + valid(UpdateType.SET_PRICE) + "," + with(UpdateType.SET_PRICE, "price", "-1") + ","
                + valid(UpdateType.SET_QUANTITY) + "," + without(UpdateType.SET_QUANTITY, "sku") + ",42,null]";

        ValidationResult result = validator.validate(body);

        assertThat(result.outcome()).isEqualTo(ValidationResult.Outcome.INVALID);
        assertThat(result.array()).isTrue();
        assertThat(result.updates()).isEmpty();
        assertThat(result.errors()).containsExactly(
                new FieldError(1, "price", "must not be negative"),
                new FieldError(3, "sku", "is required"),
                new FieldError(4, null, "must be a JSON object"),
                new FieldError(5, null, "must be a JSON object"));
    }

    @Test
    void capsTheNumberOfErrors() {
        String body = IntStream.range(0, UpdateValidator.MAX_BATCH).mapToObj(i -> "{}")
                .collect(Collectors.joining(",", "[", "]"));

        ValidationResult result = validator.validate(body);

        assertThat(result.errors()).hasSize(UpdateValidator.MAX_ERRORS + 1);
        assertThat(result.errors().get(UpdateValidator.MAX_ERRORS))
                .isEqualTo(new FieldError(FieldError.WHOLE_BODY, null, "stopped after 100 errors"));
    }

    @Test
    void summarisesErrorsOnOneLine() {
        ValidationResult result = validator.validate("[" + valid(UpdateType.SET_PRICE) + ","
                + with(UpdateType.SET_PRICE, "price", "1.001") + "]");

        assertThat(result.summary()).isEqualTo("[1] price: must have at most 2 decimals");
        assertThat(validator.validate("{}").summary()).contains("terminalId: is required").doesNotContain("\n");
        assertThat(validator.validate(valid(UpdateType.SET_PRICE)).summary()).isEmpty();
    }

    // --- batch size -------------------------------------------------------------------------

    @Test
    void acceptsTheLargestBatch() {
        ValidationResult result = validator.validate(array(UpdateValidator.MAX_BATCH, UpdateType.ADJUST_QUANTITY));

        assertThat(result.isValid()).isTrue();
        assertThat(result.updates()).hasSize(500);
    }

    @Test
    void reportsTooManyUpdatesAsItsOwnOutcome() {
        ValidationResult result = validator.validate(array(UpdateValidator.MAX_BATCH + 1, UpdateType.ADJUST_QUANTITY));

        assertThat(result.outcome()).isEqualTo(ValidationResult.Outcome.TOO_MANY);
        assertThat(result.isTooMany()).isTrue();
        assertThat(result.isValid()).isFalse();
        assertThat(result.updates()).isEmpty();
        assertThat(result.errors()).containsExactly(new FieldError(FieldError.WHOLE_BODY, null,
                "body holds more than 500 updates; at most 500 are allowed"));
    }

    @Test
    void rejectsAnEmptyArray() {
        ValidationResult result = validator.validate("[]");

        assertBodyError(result, "empty array");
        assertThat(result.array()).isTrue();
    }

    // --- not JSON, or not the JSON we take ---------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\n"})
    void rejectsAnEmptyBody(String body) {
        assertBodyError(validator.validate(body), "empty");
        assertBodyError(validator.validate(body.getBytes(StandardCharsets.UTF_8)), "empty");
    }

    @Test
    void rejectsANullBody() {
        assertBodyError(validator.validate((byte[]) null), "empty");
        assertBodyError(validator.validate((String) null), "empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "not json", "{'sku':'A'}", "{\"sku\":}", "{sku:\"A\"}", "{\"sku\":\"A\",}", "[{},]", "<xml/>",
            "{\"sku\" \"A\"}", "{\"price\":01}", "{\"price\":.5}", "{\"price\":+1}", "{\"price\":0x10}",
            "{\"price\":1.}", "{\"price\":1e}", "{\"price\":-}",
    })
    void rejectsMalformedJson(String body) {
        assertBodyError(validator.validate(body), "not valid JSON");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "[", "{\"sku\":", "{\"sku\":\"A", "[{\"sku\":\"A\"}", "\"abc"})
    void rejectsTruncatedJson(String body) {
        assertBodyError(validator.validate(body), "truncated");
    }

    @Test
    void rejectsATruncatedValidUpdate() {
        String body = valid(UpdateType.UPSERT_PRODUCT);

        assertBodyError(validator.validate(body.substring(0, body.length() - 1)), "truncated");
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "42", "\"update\"", "true", "1.5"})
    void rejectsTopLevelValuesThatAreNeitherObjectNorArray(String body) {
        assertBodyError(validator.validate(body), "must be an update object or an array of updates");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{} {}", "{}{}", "[] []", "{} 1", "{}]", "{} x"})
    void rejectsContentAfterTheValue(String body) {
        ValidationResult result = validator.validate(body);

        assertThat(result.errors()).singleElement().satisfies(e -> {
            assertThat(e.index()).isEqualTo(FieldError.WHOLE_BODY);
            assertThat(e.message()).startsWith("body").doesNotContain("`", "Exception", "jackson");
        });
    }

    @Test
    void rejectsDuplicateKeys() {
        String body = "{\"sku\":\"A\"," + VALID.get(UpdateType.DELETE_PRODUCT) + "}";

        ValidationResult result = validator.validate(body);

        assertBodyError(result, "duplicate key \"sku\"");
    }

    @Test
    void rejectsDuplicateKeysInAnArrayElement() {
        String body = "[" + valid(UpdateType.DELETE_PRODUCT) + ",{\"type\":\"SET_PRICE\"," + VALID.get(UpdateType.SET_PRICE) + "}]";

        assertBodyError(validator.validate(body.getBytes(StandardCharsets.UTF_8)), "duplicate key \"type\"");
    }

    @ParameterizedTest
    @ValueSource(ints = {9, 1_000, 100_000})
    void rejectsDeepNesting(int depth) {
        String body = "[".repeat(depth) + "]".repeat(depth);

        assertBodyError(validator.validate(body), "nested deeper than 8 levels");
    }

    @Test
    void rejectsDeepNestingInsideAField() {
        String body = with(UpdateType.UPSERT_PRODUCT, "name", "{\"a\":".repeat(50) + "1" + "}".repeat(50));

        assertBodyError(validator.validate(body.getBytes(StandardCharsets.UTF_8)), "nested deeper than 8 levels");
    }

    @Test
    void reportsShallowNestingAsAWrongType() {
        assertSingleError(with(UpdateType.UPSERT_PRODUCT, "name", "[[[\"Milk\"]]]"), "name", "must be a string");
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "+Infinity"})
    void rejectsNonNumericNumbers(String price) {
        assertBodyError(validator.validate(with(UpdateType.SET_PRICE, "price", price)), "NaN and Infinity");
    }

    @Test
    void rejectsNumbersWithTooManyDigits() {
        String body = with(UpdateType.SET_QUANTITY, "quantity", "9".repeat(5_000));

        assertBodyError(validator.validate(body), "too many digits");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e40099999999999999999999", "1e-40099999999999999999999", "-1E+2147483648"})
    void rejectsNumbersBeyondWhatADecimalCanHold(String price) {
        assertBodyError(validator.validate(with(UpdateType.SET_PRICE, "price", price)), "number out of range");
    }

    @Test
    void rejectsInvalidUtf8() {
        byte[] prefix = "{\"terminalId\":\"T".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[prefix.length + 3];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        body[prefix.length] = (byte) 0xC3; // a lead byte without its continuation
        body[prefix.length + 1] = '"';
        body[prefix.length + 2] = '}';

        assertBodyError(validator.validate(body), "UTF-8");
    }

    @Test
    void rejectsRawControlCharactersInsideJsonStrings() {
        // JSON itself forbids unescaped control characters in strings.
        assertBodyError(validator.validate(with(UpdateType.DELETE_PRODUCT, "terminalId", "\"T\u0001\"")),
                "not valid JSON");
    }

    @Test
    void isReusableAcrossCalls() {
        List<ValidationResult> results = IntStream.range(0, 3)
                .mapToObj(i -> validator.validate(valid(UpdateType.values()[i]))).toList();

        assertThat(results).allMatch(ValidationResult::isValid);
    }

    @ParameterizedTest
    @EnumSource(UpdateType.class)
    void acceptsEveryTypeInABatch(UpdateType type) {
        assertThat(validator.validate(array(3, type)).updates()).extracting(InventoryUpdate::type)
                .containsOnly(type).hasSize(3);
    }
}
