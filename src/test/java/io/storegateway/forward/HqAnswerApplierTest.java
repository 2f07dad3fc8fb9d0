package io.storegateway.forward;

import io.storegateway.broker.Queues;
import io.storegateway.broker.UpdateMessages.QueuedUpdate;
import io.storegateway.config.GatewaySettings;
import io.storegateway.conflict.ConflictPolicies;
import io.storegateway.conflict.ConflictPolicy;
import io.storegateway.conflict.ConflictResolver;
import io.storegateway.hq.HqFeeds;
import io.storegateway.hq.HqJson;
import io.storegateway.hq.ProductRecord;
import io.storegateway.hq.UpdateResult;
import io.storegateway.hq.UpdateResult.Status;
import io.storegateway.mirror.AcceptedUpdates;
import io.storegateway.mirror.ConflictRecords;
import io.storegateway.mirror.HqChangesPoller;
import io.storegateway.mirror.MirrorDatabase;
import io.storegateway.mirror.MirrorWriter;
import io.storegateway.mirror.Products;
import io.storegateway.mirror.SyncState;
import io.storegateway.mirror.UpdateRow;
import io.storegateway.mirror.UpdateStatus;
import io.storegateway.tasks.BackgroundTasks;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateJson;
import io.storegateway.update.UpdateType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.jms.TextMessage;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link HqAnswerApplier} settling HQ's answer to one batch, without broker, gateway or HTTP: each
 * answer status HQ can give (docs/HQ-PROTOCOL.md), what reaches the mirror, the DLQ and HQ again, and a
 * conflict under each policy. The mirror is a real SQLite one (opened once for the class: every test has
 * its own SKU and update ids); HQ is two direct routes the test scripts (re-sends, changes); the batch's
 * JMS session is a fake that counts commits; the clock is fixed.
 */
class HqAnswerApplierTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final AtomicInteger TESTS = new AtomicInteger();

    @TempDir
    static Path dir;

    private static MirrorDatabase db;
    private static AcceptedUpdates updates;
    private static ConflictRecords conflicts;
    private static MirrorWriter mirror;
    private static HqChangesPoller changes;
    private static CamelContext camel;

    /** HQ's answer to each update the gateway posts again (a store's winning change); by default it expects none. */
    private static volatile Function<InventoryUpdate, UpdateResult> hq;
    /** What the gateway posted to HQ again, in order. */
    private static final List<InventoryUpdate> resent = new ArrayList<>();
    /** HQ's changes feed: the records it answers with. */
    private static final List<ProductRecord> hqChanges = new ArrayList<>();

    private final FakeJmsSession session = new FakeJmsSession();
    private final ForwardBackoff backoff = new ForwardBackoff(100, 2.0, 1000, 0.0, CLOCK);
    private final HqAccessAlert accessAlert = new HqAccessAlert(GatewaySettings.of(Map.of()), CLOCK);
    private final ForwardStats stats = new ForwardStats(CLOCK);
    private String sku;
    private ConflictResolver resolver;

    @BeforeAll
    static void openMirrorAndHq() throws Exception {
        db = MirrorDatabase.open(GatewaySettings.of(Map.of(GatewaySettings.DATA_DIR, dir.toString())));
        updates = new AcceptedUpdates(db);
        conflicts = new ConflictRecords(db);
        Products products = new Products();
        mirror = new MirrorWriter(db, updates, products, conflicts, CLOCK);
        changes = new HqChangesPoller(db, products, new SyncState(db), new HqFeeds(), CLOCK,
                new BackgroundTasks(() -> true, CLOCK));
        camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(HqPoster.POST_ENDPOINT).process(HqAnswerApplierTest::answerResend);
                from(HqFeeds.CHANGES).process(HqAnswerApplierTest::answerChanges);
            }
        });
        camel.start();
    }

    @AfterAll
    static void close() {
        camel.stop();
        db.close();
    }

    @BeforeEach
    void freshSkuAndHq() {
        sku = "SKU-T" + TESTS.incrementAndGet();
        hq = u -> {
            throw new AssertionError("nothing should go to HQ again, but " + u.updateId() + " did");
        };
        synchronized (resent) {
            resent.clear();
        }
        hqChanges.clear();
        useResolver(ConflictPolicy.LAST_WRITE_WINS);
    }

    private static void answerResend(Exchange e) throws IOException {
        ArrayNode results = UpdateJson.MAPPER.createArrayNode();
        for (JsonNode n : UpdateJson.MAPPER.readTree(e.getMessage().getBody(String.class)).path("updates")) {
            InventoryUpdate u = UpdateJson.fromTrustedJson(n);
            synchronized (resent) {
                resent.add(u);
            }
            results.add(HqJson.toJson(hq.apply(u)));
        }
        ObjectNode body = UpdateJson.MAPPER.createObjectNode();
        body.set("results", results);
        e.getMessage().setBody(body.toString());
    }

    private static void answerChanges(Exchange e) {
        ObjectNode body = UpdateJson.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("changes");
        hqChanges.forEach(r -> list.add(HqJson.toJson(r)));
        String since = e.getMessage().getHeader("since", String.class);
        body.put("cursor", hqChanges.isEmpty() ? since : String.valueOf(Long.parseLong(since) + hqChanges.size()));
        hqChanges.clear();
        e.getMessage().setBody(body.toString());
    }

    // --- the batch, HQ's answers, the applier

    /**
     * Policy HQ_WINS, the mirror at HQ's version 1: settles a batch of a sale, answered {@code saleStatus},
     * and a price change HQ answers CONFLICT, both with HQ at {@code hqVersion}. Returns the price change.
     */
    private InventoryUpdate saleThenPriceUnderHqWins(Status saleStatus, long hqVersion) throws Exception {
        useResolver(ConflictPolicy.HQ_WINS);
        mirrorHasHqsVersion1();
        InventoryUpdate sold = sale("sold", -3);
        InventoryUpdate price = setPrice("p", "3.33", NOW.minusSeconds(7200));
        applier().settle(camel, batch(sold, price), List.of(result(sold, saleStatus, record("1.00", 7, hqVersion, NOW)),
                result(price, Status.CONFLICT, record("1.00", 7, hqVersion, NOW))));
        return price;
    }


    /** The mirror has HQ's version 1 of the product (through HQ's changes): the base of the store's updates. */
    private void mirrorHasHqsVersion1() throws Exception {
        hqChanges.add(record("1.00", 10, 1, NOW.minusSeconds(3600)));
        changes.poll(camel);
    }


    private void useResolver(ConflictPolicy policy) {
        resolver = new ConflictResolver(ConflictPolicies.from(GatewaySettings.of(Map.of("gateway.conflict.policy", policy.name()))),
                Duration.ofMinutes(5));
    }

    private HqAnswerApplier applier() {
        return new HqAnswerApplier(mirror, resolver, new HqBatchRequest(""), backoff, accessAlert, stats, SettledNotices.none(), changes);
    }

    private String id(String name) {
        return sku + "-" + name;
    }

    private InventoryUpdate sale(String name, long delta) {
        return new InventoryUpdate(id(name), "till-1", UpdateType.ADJUST_QUANTITY, sku, null, null, null, delta, NOW.minusSeconds(60),
                1L, false);
    }

    private InventoryUpdate setPrice(String name, String price, Instant occurredAt) {
        return new InventoryUpdate(id(name), "till-1", UpdateType.SET_PRICE, sku, null, new BigDecimal(price), null, null, occurredAt,
                1L, false);
    }

    private InventoryUpdate setQuantity(String name, long quantity) {
        return new InventoryUpdate(id(name), "till-1", UpdateType.SET_QUANTITY, sku, null, null, quantity, null, NOW.minusSeconds(60),
                1L, false);
    }

    private InventoryUpdate delete(String name) {
        return new InventoryUpdate(id(name), "till-1", UpdateType.DELETE_PRODUCT, sku, null, null, null, null, NOW.minusSeconds(60),
                1L, false);
    }

    private Batch batch(InventoryUpdate... us) {
        List<QueuedUpdate> queued = new ArrayList<>();
        for (InventoryUpdate u : us) {
            TextMessage m = FakeJmsSession.textMessage(UpdateJson.toJsonString(u),
                    Map.of("terminalId", u.terminalId(), "JMSXDeliveryCount", 1, "_AMQ_DUPL_ID", u.updateId()));
            queued.add(new QueuedUpdate(u, "http", NOW.minusSeconds(30), m));
        }
        return new Batch(session.context, queued);
    }

    private ProductRecord record(String price, long quantity, long version, Instant at) {
        return new ProductRecord(sku, "Tea", price == null ? null : new BigDecimal(price), quantity, version, at, false);
    }

    private static UpdateResult result(InventoryUpdate u, Status status, ProductRecord record) {
        return new UpdateResult(u.updateId(), status, null, record);
    }

    private static UpdateRow row(InventoryUpdate u) {
        return updates.find(u.updateId()).orElseThrow(() -> new AssertionError(u.updateId() + " not in the mirror"));
    }

    private ProductRecord mirrored() {
        return mirror.row(sku).orElseThrow(() -> new AssertionError(sku + " not in the mirror")).record();
    }

    private List<ConflictRecords.Conflict> parkedHere() {
        return conflicts.open().stream().filter(c -> c.sku().equals(sku)).toList();
    }

    /** HQ's record in a CONFLICT answer to a price change: version 3, changed at HQ a minute ago. */
    private ProductRecord hqsNewerRecord() {
        return record("9.99", 5, 3, NOW.minusSeconds(60));
    }

    /** Settles HQ's CONFLICT answer ({@link #hqsNewerRecord}) to one price change of ten seconds ago, under the policy. */
    private InventoryUpdate conflictOnAPrice(ConflictPolicy policy) throws Exception {
        useResolver(policy);
        InventoryUpdate price = setPrice("p", "1.11", NOW.minusSeconds(10));
        applier().settle(camel, batch(price), List.of(result(price, Status.CONFLICT, hqsNewerRecord())));
        return price;
    }

    /** {@link #conflictOnAPrice} won by the store (policy STORE_WINS); HQ answers its forced re-send with {@code again}. */
    private InventoryUpdate storeWinsAPriceAndHqAnswers(Function<InventoryUpdate, UpdateResult> again) throws Exception {
        hq = again;
        return conflictOnAPrice(ConflictPolicy.STORE_WINS);
    }

    private void assertSettledAndCommitted(int size) {
        assertThat(session.commits).as("the batch leaves the queue once").isEqualTo(1);
        assertThat(session.rollbacks).isZero();
        assertThat(stats.batches()).isEqualTo(1);
        assertThat(stats.updates()).isEqualTo(size);
        assertThat(stats.lastSyncAt()).isEqualTo(NOW);
    }

    private void assertNothingSettled(InventoryUpdate... us) {
        for (InventoryUpdate u : us) {
            assertThat(updates.find(u.updateId())).as(u.updateId() + " not settled").isEmpty();
        }
        assertThat(session.commits).as("the batch stays on the queue, redelivered").isZero();
        assertThat(session.sent).as("nothing dead-lettered").isEmpty();
        assertThat(stats.batches()).isZero();
    }

    // --- APPLIED, DUPLICATE, REJECTED

    @Test
    void appliedAnswersAreRecordedWithHqsRecordAndTheBatchLeavesTheQueue() throws Exception {
        InventoryUpdate a = sale("a", -1);
        InventoryUpdate b = sale("b", -2);
        backoff.failed(2, "HTTP 503");
        accessAlert.raise("HTTP 401", 2);

        applier().settle(camel, batch(a, b), List.of(result(a, Status.APPLIED, record("1.00", 9, 2, NOW)),
                result(b, Status.APPLIED, record("1.00", 7, 3, NOW))));

        assertThat(row(a).status()).isEqualTo(UpdateStatus.APPLIED);
        assertThat(row(a).hqVersion()).isEqualTo(2);
        assertThat(row(a).reason()).isNull();
        assertThat(row(b).hqVersion()).isEqualTo(3);
        assertThat(mirrored()).as("HQ's record after the batch's last update").isEqualTo(record("1.00", 7, 3, NOW));
        assertSettledAndCommitted(2);
        assertThat(session.sent).as("nothing dead-lettered").isEmpty();
        assertThat(backoff.consecutiveFailures()).as("HQ answered: the back-off starts again").isZero();
        assertThat(accessAlert.raised()).as("HQ took the credentials").isFalse();
        assertThat(resolver.conflictsSeen()).isZero();
    }

    @Test
    void aDuplicateIsSettledAsAppliedWithHqsCurrentRecord() throws Exception {
        InventoryUpdate a = sale("a", -1);

        applier().settle(camel, batch(a), List.of(result(a, Status.DUPLICATE, record("1.00", 9, 4, NOW))));

        assertThat(row(a).status()).as("applied by an earlier try of the batch").isEqualTo(UpdateStatus.APPLIED);
        assertThat(row(a).hqVersion()).isEqualTo(4);
        assertThat(mirrored().version()).isEqualTo(4);
        assertSettledAndCommitted(1);
        assertThat(session.sent).isEmpty();
    }

    @Test
    void settlingTheSameAnswerTwiceChangesNothingTheSecondTime() throws Exception {
        InventoryUpdate a = sale("a", -1);
        List<UpdateResult> answer = List.of(result(a, Status.APPLIED, record("1.00", 9, 2, NOW)));
        applier().settle(camel, batch(a), answer);

        applier().settle(camel, batch(a), List.of(result(a, Status.DUPLICATE, record("1.00", 9, 2, NOW))));

        assertThat(row(a).status()).isEqualTo(UpdateStatus.APPLIED);
        assertThat(row(a).hqVersion()).isEqualTo(2);
        assertThat(mirrored()).isEqualTo(record("1.00", 9, 2, NOW));
        assertThat(session.commits).isEqualTo(2);
    }

    @Test
    void aRejectedUpdateGoesToTheDlqWithHqsReasonAndTheRestOfTheBatchIsSettled() throws Exception {
        InventoryUpdate ok = sale("ok", -1);
        InventoryUpdate refused = sale("refused", -1);
        InventoryUpdate silent = sale("silent", -1);

        applier().settle(camel, batch(ok, refused, silent), List.of(result(ok, Status.APPLIED, record("1.00", 9, 2, NOW)),
                new UpdateResult(refused.updateId(), Status.REJECTED, "unknown sku", null),
                new UpdateResult(silent.updateId(), Status.REJECTED, null, null)));

        assertThat(row(ok).status()).isEqualTo(UpdateStatus.APPLIED);
        assertThat(row(refused).status()).isEqualTo(UpdateStatus.REJECTED);
        assertThat(row(refused).reason()).isEqualTo("unknown sku");
        assertThat(row(silent).reason()).isEqualTo("rejected by HQ");
        List<TextMessage> dlq = session.sentTo(Queues.DLQ);
        assertThat(dlq).hasSize(2);
        assertThat(session.sent).hasSize(2);
        TextMessage first = dlq.get(0);
        assertThat(first.getText()).isEqualTo(UpdateJson.toJsonString(refused));
        assertThat(first.getStringProperty(HqAnswerApplier.ERROR_PROPERTY)).isEqualTo("unknown sku");
        assertThat(first.getObjectProperty("terminalId")).as("the terminal's properties kept").isEqualTo("till-1");
        assertThat(first.getObjectProperty("JMSXDeliveryCount")).as("the broker's own not copied").isNull();
        assertThat(first.getObjectProperty("_AMQ_DUPL_ID")).isNull();
        assertThat(dlq.get(1).getStringProperty(HqAnswerApplier.ERROR_PROPERTY)).isEqualTo("rejected by HQ");
        assertSettledAndCommitted(3);
    }

    // --- CONFLICT, by policy (HQ's changes unknown to the mirror: a true conflict, against HQ's record time)

    @Test
    void hqWinsKeepsHqsRecordAndRecordsTheConflictWithItsReason() throws Exception {
        InventoryUpdate price = conflictOnAPrice(ConflictPolicy.HQ_WINS);

        assertThat(row(price).status()).isEqualTo(UpdateStatus.CONFLICT);
        assertThat(row(price).reason()).contains("overridden by HQ (policy HQ_WINS)").contains("HQ has version 3");
        assertThat(row(price).hqVersion()).isEqualTo(3);
        assertThat(mirrored()).isEqualTo(hqsNewerRecord());
        assertThat(resent).as("not sent again").isEmpty();
        assertThat(parkedHere()).isEmpty();
        assertThat(session.sent).as("a conflict is no rejection").isEmpty();
        assertSettledAndCommitted(1);
    }

    @Test
    void storeWinsSendsTheChangeAgainForcedOntoHqsVersionAndRecordsThatAnswer() throws Exception {
        InventoryUpdate price = storeWinsAPriceAndHqAnswers(u -> result(u, Status.APPLIED, record("1.11", 5, 4, NOW)));

        assertThat(resent).containsExactly(price.forcedOnto(3));
        assertThat(row(price).status()).isEqualTo(UpdateStatus.APPLIED);
        assertThat(row(price).hqVersion()).isEqualTo(4);
        assertThat(row(price).reason()).isNull();
        assertThat(mirrored()).isEqualTo(record("1.11", 5, 4, NOW));
        assertThat(parkedHere()).isEmpty();
        assertSettledAndCommitted(1);
    }

    @Test
    void lastWriteWinsSendsALaterStoreChangeAgainAndKeepsHqsLaterOne() throws Exception {
        InventoryUpdate later = setPrice("later", "1.11", NOW.minusSeconds(10));
        hq = u -> result(u, Status.APPLIED, record("1.11", 5, 4, NOW));

        applier().settle(camel, batch(later), List.of(result(later, Status.CONFLICT, hqsNewerRecord())));

        assertThat(resent).containsExactly(later.forcedOnto(3));
        assertThat(row(later).status()).isEqualTo(UpdateStatus.APPLIED);

        InventoryUpdate earlier = setPrice("earlier", "2.22", NOW.minusSeconds(600));
        resent.clear();
        applier().settle(camel, batch(earlier), List.of(result(earlier, Status.CONFLICT, record("1.11", 5, 4, NOW))));

        assertThat(resent).isEmpty();
        assertThat(row(earlier).status()).isEqualTo(UpdateStatus.CONFLICT);
        assertThat(row(earlier).reason()).contains("overridden by HQ (policy LAST_WRITE_WINS)");
        assertThat(mirrored().price()).isEqualByComparingTo("1.11");
    }

    @Test
    void manualParksTheConflictWithBothSidesForAPerson() throws Exception {
        InventoryUpdate price = conflictOnAPrice(ConflictPolicy.MANUAL);

        assertThat(row(price).status()).isEqualTo(UpdateStatus.CONFLICT);
        assertThat(row(price).reason()).contains("waiting for a decision (policy MANUAL)");
        assertThat(parkedHere()).singleElement().satisfies(c -> {
            assertThat(c.updateId()).isEqualTo(price.updateId());
            assertThat(c.local()).isEqualTo(price);
            assertThat(c.hq()).isEqualTo(hqsNewerRecord());
        });
        assertThat(resent).isEmpty();
        assertThat(mirrored()).as("HQ's record stands until someone decides").isEqualTo(hqsNewerRecord());
        assertSettledAndCommitted(1);
    }

    @Test
    void aConflictWithoutHqsRecordIsRecordedAsItIsNotDecided() throws Exception {
        useResolver(ConflictPolicy.STORE_WINS);
        InventoryUpdate price = setPrice("p", "1.11", NOW.minusSeconds(10));

        applier().settle(camel, batch(price), List.of(new UpdateResult(price.updateId(), Status.CONFLICT, "gone", null)));

        assertThat(row(price).status()).isEqualTo(UpdateStatus.CONFLICT);
        assertThat(row(price).reason()).contains("HQ has version ?").contains("(gone)");
        assertThat(resolver.conflictsSeen()).isZero();
        assertThat(resent).isEmpty();
        assertSettledAndCommitted(1);
    }

    @Test
    void answersOtherThanConflictNeverAskThePolicy() throws Exception {
        for (ConflictPolicy policy : ConflictPolicy.values()) {
            useResolver(policy);
            InventoryUpdate sold = sale("sold-" + policy, -3);
            InventoryUpdate dup = sale("dup-" + policy, -1);
            InventoryUpdate refused = sale("refused-" + policy, -1);

            applier().settle(camel, batch(sold, dup, refused), List.of(result(sold, Status.APPLIED, record("1.00", 7, 2, NOW)),
                    result(dup, Status.DUPLICATE, record("1.00", 7, 2, NOW)), result(refused, Status.REJECTED, null)));

            assertThat(resolver.conflictsSeen()).as(policy.name()).isZero();
            assertThat(row(sold).status()).as(policy.name()).isEqualTo(UpdateStatus.APPLIED);
        }
        assertThat(resent).isEmpty();
        assertThat(parkedHere()).isEmpty();
    }

    // --- not a true conflict: HQ's version moved only through the store's own updates of the batch

    @Test
    void theStoresOwnSaleInTheBatchDoesNotMakeHqWinAPriceHqNeverChanged() throws Exception {
        hq = u -> result(u, Status.APPLIED, record("3.33", 7, 3, NOW));

        InventoryUpdate price = saleThenPriceUnderHqWins(Status.APPLIED, 2);

        assertThat(resolver.conflictsSeen()).as("no true conflict, whatever the policy").isZero();
        assertThat(resent).containsExactly(price.forcedOnto(2));
        assertThat(row(price).status()).isEqualTo(UpdateStatus.APPLIED);
        assertThat(mirrored()).isEqualTo(record("3.33", 7, 3, NOW));
    }

    @Test
    void lastWriteWinsComparesWithHqsChangeOfTheFieldNotWithTheRecordsTime() throws Exception {
        Instant hqChangedPrice = NOW.minusSeconds(120);
        mirrorHasHqsVersion1();
        hqChanges.add(record("9.99", 10, 2, hqChangedPrice)); // HQ's price change, fetched while settling
        InventoryUpdate sold = sale("sold", -1); // applied first: moves HQ's record time past the store's price change
        InventoryUpdate price = setPrice("p", "1.11", hqChangedPrice.plusMillis(1));
        hq = u -> result(u, Status.APPLIED, record("1.11", 9, 4, NOW));

        applier().settle(camel, batch(sold, price), List.of(result(sold, Status.APPLIED, record("9.99", 9, 3, NOW)),
                result(price, Status.CONFLICT, record("9.99", 9, 3, NOW))));

        assertThat(resolver.conflictsSeen()).as("a true conflict: HQ changed the price").isEqualTo(1);
        assertThat(resent).as("the store's change is the later one").containsExactly(price.forcedOnto(3));
        assertThat(row(price).status()).isEqualTo(UpdateStatus.APPLIED);
        assertThat(mirrored().price()).isEqualByComparingTo("1.11");
    }

    @Test
    void lastWriteWinsDecidesARedeliveredBatchAsTheFirstTry() throws Exception {
        // As above, but the first try's re-send failed: HQ now answers DUPLICATE to the sale, and its
        // changes feed lists only edits made at HQ (docs/HQ-PROTOCOL.md), not the sale.
        Instant hqChangedPrice = NOW.minusSeconds(120);
        mirrorHasHqsVersion1();
        hqChanges.add(record("9.99", 10, 2, hqChangedPrice));
        InventoryUpdate sold = sale("sold", -1);
        InventoryUpdate price = setPrice("p", "1.11", hqChangedPrice.plusMillis(1));
        hq = u -> result(u, Status.APPLIED, record("1.11", 9, 4, NOW));

        applier().settle(camel, batch(sold, price), List.of(result(sold, Status.DUPLICATE, record("9.99", 9, 3, NOW)),
                result(price, Status.CONFLICT, record("9.99", 9, 3, NOW))));

        assertThat(resent).containsExactly(price.forcedOnto(3));
        assertThat(row(price).status()).isEqualTo(UpdateStatus.APPLIED);
    }

    @Test
    void aRedeliveredBatchDecidesItsConflictAsTheFirstTryWould() throws Exception {
        // The first try's re-send failed, so the batch came back: HQ now answers DUPLICATE to the store's
        // sale, and its changes feed does not list the sale (only edits made at HQ).
        hq = u -> result(u, Status.APPLIED, record("3.33", 7, 3, NOW));

        InventoryUpdate price = saleThenPriceUnderHqWins(Status.DUPLICATE, 2);

        assertThat(resolver.conflictsSeen()).isZero();
        assertThat(resent).containsExactly(price.forcedOnto(2));
        assertThat(row(price).status()).isEqualTo(UpdateStatus.APPLIED);
    }

    @Test
    void versionsMoreThanTheBatchsEarlierAppliedUpdatesMakeATrueConflict() throws Exception {
        // One update HQ applied on an earlier try cannot explain three versions HQ's changes do not list.
        InventoryUpdate price = saleThenPriceUnderHqWins(Status.DUPLICATE, 4);

        assertSettledAsATrueConflictHqWon(price);
    }

    @Test
    void hqsOwnChangeOfTheFieldIsATrueConflict() throws Exception {
        useResolver(ConflictPolicy.HQ_WINS);
        mirrorHasHqsVersion1();
        hqChanges.add(record("9.99", 10, 2, NOW.minusSeconds(60))); // HQ's price change, fetched while settling
        InventoryUpdate price = setPrice("p", "3.33", NOW.minusSeconds(10));

        applier().settle(camel, batch(price), List.of(result(price, Status.CONFLICT, record("9.99", 10, 2, NOW.minusSeconds(60)))));

        assertSettledAsATrueConflictHqWon(price);
    }

    /** The policy was asked (a true conflict), HQ won: the update is recorded CONFLICT and not sent again. */
    private void assertSettledAsATrueConflictHqWon(InventoryUpdate u) {
        assertThat(resolver.conflictsSeen()).isEqualTo(1);
        assertThat(row(u).status()).isEqualTo(UpdateStatus.CONFLICT);
        assertThat(resent).isEmpty();
    }

    // --- the store's winning change sent again

    @Test
    void aWinningChangeCarriesTheSkusLaterSaleAsACatchUpAndTakesItsRecord() throws Exception {
        useResolver(ConflictPolicy.STORE_WINS);
        InventoryUpdate count = setQuantity("count", 10);
        InventoryUpdate sold = sale("sold", -3);
        hq = u -> u.type() == UpdateType.SET_QUANTITY ? result(u, Status.APPLIED, record("1.00", 10, 4, NOW))
                : result(u, Status.APPLIED, record("1.00", 7, 5, NOW));

        applier().settle(camel, batch(count, sold), List.of(result(count, Status.CONFLICT, record("1.00", 50, 2, NOW.minusSeconds(60))),
                result(sold, Status.APPLIED, record("1.00", 47, 3, NOW))));

        assertThat(resent).hasSize(2);
        assertThat(resent.get(0)).isEqualTo(count.forcedOnto(2));
        assertThat(resent.get(1).type()).isEqualTo(UpdateType.ADJUST_QUANTITY);
        assertThat(resent.get(1).delta()).isEqualTo(-3);
        assertThat(resent.get(1).updateId()).isEqualTo(StoreCatchUp.idFor(count.updateId()));
        assertThat(row(count).status()).isEqualTo(UpdateStatus.APPLIED);
        assertThat(row(count).hqVersion()).as("the record after the catch-up").isEqualTo(5);
        assertThat(row(sold).status()).isEqualTo(UpdateStatus.APPLIED);
        assertThat(mirrored().quantity()).as("10 counted, 3 sold after").isEqualTo(7);
        assertThat(updates.find(StoreCatchUp.idFor(count.updateId()))).as("the catch-up is no update of the store's").isEmpty();
    }

    @Test
    void aWinningChangeOfAProductTheStoreDeletedLaterIsNotSentAgain() throws Exception {
        useResolver(ConflictPolicy.STORE_WINS);
        InventoryUpdate price = setPrice("p", "1.11", NOW.minusSeconds(10));
        InventoryUpdate gone = delete("gone");
        ProductRecord deleted = new ProductRecord(sku, "Tea", new BigDecimal("9.99"), 5, 4, NOW, true);

        applier().settle(camel, batch(price, gone), List.of(result(price, Status.CONFLICT, hqsNewerRecord()),
                result(gone, Status.APPLIED, deleted)));

        assertThat(resent).isEmpty();
        assertThat(row(price).status()).isEqualTo(UpdateStatus.CONFLICT);
        assertThat(row(price).reason()).contains("the store deleted the product later in the same batch");
        assertThat(mirrored().deleted()).isTrue();
        assertSettledAndCommitted(2);
    }

    @Test
    void aWinningChangeHqRefusesForGoodIsDeadLettered() throws Exception {
        useResolver(ConflictPolicy.STORE_WINS);
        InventoryUpdate price = setPrice("p", "1.11", NOW.minusSeconds(10));
        InventoryUpdate other = sale("other", 1);
        hq = u -> new UpdateResult(u.updateId(), Status.REJECTED, "no override of a promotion price", null);

        applier().settle(camel, batch(price, other), List.of(result(price, Status.CONFLICT, hqsNewerRecord()),
                result(other, Status.APPLIED, record("9.99", 6, 4, NOW))));

        assertThat(row(price).status()).isEqualTo(UpdateStatus.REJECTED);
        assertThat(row(price).reason()).isEqualTo("no override of a promotion price");
        assertThat(row(other).status()).isEqualTo(UpdateStatus.APPLIED);
        assertThat(session.sentTo(Queues.DLQ)).singleElement()
                .satisfies(m -> assertThat(m.getText()).isEqualTo(UpdateJson.toJsonString(price)));
        assertSettledAndCommitted(2);
    }

    @Test
    void hqChangingTheProductAgainDuringTheResendKeepsHqsRecord() throws Exception {
        InventoryUpdate price = storeWinsAPriceAndHqAnswers(u -> result(u, Status.CONFLICT, record("8.88", 5, 5, NOW)));

        assertThat(resent).hasSize(1);
        assertThat(row(price).status()).isEqualTo(UpdateStatus.CONFLICT);
        assertThat(row(price).reason()).contains("HQ changed the product again");
        assertThat(row(price).hqVersion()).isEqualTo(5);
        assertThat(mirrored().price()).isEqualByComparingTo("8.88");
        assertThat(session.sent).isEmpty();
    }

    @Test
    void aResendThatFailsLeavesTheWholeBatchOnTheQueue() {
        useResolver(ConflictPolicy.STORE_WINS);
        InventoryUpdate other = sale("other", -1);
        InventoryUpdate price = setPrice("p", "1.11", NOW.minusSeconds(10));
        hq = u -> {
            throw new IllegalStateException("HQ went away");
        };

        assertThatThrownBy(() -> applier().settle(camel, batch(other, price), List.of(result(other, Status.APPLIED,
                record("9.99", 4, 4, NOW)), result(price, Status.CONFLICT, hqsNewerRecord()))))
                .hasMessageContaining("HQ went away");

        assertNothingSettled(other, price);
    }

    // --- HQ's answer as the route hands it over

    @Test
    void anAnswerThatIsNotOnePerUpdateInOrderSettlesNothing() {
        InventoryUpdate a = sale("a", -1);
        InventoryUpdate b = sale("b", -1);
        String applied = "{\"updateId\":\"%s\",\"status\":\"APPLIED\",\"record\":{\"sku\":\"" + sku + "\",\"quantity\":9,\"version\":2}}";
        for (String body : List.of(
                "{\"results\":[" + applied.formatted(a.updateId()) + "]}",                                        // omits b
                "{\"results\":[" + applied.formatted(a.updateId()) + "," + applied.formatted("nobody") + "]}",   // unknown id
                "{\"results\":[" + applied.formatted(b.updateId()) + "," + applied.formatted(a.updateId()) + "]}", // out of order
                "<html>Bad gateway</html>",
                "")) {
            Exchange e = new DefaultExchange(camel);
            e.setProperty(OutboundBatches.BATCH, batch(a, b));
            e.getMessage().setBody(body);

            assertThatThrownBy(() -> applier().apply(e)).as(body).isInstanceOf(IOException.class);
        }
        assertNothingSettled(a, b);
    }

    @Test
    void theRoutesAnswerIsSettledThroughApply() throws Exception {
        InventoryUpdate a = sale("a", -1);
        Exchange e = new DefaultExchange(camel);
        e.setProperty(OutboundBatches.BATCH, batch(a));
        e.getMessage().setBody("{\"results\":[{\"updateId\":\"" + a.updateId() + "\",\"status\":\"APPLIED\",\"record\":{\"sku\":\""
                + sku + "\",\"name\":\"Tea\",\"price\":1.5,\"quantity\":9,\"version\":2,\"updatedAt\":\"" + NOW + "\"}}]}");

        applier().apply(e);

        assertThat(row(a).status()).isEqualTo(UpdateStatus.APPLIED);
        assertThat(mirrored()).isEqualTo(record("1.5", 9, 2, NOW));
        assertSettledAndCommitted(1);
    }
}
