package io.storegateway.broker;

import io.storegateway.config.GatewaySettings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientRequestor;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.api.core.management.ManagementHelper;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An external Artemis broker ({@code gateway.broker.url} set), for what the gateway asks it besides
 * sending and receiving: queue depths (status, metrics), whether its disk is over its limit (so
 * HTTP ingest answers 503 instead of blocking: Artemis blocks a core producer without a word while
 * its disk is full), and, at start, whether it is set up to keep every update. One core session of
 * its own, without reconnection: a failed call drops it and the next call opens a new one.
 */
public final class RemoteBroker implements QueueDepths, StorageGuard, BrokerIdentity, AutoCloseable {

    public static final String USERNAME = "gateway.broker.username";
    public static final String PASSWORD = "gateway.broker.password";
    /** The broker's management address (Artemis's {@code management-address}). */
    public static final String MANAGEMENT_ADDRESS = "gateway.broker.management-address";
    /** How long one question to the broker may take. */
    public static final String CALL_TIMEOUT_MS = "gateway.broker.call-timeout-ms";
    static final String DEFAULT_MANAGEMENT_ADDRESS = "activemq.management";
    static final long DEFAULT_CALL_TIMEOUT_MS = 5000;
    static final String SETUP_DOC = "config/remote-broker/store-gateway-broker.xml";

