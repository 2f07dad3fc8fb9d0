package io.storegateway.broker;

import io.storegateway.config.GatewaySettings;
import io.storegateway.security.AccessTokens;
import io.storegateway.security.GatewayTls;
import io.storegateway.security.KeyStoreFile;

import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.CoreAddressConfiguration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyAcceptorFactory;
import org.apache.activemq.artemis.core.remoting.impl.netty.TransportConstants;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressFullMessagePolicy;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The embedded Artemis broker: persistent journal under {@code gateway.data-dir/broker}, one TCP
 * acceptor for CORE, AMQP, OpenWire and STOMP, and an in-VM acceptor for the gateway itself.
 * Every gateway address has its dead-letter and expiry address set on purpose and unlimited
 * delivery attempts, so the broker never drops or dead-letters an update on its own: only the
 * gateway decides that an update is dead (HQ rejected it for good).
 */
public final class EmbeddedBroker implements QueueDepths, StorageGuard, BrokerIdentity, AutoCloseable {

    public static final String IN_VM_URL = "vm://0";
    /** How long start waits for the broker to become active (the journal loaded) before it gives up. */
    static final int ACTIVATION_TIMEOUT_S = 30;
    public static final String MAX_DISK_USAGE = "gateway.broker.max-disk-usage-percent";
    public static final String MAX_SIZE_BYTES = "gateway.broker.address-max-size-bytes";
    public static final String GLOBAL_MAX_SIZE_BYTES = "gateway.broker.global-max-size-bytes";
    public static final String DISK_SCAN_MS = "gateway.broker.disk-scan-ms";
    public static final String ID_CACHE_SIZE = "gateway.broker.duplicate-id-cache-size";
    public static final String JOURNAL_BUFFER_TIMEOUT_US = "gateway.broker.journal-buffer-timeout-us";
    public static final String JOURNAL_FILE_SIZE = "gateway.broker.journal-file-size-bytes";
    public static final String JOURNAL_MIN_FILES = "gateway.broker.journal-min-files";
    static final int DEFAULT_JOURNAL_BUFFER_TIMEOUT_US = 1000;
    static final int DEFAULT_JOURNAL_FILE_SIZE = 10 * 1024 * 1024;
    static final int DEFAULT_JOURNAL_MIN_FILES = 4;
    static final int DEFAULT_MAX_DISK_USAGE = 90;
    static final long DEFAULT_MAX_SIZE_BYTES = 8L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final EmbeddedActiveMQ server = new EmbeddedActiveMQ();
    private final int port;
    private final boolean ssl;
    /** Disk write failures Artemis reported (it stops itself at the first); see {@link #writeFailures()}. */
    private final AtomicLong writeFailures = new AtomicLong();
    private volatile String diskError;
    private final List<Runnable> onDiskError = new CopyOnWriteArrayList<>();

    public EmbeddedBroker(GatewaySettings settings, AccessTokens tokens, String gatewayUser, String gatewaySecret) {
        this.port = settings.brokerPort();
        this.ssl = GatewayTls.brokerStore(settings).isPresent();
        server.setConfiguration(configuration(settings));
        server.setSecurityManager(new BrokerUsers(tokens, gatewayUser, gatewaySecret));
    }

