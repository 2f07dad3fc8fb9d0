package io.storegateway.routes;

import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.apache.camel.test.main.junit5.ReplaceInRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * routes/reconcile-with-hq.camel.yaml as shipped, with the reconciliation bean replaced by a fake that
 * counts its runs and holds the first one until the test lets it go: events sent while a run is going
 * on coalesce (one waits, the others are dropped by the sender), as the flags before them did, and a
 * run that fails is sent again until one works.
 */
@CamelMainTest
class ReconcileWithHqRouteTest {

    @ReplaceInRegistry
    FakeReconciliation reconciliation = new FakeReconciliation();

    @BeanInject
    CamelContext camel;

    @Configure
    void loadTheRouteFile(MainConfigurationProperties main) {
        main.withRoutesIncludePattern("file:routes/reconcile-with-hq.camel.yaml");
    }

    @AfterEach
    void letGo() {
        reconciliation.release.countDown();
    }

    @Test
    void manyDrainsDuringARunningCheckRunAtMostOneMoreCheck() {
        // the sender's URI as in forward-to-hq.camel.yaml
        assertCoalesces("seda:backlog-drained?discardWhenFull=true", reconciliation.checks);
        assertThat(reconciliation.reconciliations).hasValue(0);
    }

    @Test
    void hqReturningManyTimesDuringARunningReconciliationRunsAtMostOneMore() {
        // the sender's URI as in watch-hq.camel.yaml
        assertCoalesces("seda:reconcile-now?discardWhenFull=true", reconciliation.reconciliations);
        assertThat(reconciliation.checks).hasValue(0);
    }

    @Test
    void aReconciliationThatFailsIsSentAgainUntilItWorksAndThenNotAgain() {
        assertSentAgainUntilItWorks("seda:reconcile-now?discardWhenFull=true", 2, reconciliation.reconciliations);
    }

    @Test
    void aConsistencyCheckThatFailsIsSentAgain() {
        assertSentAgainUntilItWorks("seda:backlog-drained?discardWhenFull=true", 1, reconciliation.checks);
    }

    /** One event, {@code failures} failed runs (each sent again 2 s later), then one that works and no more. */
    private void assertSentAgainUntilItWorks(String uri, int failures, AtomicInteger runs) {
        reconciliation.release.countDown();
        reconciliation.failuresLeft.set(failures);

        camel.createProducerTemplate().sendBody(uri, "event");

        await().atMost(Duration.ofSeconds(5L + 3L * failures)).until(() -> runs.get() == failures + 1);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6)).until(() -> runs.get() == failures + 1);
    }

    private void assertCoalesces(String uri, AtomicInteger runs) {
        ProducerTemplate producer = camel.createProducerTemplate();
        producer.sendBody(uri, "first");
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() == 1);

        // The first run is held: 50 more events, none of which may fail or block the sender.
        for (int i = 0; i < 50; i++) {
            producer.sendBody(uri, "event " + i);
        }
        assertThat(runs).as("still the first run").hasValue(1);
        reconciliation.release.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() == 2);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 2);
    }

    /**
     * The two route steps the seda routes call; the first call of either waits for {@link #release}, and
     * the first {@link #failuresLeft} calls fail.
     */
    public static final class FakeReconciliation {
        final AtomicInteger checks = new AtomicInteger();
        final AtomicInteger reconciliations = new AtomicInteger();
        final AtomicInteger failuresLeft = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);

        public void reconcile(Exchange exchange) throws InterruptedException {
            run(reconciliations);
        }

        public void checkConsistency(Exchange exchange) throws InterruptedException {
            run(checks);
        }

        private void run(AtomicInteger runs) throws InterruptedException {
            runs.incrementAndGet();
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("HQ went away again");
            }
            assertThat(release.await(30, TimeUnit.SECONDS)).as("released by the test").isTrue();
        }
    }
}
