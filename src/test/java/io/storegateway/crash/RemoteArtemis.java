package io.storegateway.crash;

import io.storegateway.TestGateway;
import io.storegateway.TestUsers;

import org.awaitility.core.ConditionTimeoutException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A standalone Artemis broker made from the real distribution ({@code artemis.home}, unpacked by the
 * build under target/artemis): {@code bin/artemis create} an instance, apply the gateway's
 * {@code config/remote-broker/store-gateway-broker.xml} to its broker.xml, add the users, then
 * {@code bin/artemis run} it as a child process. {@link #close()} ends the process and its children,
 * also when the test failed.
 */
final class RemoteArtemis implements AutoCloseable {

    static final String GATEWAY_USER = "store-gateway";
    static final String GATEWAY_PASSWORD = "gateway-secret-for-tests";
    static final Path GATEWAY_SETTINGS = Path.of("config", "remote-broker", "store-gateway-broker.xml");
    private static final String CORE_NS = "urn:activemq:core";

    private final Path instance;
    private final int port;
    private final Path log;
    private volatile Process process;

    private RemoteArtemis(Path instance, int port) {
        this.instance = instance;
        this.port = port;
        this.log = instance.resolveSibling(instance.getFileName() + "-run.log");
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "remote-artemis-reaper"));
    }

    /**
     * Creates an instance in {@code dir} on a free port, with the gateway's settings and users; then
     * {@code core} overrides single elements of broker.xml's core (e.g. max-disk-usage).
     */
    static RemoteArtemis create(Path dir, Map<String, String> core) throws Exception {
        Path home = home();
        int port = TestGateway.freePort();
        Files.createDirectories(dir.getParent());
        run(dir.resolveSibling(dir.getFileName() + "-create.log"), Duration.ofSeconds(60),
                home.resolve("bin").resolve("artemis").toString(), "create", dir.toString(),
                "--user", GATEWAY_USER, "--password", GATEWAY_PASSWORD, "--role", "gateway",
                "--require-login", "--silent", "--no-web", "--no-autotune", "--nio",
                "--no-amqp-acceptor", "--no-mqtt-acceptor", "--no-stomp-acceptor", "--no-hornetq-acceptor",
                "--default-port", Integer.toString(port), "--name", dir.getFileName().toString());
        RemoteArtemis b = new RemoteArtemis(dir, port);
        b.applyGatewaySettings(core);
        // Terminals log in to the broker with the same name and token as over HTTP.
        Files.writeString(dir.resolve("etc/artemis-users.properties"),
                "\n" + TestUsers.TERMINAL_USER + " = " + TestUsers.TERMINAL_TOKEN + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Files.writeString(dir.resolve("etc/artemis-roles.properties"),
                "\nterminal = " + TestUsers.TERMINAL_USER + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        return b;
    }

    private static Path home() {
        String configured = System.getProperty("artemis.home");
        Path home = configured != null ? Path.of(configured) : Path.of("target", "artemis", "apache-artemis-2.44.0");
        if (!Files.isRegularFile(home.resolve("bin").resolve("artemis"))) {
            throw new IllegalStateException("no Artemis distribution at " + home.toAbsolutePath()
                    + ": `mvn verify` unpacks it (maven-dependency-plugin, pre-integration-test)");
        }
        return home.toAbsolutePath();
    }

    /** Each element of the gateway's settings replaces the one of the same name in broker.xml's core. */
    private void applyGatewaySettings(Map<String, String> overrides) throws Exception {
        Path brokerXml = instance.resolve("etc/broker.xml");
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document broker = f.newDocumentBuilder().parse(brokerXml.toFile());
        Document settings = f.newDocumentBuilder().parse(GATEWAY_SETTINGS.toFile());
        Element core = (Element) broker.getElementsByTagNameNS(CORE_NS, "core").item(0);
        for (Element e : children(settings.getDocumentElement())) {
            replace(core, (Element) broker.importNode(e, true));
        }
        overrides.forEach((name, value) -> {
            Element e = broker.createElementNS(CORE_NS, name);
            e.setTextContent(value);
            replace(core, e);
        });
        var t = TransformerFactory.newInstance().newTransformer();
        t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
        t.transform(new DOMSource(broker), new StreamResult(brokerXml.toFile()));
    }

    private static void replace(Element core, Element replacement) {
        for (Element old : children(core)) {
            if (old.getLocalName().equals(replacement.getLocalName())) {
                core.replaceChild(replacement, old);
                return;
            }
        }
        core.appendChild(replacement);
    }

    private static List<Element> children(Element parent) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i).getNodeType() == Node.ELEMENT_NODE) {
                out.add((Element) nodes.item(i));
            }
        }
        return out;
    }

    /** {@code bin/artemis run}, then waits until the acceptor takes connections. */
    synchronized RemoteArtemis start(Duration within) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(instance.resolve("bin").resolve("artemis").toString(), "run")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // A small broker: the machine runs two gateways and the test beside it.
        pb.environment().put("JAVA_ARGS", "-Xms64m -Xmx512m -XX:+UseSerialGC -Dlog4j2.disableJmx=true "
                + "--add-opens java.base/jdk.internal.misc=ALL-UNNAMED");
        process = pb.start();
        Process p = process;
        try {
            await().atMost(within).pollInterval(Duration.ofMillis(200))
                    .until(() -> !p.isAlive() || (accepts() && logSays("AMQ221007")));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("Artemis did not come up within " + within + "; log:\n" + logTail(40), e);
        }
        if (!p.isAlive()) {
            throw new AssertionError("Artemis exited with " + p.exitValue() + " while starting; log:\n" + logTail(40));
        }
        return this;
    }

    String url() {
        return "tcp://localhost:" + port;
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("localhost", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private boolean logSays(String code) throws IOException {
        return Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(code);
    }

    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return log + ":\n" + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** Ends the broker and anything it started: SIGTERM, then SIGKILL after 20 s. */
    @Override
    public synchronized void close() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(p.toHandle());
        tree.forEach(ProcessHandle::destroy);
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                tree.forEach(ProcessHandle::destroyForcibly);
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            tree.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static void run(Path log, Duration within, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        if (!p.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within " + within);
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited with " + p.exitValue() + ":\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
    }
}
