package io.storegateway.forward;

import io.storegateway.broker.MessageCopies;
import io.storegateway.broker.Queues;
import io.storegateway.broker.UpdateMessages.QueuedUpdate;
import io.storegateway.conflict.ConflictResolver;
import io.storegateway.hq.HqJson;
import io.storegateway.hq.UpdateResult;
import io.storegateway.mirror.HqChangesPoller;
import io.storegateway.mirror.HqVerdict;
import io.storegateway.mirror.MirrorWriter;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies HQ's answer to a batch: records every result in the mirror (one SQL transaction), moves
 * updates HQ rejected for good to the DLQ, tells gateways sharing the broker (if any), and only then
 * commits the batch off the queue. A crash
 * anywhere before the commit redelivers the batch; HQ answers DUPLICATE and the mirror write repeats
 * harmlessly.
 */
public final class HqAnswerApplier {

    public static final String ERROR_PROPERTY = "error";

    private static final Logger LOG = LoggerFactory.getLogger(HqAnswerApplier.class);

    private final MirrorWriter mirror;
    private final ConflictResolver resolver;
    private final HqPoster poster;
    private final ForwardBackoff backoff;
    private final HqAccessAlert accessAlert;
    private final ForwardStats stats;
    private final SettledNotices notices;
    private final ForeignChangeLookup foreign;

    public HqAnswerApplier(MirrorWriter mirror, ConflictResolver resolver, HqBatchRequest request, ForwardBackoff backoff,
                           HqAccessAlert accessAlert, ForwardStats stats, SettledNotices notices, HqChangesPoller changes) {
        this.foreign = new ForeignChangeLookup(mirror, changes);
        this.notices = notices;
        this.mirror = mirror;
        this.resolver = resolver;
        this.poster = new HqPoster(request);
        this.backoff = backoff;
        this.accessAlert = accessAlert;
        this.stats = stats;
    }

    /** Route step after HQ answered 200: the body is HQ's answer to the whole batch. */
    public void apply(Exchange exchange) throws Exception {
        Batch batch = exchange.getProperty(OutboundBatches.BATCH, Batch.class);
        settle(exchange.getContext(), batch, parse(exchange.getMessage().getBody(String.class), batch.updates()));
    }

