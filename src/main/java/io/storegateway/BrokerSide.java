package io.storegateway;

import io.storegateway.broker.BrokerConnections;
import io.storegateway.broker.BrokerIdentity;
import io.storegateway.broker.EmbeddedBroker;
import io.storegateway.broker.QueueDepths;
import io.storegateway.broker.RemoteBroker;
import io.storegateway.broker.StorageGuard;
import io.storegateway.config.GatewaySettings;
import io.storegateway.lifecycle.Shutdown;
import io.storegateway.mirror.MirrorDatabase;
import io.storegateway.security.AccessTokens;
import io.storegateway.storage.FreeSpaceFloor;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The broker side: the embedded broker (null with a remote one) or the remote one, both answering how
 * many updates wait; the gateway's connections to it; and the free-space floor, which {@code storage}
 * checks along with the broker's own disk state.
 */
record BrokerSide(EmbeddedBroker embedded, QueueDepths depths, BrokerIdentity identity, FreeSpaceFloor floor,
                  StorageGuard storage, BrokerConnections connections) {

    private static final String GATEWAY_USER = "gateway-internal";

    static BrokerSide start(GatewaySettings settings, AccessTokens tokens, Shutdown shutdown) {
        String secret = HexFormat.of().formatHex(randomBytes(24));
        String url = settings.brokerUrl();
        String user = GATEWAY_USER;
        EmbeddedBroker embedded = null;
        QueueDepths depths;
        StorageGuard brokerStorage;
        BrokerIdentity identity;
        if (url.isEmpty()) {
            EmbeddedBroker broker = new EmbeddedBroker(settings, tokens, GATEWAY_USER, secret).start();
            shutdown.add("embedded broker", broker);
            embedded = broker;
            depths = broker;
            brokerStorage = broker;
            identity = broker;
            url = EmbeddedBroker.IN_VM_URL;
        } else {
            user = settings.require(RemoteBroker.USERNAME);
            secret = settings.require(RemoteBroker.PASSWORD);
            RemoteBroker remote = RemoteBroker.connect(settings, url, user, secret);
            shutdown.add("remote broker", remote);
            depths = remote;
            brokerStorage = remote;
            identity = remote;
        }
        FreeSpaceFloor floor = FreeSpaceFloor.from(settings, writtenDirs(settings));
        BrokerConnections connections = new BrokerConnections(url, user, secret,
                settings.getInt(BrokerConnections.PRODUCER_SESSIONS, BrokerConnections.DEFAULT_PRODUCER_SESSIONS));
        shutdown.add("broker connections", connections);
        return new BrokerSide(embedded, depths, identity, floor, StorageGuard.either(floor, brokerStorage), connections);
    }

    /**
     * Every disk the gateway writes to, for the free-space floor: the broker's (embedded) and the SQLite
     * mirror's. Logs go to the console, the supervisor's business.
     */
    private static List<Path> writtenDirs(GatewaySettings settings) {
        List<Path> written = new ArrayList<>();
        if (settings.brokerUrl().isEmpty()) {
            written.add(settings.dataDir().resolve("broker"));
        }
        if (MirrorDatabase.engineOf(settings.mirrorJdbcUrl()) == MirrorDatabase.Engine.SQLITE) {
            written.add(settings.mirrorDir());
        }
        if (written.isEmpty()) {
            written.add(settings.dataDir());
        }
        return written;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
