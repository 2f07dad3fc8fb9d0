package io.storegateway.broker;

import io.storegateway.TestGateway;
import io.storegateway.config.GatewaySettings;
import io.storegateway.security.AccessTokens;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A broker that cannot start (its port is taken) says why, and leaves nothing behind: before, start
 * waited 30 s and said only that the broker did not become active, and the half-started broker kept the
 * in-VM acceptor, so every later broker in the JVM failed too.
 */
class BrokerStartFailureTest {

    private static EmbeddedBroker broker(int port) {
        Path dir = Path.of("target", "broker-start-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
        return new EmbeddedBroker(GatewaySettings.of(Map.of(GatewaySettings.DATA_DIR, dir.toString(),
                GatewaySettings.BROKER_PORT, Integer.toString(port))),
                AccessTokens.load(Path.of("config/users.properties")), "gateway", "broker-start-secret");
    }

    @Test
    void aTakenPortIsNamedAndTheNextBrokerStartsInTheSameJvm() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("0.0.0.0", TestGateway.freePort()));
            int port = taken.getLocalPort();

            assertThatThrownBy(() -> broker(port).start()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("could not start").hasMessageContaining(Integer.toString(port))
                    .hasMessageContaining("Address already in use");
        }

        EmbeddedBroker next = broker(TestGateway.freePort()).start();
        try {
            assertThat(next.depth(Queues.OUTBOUND)).isZero();
        } finally {
            next.close();
        }
    }
}
