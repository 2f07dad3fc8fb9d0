package io.storegateway.routes;

import io.storegateway.forward.OutboundBatches;

import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.EndpointInject;
import org.apache.camel.Exchange;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.apache.camel.test.main.junit5.ReplaceInRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.apache.camel.builder.Builder.exchangeProperty;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * routes/forward-to-hq.camel.yaml as shipped, on its own scheduler, with the four beans it calls replaced by
 * fakes that record what the route asked of them, and direct:post-to-hq mocked (no broker, mirror or HQ).
 */
@CamelMainTest(properties = "gateway.forward.batch-size=3", mockEndpointsAndSkip = "direct:post-to-hq")
class ForwardToHqRouteTest {

    @ReplaceInRegistry
    FakeOutboundBatches outboundBatches = new FakeOutboundBatches();
    @ReplaceInRegistry
    FakeBatchRequest hqBatchRequest = new FakeBatchRequest();
    @ReplaceInRegistry
    FakeAnswerApplier hqAnswerApplier = new FakeAnswerApplier();
    @ReplaceInRegistry
    FakeCallFailure hqCallFailure = new FakeCallFailure();

    @EndpointInject("mock:direct:post-to-hq")
    MockEndpoint postToHq;

    @BeanInject
    CamelContext camel;

    @Configure
    void loadTheRouteFile(MainConfigurationProperties main) {
        main.withRoutesIncludePattern("file:routes/forward-to-hq.camel.yaml");
    }

    @Test
    void takesABatchPostsItToHqAndAppliesHqsAnswer() throws Exception {
        postToHq.expectedBodiesReceived("request for [u-1, u-2]");
        postToHq.expectedHeaderReceived("Idempotency-Key", "key-of-[u-1, u-2]");
        postToHq.whenAnyExchangeReceived(e -> e.getMessage().setBody("answer for " + e.getMessage().getBody()));
        NotifyBuilder forwarded = batchesDone(1);

        outboundBatches.queued.add(List.of("u-1", "u-2"));

        assertThat(forwarded.matches(5, TimeUnit.SECONDS)).isTrue();
        postToHq.assertIsSatisfied();
        assertThat(hqAnswerApplier.applied).containsExactly("[u-1, u-2] <- answer for request for [u-1, u-2]");
        assertThat(hqCallFailure.handled).isEmpty();
        assertThat(outboundBatches.largestAskedFor.get()).as("gateway.forward.batch-size").isEqualTo(3);
    }

    @Test
    void aFailedHqCallGoesToTheFailureHandlerAndNothingIsApplied() throws Exception {
        postToHq.whenAnyExchangeReceived(e -> {
            throw new HttpOperationFailedException("http://hq/updates", 503, "Service Unavailable", null, Map.of(), "");
        });
        NotifyBuilder forwarded = batchesDone(1);

        outboundBatches.queued.add(List.of("u-1"));

        assertThat(forwarded.matches(5, TimeUnit.SECONDS)).isTrue();
        assertThat(hqCallFailure.handled).containsExactly("[u-1] <- HttpOperationFailedException");
        assertThat(hqAnswerApplier.applied).isEmpty();
    }

    @Test
    void aFailureApplyingTheAnswerGoesToTheFailureHandler() throws Exception {
        hqAnswerApplier.failWith = new IllegalStateException("mirror unavailable");
        NotifyBuilder forwarded = batchesDone(1);

        outboundBatches.queued.add(List.of("u-1"));

        assertThat(forwarded.matches(5, TimeUnit.SECONDS)).isTrue();
        assertThat(hqCallFailure.handled).containsExactly("[u-1] <- IllegalStateException");
    }

    @Test
    void nothingIsPostedWhileNoBatchIsTaken() throws Exception {
        NotifyBuilder polled = new NotifyBuilder(camel).fromRoute("forward-to-hq").whenDone(3).create();

        assertThat(polled.matches(5, TimeUnit.SECONDS)).isTrue();
        assertThat(postToHq.getReceivedCounter()).isZero();
        assertThat(hqBatchRequest.prepared).hasValue(0);
        assertThat(hqAnswerApplier.applied).isEmpty();
        assertThat(hqCallFailure.handled).isEmpty();
    }

    /** Done exchanges of forward-to-hq that carried a batch (the scheduler's empty polls do not count). */
    private NotifyBuilder batchesDone(int batches) {
        return new NotifyBuilder(camel).fromRoute("forward-to-hq")
                .filter(exchangeProperty(OutboundBatches.BATCH_SIZE_PROPERTY).isGreaterThan(0))
                .whenDone(batches).create();
    }

    private static String batchOf(Exchange exchange) {
        return String.valueOf(exchange.getProperty(OutboundBatches.BATCH));
    }

    /** Hands out queued batches the way OutboundBatches does: the batch and its size as properties, size 0 when none. */
    public static final class FakeOutboundBatches {
        final Queue<List<String>> queued = new ConcurrentLinkedQueue<>();
        final AtomicInteger largestAskedFor = new AtomicInteger();

        public void takeAtMost(Exchange exchange, int maxBatchSize) {
            largestAskedFor.accumulateAndGet(maxBatchSize, Math::max);
            List<String> batch = queued.poll();
            exchange.setProperty(OutboundBatches.BATCH_SIZE_PROPERTY, batch == null ? 0 : batch.size());
            if (batch == null) {
                exchange.setProperty(Exchange.SCHEDULER_POLLED_MESSAGES, false);
            } else {
                exchange.setProperty(OutboundBatches.BATCH, batch);
                exchange.getMessage().setBody(batch);
            }
        }
    }

    /** Stands in for HqBatchRequest: the request body and the Idempotency-Key made from the batch. */
    public static final class FakeBatchRequest {
        final AtomicInteger prepared = new AtomicInteger();

        public void prepare(Exchange exchange) {
            prepared.incrementAndGet();
            exchange.getMessage().setBody("request for " + batchOf(exchange));
            exchange.getMessage().setHeader("Idempotency-Key", "key-of-" + batchOf(exchange));
        }
    }

    /** Stands in for HqAnswerApplier: records which batch got which answer, or fails as the mirror would. */
    public static final class FakeAnswerApplier {
        final List<String> applied = new CopyOnWriteArrayList<>();
        volatile RuntimeException failWith;

        public void apply(Exchange exchange) {
            if (failWith != null) {
                throw failWith;
            }
            applied.add(batchOf(exchange) + " <- " + exchange.getMessage().getBody(String.class));
        }
    }

    /** Stands in for HqCallFailure: records which batch failed with what. */
    public static final class FakeCallFailure {
        final List<String> handled = new CopyOnWriteArrayList<>();

        public void handle(Exchange exchange) {
            Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
            handled.add(batchOf(exchange) + " <- " + (cause == null ? "nothing" : cause.getClass().getSimpleName()));
        }
    }
}
