package io.storegateway.ingest;

import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateType;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Checks what a terminal sent (docs/HTTP-API.md, the update message) and turns it into {@link InventoryUpdate}s; shared by the
 * HTTP and the JMS ingest. Stateless and thread-safe: one instance can serve every route.
 *
 * <p>Hostile input is stopped before it costs much: the bytes must be strict UTF-8, then one streaming
 * pass checks the shape (an update object or an array of at most {@link #MAX_BATCH}, each a flat
 * object of a few fields, nothing nested deeper than {@link #MAX_NESTING_DEPTH}, no duplicate keys, no
 * number longer than {@link #MAX_NUMBER_LENGTH} digits) and only then is the body read into a tree.
 * Every update is checked completely, so a terminal learns about all of its mistakes in one answer
 * (capped at {@link #MAX_ERRORS}).
 */
public final class UpdateValidator {

    /** Most updates in one body; more is its own outcome (HTTP 413), not a validation error. */
    public static final int MAX_BATCH = 500;
    /**
     * An update is a flat object (depth 2 inside an array); a little more leaves room to name the field
     * that holds a wrong nested value. Anything deeper is an attack or a bug, not an update.
     */
    public static final int MAX_NESTING_DEPTH = 8;
    /** JSON tokens one update may hold (a field name and a plain value are two): 10 fields need 22. */
    public static final int MAX_TOKENS_PER_UPDATE = 64;
    /** The longest number any field can hold is far shorter; a longer one is not parsed at all. */
    public static final int MAX_NUMBER_LENGTH = 64;
    /** Bounds the size of an error answer: a body of a thousand unknown fields gets a short reply. */
    public static final int MAX_ERRORS = 100;

    static final long MAX_QUANTITY = 1_000_000_000L;
    static final long MAX_DELTA = 1_000_000_000L;
    static final BigDecimal PRICE_LIMIT = BigDecimal.valueOf(1_000_000_000L);
    static final int MAX_ID_LENGTH = 64;
    static final int MAX_NAME_LENGTH = 200;

    // Instants beyond these cannot be stored in SQL timestamps or written as four-digit years.
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");
    // Longer than any ISO-8601 instant we accept; spares the parser silly input.
    private static final int MAX_INSTANT_LENGTH = 64;

    static final String REQUIRED = "is required";
    static final String UNKNOWN_FIELD = "unknown field";
    static final String NOT_A_STRING = "must be a string";
    static final String NOT_A_NUMBER = "must be a number";
    static final String NUMBER_AS_STRING = "must be a number, not a string";
    static final String NOT_AN_INTEGER = "must be an integer";
    static final String INTEGER_AS_STRING = "must be an integer, not a string";
    static final String NOT_AN_OBJECT = "must be a JSON object";
    static final String UPDATE_ID_FORMAT = "must be 1 to 64 characters of A-Z a-z 0-9 . _ : -";
    static final String SKU_FORMAT = "must be 1 to 64 characters of A-Z a-z 0-9 . _ -";
    static final String DOTS_ONLY = "must not be . or ..";
    static final String TERMINAL_ID_LENGTH = "must be 1 to 64 characters";
    static final String NAME_LENGTH = "must be 1 to 200 characters";
    static final String CONTROL_CHARACTERS = "must not contain control characters";
    static final String INVALID_UNICODE = "must be valid unicode text";
    static final String NOT_FLAT = "is not a flat update: too many fields or nested values";
    static final String TYPE_VALUES = "must be one of " + Arrays.stream(UpdateType.values())
            .map(Enum::name).collect(Collectors.joining(", "));
    static final String NEGATIVE = "must not be negative";
    static final String PRICE_TOO_HIGH = "must be below 1000000000";
    static final String PRICE_DECIMALS = "must have at most 2 decimals";
    static final String QUANTITY_RANGE = "must be between 0 and 1000000000";
    static final String DELTA_RANGE = "must be between -1000000000 and 1000000000";
    static final String DELTA_ZERO = "must not be 0";
    static final String BASE_VERSION_RANGE = "must be between 0 and " + Long.MAX_VALUE;
    static final String INSTANT_FORMAT = "must be an ISO-8601 instant such as 2026-01-01T10:00:00Z";
    static final String INSTANT_RANGE = "must be between years 0001 and 9999";
    static final String ERRORS_OMITTED = "stopped after " + MAX_ERRORS + " errors";

    private static final String NOT_ALLOWED_FOR_TYPE = "is not allowed for type ";

    private static final Set<UpdateType> NAME_TYPES = EnumSet.of(UpdateType.UPSERT_PRODUCT);
    private static final Set<UpdateType> PRICE_TYPES = EnumSet.of(UpdateType.UPSERT_PRODUCT, UpdateType.SET_PRICE);
    private static final Set<UpdateType> QUANTITY_TYPES = EnumSet.of(UpdateType.UPSERT_PRODUCT, UpdateType.SET_QUANTITY);
    private static final Set<UpdateType> DELTA_TYPES = EnumSet.of(UpdateType.ADJUST_QUANTITY);

    private static final Map<String, UpdateType> TYPES = Arrays.stream(UpdateType.values())
            .collect(Collectors.toUnmodifiableMap(Enum::name, Function.identity()));

    /** Terminal input gets tight limits: nesting, number length, duplicate keys (see the class comment). */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /**
     * Its own reader, not {@code UpdateJson.MAPPER}: the limits above, trailing content is an error,
     * and decimals keep the scale the terminal wrote so "at most 2 decimals" is judged on the value
     * (1.50 and 1.500 are both 1.5).
     */
    private static final ObjectReader READER = JsonMapper.builder(FACTORY)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build()
            .readerFor(JsonNode.class);

    /**
     * A body as it came: it must be UTF-8 (RFC 8259), strictly: overlong forms, encoded surrogates and
     * code points beyond U+10FFFF, which Jackson's own decoder lets through, are refused here.
     */
    public ValidationResult validate(byte[] body) {
        if (body == null || body.length == 0) {
            return bodyError("body is empty");
        }
        String text;
        try {
            text = strictUtf8().decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return bodyError("body is not valid UTF-8" + firstBadByte(body));
        }
        return validate(text);
    }

    public ValidationResult validate(String body) {
        if (body == null || body.isEmpty()) {
            return bodyError("body is empty");
        }
        JsonNode root;
        try {
            ValidationResult badShape = checkShape(body);
            if (badShape != null) {
                return badShape;
            }
            root = READER.readTree(body);
        } catch (IOException e) {
            return bodyError(describe(e));
        } catch (NumberFormatException | ArithmeticException e) {
            // A number JSON allows but BigDecimal cannot hold (1e40099999999999999999999): not an IOException.
            return bodyError("body holds a number out of range");
        }
        return validate(root);
    }

    /**
     * One streaming pass over the body before any tree is built, so that a body of a million tiny
     * values or a batch of 100,000 updates costs a scan, not the memory of its tree. Answers the
     * outcome when the shape is wrong, or null to go on; JSON syntax errors are thrown as they are met.
     */
    private static ValidationResult checkShape(String body) throws IOException {
        try (JsonParser p = FACTORY.createParser(body)) {
            JsonToken root = p.nextToken();
            if (root == null) {
                return bodyError("body is empty");
            }
            if (root == JsonToken.START_OBJECT) {
                if (!withinBudget(p, MAX_TOKENS_PER_UPDATE)) {
                    return ValidationResult.invalid(List.of(new FieldError(0, null, NOT_FLAT)), false);
                }
            } else if (root == JsonToken.START_ARRAY) {
                int count = 0;
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    if (t == null) {
                        throw new JsonEOFException(p, null, "Unexpected end-of-input");
                    }
                    if (++count > MAX_BATCH) {
                        return ValidationResult.tooMany();
                    }
                    if (t.isStructStart() && !withinBudget(p, MAX_TOKENS_PER_UPDATE)) {
                        return ValidationResult.invalid(List.of(new FieldError(count - 1, null, NOT_FLAT)), true);
                    }
                }
            } else {
                return null; // a scalar: the tree check names it
            }
            if (p.nextToken() != null) {
                return bodyError("body has content after the JSON value");
            }
            return null;
        }
    }

    /** Reads to the end of the object or array the parser is at; false once it holds more than {@code budget} tokens. */
    private static boolean withinBudget(JsonParser p, int budget) throws IOException {
        int depth = 1;
        int tokens = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new JsonEOFException(p, null, "Unexpected end-of-input");
            }
            if (++tokens > budget) {
                return false;
            }
            if (t.isStructStart()) {
                depth++;
            } else if (t.isStructEnd()) {
                depth--;
            }
        }
        return true;
    }

    private static CharsetDecoder strictUtf8() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /** " (byte N)": where strict decoding first fails, for the terminal's developer. */
    private static String firstBadByte(byte[] body) {
        ByteBuffer in = ByteBuffer.wrap(body);
        CoderResult result = strictUtf8().decode(in, CharBuffer.allocate(body.length), true);
        return result.isError() ? " (byte " + in.position() + ")" : "";
    }

    private static ValidationResult validate(JsonNode root) {
        if (root == null || root.isMissingNode()) {
            return bodyError("body is empty");
        }
        if (root.isObject()) {
            Errors errors = new Errors();
            InventoryUpdate update = new UpdateCheck(0, errors).check(root);
            return errors.isEmpty()
                    ? ValidationResult.valid(List.of(update), false)
                    : ValidationResult.invalid(errors.list(), false);
        }
        if (!root.isArray()) {
            return bodyError("body must be an update object or an array of updates");
        }
        int size = root.size();
        if (size == 0) {
            return ValidationResult.invalid(List.of(FieldError.body(
                    "body is an empty array; send 1 to " + MAX_BATCH + " updates")), true);
        }
        if (size > MAX_BATCH) {
            return ValidationResult.tooMany();
        }
        Errors errors = new Errors();
        List<InventoryUpdate> updates = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            if (errors.full()) {
                errors.stopChecking();
                break;
            }
            JsonNode element = root.get(i);
            if (element.isObject()) {
                updates.add(new UpdateCheck(i, errors).check(element));
            } else {
                errors.add(i, null, NOT_AN_OBJECT);
            }
        }
        return errors.isEmpty()
                ? ValidationResult.valid(updates, true)
                : ValidationResult.invalid(errors.list(), true);
    }

    private static ValidationResult bodyError(String message) {
        return ValidationResult.invalid(List.of(FieldError.body(message)), false);
    }

    /** Says what is wrong with the JSON without Jackson's class or feature names. */
    static String describe(IOException e) {
        String original = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
        String message = original == null ? "" : original;
        if (e instanceof StreamConstraintsException) {
            if (message.contains("nesting depth")) {
                return "body is nested deeper than " + MAX_NESTING_DEPTH + " levels";
            }
            if (message.startsWith("Number")) {
                return "body holds a number with too many digits (more than " + MAX_NUMBER_LENGTH + ")";
            }
            return "body holds a value that is too long";
        }
        if (e instanceof JsonEOFException) {
            return "body is truncated: unexpected end of input" + at(e);
        }
        if (message.startsWith("Duplicate field '")) {
            int end = message.indexOf('\'', 17);
            String key = end > 17 ? message.substring(17, end) : "";
            return "body has a duplicate key \"" + shorten(key) + "\"" + at(e);
        }
        if (message.startsWith("Trailing token")) {
            return "body has content after the JSON value";
        }
        if (message.contains("Non-standard token") || message.contains("Infinity")) {
            return "body is not valid JSON: NaN and Infinity are not numbers" + at(e);
        }
        if (message.contains("UTF-8") || message.contains("UTF8") || message.contains("Invalid UTF")) {
            return "body is not valid UTF-8" + at(e);
        }
        if (message.contains("Unexpected end-of-input")) {
            return "body is truncated: unexpected end of input" + at(e);
        }
        if (e instanceof JsonParseException) {
            return "body is not valid JSON" + at(e);
        }
        return "body cannot be read as JSON" + at(e);
    }

    private static String at(IOException e) {
        if (e instanceof JsonProcessingException jpe) {
            JsonLocation location = jpe.getLocation();
            if (location != null && location.getLineNr() > 0) {
                return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
            }
        }
        return "";
    }

    /** Field names are echoed back to the terminal; a hostile one must not blow up the answer. */
    static String shorten(String s) {
        return s.length() <= MAX_ID_LENGTH ? s : s.substring(0, MAX_ID_LENGTH) + "…";
    }

    /** Errors of one body, in order, at most {@link #MAX_ERRORS} of them plus a note that more were cut. */
    private static final class Errors {
        private final List<FieldError> list = new ArrayList<>();
        private boolean omitted;

        void add(int index, String field, String message) {
            if (list.size() < MAX_ERRORS) {
                list.add(new FieldError(index, field, message));
            } else {
                omitted = true;
            }
        }

        void stopChecking() {
            omitted = true;
        }

        boolean full() {
            return list.size() >= MAX_ERRORS;
        }

        boolean isEmpty() {
            return list.isEmpty();
        }

        List<FieldError> list() {
            if (omitted) {
                List<FieldError> copy = new ArrayList<>(list);
                copy.add(FieldError.body(ERRORS_OMITTED));
                return copy;
            }
            return list;
        }
    }

    /** The checks of one update object; each checker records its errors and answers null when bad. */
    private static final class UpdateCheck {
        private final int index;
        private final Errors errors;

        UpdateCheck(int index, Errors errors) {
            this.index = index;
            this.errors = errors;
        }

        InventoryUpdate check(JsonNode object) {
            JsonNode updateId = null, terminalId = null, type = null, sku = null, name = null, price = null,
                    quantity = null, delta = null, occurredAt = null, baseVersion = null;
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                JsonNode value = field.getValue();
                switch (field.getKey()) {
                    case "updateId" -> updateId = value;
                    case "terminalId" -> terminalId = value;
                    case "type" -> type = value;
                    case "sku" -> sku = value;
                    case "name" -> name = value;
                    case "price" -> price = value;
                    case "quantity" -> quantity = value;
                    case "delta" -> delta = value;
                    case "occurredAt" -> occurredAt = value;
                    case "baseVersion" -> baseVersion = value;
                    default -> error(shorten(field.getKey()), UNKNOWN_FIELD);
                }
            }

            String validUpdateId = absent(updateId) ? null : idString(updateId, "updateId", true);
            String validTerminalId = required(terminalId, "terminalId")
                    ? text(terminalId, "terminalId", MAX_ID_LENGTH, TERMINAL_ID_LENGTH) : null;
            UpdateType validType = required(type, "type") ? type(type) : null;
            String validSku = required(sku, "sku") ? idString(sku, "sku", false) : null;

            String validName = forType(validType, name, "name", NAME_TYPES)
                    ? text(name, "name", MAX_NAME_LENGTH, NAME_LENGTH) : null;
            BigDecimal validPrice = forType(validType, price, "price", PRICE_TYPES) ? price(price) : null;
            Long validQuantity = forType(validType, quantity, "quantity", QUANTITY_TYPES)
                    ? integer(quantity, "quantity", 0, MAX_QUANTITY, QUANTITY_RANGE) : null;
            Long validDelta = forType(validType, delta, "delta", DELTA_TYPES) ? delta(delta) : null;

            Instant validOccurredAt = required(occurredAt, "occurredAt") ? instant(occurredAt) : null;
            Long validBaseVersion = absent(baseVersion)
                    ? null : integer(baseVersion, "baseVersion", 0, Long.MAX_VALUE, BASE_VERSION_RANGE);

            return new InventoryUpdate(validUpdateId, validTerminalId, validType, validSku, validName,
                    validPrice, validQuantity, validDelta, validOccurredAt, validBaseVersion, false);
        }

        private void error(String field, String message) {
            errors.add(index, field, message);
        }

        /** Optional fields: an explicit null counts as absent (many serializers write nulls). */
        private static boolean absent(JsonNode value) {
            return value == null || value.isNull();
        }

        private boolean required(JsonNode value, String field) {
            if (absent(value)) {
                error(field, REQUIRED);
                return false;
            }
            return true;
        }

        /**
         * Whether a type-dependent field should have its value checked. With a valid type the field
         * must be present exactly when the type uses it; without one only a present value is checked.
         */
        private boolean forType(UpdateType type, JsonNode value, String field, Set<UpdateType> types) {
            if (type == null) {
                return !absent(value);
            }
            if (!types.contains(type)) {
                if (value != null) {
                    error(field, NOT_ALLOWED_FOR_TYPE + type.name());
                }
                return false;
            }
            return required(value, field);
        }

        private String string(JsonNode value, String field) {
            if (!value.isTextual()) {
                error(field, NOT_A_STRING);
                return null;
            }
            return value.textValue();
        }

        /** updateId and sku: ASCII letters, digits and a few separators; they end up in URLs. */
        private String idString(JsonNode value, String field, boolean colonAllowed) {
            String s = string(value, field);
            if (s == null) {
                return null;
            }
            if (s.isEmpty() || s.length() > MAX_ID_LENGTH || !idChars(s, colonAllowed)) {
                error(field, colonAllowed ? UPDATE_ID_FORMAT : SKU_FORMAT);
                return null;
            }
            if (s.equals(".") || s.equals("..")) {
                error(field, DOTS_ONLY);
                return null;
            }
            return s;
        }

        private static boolean idChars(String s, boolean colonAllowed) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '.' || c == '_' || c == '-' || (colonAllowed && c == ':');
                if (!ok) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Free text (terminalId, name): no control characters, well-formed, and a length in UTF-16
         * units (an emoji counts two), as the H2 mirror of earlier versions counted its VARCHAR columns,
         * which is within PostgreSQL's count of characters (SQLite sets no limit). Counted in code points,
         * a 64-emoji terminalId was once accepted here and then refused by the mirror after it was
         * queued, and the forwarding of everything behind it failed on it for good.
         */
        private String text(JsonNode value, String field, int maxLength, String lengthMessage) {
            String s = string(value, field);
            if (s == null) {
                return null;
            }
            if (s.isEmpty() || s.length() > maxLength) {
                error(field, lengthMessage);
                return null;
            }
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (isControl(c)) {
                    error(field, CONTROL_CHARACTERS);
                    return null;
                }
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    error(field, INVALID_UNICODE);
                    return null;
                }
            }
            return s;
        }

        /**
         * C0 and C1 controls, and the invisible ones that change how text around them reads: line and
         * paragraph separators (a forged line in a log) and bidirectional overrides and isolates
         * (a name that displays differently from what it is).
         */
        private static boolean isControl(char c) {
            return Character.isISOControl(c)
                    || c == '\u2028' || c == '\u2029'
                    || (c >= '\u202A' && c <= '\u202E')
                    || (c >= '\u2066' && c <= '\u2069')
                    || c == '\u200E' || c == '\u200F' || c == '\u061C';
        }

        private UpdateType type(JsonNode value) {
            String s = string(value, "type");
            if (s == null) {
                return null;
            }
            UpdateType type = TYPES.get(s);
            if (type == null) {
                error("type", TYPE_VALUES);
            }
            return type;
        }

        private BigDecimal price(JsonNode value) {
            if (!value.isNumber()) {
                error("price", value.isTextual() ? NUMBER_AS_STRING : NOT_A_NUMBER);
                return null;
            }
            BigDecimal price = value.decimalValue();
            if (price.signum() < 0) {
                error("price", NEGATIVE);
                return null;
            }
            if (price.compareTo(PRICE_LIMIT) >= 0) {
                error("price", PRICE_TOO_HIGH);
                return null;
            }
            if (price.scale() < 0) {
                return price.setScale(0);
            }
            if (price.scale() > 2) {
                // 1.500 is fine (it is 1.5), 1.505 is not.
                BigDecimal stripped = price.stripTrailingZeros();
                if (stripped.scale() > 2) {
                    error("price", PRICE_DECIMALS);
                    return null;
                }
                return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
            }
            return price;
        }

        /** A JSON integer within [min, max]; 1.0 and 1e3 are decimals, not integers. */
        private Long integer(JsonNode value, String field, long min, long max, String rangeMessage) {
            if (!value.isIntegralNumber()) {
                error(field, value.isTextual() ? INTEGER_AS_STRING : NOT_AN_INTEGER);
                return null;
            }
            if (!value.canConvertToLong()) {
                error(field, rangeMessage);
                return null;
            }
            long n = value.longValue();
            if (n < min || n > max) {
                error(field, rangeMessage);
                return null;
            }
            return n;
        }

        private Long delta(JsonNode value) {
            Long delta = integer(value, "delta", -MAX_DELTA, MAX_DELTA, DELTA_RANGE);
            if (delta != null && delta == 0) {
                error("delta", DELTA_ZERO);
                return null;
            }
            return delta;
        }

        private Instant instant(JsonNode value) {
            String s = string(value, "occurredAt");
            if (s == null) {
                return null;
            }
            Instant instant = s.length() <= MAX_INSTANT_LENGTH ? parseInstant(s) : null;
            if (instant == null) {
                error("occurredAt", INSTANT_FORMAT);
                return null;
            }
            if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
                error("occurredAt", INSTANT_RANGE);
                return null;
            }
            return instant;
        }

        private static Instant parseInstant(String s) {
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e) {
                // fall through: an offset the instant parser does not take
            }
            try {
                return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                return null;
            }
        }
    }
}
