package io.storegateway.routes;

import org.apache.camel.Exchange;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.apache.camel.test.main.junit5.ReplaceInRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * routes/ingest-from-jms.camel.yaml as shipped, on its own scheduler, with jmsIngest replaced by a fake that
 * records each poll (no broker): the batch size and the poll delay IT sets reach the bean.
 */
@CamelMainTest(properties = {"gateway.ingest.jms.batch-size=7", "gateway.ingest.jms.poll-delay-ms=60000"})
class IngestFromJmsRouteTest {

    /** Three polls' worth of messages wait on store.updates.in when the route starts. */
    @ReplaceInRegistry
    FakeJmsIngest jmsIngest = new FakeJmsIngest(3);

    @Configure
    void loadTheRouteFile(MainConfigurationProperties main) {
        main.withRoutesIncludePattern("file:routes/ingest-from-jms.camel.yaml");
    }

    @Test
    void takesBatchesOfTheConfiguredSize() {
        await().atMost(Duration.ofSeconds(5)).until(() -> jmsIngest.askedFor.size() >= 4);

        assertThat(jmsIngest.askedFor).as("gateway.ingest.jms.batch-size").containsOnly(7);
    }

    @Test
    void pollsAgainAtOnceWhileMessagesComeAndWaitsThePollDelayOnceTheQueueIsEmpty() {
        // three polls that found messages, then one that found none; the next waits out the 60 s delay
        await().atMost(Duration.ofSeconds(5)).until(() -> jmsIngest.askedFor.size() >= 4);

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(jmsIngest.askedFor).hasSize(4));
    }

    /** Stands in for JmsIngest: tells the scheduler whether the poll found messages, as JmsIngest does. */
    public static final class FakeJmsIngest {
        final List<Integer> askedFor = new CopyOnWriteArrayList<>();
        final AtomicInteger pollsWithMessages;

        FakeJmsIngest(int pollsWithMessages) {
            this.pollsWithMessages = new AtomicInteger(pollsWithMessages);
        }

        public void takeBatch(Exchange exchange, int max) {
            askedFor.add(max);
            exchange.setProperty(Exchange.SCHEDULER_POLLED_MESSAGES, pollsWithMessages.getAndDecrement() > 0);
        }
    }
}
