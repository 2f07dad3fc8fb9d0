package io.storegateway.security;

import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.TestMirror;
import io.storegateway.broker.EmbeddedBroker;
import io.storegateway.broker.RemoteBroker;
import io.storegateway.config.GatewaySettings;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSSecurityRuntimeException;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Secrets (the HQ token, the mirror and broker passwords, users' tokens, and tokens that callers
 * got wrong) never show: not in the log, not in /admin/v1/status, /observe/health or
 * /observe/metrics, and not in any error body. Each secret here is a distinctive string; the
 * gateway runs its main paths, its failures included, while every log event is captured (with
 * the gateway's loggers at TRACE and Camel's at INFO, so a leak at a level an operator may switch
 * on is caught too), and then nothing seen may contain one of them.
 */
class SecretsStayOutOfSightTest {

    private static final String HQ_SECRET = "hqtok-S3CR37-7Q9ZK2";
    private static final String MIRROR_SECRET = "mirpw-S3CR37-W4XN8R";
    private static final String BROKER_SECRET = "brkpw-S3CR37-J2VA5E";
    private static final String TERMINAL_SECRET = "termtok-S3CR37-P3LD6V";
    private static final String ADMIN_SECRET = "admtok-S3CR37-H8CJ1M";
    /** Tokens callers get wrong are secrets too: often a real token with a typo, or another system's. */
    private static final String WRONG_SECRET = "wrongtok-S3CR37-B5TG0S";
    private static final List<String> SECRETS = List.of(HQ_SECRET, MIRROR_SECRET, BROKER_SECRET, TERMINAL_SECRET, ADMIN_SECRET,
            WRONG_SECRET);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final CapturedLog log = new CapturedLog();
    private final List<String> answers = new ArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Map<String, Level> levelsBefore;

    @BeforeEach
    void captureTheLog() {
        levelsBefore = log.start(Map.of("io.storegateway", Level.TRACE, "org.apache.camel", Level.INFO));
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        log.stop(levelsBefore);
    }

