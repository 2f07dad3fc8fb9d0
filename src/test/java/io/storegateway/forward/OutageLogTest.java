package io.storegateway.forward;

import io.storegateway.CapturedLog;
import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.mirror.UpdateStatus;
import io.storegateway.routes.GatewayBeans;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What IT reads in the log during a long HQ outage (README, When HQ is unreachable): one line when
 * HQ goes away and one when it is back, however many times the breaker tried HQ meanwhile.
 */
@ExtendWith(ClosesTestGateways.class)
class OutageLogTest {

    @RegisterExtension
    final CapturedLog log = CapturedLog.fromStartUnder(Logger.ROOT_LOGGER_NAME);
    private TestGateway t;

    @Test
    void aLongOutageIsOneLineWhenHqGoesAwayAndOneWhenItIsBack() {
        t = TestGateway.started("outage-log", 3, Map.of(
                "gateway.connectivity.interval-ms", "100",
                "gateway.hq.breaker.minimum-calls", "2",
                "gateway.hq.breaker.sliding-window-calls", "2",
                "gateway.hq.breaker.wait-in-open-ms", "200"));
        await().atMost(Duration.ofSeconds(10)).until(() -> t.gateway().connectivity().online());
        CircuitBreaker breaker = t.gateway().camelContext().getRegistry()
                .lookupByNameAndType(GatewayBeans.HQ_CIRCUIT_BREAKER.name(), CircuitBreaker.class);
        AtomicInteger failedTrials = new AtomicInteger();
        breaker.getEventPublisher().onStateTransition(e -> {
            if (e.getStateTransition() == CircuitBreaker.StateTransition.HALF_OPEN_TO_OPEN) {
                failedTrials.incrementAndGet();
            }
        });
        log.start();

        // HQ goes away while updates arrive: forwarding fails before watch-hq has noticed.
        t.hq.setFault("down", 1.0, 0);
        TerminalClient terminal = t.terminal();
        for (int i = 0; i < 5; i++) {
            assertThat(terminal.post(TerminalClient.adjust("outage-" + i, "SKU-0001", 1)).status()).isEqualTo(202);
        }
        // Many trials of the breaker: each was a line every wait-in-open-ms before.
        await().atMost(Duration.ofSeconds(30)).until(() -> failedTrials.get() >= 5);
        t.hq.setFault("none", 1.0, 0);
        await().atMost(Duration.ofSeconds(20)).until(() -> t.gateway().acceptedUpdates().count(UpdateStatus.APPLIED) == 5
                && breaker.getState() == CircuitBreaker.State.CLOSED);

        assertThat(log.events("offline")).hasSize(1).first().extracting(ILoggingEvent::getLevel).isEqualTo(Level.WARN);
        assertThat(log.events("online")).hasSize(1).first().extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("HQ is reachable again");
        assertThat(log.events("breaker")).isEmpty();
        assertThat(log.events("forwarding-failing")).isEmpty();
        assertThat(log.events("task-failing")).isEmpty();
        // Of every logger (Camel's too: before, each failed call to HQ was an ERROR with a stack trace)
        assertThat(log.all()).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .as("the only warning of the outage").containsExactlyElementsOf(log.events("offline"));
    }
}