    private static Configuration configuration(GatewaySettings settings) {
        Path dir = settings.dataDir().toAbsolutePath().normalize().resolve("broker");
        ConfigurationImpl c = new ConfigurationImpl();
        c.setName("store-gateway");
        c.setPersistenceEnabled(true);
        c.setSecurityEnabled(true);
        c.setJMXManagementEnabled(false);
        c.setJournalType(JournalType.NIO);
        // Durability is not negotiable: every commit and every persistent send waits for the journal's
        // fdatasync (journal-sync-transactional, -non-transactional and datasync stay on). What is tuned
        // is how commits share a sync: writes wait at most this long in the journal's buffer, so that
        // commits arriving together go to disk in one sync (Artemis's default is 3333 us for NIO; less is
        // a shorter wait for a lone commit, more syncs per second).
        c.setJournalSyncTransactional(true);
        c.setJournalSyncNonTransactional(true);
        c.setJournalDatasync(true);
        int bufferTimeoutNs = settings.getInt(JOURNAL_BUFFER_TIMEOUT_US, DEFAULT_JOURNAL_BUFFER_TIMEOUT_US) * 1000;
        c.setJournalBufferTimeout_NIO(bufferTimeoutNs);
        // Once a queue pages (a backlog past address-max-size-bytes), a commit also waits for its page
        // file's sync, which Artemis batches on a timer of its own (3333 us by default): the same wait as
        // the journal's, or every commit of a paging backlog waits three times as long.
        c.setPageSyncTimeout(bufferTimeoutNs);
        // Files made ahead of need: a backlog rolls onto a fresh file without waiting to create it.
        c.setJournalFileSize(settings.getInt(JOURNAL_FILE_SIZE, DEFAULT_JOURNAL_FILE_SIZE));
        c.setJournalMinFiles(settings.getInt(JOURNAL_MIN_FILES, DEFAULT_JOURNAL_MIN_FILES));
        c.setJournalDirectory(dir.resolve("journal").toString());
        c.setBindingsDirectory(dir.resolve("bindings").toString());
        c.setPagingDirectory(dir.resolve("paging").toString());
        c.setLargeMessagesDirectory(dir.resolve("large-messages").toString());
        c.setNodeManagerLockDirectory(dir.toString());
        c.setMaxDiskUsage(settings.getInt(MAX_DISK_USAGE, DEFAULT_MAX_DISK_USAGE));
        c.setDiskScanPeriod(settings.getInt(DISK_SCAN_MS, 5000));
        // Messages held in memory across all queues; beyond it every queue pages to disk. Kept well
        // under a small heap (-Xmx256m) so a week-long backlog lives on disk, not in memory.
        c.setGlobalMaxSize(settings.getLong(GLOBAL_MAX_SIZE_BYTES, 24L * 1024 * 1024));
        // Duplicate detection on the outbound queue remembers this many update ids (a bounded, first
        // guard; the mirror's record of accepted ids is the durable one).
        c.setIDCacheSize(settings.getInt(ID_CACHE_SIZE, 20_000));
        c.setPersistIDCache(true);
        c.setGracefulShutdownEnabled(true);
        c.setGracefulShutdownTimeout(10_000);
        try {
            c.addAcceptorConfiguration("in-vm", IN_VM_URL);
        } catch (Exception e) {
            throw new IllegalStateException("bad in-VM acceptor", e);
        }
        c.addAcceptorConfiguration(storeAcceptor(settings));
        long maxSize = settings.getLong(MAX_SIZE_BYTES, DEFAULT_MAX_SIZE_BYTES);
        for (String name : Queues.ALL) {
            c.addQueueConfiguration(QueueConfiguration.of(name).setAddress(name)
                    .setRoutingType(RoutingType.ANYCAST).setDurable(true));
            c.addAddressSetting(name, addressSettings(maxSize));
        }
        // Unused by a lone gateway; there so that this broker, reached over TCP, is set up like a
        // remote one (config/remote-broker/store-gateway-broker.xml).
        c.addAddressConfiguration(new CoreAddressConfiguration().setName(Queues.SETTLED).addRoutingType(RoutingType.MULTICAST));
        c.addAddressSetting(Queues.SETTLED, addressSettings(maxSize));
        // No redelivery delay anywhere (addressSettings): a message given back with a delay would be
        // overtaken by the later messages of its SKU. JmsIngest pauses itself after a failure instead.
        c.addAddressSetting("#", new AddressSettings()
                .setDeadLetterAddress(SimpleString.of(Queues.DLQ))
                .setExpiryAddress(SimpleString.of(Queues.EXPIRED)));
        securityRoles(c);
        return c;
    }

