package io.storegateway.forward;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegateway.broker.Queues;
import io.storegateway.broker.UpdateMessages.QueuedUpdate;
import io.storegateway.hq.HqJson;
import io.storegateway.hq.UpdateResult;
import io.storegateway.mirror.HqVerdict;
import io.storegateway.mirror.MirrorWriter;
import io.storegateway.update.UpdateJson;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.TextMessage;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Applies HQ's answer to a batch: records every result in the mirror (one SQL transaction), moves
 * updates HQ rejected for good to the DLQ, and only then commits the batch off the queue. A crash
 * anywhere before the commit redelivers the batch; HQ answers DUPLICATE and the mirror write repeats
 * harmlessly.
 */
public final class HqAnswerApplier {

    public static final String ERROR_PROPERTY = "error";

    private static final Logger LOG = LoggerFactory.getLogger(HqAnswerApplier.class);

    private final MirrorWriter mirror;
    private final ForwardBackoff backoff;
    private final HqAccessAlert accessAlert;
    private final ForwardStats stats;

    public HqAnswerApplier(MirrorWriter mirror, ForwardBackoff backoff, HqAccessAlert accessAlert, ForwardStats stats) {
        this.mirror = mirror;
        this.backoff = backoff;
        this.accessAlert = accessAlert;
        this.stats = stats;
    }

    /** Route step after HQ answered 200: the body is HQ's answer to the whole batch. */
    public void apply(Exchange exchange) throws IOException, JMSException {
        Batch batch = exchange.getProperty(OutboundBatches.BATCH, Batch.class);
        settle(batch, parse(exchange.getMessage().getBody(String.class), batch.updates()));
    }

    /** Records one result per update of the batch, dead-letters what HQ rejected, then commits. */
    void settle(Batch batch, List<UpdateResult> results) throws JMSException {
        List<HqVerdict> verdicts = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            QueuedUpdate q = batch.updates().get(i);
            verdicts.add(new HqVerdict(q.update(), q.channel(), q.receivedAt(), results.get(i)));
        }
        mirror.record(verdicts);
        for (int i = 0; i < batch.size(); i++) {
            UpdateResult r = results.get(i);
            if (r.status() == UpdateResult.Status.REJECTED) {
                deadLetter(batch.session(), batch.updates().get(i), r.reason());
            }
        }
        batch.commit();
        backoff.succeeded();
        accessAlert.cleared();
        stats.forwarded(batch.size());
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
        TextMessage original = (TextMessage) q.message();
        TextMessage copy = session.createTextMessage(original.getText());
        for (Object name : Collections.list(original.getPropertyNames())) {
            String n = (String) name;
            if (!n.startsWith("JMSX") && !n.startsWith("_")) {
                copy.setObjectProperty(n, original.getObjectProperty(n));
            }
        }
        String why = reason == null ? "rejected by HQ" : reason;
        copy.setStringProperty(ERROR_PROPERTY, why);
        session.createProducer().send(session.createQueue(Queues.DLQ), copy);
        LOG.warn("HQ rejected update {} (sku {}) for good; moved to {}: {}", q.update().updateId(), q.update().sku(), Queues.DLQ, why);
    }
}