    private static final Logger LOG = LoggerFactory.getLogger(RemoteBroker.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final String user;
    private final String password;
    private final String managementAddress;
    private String nodeId;
    private final long callTimeoutMs;
    private final ServerLocator locator;
    private final ScheduledExecutorService diskWatch;
    private ClientSessionFactory factory;
    private ClientSession session;
    private ClientRequestor requestor;
    private volatile boolean full;
    private volatile boolean unreachable;

    private RemoteBroker(GatewaySettings s, String url, String user, String password) {
        this.url = redacted(url);
        this.user = user;
        this.password = password;
        this.managementAddress = s.get(MANAGEMENT_ADDRESS, DEFAULT_MANAGEMENT_ADDRESS);
        this.callTimeoutMs = s.getLong(CALL_TIMEOUT_MS, DEFAULT_CALL_TIMEOUT_MS);
        try {
            this.locator = ActiveMQClient.createServerLocator(url);
        } catch (Exception e) {
            throw new IllegalStateException(GatewaySettings.BROKER_URL + " is not a usable Artemis URL: " + redacted(url), e);
        }
        // Questions fail fast and are asked again later; the gateway's JMS connections keep the
        // URL's own reconnection settings.
        locator.setReconnectAttempts(0).setInitialConnectAttempts(1)
                .setCallTimeout(callTimeoutMs).setCallFailoverTimeout(callTimeoutMs);
        this.diskWatch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "remote-broker-disk-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Connects, checks the broker is set up for the gateway (fails naming what is missing), and
     * starts watching its disk use every {@code gateway.broker.disk-scan-ms}.
     */
    public static RemoteBroker connect(GatewaySettings s, String url, String user, String password) {
        RemoteBroker b = new RemoteBroker(s, url, user, password);
        try {
            b.verifySetup();
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
        b.checkDisk();
        long every = s.getLong(EmbeddedBroker.DISK_SCAN_MS, 5000);
        b.diskWatch.scheduleWithFixedDelay(b::checkDisk, every, every, TimeUnit.MILLISECONDS);
        LOG.atInfo().addKeyValue("event", "remote-broker").log("Using the remote broker {} as {}", b.url, user);
        return b;
    }

    /** The broker's disk use is over its {@code max-disk-usage}: it would block a sender until space is freed. */
    @Override
    public boolean full() {
        return full;
    }

    /**
     * Asked by request threads (status, metrics, the console): while the broker is known to be away
     * the answer is -1 at once, without waiting on a reconnect; the disk watch finds it back.
     */
    @Override
    public long depth(String queue) {
        if (unreachable) {
            return -1;
        }
        synchronized (this) {
            return askDepth(queue);
        }
    }

    private long askDepth(String queue) {
        try {
            ClientSession.QueueQuery q = session().queueQuery(SimpleString.of(queue));
            reachable();
            return q.isExists() ? q.getMessageCount() : 0;
        } catch (ActiveMQException | RuntimeException e) {
            lost(e);
            return -1;
        }
    }

    synchronized void checkDisk() {
        try {
            double usage = ((Number) attribute("diskStoreUsage")).doubleValue();
            int max = ((Number) attribute("maxDiskUsage")).intValue();
            boolean nowFull = max >= 0 && usage * 100 > max;
            if (nowFull != full) {
                if (nowFull) {
                    LOG.atWarn().addKeyValue("event", "broker-disk-full")
                            .log("The broker's disk is {}% used, over its max-disk-usage of {}%: updates are refused (503) until space is freed",
                                    Math.round(usage * 100), max);
                } else {
                    LOG.atInfo().addKeyValue("event", "broker-disk-ok")
                            .log("The broker's disk use is under its limit again ({}%)", Math.round(usage * 100));
                }
            }
            full = nowFull;
            reachable();
        } catch (Exception e) {
            // Unknown: sends then fail (or succeed) on their own; keep the last answer.
            lost(e);
        }
    }

    /**
     * Every gateway queue exists, and the broker never dead-letters or expires an update on its own:
     * unlimited delivery attempts (each rolled-back HQ batch counts as one), the gateway's dead-letter
     * and expiry addresses, no forced expiry; and no redelivery delay, which would let later updates of
     * a SKU overtake one given back.
     */
    synchronized void verifySetup() {
        List<String> problems = new ArrayList<>();
        try {
            for (String queue : Queues.ALL) {
                if (!session().queueQuery(SimpleString.of(queue)).isExists()) {
                    problems.add("queue " + queue + " does not exist");
                }
            }
            if (!session().addressQuery(SimpleString.of(Queues.SETTLED)).isExists()) {
                problems.add("address " + Queues.SETTLED + " does not exist");
            }
            for (String address : Queues.ALL) {
                String json = String.valueOf(operation("getAddressSettingsAsJSON", address));
                LOG.debug("Address settings of {} on the remote broker: {}", address, json);
                JsonNode settings = JSON.readTree(json);
                // What Artemis leaves out of the answer has its default: 10 attempts, no dead-letter
                // or expiry address, no expiry.
                expect(problems, address, settings, "maxDeliveryAttempts", "10", "-1");
                expect(problems, address, settings, "deadLetterAddress", null, Queues.DLQ);
                expect(problems, address, settings, "expiryAddress", null, Queues.EXPIRED);
                expect(problems, address, settings, "expiryDelay", "-1", "-1");
                expect(problems, address, settings, "maxExpiryDelay", "-1", "-1");
                expect(problems, address, settings, "redeliveryDelay", "0", "0");
            }
            // The gateways' notices to each other: a notice dead-lettered after a few failed tries
            // would leave that update QUEUED in a peer's mirror for ever.
            JsonNode settled = JSON.readTree(String.valueOf(operation("getAddressSettingsAsJSON", Queues.SETTLED)));
            expect(problems, Queues.SETTLED, settled, "maxDeliveryAttempts", "10", "-1");
        } catch (Exception e) {
            throw new IllegalStateException("cannot check the remote broker " + url + " (" + GatewaySettings.BROKER_URL + ") as "
                    + user + ": " + describe(e) + ". The gateway's login needs the `manage` permission on "
                    + managementAddress + " (see " + SETUP_DOC + ")", e);
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the remote broker " + url + " is not set up for the gateway: "
                    + String.join("; ", problems) + ". Apply " + SETUP_DOC + " to its broker.xml");
        }
    }

    private static void expect(List<String> problems, String address, JsonNode settings, String field,
                               String byDefault, String wanted) {
        JsonNode v = settings.get(field);
        String actual = v == null || v.isNull() || v.asText().isEmpty() ? byDefault : v.asText();
        if (!Objects.equals(actual, wanted)) {
            problems.add(address + " has " + field + " " + (actual == null ? "unset" : actual) + ", needs " + wanted);
        }
    }

    /** The remote broker's node id, asked once (it is made with its journal and never changes while it lives). */
    @Override
    public synchronized String nodeId() {
        if (nodeId == null) {
            try {
                nodeId = String.valueOf(attribute("nodeID"));
            } catch (Exception e) {
                throw new IllegalStateException("cannot ask the remote broker " + url + " for its node id: " + e.getMessage(), e);
            }
        }
        return nodeId;
    }

    private Object attribute(String name) throws Exception {
        ClientMessage m = session().createMessage(false);
        ManagementHelper.putAttribute(m, ResourceNames.BROKER, name);
        return answer(m, name);
    }

    private Object operation(String name, Object... args) throws Exception {
        ClientMessage m = session().createMessage(false);
        ManagementHelper.putOperationInvocation(m, ResourceNames.BROKER, name, args);
        return answer(m, name);
    }

    private Object answer(ClientMessage request, String what) throws Exception {
        ClientMessage reply = requestor.request(request, callTimeoutMs);
        if (reply == null) {
            throw new ActiveMQException("no answer to " + what + " within " + callTimeoutMs + " ms");
        }
        if (!ManagementHelper.hasOperationSucceeded(reply)) {
            throw new ActiveMQException(what + " refused: " + ManagementHelper.getResult(reply));
        }
        return ManagementHelper.getResult(reply);
    }

    private ClientSession session() throws ActiveMQException {
        if (session == null || session.isClosed()) {
            drop();
            try {
                factory = locator.createSessionFactory();
                session = factory.createSession(user, password, false, true, true, false, 0);
                session.start();
                requestor = new ClientRequestor(session, managementAddress);
            } catch (ActiveMQException e) {
                drop();
                throw e;
            } catch (Exception e) {
                drop();
                throw new ActiveMQException(describe(e));
            }
        }
        return session;
    }

    private void reachable() {
        if (unreachable) {
            unreachable = false;
            LOG.atInfo().addKeyValue("event", "remote-broker-back").log("The remote broker {} answers again", url);
        }
    }

    /** One log line per outage, not one per question. */
    private void lost(Exception e) {
        if (!unreachable) {
            unreachable = true;
            LOG.atWarn().addKeyValue("event", "remote-broker-unreachable")
                    .log("Cannot ask the remote broker {}: {}", url, describe(e));
        }
        drop();
    }

    private void drop() {
        try {
            if (requestor != null) {
                requestor.close();
            }
        } catch (Exception ignored) {
            // the session is going anyway
        }
        try {
            if (session != null) {
                session.close();
            }
        } catch (Exception ignored) {
            // already broken
        }
        if (factory != null) {
            factory.close();
        }
        requestor = null;
        session = null;
        factory = null;
    }

    /** The URL fit for a log line: a password given in it is masked. */
    public static String redacted(String url) {
        return url.replaceAll("(?i)(password=)[^&;)]*", "$1***");
    }

    private static String describe(Throwable t) {
        String msg = t.getMessage();
        return t.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }

    @Override
    public synchronized void close() {
        diskWatch.shutdownNow();
        drop();
        locator.close();
    }
}
