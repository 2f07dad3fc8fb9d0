package io.storegateway.forward;

import org.apache.camel.Exchange;

/**
 * Route step after an HQ call failed: a batch HQ refused as a whole (400/422) is narrowed down to
 * the update(s) at fault; anything else gives the batch back to the queue (and HQ refusing the
 * gateway's credentials raises the access alert).
 */
public final class HqCallFailure {

    private final BatchNarrower narrower;
    private final OutboundBatches batches;

    public HqCallFailure(BatchNarrower narrower, OutboundBatches batches) {
        this.narrower = narrower;
        this.batches = batches;
    }

    public void handle(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (HqFailures.classify(cause) == HqFailures.Kind.BATCH_REFUSED) {
            narrower.narrow(exchange);
        } else {
            batches.giveBack(exchange);
        }
    }
}