    @Test
    void noSecretShowsInLogsStatusMetricsHealthOrErrorBodies(@TempDir Path dir) throws Exception {
        assumeThat(TestMirror.onPostgresql()).as("the embedded mirror is given a password here, which PostgreSQL would refuse").isFalse();
        TestGateway t = TestGateway.started("secrets", 5, Map.of(
                GatewaySettings.HQ_TOKEN, HQ_SECRET,
                GatewaySettings.MIRROR_PASSWORD, MIRROR_SECRET,
                GatewaySettings.USERS_FILE, users(dir).toString()));
        toClose.add(t);
        TerminalClient terminal = new TerminalClient(t.baseUrl(), TERMINAL_SECRET);
        TerminalClient it = new TerminalClient(t.baseUrl(), ADMIN_SECRET);

        // The main path: updates over HTTP and JMS, forwarded to HQ with the HQ token.
        seen(terminal.post(TerminalClient.adjust("secret-1", "SKU-0001", 1)), 202);
        try (ActiveMQConnectionFactory f = new ActiveMQConnectionFactory("tcp://localhost:" + t.brokerPort());
             JMSContext ctx = f.createContext("till-1", TERMINAL_SECRET)) {
            ctx.createProducer().send(ctx.createQueue("store.updates.in"), TerminalClient.adjust("secret-2", "SKU-0002", 1));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> "APPLIED".equals(terminal.update("secret-2").path("status").asText()));
        seen(terminal.get("/api/v1/products/SKU-0001"), 200);

        // Refusals: wrong tokens over HTTP and JMS, a terminal on /admin, bad requests.
        seen(new TerminalClient(t.baseUrl(), WRONG_SECRET).get("/api/v1/products"), 401);
        seen(new TerminalClient(t.baseUrl(), WRONG_SECRET).post(TerminalClient.adjust("secret-x", "SKU-0001", 1)), 401);
        seen(new TerminalClient(t.baseUrl(), TERMINAL_SECRET).get("/admin/v1/status"), 403);
        seen(raw(t, "GET", "/api/v1/products", "Basic " + Base64.getEncoder()
                .encodeToString(("till-1:" + WRONG_SECRET).getBytes(StandardCharsets.UTF_8))), 401);
        seen(raw(t, "GET", "/api/v1/products?token=" + WRONG_SECRET, null), 401);
        seen(terminal.post("{\"terminalId\":\"till-1\"", "application/json"), 400);
        seen(terminal.post("{}", "text/plain"), 415);
        seen(terminal.get("/api/v1/products/NOPE-1"), 404);
        seen(terminal.get("/no/such/path"), 404);
        try (ActiveMQConnectionFactory f = new ActiveMQConnectionFactory("tcp://localhost:" + t.brokerPort())) {
            assertThatThrownBy(() -> f.createContext("till-1", WRONG_SECRET).close()).isInstanceOf(JMSSecurityRuntimeException.class);
        }

        // HQ failing: server errors, then gone, then refusing the gateway's token (the access alert).
        t.hq.setFault("error", 1.0, 0);
        seen(terminal.post(TerminalClient.adjust("secret-3", "SKU-0003", 1)), 202);
        await().atMost(Duration.ofSeconds(20)).until(() -> t.forwardRetries() >= 2);
        t.hq.setFault("none", 0, 0);
        t.hq.stop();
        seen(it.call("POST", "/admin/v1/reconcile"), -1);
        await().atMost(Duration.ofSeconds(20)).until(() -> !t.gateway().connectivity().online());
        t.hq.start();
        t.hq.setRequiredToken("a-token-the-gateway-does-not-have");
        seen(terminal.post(TerminalClient.adjust("secret-4", "SKU-0004", 1)), 202);
        await().atMost(Duration.ofSeconds(30)).until(() -> it.get("/admin/v1/status").json().at("/forwarding/accessDenied").asBoolean());

        // What IT and monitoring read.
        seen(it.get("/admin/v1/status"), 200);
        seen(it.get("/admin/v1/routes"), 200);
        seen(it.get("/admin/v1/history"), 200);
        seen(it.get("/admin/v1/dlq"), 200);
        seen(it.get("/admin/v1/conflicts"), 200);
        seen(new TerminalClient(t.baseUrl(), null).get("/observe/health"), -1);
        seen(new TerminalClient(t.baseUrl(), null).get("/observe/metrics"), 200);
        t.stopGateway();

        // The paths ran, and the capture saw them: the failures were logged, the alert shown.
        assertThat(log.contains("HQ refused the gateway's credentials")).isTrue();
        assertThat(log.contains("Mirror database ready")).isTrue();
        assertThat(answers).anyMatch(a -> a.contains("\"accessDenied\":true"));
        assertNoSecretSeen();
    }

    @Test
    void aRemoteBrokersPasswordShowsNowhere(@TempDir Path dir) throws Exception {
        int port = TestGateway.freePort();
        EmbeddedBroker remote = new EmbeddedBroker(GatewaySettings.of(Map.of(
                GatewaySettings.DATA_DIR, Path.of("target", "test-data", "secrets-remote-broker-" + UUID.randomUUID())
                        .toAbsolutePath().toString(),
                GatewaySettings.BROKER_PORT, Integer.toString(port))),
                AccessTokens.load(users(dir)), "store-gateway", BROKER_SECRET).start();
        toClose.add(remote);
        Map<String, String> settings = new HashMap<>(Map.of(
                // A password in the URL as well as in its own key: both stay out of sight.
                GatewaySettings.BROKER_URL, "tcp://localhost:" + port + "?trustStorePassword=" + BROKER_SECRET,
                RemoteBroker.USERNAME, "store-gateway",
                RemoteBroker.PASSWORD, BROKER_SECRET,
                GatewaySettings.USERS_FILE, users(dir).toString()));
        TestGateway t = TestGateway.started("secrets-remote", 3, settings);
        toClose.add(t);
        TerminalClient terminal = new TerminalClient(t.baseUrl(), TERMINAL_SECRET);

        seen(terminal.post(TerminalClient.adjust("secret-r1", "SKU-0001", 1)), 202);
        await().atMost(Duration.ofSeconds(20)).until(() -> "APPLIED".equals(terminal.update("secret-r1").path("status").asText()));
        TerminalClient it = new TerminalClient(t.baseUrl(), ADMIN_SECRET);
        seen(it.get("/admin/v1/status"), 200);
        seen(new TerminalClient(t.baseUrl(), null).get("/observe/health"), -1);
        seen(new TerminalClient(t.baseUrl(), null).get("/observe/metrics"), 200);
        // The broker goes away under the gateway: its failures are logged and shown.
        remote.close();
        toClose.remove(remote);
        try {
            seen(terminal.post(TerminalClient.adjust("secret-r2", "SKU-0001", 1)), -1);
        } catch (UncheckedIOException e) {
            answers.add(e.toString());
        }
        seen(it.get("/admin/v1/status"), -1);
        seen(new TerminalClient(t.baseUrl(), null).get("/observe/health"), -1);
        t.stopGateway();

        assertThat(log.contains("Using the remote broker tcp://localhost:" + port)).isTrue();
        assertNoSecretSeen();
    }

