package io.storegateway.forward;

import io.storegateway.broker.UpdateMessages.QueuedUpdate;
import io.storegateway.hq.ProductRecord;
import io.storegateway.hq.UpdateResult;
import io.storegateway.hq.UpdateResult.Status;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateType;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The decisions inside {@link HqAnswerApplier#settle}: HQ's answer is taken only when it has one
 * result per update in order; a store's winning change carries the SKU's later updates HQ applied;
 * the versions HQ gave the store's own updates are told apart from foreign changes.
 */
class HqAnswerSettlingTest {

    private static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");

    private static QueuedUpdate update(String id, String sku) {
        return new QueuedUpdate(new InventoryUpdate(id, "till-1", UpdateType.ADJUST_QUANTITY, sku, null, null, null, -1L, AT, 1L, false),
                "http", AT, null);
    }

    private static Batch batch(QueuedUpdate... updates) {
        return new Batch(null, List.of(updates));
    }

    private static UpdateResult answer(String id, Status status, Long version) {
        ProductRecord record = version == null ? null : new ProductRecord("SKU", "Tea", BigDecimal.ONE, 1, version, AT, false);
        return new UpdateResult(id, status, null, record);
    }

    @Test
    void hqsAnswerIsReadInTheBatchsOrder() throws IOException {
        List<UpdateResult> results = HqAnswerApplier.parse("""
                {"results":[{"updateId":"a","status":"APPLIED","record":{"sku":"S","quantity":4,"version":9}},
                            {"updateId":"b","status":"REJECTED","reason":"unknown sku"}]}""",
                List.of(update("a", "S"), update("b", "T")));

        assertThat(results).extracting(UpdateResult::status).containsExactly(Status.APPLIED, Status.REJECTED);
        assertThat(results.get(0).record().version()).isEqualTo(9);
        assertThat(results.get(1).reason()).isEqualTo("unknown sku");
    }

    @Test
    void anAnswerWithTooFewResultsIsNotTaken() {
        assertThatThrownBy(() -> HqAnswerApplier.parse("{\"results\":[{\"updateId\":\"a\",\"status\":\"APPLIED\"}]}",
                List.of(update("a", "S"), update("b", "S"))))
                .isInstanceOf(IOException.class).hasMessage("HQ answered 1 results for 2 updates");
    }

    @Test
    void anAnswerWithoutResultsIsNotTaken() {
        assertThatThrownBy(() -> HqAnswerApplier.parse("{}", List.of(update("a", "S"))))
                .isInstanceOf(IOException.class).hasMessage("HQ answered no results for 1 updates");
        assertThatThrownBy(() -> HqAnswerApplier.parse(null, List.of(update("a", "S")))).isInstanceOf(IOException.class);
    }

    @Test
    void anAnswerOutOfOrderIsNotTaken() {
        assertThatThrownBy(() -> HqAnswerApplier.parse("""
                {"results":[{"updateId":"b","status":"APPLIED"},{"updateId":"a","status":"APPLIED"}]}""",
                List.of(update("a", "S"), update("b", "S"))))
                .isInstanceOf(IOException.class).hasMessage("HQ's result 0 is for b, expected a");
    }

    @Test
    void theStoresOwnVersionsAreThoseHqAppliedForTheSku() {
        Batch b = batch(update("a", "S"), update("b", "T"), update("c", "S"), update("d", "S"), update("e", "S"));
        List<UpdateResult> results = List.of(answer("a", Status.APPLIED, 5L), answer("b", Status.APPLIED, 6L),
                answer("c", Status.CONFLICT, 8L), answer("d", Status.DUPLICATE, 7L), answer("e", Status.APPLIED, 9L));

        assertThat(HqAnswerApplier.storeVersions(b, results, "S")).containsExactlyInAnyOrder(5L, 9L);
        assertThat(HqAnswerApplier.storeVersions(b, results, "T")).containsExactly(6L);
        assertThat(HqAnswerApplier.storeVersions(b, results, "X")).isEmpty();
    }

    @Test
    void aWinningChangeCarriesTheSkusLaterUpdatesHqAppliedUpToTheNextWinner() {
        Batch b = batch(update("win", "S"), update("other", "T"), update("applied", "S"), update("refused", "S"),
                update("dup", "S"), update("win2", "S"), update("after", "S"));
        List<UpdateResult> results = List.of(answer("win", Status.CONFLICT, 4L), answer("other", Status.APPLIED, 1L),
                answer("applied", Status.APPLIED, 5L), answer("refused", Status.REJECTED, null), answer("dup", Status.DUPLICATE, 6L),
                answer("win2", Status.CONFLICT, 6L), answer("after", Status.APPLIED, 7L));
        boolean[] storeWins = {true, false, false, false, false, true, false};

        assertThat(HqAnswerApplier.laterOfSku(b, results, storeWins, 0)).extracting(InventoryUpdate::updateId)
                .containsExactly("applied", "dup");
        assertThat(HqAnswerApplier.laterOfSku(b, results, storeWins, 5)).extracting(InventoryUpdate::updateId)
                .containsExactly("after");
    }

    @Test
    void aWinningChangeLastInTheBatchCarriesNothing() {
        Batch b = batch(update("before", "S"), update("win", "S"));
        List<UpdateResult> results = List.of(answer("before", Status.APPLIED, 3L), answer("win", Status.CONFLICT, 4L));

        assertThat(HqAnswerApplier.laterOfSku(b, results, new boolean[] {false, true}, 1)).isEmpty();
    }
}
