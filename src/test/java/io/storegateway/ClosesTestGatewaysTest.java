package io.storegateway;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The extension closes what was started in its scope: a test's gateway after the test, the class's
 * after the class; a gateway the test closed itself is closed once. Driven by hand here, as JUnit
 * would drive it (one gateway at a time: gateways in one JVM share the broker's in-VM acceptor).
 */
class ClosesTestGatewaysTest {

    private final ClosesTestGateways extension = new ClosesTestGateways();

    private static boolean listens(TestGateway t) {
        try (Socket s = new Socket("localhost", t.settings().httpPort())) {
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    @Test
    void aTestsGatewayIsClosedAfterTheTest() {
        extension.beforeAll(null);
        extension.beforeEach(null);
        TestGateway t = TestGateway.started("closes-test", 1);
        try {
            assertThat(listens(t)).isTrue();

            extension.afterEach(null);

            assertThat(t.gateway()).isNull();
            assertThat(listens(t)).isFalse();
        } finally {
            t.close();
            extension.afterAll(null);
        }
    }

    @Test
    void theClasssGatewayOutlivesEachTestAndIsClosedAfterTheClass() {
        extension.beforeAll(null);
        TestGateway t = TestGateway.started("closes-class", 1);
        try {
            extension.beforeEach(null);
            extension.afterEach(null);

            assertThat(listens(t)).as("still there for the class's next test").isTrue();

            extension.afterAll(null);

            assertThat(t.gateway()).isNull();
            assertThat(listens(t)).isFalse();
        } finally {
            t.close();
        }
    }
}
