package io.storegateway.forward;

import io.storegateway.hq.UpdateResult;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * When HQ refuses a whole batch (400/422), finds the update at fault by halving the batch and
 * sending the halves again, through the same {@code post-to-hq} route, until the refused updates
 * stand alone. Those alone are rejected (and go to the DLQ); the others are applied as usual. A
 * transient failure on the way gives the whole batch back, to be tried again later; what HQ applied
 * in the meantime then answers DUPLICATE.
 */
public final class BatchNarrower {

    private static final Logger LOG = LoggerFactory.getLogger(BatchNarrower.class);

    private final HqPoster poster;
    private final HqAnswerApplier applier;
    private final OutboundBatches batches;

    public BatchNarrower(HqBatchRequest request, HqAnswerApplier applier, OutboundBatches batches) {
        this.poster = new HqPoster(request);
        this.applier = applier;
        this.batches = batches;
    }

    /** Route step, in the doCatch of a 400/422 answer to the whole batch. */
    public void narrow(Exchange exchange) {
        Batch batch = exchange.getProperty(OutboundBatches.BATCH, Batch.class);
        Throwable refusal = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.atWarn().addKeyValue("event", "batch-refused")
                .log("HQ refused batch {} of {} update(s) ({}); narrowing it down to the update(s) at fault",
                        batch.id(), batch.size(), HqFailures.reasonOf(refusal));
        try {
            List<UpdateResult> results = poster.postNarrowing(exchange.getContext(), batch.updates(), refusal);
            applier.settle(exchange.getContext(), batch, results);
        } catch (Exception e) {
            batches.giveBackAfter(exchange, e);
        }
    }
}