    private void assertNoSecretSeen() {
        assertThat(log.size()).as("log events captured").isGreaterThan(10);
        for (String secret : SECRETS) {
            assertThat(log.matching(secret)).as("log lines holding %s", secret).isEmpty();
            assertThat(answers).as("HTTP answers holding %s", secret).noneMatch(a -> a.contains(secret));
        }
    }

    /** Keeps what the gateway answered (status, headers, body), after checking the status when one is given. */
    private void seen(TerminalClient.Reply reply, int expectedStatus) {
        if (expectedStatus > 0) {
            assertThat(reply.status()).as(reply.body()).isEqualTo(expectedStatus);
        }
        answers.add(reply.status() + " " + reply.retryAfter() + " " + reply.body());
    }

    private void seen(HttpResponse<String> r, int expectedStatus) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(expectedStatus);
        answers.add(r.statusCode() + " " + r.headers().map() + " " + r.body());
    }

    private static HttpResponse<String> raw(TestGateway t, String method, String path, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(t.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A users file with the secret tokens: a terminal (also the JMS user till-1) and IT. */
    private static Path users(Path dir) throws IOException {
        Path file = dir.resolve("users.properties");
        Files.writeString(file, "till-1 = terminal:sha256:" + AccessTokens.hash(TERMINAL_SECRET) + "\n"
                + "it-admin = admin:sha256:" + AccessTokens.hash(ADMIN_SECRET) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    /** Every log event, as text: the message, its arguments' rendering, key-value pairs, MDC and the stack trace. */
    private static final class CapturedLog extends AppenderBase<ILoggingEvent> {

        private final Queue<String> lines = new ConcurrentLinkedQueue<>();

        Map<String, Level> start(Map<String, Level> levels) {
            LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
            setContext(context);
            setName("secrets-capture");
            super.start();
            Map<String, Level> before = new HashMap<>();
            levels.forEach((name, level) -> {
                ch.qos.logback.classic.Logger logger = context.getLogger(name);
                before.put(name, logger.getLevel());
                logger.setLevel(level);
            });
            context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(this);
            return before;
        }

        void stop(Map<String, Level> levelsBefore) {
            LoggerContext context = (LoggerContext) getContext();
            context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(this);
            levelsBefore.forEach((name, level) -> context.getLogger(name).setLevel(level));
            super.stop();
        }

        @Override
        protected void append(ILoggingEvent e) {
            StringBuilder line = new StringBuilder(e.getLevel() + " " + e.getLoggerName() + " - " + e.getFormattedMessage());
            if (e.getKeyValuePairs() != null) {
                line.append(' ').append(e.getKeyValuePairs());
            }
            if (!e.getMDCPropertyMap().isEmpty()) {
                line.append(' ').append(e.getMDCPropertyMap());
            }
            if (e.getThrowableProxy() != null) {
                line.append('\n').append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
            }
            lines.add(line.toString());
        }

        int size() {
            return lines.size();
        }

        boolean contains(String text) {
            return lines.stream().anyMatch(l -> l.contains(text));
        }

        List<String> matching(String text) {
            return lines.stream().filter(l -> l.contains(text)).toList();
        }
    }
}
