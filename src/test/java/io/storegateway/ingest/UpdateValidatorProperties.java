package io.storegateway.ingest;

import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateJson;
import io.storegateway.update.UpdateType;

import com.fasterxml.jackson.core.JsonProcessingException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of {@link UpdateValidator} over generated input (jqwik): every update within docs/HTTP-API.md and docs/JMS.md: the update message
 * passes and survives the trip through the gateway's own JSON; breaking any one field's rule is
 * refused naming exactly that field; no input whatever makes it throw; batches of up to 500 pass
 * and more are "too many". The example-based cases are in {@link UpdateValidatorTest}.
 */
class UpdateValidatorProperties {

    private static final String ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
    private static final Set<String> FIELDS = Set.of("updateId", "terminalId", "type", "sku", "name", "price", "quantity",
            "delta", "occurredAt", "baseVersion");
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");
    // The mirror's columns (V1__mirror.sql): what a valid update must fit once accepted.
    private static final int PAYLOAD_COLUMN = 4000;

    private final UpdateValidator validator = new UpdateValidator();

    // --- valid updates ----------------------------------------------------------------------------

    /** A valid update as its fields in raw JSON, in a random order. */
    record Fields(UpdateType type, Map<String, String> json) {
        String body() {
            return json.entrySet().stream().map(e -> quote(e.getKey()) + ":" + e.getValue())
                    .collect(Collectors.joining(",", "{", "}"));
        }

        Fields with(String field, String rawJson) {
            Map<String, String> copy = new LinkedHashMap<>(json);
            copy.put(field, rawJson);
            return new Fields(type, copy);
        }

        Fields without(String field) {
            Map<String, String> copy = new LinkedHashMap<>(json);
            copy.remove(field);
            return new Fields(type, copy);
        }
    }

    @Provide
    Arbitrary<Fields> validUpdates() {
        return Arbitraries.of(UpdateType.class).flatMap(UpdateValidatorProperties::validUpdate);
    }

