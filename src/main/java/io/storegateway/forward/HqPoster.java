package io.storegateway.forward;

import io.storegateway.broker.UpdateMessages.QueuedUpdate;
import io.storegateway.hq.UpdateResult;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import java.util.ArrayList;
import java.util.List;

/**
 * Sends a list of updates to HQ through the {@code post-to-hq} route (the same URL, headers and
 * circuit breaker as a batch), for the follow-up calls made while a batch is settled: the halves of a
 * refused batch, and updates re-sent because the store won a conflict. Throws what the call threw.
 */
final class HqPoster {

    static final String POST_ENDPOINT = "direct:post-to-hq";

    private final HqBatchRequest request;
    private volatile ProducerTemplate template;

    HqPoster(HqBatchRequest request) {
        this.request = request;
    }

    List<UpdateResult> post(CamelContext camel, List<QueuedUpdate> updates) throws Exception {
        Exchange answer = template(camel).send(POST_ENDPOINT, e -> request.fill(e.getMessage(), updates, Batch.idOf(updates)));
        if (answer.getException() != null) {
            throw answer.getException();
        }
        return HqAnswerApplier.parse(answer.getMessage().getBody(String.class), updates);
    }

    /**
     * Posts the updates; when HQ refuses them as a whole (400/422), halves them and posts the halves
     * again until the refused updates stand alone: those are answered REJECTED with HQ's reason, the
     * others as HQ answered them. {@code knownRefusal}: HQ already refused these (null: post first).
     * A transient failure on the way is thrown: the caller gives the whole batch back.
     */
    List<UpdateResult> postNarrowing(CamelContext camel, List<QueuedUpdate> updates, Throwable knownRefusal) throws Exception {
        List<UpdateResult> out = new ArrayList<>(updates.size());
        narrow(camel, updates, knownRefusal, out);
        return out;
    }

    private void narrow(CamelContext camel, List<QueuedUpdate> part, Throwable knownRefusal, List<UpdateResult> out)
            throws Exception {
        Throwable refusal = knownRefusal;
        if (refusal == null) {
            try {
                out.addAll(post(camel, part));
                return;
            } catch (Exception e) {
                if (HqFailures.classify(e) != HqFailures.Kind.BATCH_REFUSED) {
                    throw e;
                }
                refusal = e;
            }
        }
        if (part.size() == 1) {
            QueuedUpdate alone = part.get(0);
            out.add(new UpdateResult(alone.update().updateId(), UpdateResult.Status.REJECTED, HqFailures.reasonOf(refusal), null));
            return;
        }
        int half = part.size() / 2;
        narrow(camel, part.subList(0, half), null, out);
        narrow(camel, part.subList(half, part.size()), null, out);
    }

    private ProducerTemplate template(CamelContext camel) {
        if (template == null) {
            synchronized (this) {
                if (template == null) {
                    template = camel.createProducerTemplate();
                }
            }
        }
        return template;
    }
}