    /**
     * The terminals' TCP acceptor; SSL when a key store is configured ({@link GatewayTls#brokerStore}).
     * Built as parameters, not a URL, so the password needs no escaping (Artemis masks it when printing one).
     */
    private static TransportConfiguration storeAcceptor(GatewaySettings settings) {
        Map<String, Object> params = new HashMap<>();
        params.put(TransportConstants.HOST_PROP_NAME, "0.0.0.0");
        params.put(TransportConstants.PORT_PROP_NAME, settings.brokerPort());
        params.put(TransportConstants.PROTOCOLS_PROP_NAME, "CORE,AMQP,OPENWIRE,STOMP");
        GatewayTls.brokerStore(settings).ifPresent(keys -> {
            keys.loadKey(true); // fails here, naming the key, rather than deep inside Artemis
            params.put(TransportConstants.SSL_ENABLED_PROP_NAME, true);
            params.put(TransportConstants.KEYSTORE_PATH_PROP_NAME, keys.path().toString());
            params.put(TransportConstants.KEYSTORE_PASSWORD_PROP_NAME, keys.password());
            params.put(TransportConstants.KEYSTORE_TYPE_PROP_NAME, KeyStoreFile.TYPE);
        });
        return new TransportConfiguration(NettyAcceptorFactory.class.getName(), params, "store");
    }

    private static AddressSettings addressSettings(long maxSizeBytes) {
        return new AddressSettings()
                .setDeadLetterAddress(SimpleString.of(Queues.DLQ))
                .setExpiryAddress(SimpleString.of(Queues.EXPIRED))
                .setMaxDeliveryAttempts(-1)
                .setRedeliveryDelay(0)
                .setAutoCreateAddresses(false)
                .setAutoCreateQueues(false)
                // Above this many bytes in memory the queue pages to disk: a week-long backlog never fills the heap.
                .setMaxSizeBytes(maxSizeBytes)
                .setAddressFullMessagePolicy(AddressFullMessagePolicy.PAGE);
    }

    /**
     * Who may do what on the broker (the most specific match wins, whole; nothing is merged). A terminal
     * may send to store.updates.in and nowhere else, and make, read and drop its own temporary reply
     * queues; it may not read, browse or write any gateway address. IT's admin token may only browse
     * (look at, not take) the DLQ and the invalid queue: replaying and discarding go through /admin,
     * which keeps the mirror's records right. Everything under store.# and activemq.# that is not
     * named here is the gateway's alone, so an address added later starts closed.
     */
    static void securityRoles(ConfigurationImpl c) {
        Role gateway = new Role(BrokerUsers.GATEWAY_ROLE, true, true, true, true, true, true, true, true, true, true);
        Role terminalSends = new Role(BrokerUsers.TERMINAL_ROLE, true, false, false, false, false, false, false, false, false, false);
        // Temporary reply queues have random names: a terminal may create, read and delete non-durable
        // queues (and their addresses) outside the gateway's namespaces, but sends nowhere there.
        Role terminalReplies = new Role(BrokerUsers.TERMINAL_ROLE, false, true, false, false, true, true, false, false, true, true);
        Role adminBrowses = new Role(BrokerUsers.ADMIN_ROLE, false, false, false, false, false, false, false, true, false, false);
        c.putSecurityRoles("#", Set.of(gateway, terminalReplies));
        c.putSecurityRoles("store.#", Set.of(gateway));
        c.putSecurityRoles("activemq.#", Set.of(gateway));
        for (String name : Queues.ALL) {
            c.putSecurityRoles(name, Set.of(gateway));
        }
        c.putSecurityRoles(Queues.SETTLED, Set.of(gateway));
        c.putSecurityRoles(Queues.INBOUND, Set.of(gateway, terminalSends));
        c.putSecurityRoles(Queues.DLQ, Set.of(gateway, adminBrowses));
        c.putSecurityRoles(Queues.INVALID, Set.of(gateway, adminBrowses));
    }