    /**
     * Records one result per update of the batch, dead-letters what HQ rejected, then commits.
     * Conflicts are settled first by policy: where the store wins, its change goes to HQ again at
     * once, forced onto HQ's current version, and that answer is what is recorded.
     */
    void settle(CamelContext camel, Batch batch, List<UpdateResult> answers) throws Exception {
        List<UpdateResult> results = new ArrayList<>(answers);
        List<HqVerdict> verdicts = new ArrayList<>(batch.size());
        boolean[] storeWins = new boolean[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            QueuedUpdate q = batch.updates().get(i);
            UpdateResult r = results.get(i);
            HqVerdict verdict = new HqVerdict(q.update(), q.channel(), q.receivedAt(), r);
            if (r.status() == UpdateResult.Status.CONFLICT && r.record() != null) {
                ConflictResolver.ForeignChanges since = foreign.since(camel, q.update(), r.record(),
                        storeVersions(batch, results, q.update().sku()), appliedBefore(batch, results, q.update().sku()));
                ConflictResolver.Decision d = resolver.decide(q.update(), q.receivedAt(), r.record(), since);
                storeWins[i] = d.outcome() == ConflictResolver.Outcome.STORE_WINS;
                verdict = new HqVerdict(q.update(), q.channel(), q.receivedAt(), r, d.reason(),
                        d.outcome() == ConflictResolver.Outcome.PARKED);
            }
            verdicts.add(verdict);
        }
        // The store's winning changes go to HQ again, forced, after the rest of the batch: each carries
        // what the SKU's later updates in the batch (already applied by HQ) did to its fields, so they
        // keep their effect (StoreCatchUp).
        List<QueuedUpdate> resend = new ArrayList<>();
        List<Integer> resendAt = new ArrayList<>();
        List<Integer> catchUpAt = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            if (!storeWins[i]) {
                continue;
            }
            QueuedUpdate q = batch.updates().get(i);
            StoreCatchUp catchUp = StoreCatchUp.of(q.update(), laterOfSku(batch, results, storeWins, i));
            if (catchUp.superseded()) {
                HqVerdict before = verdicts.get(i);
                verdicts.set(i, new HqVerdict(before.update(), before.channel(), before.receivedAt(), results.get(i),
                        "the store deleted the product later in the same batch; this change was not sent again", false));
                continue;
            }
            resend.add(new QueuedUpdate(catchUp.forced(results.get(i).record().version()), q.channel(), q.receivedAt(), q.message()));
            resendAt.add(i);
            catchUpAt.add(-1);
            if (catchUp.adjustment() != null) {
                resend.add(new QueuedUpdate(catchUp.adjustment(), q.channel(), q.receivedAt(), q.message()));
                catchUpAt.set(catchUpAt.size() - 1, resend.size() - 1);
                resendAt.add(-1);
                catchUpAt.add(-1);
            }
        }
        if (!resend.isEmpty()) {
            // A re-send HQ refuses for good (400/422) is rejected like any other refused update (DLQ, with
            // HQ's reason); before, it failed the whole batch, which was then retried for ever.
            List<UpdateResult> again = poster.postNarrowing(camel, resend, null);
            for (int j = 0; j < resend.size(); j++) {
                int i = resendAt.get(j);
                if (i < 0) {
                    // a catch-up adjustment: its record is taken with the change it follows
                    if (again.get(j).status() != UpdateResult.Status.APPLIED && again.get(j).status() != UpdateResult.Status.DUPLICATE) {
                        InventoryUpdate a = resend.get(j).update();
                        LOG.atWarn().addKeyValue("event", "catch-up-refused").addKeyValue("sku", a.sku())
                                .log("HQ answered {} to the catch-up adjustment {} ({} on sku {}) that follows the store's winning "
                                        + "change: HQ's quantity lacks the store's later sales of that batch; check sku {}",
                                        again.get(j).status(), a.updateId(), a.delta(), a.sku(), a.sku());
                    }
                    continue;
                }
                UpdateResult r = again.get(j);
                int follow = catchUpAt.get(j);
                if (follow >= 0 && again.get(follow).record() != null && r.status() == UpdateResult.Status.APPLIED) {
                    r = new UpdateResult(r.updateId(), r.status(), r.reason(), again.get(follow).record());
                }
                results.set(i, r);
                String note = r.status() == UpdateResult.Status.CONFLICT
                        ? "HQ changed the product again while the store's winning change was re-sent; HQ's record was kept" : null;
                HqVerdict before = verdicts.get(i);
                verdicts.set(i, new HqVerdict(before.update(), before.channel(), before.receivedAt(), r, note, false));
            }
        }
        mirror.record(verdicts);
        for (int i = 0; i < batch.size(); i++) {
            UpdateResult r = results.get(i);
            if (r.status() == UpdateResult.Status.REJECTED) {
                deadLetter(batch.session(), batch.updates().get(i), r.reason());
            }
        }
        notices.publish(batch.session(), verdicts);
        batch.commit();
        backoff.succeeded();
        accessAlert.cleared();
        stats.forwarded(batch.size());
    }

    /** The versions this batch's updates of a SKU reached at HQ (its APPLIED answers): the store's own. */
    static Set<Long> storeVersions(Batch batch, List<UpdateResult> results, String sku) {
        Set<Long> versions = new HashSet<>();
        for (int j = 0; j < batch.size(); j++) {
            UpdateResult r = results.get(j);
            if (r.status() == UpdateResult.Status.APPLIED && r.record() != null && batch.updates().get(j).update().sku().equals(sku)) {
                versions.add(r.record().version());
            }
        }
        return versions;
    }

    /** How many of this batch's updates of a SKU HQ had applied on an earlier try (its DUPLICATE answers). */
    static int appliedBefore(Batch batch, List<UpdateResult> results, String sku) {
        int n = 0;
        for (int j = 0; j < batch.size(); j++) {
            if (results.get(j).status() == UpdateResult.Status.DUPLICATE && batch.updates().get(j).update().sku().equals(sku)) {
                n++;
            }
        }
        return n;
    }

    /**
     * The SKU's updates after position {@code i} in the batch that HQ applied (APPLIED, or DUPLICATE: an
     * earlier try of this batch applied it), up to the next one that is itself re-sent (it carries
     * what follows it).
     */
    static List<InventoryUpdate> laterOfSku(Batch batch, List<UpdateResult> results, boolean[] storeWins, int i) {
        String sku = batch.updates().get(i).update().sku();
        List<InventoryUpdate> later = new ArrayList<>();
        for (int j = i + 1; j < batch.size(); j++) {
            InventoryUpdate u = batch.updates().get(j).update();
            if (!u.sku().equals(sku)) {
                continue;
            }
            if (storeWins[j]) {
                break;
            }
            UpdateResult.Status st = results.get(j).status();
            if (st == UpdateResult.Status.APPLIED || st == UpdateResult.Status.DUPLICATE) {
                later.add(u);
            }
        }
        return later;
    }

    /** HQ's results, checked to be one per update, in order. */
    static List<UpdateResult> parse(String body, List<QueuedUpdate> updates) throws IOException {
        JsonNode results = UpdateJson.MAPPER.readTree(body == null ? "" : body).path("results");
        if (!results.isArray() || results.size() != updates.size()) {
            throw new IOException("HQ answered " + (results.isArray() ? results.size() : "no") + " results for "
                    + updates.size() + " updates");
        }
        List<UpdateResult> out = new ArrayList<>(updates.size());
        for (int i = 0; i < updates.size(); i++) {
            UpdateResult r = HqJson.resultFromJson(results.get(i));
            String expected = updates.get(i).update().updateId();
            if (!expected.equals(r.updateId())) {
                throw new IOException("HQ's result " + i + " is for " + r.updateId() + ", expected " + expected);
            }
            out.add(r);
        }
        return out;
    }

    private static void deadLetter(JMSContext session, QueuedUpdate q, String reason) throws JMSException {
        Message copy = MessageCopies.copy(session, q.message(),
                name -> !name.startsWith("JMSX") && !name.startsWith("_"));
        String why = reason == null ? "rejected by HQ" : reason;
        copy.setStringProperty(ERROR_PROPERTY, why);
        session.createProducer().send(session.createQueue(Queues.DLQ), copy);
        LOG.atWarn().addKeyValue("event", "dead-lettered").addKeyValue("updateId", q.update().updateId())
                .addKeyValue("sku", q.update().sku())
                .log("HQ rejected update {} (sku {}) for good; moved to {}: {}", q.update().updateId(), q.update().sku(), Queues.DLQ, why);
    }
}
