package io.storegateway.ingest;

import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.Queues;
import io.storegateway.broker.UpdateMessages;
import io.storegateway.mirror.AcceptedUpdates;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateType;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Group commit ({@link CommitGroups}): the requests of a group share one broker transaction and one
 * mirror transaction, and each still gets the answer it would have had alone. A real embedded broker
 * and SQLite mirror; groups are formed by hand ({@link UpdateIntake#commit}) where the test needs a
 * given group, and by concurrent requests where it needs the committers.
 */
class GroupCommitTest {

    private IntakeOnRealParts parts;
    private BrokerConnections broker;
    private AcceptedUpdates accepted;
    private UpdateIntake intake;

    @BeforeEach
    void start() {
        parts = new IntakeOnRealParts("group-commit", 4);
        broker = parts.broker;
        accepted = parts.accepted;
        intake = parts.intake;
    }

    @AfterEach
    void stop() throws Exception {
        parts.close();
    }

    @Test
    void anIdTwoRequestsOfAGroupCarryIsQueuedForTheFirstAndADuplicateForTheSecond() throws Exception {
        CommitGroups.Request first = request("g1-a", "g1-shared");
        CommitGroups.Request second = request("g1-shared", "g1-b");

        intake.commit(List.of(first, second));

        assertThat(statuses(first)).containsExactly("g1-a=QUEUED", "g1-shared=QUEUED");
        assertThat(statuses(second)).containsExactly("g1-shared=DUPLICATE", "g1-b=QUEUED");
        assertThat(outbound()).containsExactly("g1-a", "g1-shared", "g1-b");
        assertThat(accepted.known(List.of("g1-a", "g1-shared", "g1-b"))).hasSize(3);
    }

    @Test
    void whenTheBrokerRefusesTheGroupEachRequestGoesAloneAndGetsItsOwnAnswer() throws Exception {
        // Queued once, its mirror row lost (a crash between the commit and the row): only the broker's
        // duplicate detection knows it, and it refuses the group's whole transaction.
        sendStraightToOutbound("g2-known-to-the-broker");
        CommitGroups.Request carrying = request("g2-x", "g2-known-to-the-broker");
        CommitGroups.Request innocent = request("g2-y");

        intake.commit(List.of(carrying, innocent));

        assertThat(statuses(carrying)).containsExactly("g2-x=QUEUED", "g2-known-to-the-broker=DUPLICATE");
        assertThat(statuses(innocent)).containsExactly("g2-y=QUEUED");
        assertThat(outbound()).containsExactlyInAnyOrder("g2-known-to-the-broker", "g2-x", "g2-y");
    }

    @Test
    void aFullDiskFailsTheRequestsWithUpdatesToStoreAndAnswersTheDuplicateOnes() throws Exception {
        intake.accept(List.of(update("g3-old")), UpdateIntake.CHANNEL_HTTP);
        parts.storageFull.set(true);
        CommitGroups.Request fresh = request("g3-new");
        CommitGroups.Request resend = request("g3-old");

        intake.commit(List.of(fresh, resend));

        assertThatThrownBy(() -> fresh.answer().get()).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(UpdateIntake.StorageFullException.class);
        assertThat(statuses(resend)).containsExactly("g3-old=DUPLICATE");
        assertThat(outbound()).containsExactly("g3-old");
    }

    @Test
    void concurrentRequestsAreEachAnsweredAndEveryUpdateIsQueuedOnce() throws Exception {
        int requests = 200;
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Future<List<Receipt>>> answers = new ArrayList<>();
            for (int r = 0; r < requests; r++) {
                int me = r;
                // each request also carries its neighbour's first id: half of those race each other
                answers.add(pool.submit(() -> intake.accept(List.of(update("g4-" + me + "-0"), update("g4-" + me + "-1"),
                        update("g4-" + ((me + 1) % requests) + "-0")), UpdateIntake.CHANNEL_HTTP)));
            }
            Set<String> queued = new HashSet<>();
            int queuedCount = 0;
            for (Future<List<Receipt>> f : answers) {
                for (Receipt receipt : f.get(60, TimeUnit.SECONDS)) {
                    if (receipt.status() == Receipt.Status.QUEUED) {
                        queued.add(receipt.updateId());
                        queuedCount++;
                    }
                }
            }
            assertThat(queuedCount).as("QUEUED answers, one per distinct id").isEqualTo(2 * requests);
            assertThat(queued).hasSize(2 * requests);
            List<String> onQueue = outbound();
            assertThat(onQueue).hasSize(2 * requests);
            assertThat(new HashSet<>(onQueue)).isEqualTo(queued);
        } finally {
            pool.shutdownNow();
        }
    }

    private static InventoryUpdate update(String id) {
        return new InventoryUpdate(id, "T1", UpdateType.ADJUST_QUANTITY, "SKU-0001", null, null, null, -1L,
                Instant.parse("2026-12-03T10:00:00Z"), null, false);
    }

    private static CommitGroups.Request request(String... ids) {
        List<InventoryUpdate> updates = new ArrayList<>();
        for (String id : ids) {
            updates.add(update(id));
        }
        return new CommitGroups.Request(updates, UpdateIntake.CHANNEL_HTTP);
    }

    /**
     * The request's receipts. Not always answered by the time commit returns: a request whose id the
     * group before still holds (its claim is released just after its own answer) goes again once that
     * group is done, on another thread.
     */
    private static List<String> statuses(CommitGroups.Request r) throws Exception {
        return r.answer().get(10, TimeUnit.SECONDS).stream().map(x -> x.updateId() + "=" + x.status()).toList();
    }

    private void sendStraightToOutbound(String id) {
        broker.inTransaction(ctx -> {
            ctx.createProducer().send(ctx.createQueue(Queues.OUTBOUND),
                    UpdateMessages.toMessage(ctx, update(id), UpdateIntake.CHANNEL_HTTP, Instant.now()));
            return null;
        });
    }

    private List<String> outbound() throws Exception {
        return parts.ids(Queues.OUTBOUND);
    }
}