    /**
     * Starts the broker and waits until it is active. When it cannot be (its port is taken, say), says
     * why at once and stops what did start: before, the gateway waited 30 s and said only that the broker
     * did not become active, and the half-started broker kept the in-VM acceptor, so no other broker
     * could start in the same JVM.
     */
    public EmbeddedBroker start() {
        long started = System.nanoTime();
        AtomicReference<Exception> failed = new AtomicReference<>();
        try {
            server.createActiveMQServer();
            server.getActiveMQServer().registerActivationFailureListener(failed::set);
            server.getActiveMQServer().start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ACTIVATION_TIMEOUT_S);
            while (!server.getActiveMQServer().waitForActivation(100, TimeUnit.MILLISECONDS)) {
                if (failed.get() != null || System.nanoTime() > deadline) {
                    Exception cause = failed.get();
                    throw cause == null ? new IllegalStateException("the broker did not become active within " + ACTIVATION_TIMEOUT_S + " s")
                            : new IllegalStateException("the broker could not start: " + messageOf(cause), cause);
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        } catch (Exception e) {
            close();
            throw new IllegalStateException("the broker could not start: " + messageOf(e), e);
        }
        // Artemis calls this on the thread whose write failed, before that write's commit is answered, and
        // then stops the broker. Paged messages whose write failed can still be answered as committed
        // (Artemis 2.44 logs the error and carries on to the sync): the count tells UpdateIntake not to
        // acknowledge what it committed meanwhile.
        server.getActiveMQServer().registerIOCriticalErrorListener((cause, message, file) -> {
            writeFailures.incrementAndGet();
            if (diskError == null) {
                diskError = message + (file == null ? "" : " (" + file + ")");
                LOG.atError().addKeyValue("event", "broker-disk-error")
                        .log("The broker failed to write to its disk and stops: {}. Updates committed since are not acknowledged; "
                                + "what the journal holds is kept. The gateway must be restarted once space is freed.", diskError);
                onDiskError.forEach(Runnable::run);
            }
        });
        LOG.atInfo().addKeyValue("event", "broker-up")
                .log("Broker up in {} ms: journal under {}, terminals connect to tcp://<host>:{}{}", (System.nanoTime() - started) / 1_000_000,
                        server.getConfiguration().getJournalLocation(), port,
                        ssl ? "?sslEnabled=true (SSL)" : "");
        return this;
    }

    /** Artemis's node id, kept in the data directory (server.lock) with the journal. */
    @Override
    public String nodeId() {
        return server.getActiveMQServer().getNodeID().toString();
    }

    /** Disk write failures Artemis reported since start: a commit that saw this change is not acknowledged. */
    @Override
    public long writeFailures() {
        return writeFailures.get();
    }

    /** What the broker failed to write when it stopped itself, or null. */
    public String diskError() {
        return diskError;
    }

    /** Runs (once, on Artemis's thread) when the broker stops itself after a disk write failure. */
    public void whenDiskError(Runnable action) {
        onDiskError.add(action);
    }

    @Override
    public String refusal() {
        String error = diskError;
        if (error != null) {
            return "the broker stopped after a disk write failure (" + error + ")";
        }
        return full() ? "the broker's disk use is over " + MAX_DISK_USAGE : null;
    }

    /** The broker's disk use is over {@code gateway.broker.max-disk-usage-percent}. */
    @Override
    public boolean full() {
        var server = this.server.getActiveMQServer();
        return server != null && server.getPagingManager() != null && server.getPagingManager().isDiskFull();
    }

    /** Messages waiting in a queue (0 when it does not exist). */
    @Override
    public long depth(String queue) {
        var q = server.getActiveMQServer().locateQueue(queue);
        return q == null ? 0 : q.getMessageCount();
    }

    /** An exception's message with its causes' (Artemis's "failed to bind" says why only in its cause). */
    static String messageOf(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(": ").append(c.getMessage());
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        if (server.getActiveMQServer() == null) {
            return;
        }
        try {
            server.stop();
        } catch (Exception e) {
            LOG.atWarn().addKeyValue("event", "broker-stop-failed").log("Broker did not stop cleanly: {}", e.toString());
        }
    }
}
