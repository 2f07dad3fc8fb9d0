package io.storegateway.forward;

import io.storegateway.broker.UpdateMessages.QueuedUpdate;
import io.storegateway.hq.UpdateResult;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

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