    static Arbitrary<Fields> validUpdate(UpdateType type) {
        Arbitrary<String> updateId = Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.just("null"),
                idString(ID_CHARS + ":").map(UpdateValidatorProperties::quote));
        Arbitrary<String> baseVersion = Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.just("null"),
                Arbitraries.longs().between(0, Long.MAX_VALUE).map(String::valueOf));
        Arbitrary<String> name = type == UpdateType.UPSERT_PRODUCT ? freeText(200).map(UpdateValidatorProperties::quote) : Arbitraries.just(null);
        Arbitrary<String> price = type == UpdateType.UPSERT_PRODUCT || type == UpdateType.SET_PRICE ? price() : Arbitraries.just(null);
        Arbitrary<String> quantity = type == UpdateType.UPSERT_PRODUCT || type == UpdateType.SET_QUANTITY
                ? Arbitraries.longs().between(0, 1_000_000_000L).map(String::valueOf) : Arbitraries.just(null);
        Arbitrary<String> delta = type == UpdateType.ADJUST_QUANTITY
                ? Arbitraries.longs().between(-1_000_000_000L, 1_000_000_000L).filter(d -> d != 0).map(String::valueOf)
                : Arbitraries.just(null);
        return Combinators.combine(List.of(updateId, freeText(64).map(UpdateValidatorProperties::quote),
                        idString(ID_CHARS).map(UpdateValidatorProperties::quote), name, price, quantity, delta, instant(), baseVersion))
                .as(values -> {
                    List<String> names = List.of("updateId", "terminalId", "sku", "name", "price", "quantity", "delta",
                            "occurredAt", "baseVersion");
                    Map<String, String> json = new LinkedHashMap<>();
                    json.put("type", quote(type.name()));
                    for (int i = 0; i < names.size(); i++) {
                        if (values.get(i) != null) {
                            json.put(names.get(i), (String) values.get(i));
                        }
                    }
                    return new Fields(type, json);
                });
    }

    @Property(tries = 500)
    void everyValidUpdatePassesAndRoundTrips(@ForAll("validUpdates") Fields fields) throws JsonProcessingException {
        ValidationResult result = validator.validate(fields.body());

        assertThat(result.errors()).as(fields.body()).isEmpty();
        InventoryUpdate update = result.updates().get(0);
        assertThat(update.type()).isEqualTo(fields.type());
        assertThat(update.sku()).isEqualTo(UpdateJson.MAPPER.readTree(fields.json().get("sku")).textValue());
        assertThat(update.terminalId()).isEqualTo(UpdateJson.MAPPER.readTree(fields.json().get("terminalId")).textValue());
        assertThat(update.force()).isFalse();
        if (fields.json().containsKey("price")) {
            assertThat(update.price()).isEqualByComparingTo(new BigDecimal(fields.json().get("price")));
        }
        // What the gateway writes (queue, mirror, HQ) reads back as the same update...
        String written = UpdateJson.toJsonString(update);
        ValidationResult again = validator.validate(written.getBytes(StandardCharsets.UTF_8));
        assertThat(again.updates()).as(written).containsExactly(update);
        // ...and fits the mirror's columns (a refusal there would come after the update is queued).
        assertThat(written.length()).isLessThanOrEqualTo(PAYLOAD_COLUMN);
        assertThat(update.terminalId().length()).isLessThanOrEqualTo(64);
        if (update.name() != null) {
            assertThat(update.name().length()).isLessThanOrEqualTo(200);
        }
    }

    @Property(tries = 500)
    void freeTextIsTakenOnlyWhenTheMirrorCanHoldIt(@ForAll("validUpdates") Fields fields,
                                                   @ForAll("textOfUpTo64CodePoints") String terminalId) {
        ValidationResult result = validator.validate(fields.with("terminalId", quote(terminalId)).body());

        if (result.isValid()) {
            assertThat(result.updates().get(0).terminalId().length()).as("UTF-16 units in VARCHAR(64)").isLessThanOrEqualTo(64);
        } else {
            assertThat(result.errors()).singleElement().extracting(FieldError::field).isEqualTo("terminalId");
        }
    }

    @Provide
    Arbitrary<String> textOfUpTo64CodePoints() {
        return Arbitraries.integers().between(0x10000, 0x1f9ff).list().ofMinSize(1).ofMaxSize(64)
                .map(cps -> cps.stream().collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString());
    }

    // --- one rule broken ---------------------------------------------------------------------------

    /** A valid update with one field broken, and the field the validator must name. */
    record Broken(Fields fields, String field) {
        @Override
        public String toString() {
            return field + " in " + fields.body();
        }
    }

    @Provide
    Arbitrary<Broken> brokenUpdates() {
        return Arbitraries.of(UpdateType.class).flatMap(type -> Combinators.combine(validUpdate(type), breakage(type))
                .as((fields, breakage) -> breakage.apply(fields)));
    }

    /** One way to break an update of the type: a field set to a bad raw JSON value, or removed (null). */
    record Breakage(String field, String rawJson) {
        Broken apply(Fields fields) {
            return new Broken(rawJson == null ? fields.without(field) : fields.with(field, rawJson), field);
        }
    }

    static Arbitrary<Breakage> breakage(UpdateType type) {
        List<Arbitrary<Breakage>> ways = new ArrayList<>(List.of(
                badIdString(true).map(v -> new Breakage("updateId", v)),
                badText(64).map(v -> new Breakage("terminalId", v)),
                badIdString(false).map(v -> new Breakage("sku", v)),
                Arbitraries.strings().ofMaxLength(20).filter(s -> EnumSet.allOf(UpdateType.class).stream().noneMatch(t -> t.name().equals(s)))
                        .map(UpdateValidatorProperties::quote).map(v -> new Breakage("type", v)),
                badInstant().map(v -> new Breakage("occurredAt", v)),
                Arbitraries.oneOf(Arbitraries.longs().between(Long.MIN_VALUE, -1).map(String::valueOf),
                                Arbitraries.just(new BigInteger(String.valueOf(Long.MAX_VALUE)).add(BigInteger.ONE).toString()),
                                Arbitraries.just("1.5"), Arbitraries.just("\"3\""), Arbitraries.just("[]"))
                        .map(v -> new Breakage("baseVersion", v)),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(64).filter(s -> !FIELDS.contains(s))
                        .map(unknown -> new Breakage(unknown, "1")),
                Arbitraries.of("terminalId", "type", "sku", "occurredAt").map(required -> new Breakage(required, null))));
        ways.add(typeField(type, "name", EnumSet.of(UpdateType.UPSERT_PRODUCT), badText(200)));
        ways.add(typeField(type, "price", EnumSet.of(UpdateType.UPSERT_PRODUCT, UpdateType.SET_PRICE), badPrice()));
        ways.add(typeField(type, "quantity", EnumSet.of(UpdateType.UPSERT_PRODUCT, UpdateType.SET_QUANTITY), Arbitraries.oneOf(
                Arbitraries.longs().between(Long.MIN_VALUE, -1).map(String::valueOf),
                Arbitraries.longs().between(1_000_000_001L, Long.MAX_VALUE).map(String::valueOf),
                Arbitraries.just("2.5"), Arbitraries.just("1.0"), Arbitraries.just("1e3"), Arbitraries.just("\"5\""))));
        ways.add(typeField(type, "delta", EnumSet.of(UpdateType.ADJUST_QUANTITY), Arbitraries.oneOf(
                Arbitraries.just("0"), Arbitraries.just("-0"),
                Arbitraries.longs().between(1_000_000_001L, Long.MAX_VALUE).map(d -> String.valueOf(d)),
                Arbitraries.longs().between(Long.MIN_VALUE, -1_000_000_001L).map(String::valueOf),
                Arbitraries.just("0.5"), Arbitraries.just("\"-1\""))));
        return Arbitraries.oneOf(ways);
    }

    /** A field the type takes gets a bad value or goes missing; a field it does not take turns up. */
    private static Arbitrary<Breakage> typeField(UpdateType type, String field, Set<UpdateType> takenBy, Arbitrary<String> bad) {
        if (takenBy.contains(type)) {
            return Arbitraries.oneOf(bad, Arbitraries.just(null)).map(v -> new Breakage(field, v));
        }
        return Arbitraries.of("1", "\"x\"", "null", "{}").map(v -> new Breakage(field, v));
    }

    @Property(tries = 1000)
    void breakingOneRuleIsRefusedNamingThatField(@ForAll("brokenUpdates") Broken broken) {
        ValidationResult result = validator.validate(broken.fields().body());

        assertThat(result.outcome()).as(broken.toString()).isEqualTo(ValidationResult.Outcome.INVALID);
        assertThat(result.errors()).as(broken.toString()).singleElement().satisfies(e -> {
            assertThat(e.index()).isZero();
            assertThat(e.field()).isEqualTo(broken.field());
            assertThat(e.message()).isNotBlank();
        });
    }

    // --- anything at all ----------------------------------------------------------------------------

    @Property(tries = 2000)
    void anyBytesGetAnAnswerNeverAnException(@ForAll @Size(max = 2000) byte[] body) {
        assertSaneAnswer(validator.validate(body));
    }

    @Property(tries = 2000)
    void anyStringGetsAnAnswerNeverAnException(@ForAll @Size(max = 500) String body) {
        assertSaneAnswer(validator.validate(body));
    }

    @Provide
    Arbitrary<String> jsonLikeSoup() {
        return Arbitraries.of("{", "}", "[", "]", ",", ":", " ", "\"sku\"", "\"terminalId\"", "\"type\"", "\"SET_PRICE\"",
                        "\"price\"", "\"x\"", "\"\\u0000\"", "\"\\ud800\"", "1", "-0", "1e400", "1.005", "NaN", "null", "true",
                        "99999999999999999999", "\"2026-01-01T00:00:00Z\"", "\"\"")
                .list().ofMaxSize(60).map(tokens -> String.join("", tokens));
    }

    @Property(tries = 3000)
    void jsonLikeInputGetsAnAnswerNeverAnException(@ForAll("jsonLikeSoup") String body) {
        ValidationResult fromString = validator.validate(body);
        assertSaneAnswer(fromString);
        // The two ways in (HTTP bytes, a JMS text) judge the same body the same way.
        assertThat(validator.validate(body.getBytes(StandardCharsets.UTF_8))).isEqualTo(fromString);
    }

    private static void assertSaneAnswer(ValidationResult result) {
        assertThat(result).isNotNull();
        if (result.isValid()) {
            assertThat(result.updates()).isNotEmpty();
            assertThat(result.errors()).isEmpty();
        } else {
            assertThat(result.errors()).isNotEmpty().hasSizeLessThanOrEqualTo(UpdateValidator.MAX_ERRORS + 1);
            assertThat(result.errors()).allSatisfy(e -> assertThat(e.message()).isNotBlank().hasSizeLessThan(300)
                    .doesNotContain("jackson", "Exception", "com.fasterxml", "\n"));
        }
    }

    // --- batches ----------------------------------------------------------------------------------------

    @Property(tries = 30)
    void batchesOfUpTo500ValidUpdatesPassInOrder(@ForAll @Size(min = 1, max = 500) List<@From("validUpdates") Fields> batch) {
        String body = batch.stream().map(Fields::body).collect(Collectors.joining(",", "[", "]"));

        ValidationResult result = validator.validate(body);

        assertThat(result.errors()).isEmpty();
        assertThat(result.array()).isTrue();
        assertThat(result.updates()).extracting(InventoryUpdate::type).containsExactlyElementsOf(
                batch.stream().map(Fields::type).toList());
    }

    @Property(tries = 5)
    void moreThan500AreTooMany(@ForAll @Size(min = 501, max = 700) List<@From("validUpdates") Fields> batch) {
        String body = batch.stream().map(Fields::body).collect(Collectors.joining(",", "[", "]"));

        ValidationResult result = validator.validate(body);

        assertThat(result.outcome()).isEqualTo(ValidationResult.Outcome.TOO_MANY);
        assertThat(result.updates()).isEmpty();
    }

    // --- generators ---------------------------------------------------------------------------------------

    private static Arbitrary<String> idString(String chars) {
        return Arbitraries.strings().withChars(chars.toCharArray()).ofMinLength(1).ofMaxLength(64)
                .filter(s -> !s.equals(".") && !s.equals(".."));
    }

    /** Free text as the contract takes it: 1 to max UTF-16 units, any code point but controls and lone surrogates. */
    private static Arbitrary<String> freeText(int max) {
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0x20, 0x7e)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0xa0, 0xd7ff)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0xe000, 0xfffd)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10ffff)))
                .filter(cp -> !invisibleControl(cp));
        return codePoint.list().ofMinSize(1).ofMaxSize(max)
                .map(cps -> cps.stream().collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString())
                .filter(s -> s.length() <= max);
    }

    private static boolean invisibleControl(int cp) {
        return cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)
                || cp == 0x200e || cp == 0x200f || cp == 0x061c;
    }

    private static Arbitrary<String> price() {
        // Up to 2 decimals, below 10^9: the largest is 999999999, 999999999.9 or 999999999.99.
        return Arbitraries.integers().between(0, 2).flatMap(scale -> Arbitraries.bigDecimals()
                .between(BigDecimal.ZERO, BigDecimal.valueOf(1_000_000_000L).subtract(BigDecimal.ONE.movePointLeft(scale)))
                .ofScale(scale)).map(BigDecimal::toPlainString);
    }

    private static Arbitrary<String> instant() {
        Arbitrary<Instant> instants = Arbitraries.longs().between(EARLIEST.getEpochSecond(), LATEST.getEpochSecond())
                .flatMap(s -> Arbitraries.integers().between(0, 999_999_999).map(n -> Instant.ofEpochSecond(s, n)));
        Arbitrary<String> withOffset = Combinators.combine(
                        instants.filter(i -> i.isAfter(EARLIEST.plusSeconds(86_400)) && i.isBefore(LATEST.minusSeconds(86_400))),
                        Arbitraries.integers().between(-18 * 3600, 18 * 3600))
                .as((i, offset) -> i.atOffset(ZoneOffset.ofTotalSeconds(offset / 60 * 60)).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        return Arbitraries.oneOf(instants.map(Instant::toString), withOffset).map(UpdateValidatorProperties::quote);
    }

    private static Arbitrary<String> badIdString(boolean colonAllowed) {
        String chars = colonAllowed ? ID_CHARS + ":" : ID_CHARS;
        Arbitrary<Character> badChar = Arbitraries.chars().filter(c -> chars.indexOf(c) < 0 && !Character.isSurrogate(c));
        return Arbitraries.oneOf(
                Arbitraries.just("\"\""), Arbitraries.just("\".\""), Arbitraries.just("\"..\""),
                Arbitraries.strings().withChars(chars.toCharArray()).ofMinLength(65).ofMaxLength(300).map(UpdateValidatorProperties::quote),
                Combinators.combine(idString(chars), badChar).as((s, c) -> quote(s.substring(0, s.length() / 2) + c + s.substring(s.length() / 2))),
                Arbitraries.just("42"), Arbitraries.just("true"), Arbitraries.just("[\"A\"]"), Arbitraries.just("{}"));
    }

    private static Arbitrary<String> badText(int max) {
        Arbitrary<Character> control = Arbitraries.oneOf(Arbitraries.chars().range('\u0000', '\u001f'),
                Arbitraries.chars().range('\u007f', '\u009f'), Arbitraries.of('\u2028', '\u2029', '\u202e', '\u2066'));
        return Arbitraries.oneOf(
                Arbitraries.just("\"\""),
                Arbitraries.strings().alpha().ofMinLength(max + 1).ofMaxLength(max + 300).map(UpdateValidatorProperties::quote),
                Combinators.combine(freeText(max - 1), control).as((s, c) -> quote(s + c)),
                Arbitraries.just("\"a\\ud800\""), Arbitraries.just("7"), Arbitraries.just("false"), Arbitraries.just("{\"id\":1}"));
    }

    private static Arbitrary<String> badPrice() {
        return Arbitraries.oneOf(
                Arbitraries.bigDecimals().between(new BigDecimal("-1000000000"), new BigDecimal("-0.01")).ofScale(2)
                        .map(BigDecimal::toPlainString),
                Arbitraries.bigDecimals().between(new BigDecimal("1000000000"), new BigDecimal("1e30")).ofScale(2)
                        .map(BigDecimal::toPlainString),
                Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("999999")).ofScale(3)
                        .filter(p -> p.stripTrailingZeros().scale() > 2).map(BigDecimal::toPlainString),
                Arbitraries.just("1e400"), Arbitraries.just("\"1.99\""), Arbitraries.just("true"));
    }

    private static Arbitrary<String> badInstant() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(40).filter(s -> !parses(s)).map(UpdateValidatorProperties::quote),
                Arbitraries.just("\"+10000-01-01T00:00:00Z\""), Arbitraries.just("\"2026-02-30T10:00:00Z\""),
                Arbitraries.just("\"2026-01-01T10:00:00\""), Arbitraries.just("\"2026-01-01\""),
                Arbitraries.longs().map(String::valueOf));
    }

    private static boolean parses(String s) {
        try {
            Instant.parse(s);
            return true;
        } catch (RuntimeException e) {
            try {
                OffsetDateTime.parse(s);
                return true;
            } catch (RuntimeException e2) {
                return false;
            }
        }
    }

    private static String quote(String s) {
        try {
            return UpdateJson.MAPPER.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
