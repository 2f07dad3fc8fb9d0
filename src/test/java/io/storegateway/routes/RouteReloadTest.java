package io.storegateway.routes;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.config.GatewaySettings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Route files edited while the gateway runs, against a real gateway and HQ simulator: an edit is
 * swapped in and takes effect, a broken one is refused with its line while the old routes keep
 * forwarding, every version is kept, a rollback puts the previous one back, and a restore writes the
 * running version back over a refused edit.
 */
@ExtendWith(ClosesTestGateways.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteReloadTest {

    private static final String FORWARD = "forward-to-hq.camel.yaml";
    private static final String POST = "post-to-hq.camel.yaml";
    /** Edited by one test only, so it has one version until then. */
    private static final String RECONCILE = "reconcile-with-hq.camel.yaml";
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private Path routes;
    private TestGateway t;
    private TerminalClient terminal;
    private TerminalClient it;
    private final Map<String, String> shipped = new HashMap<>();
    private int updates;

    @BeforeAll
    void start() throws IOException {
        routes = ShippedRoutes.copy("routes-reload");
        try (Stream<Path> files = Files.list(routes)) {
            for (Path f : files.toList()) {
                shipped.put(f.getFileName().toString(), Files.readString(f));
            }
        }
        t = TestGateway.started("route-reload", 5, Map.of(
                GatewaySettings.ROUTES_DIR, routes.toString(),
                RouteFiles.WATCH_INTERVAL_MS, "200"));
        terminal = t.terminal();
        it = new TerminalClient(t.baseUrl(), TestGateway.ADMIN_TOKEN);
    }

    /** Each test leaves the shipped files running, so the next one starts from them. */
    @AfterEach
    void putShippedFilesBack() {
        for (String file : List.of(FORWARD, POST, RECONCILE)) {
            write(file, shipped.get(file));
            await().atMost(DEADLINE).until(() -> routeFile(file).path("refused").isNull()
                    && currentContent(file).equals(shipped.get(file)));
        }
    }

    @Test
    void anEditedRouteIsSwappedInAndTakesEffect() {
        int before = routeFile(POST).path("version").asInt();

        write(POST, withHeader("X-Route-Edit", "edited"));

        await().atMost(DEADLINE).until(() -> routeFile(POST).path("version").asInt() == before + 1);
        assertThat(routeFile(POST).path("refused").isNull()).isTrue();
        forwardOne();
        assertThat(t.hq.lastBatchHeader("X-Route-Edit")).contains("edited");
        assertThat(status().at("/routes/reloadErrors")).isEmpty();
        assertThat(status().at("/routes/lastReloadAt").isNull()).isFalse();
    }

    @Test
    void aBatchSizeChangedInTheRouteTakesEffectAndNothingInFlightIsLost() {
        int before = routeFile(FORWARD).path("version").asInt();
        // Slow HQ answers, so a batch is on its way while forward-to-hq is swapped.
        t.hq.setFault("none", 0, 200);
        List<String> ids = new ArrayList<>();
        ids.addAll(postAdjustments("SKU-0002", 20));

        write(FORWARD, shipped.get(FORWARD).replace("{{gateway.forward.batch-size:250}}", "1"));
        ids.addAll(postAdjustments("SKU-0002", 20));

        await().atMost(DEADLINE).until(() -> routeFile(FORWARD).path("version").asInt() == before + 1);
        awaitApplied(ids);
        assertThat(t.hq.product(TestGateway.STORE, "SKU-0002").orElseThrow().quantity()).isEqualTo(100 + 40);
        t.hq.setFault("none", 0, 0);

        long batches = t.gateway().forwardStats().batches();
        List<String> after = postAdjustments("SKU-0003", 4);
        awaitApplied(after);
        // The batch counter moves just after the mirror shows APPLIED.
        await().atMost(DEADLINE).until(() -> t.gateway().forwardStats().batches() - batches >= 4);
        assertThat(t.gateway().forwardStats().batches() - batches).as("one update per batch").isEqualTo(4);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            bad YAML                  | greedy: true                              | greedy: [true                              | YAML syntax
            unknown EIP               | - filter:                                 | - filtre:                                  | unknown EIP or step 'filtre'
            unknown EIP option        | method: prepare                           | method: prepare\\n                  retry: 3 | 'bean' has no option 'retry'
            unknown endpoint option   | greedy: true                              | greedy: true\\n        greedyy: true      | unknown option greedyy for component 'scheduler'
            unknown bean              | ref: hqBatchRequest                       | ref: hqBatchRequests                       | unknown bean 'hqBatchRequests'
            unresolvable placeholder  | {{gateway.forward.poll-delay-ms:50}}      | {{gateway.forward.poll-delay}}             | unresolvable placeholder {{gateway.forward.poll-delay}}
            """)
    void aBrokenFileIsRefusedWithItsLineAndTheOldRoutesKeepForwarding(String kind, String original, String broken,
                                                                       String message) {
        int version = routeFile(FORWARD).path("version").asInt();
        String content = shipped.get(FORWARD).replace(original, broken.replace("\\n", "\n"));
        assertThat(content).isNotEqualTo(shipped.get(FORWARD));
        int line = lineOf(content, broken.replace("\\n", "\n").lines().reduce((a, b) -> b).orElseThrow().trim());

        write(FORWARD, content);

        await().atMost(DEADLINE).until(() -> !status().at("/routes/reloadErrors").isEmpty());
        JsonNode error = status().at("/routes/reloadErrors/0");
        assertThat(error.path("file").asText()).isEqualTo(FORWARD);
        assertThat(error.path("message").asText()).contains(message);
        if (!kind.equals("bad YAML")) {
            assertThat(error.path("line").asInt()).as(error.toString()).isEqualTo(line);
        } else {
            assertThat(error.path("line").asInt()).as(error.toString()).isBetween(line, line + 1);
        }
        assertThat(routeFile(FORWARD).at("/refused/errors/0/text").asText())
                .isEqualTo(routes.resolve(FORWARD) + ":" + error.path("line").asInt() + ": " + error.path("message").asText());
        // /observe/health says so too (readiness only: a restart cannot fix a file).
        JsonNode health = new TerminalClient(t.baseUrl(), null).get("/observe/health").json();
        JsonNode reload = routeReloadCheck(health);
        assertThat(reload.path("status").asText()).isEqualTo("DOWN");
        assertThat(reload.path("message").asText()).contains(FORWARD + ":" + error.path("line").asInt());
        assertThat(routeReloadCheck(new TerminalClient(t.baseUrl(), null).get("/observe/health/live").json()).isMissingNode()).isTrue();
        // The previous version still runs and forwards.
        forwardOne();
        assertThat(routeFile(FORWARD).path("version").asInt()).isEqualTo(version);

        write(FORWARD, shipped.get(FORWARD));
        await().atMost(DEADLINE).until(() -> status().at("/routes/reloadErrors").isEmpty());
        assertThat(routeReloadCheck(new TerminalClient(t.baseUrl(), null).get("/observe/health").json()).path("status").asText())
                .isEqualTo("UP");
        assertThat(routeFile(FORWARD).path("version").asInt()).as("putting back what runs is not a new version").isEqualTo(version);
    }

    private static JsonNode routeReloadCheck(JsonNode health) {
        for (JsonNode check : health.path("checks")) {
            if (check.path("name").asText().equals("route-reload")) {
                return check;
            }
        }
        return MissingNode.getInstance();
    }

    @Test
    void anEditCamelRefusesOnlyWhenStartingItIsUndoneAndTheOldRouteRunsAgain() {
        int version = routeFile(POST).path("version").asInt();
        // Passes the check; Camel fails it when it builds the route (no such class).
        String call = "            steps:\n              - to: \"{{gateway.hq.url}}";
        write(POST, shipped.get(POST).replace(call, "            steps:\n"
                + "              - setHeader:\n                  name: X-Route-Edit\n                  simple:\n"
                + "                    expression: \"x\"\n                    resultType: com.example.NoSuchType\n"
                + "              - to: \"{{gateway.hq.url}}"));

        await().atMost(DEADLINE).until(() -> !status().at("/routes/reloadErrors").isEmpty());
        JsonNode error = status().at("/routes/reloadErrors/0");
        assertThat(error.path("file").asText()).isEqualTo(POST);
        assertThat(error.path("message").asText()).startsWith("route 'post-to-hq': Camel refused it: ").contains("no such class: com.example.NoSuchType");
        assertThat(error.path("line").asInt()).isEqualTo(lineOf(shipped.get(POST), "id: post-to-hq"));
        forwardOne();
        assertThat(routeFile(POST).path("version").asInt()).isEqualTo(version);
    }

    @Test
    void everyVersionIsKeptAndRollbackPutsThePreviousOneBack() throws IOException {
        String first = withHeader("X-Route-Edit", "first");
        String second = withHeader("X-Route-Edit", "second");
        int before = acceptedInTurn(POST, first, second);
        forwardOne();
        assertThat(t.hq.lastBatchHeader("X-Route-Edit")).contains("second");

        Path history = t.dataDir.resolve("routes-history").resolve(POST);
        assertThat(Files.readString(history.resolve("0001.camel.yaml"))).isEqualTo(shipped.get(POST));
        assertThat(Files.readString(history.resolve(String.format("%04d.camel.yaml", before + 1)))).isEqualTo(first);
        assertThat(Files.readString(history.resolve(String.format("%04d.camel.yaml", before + 2)))).isEqualTo(second);
        assertThat(routeFile(POST).path("history")).hasSize(before + 2);

        TerminalClient.Reply rolledBack = it.call("POST", "/admin/v1/routes/" + POST + "/rollback");

        assertThat(rolledBack.status()).as(rolledBack.body()).isEqualTo(200);
        assertThat(rolledBack.json().path("version").asInt()).isEqualTo(before + 1);
        assertThat(Files.readString(routes.resolve(POST))).isEqualTo(first);
        forwardOne();
        assertThat(t.hq.lastBatchHeader("X-Route-Edit")).contains("first");
        assertThat(it.call("POST", "/admin/v1/routes/post-to-hq/rollback").status()).as("the name without .camel.yaml works too")
                .isEqualTo(200);
        assertThat(routeFile(POST).path("version").asInt()).isEqualTo(before);
    }

    @Test
    void restoringTheRunningVersionWritesItOverARefusedEdit() {
        int version = routeFile(POST).path("version").asInt();
        String running = currentContent(POST);
        write(POST, unresolvable(withHeader("X-Route-Edit", "broken")));
        await().atMost(DEADLINE).until(() -> !status().at("/routes/reloadErrors").isEmpty());
        assertThat(status().at("/routes/reloadErrors/0/runningVersion").asInt()).isEqualTo(version);
        assertThat(routeReloadCheck(health()).path("status").asText()).isEqualTo("DOWN");

        TerminalClient.Reply restored = it.call("POST", "/admin/v1/routes/" + POST + "/restore");

        assertThat(restored.status()).as(restored.body()).isEqualTo(200);
        assertThat(restored.json().path("version").asInt()).isEqualTo(version);
        assertThat(restored.json().path("refused").isNull()).isTrue();
        assertThat(read(POST)).isEqualTo(running);
        // The watcher then reads the restored file: it is what runs, so the error stays cleared.
        await().during(Duration.ofSeconds(1)).atMost(DEADLINE).until(() -> status().at("/routes/reloadErrors").isEmpty()
                && routeReloadCheck(health()).path("status").asText().equals("UP"));
        assertThat(routeFile(POST).path("version").asInt()).as("a restore is not a new version").isEqualTo(version);
        forwardOne();
    }

    @Test
    void withOneVersionKeptRestoreUndoesARefusedEditWhereRollbackCannot() {
        assertThat(routeFile(RECONCILE).path("history")).as("only the version loaded at start").hasSize(1);
        String broken = shipped.get(RECONCILE) + "\n- route: [\n";
        write(RECONCILE, broken);
        await().atMost(DEADLINE).until(() -> !status().at("/routes/reloadErrors").isEmpty());
        assertThat(status().at("/routes/reloadErrors/0/file").asText()).isEqualTo(RECONCILE);

        TerminalClient.Reply rollback = it.call("POST", "/admin/v1/routes/" + RECONCILE + "/rollback");
        assertThat(rollback.status()).as(rollback.body()).isEqualTo(409);
        assertThat(rollback.json().path("message").asText()).contains("/admin/v1/routes/" + RECONCILE + "/restore");
        assertThat(read(RECONCILE)).isEqualTo(broken);

        TerminalClient.Reply restored = it.call("POST", "/admin/v1/routes/reconcile-with-hq/restore");

        assertThat(restored.status()).as(restored.body()).isEqualTo(200);
        assertThat(read(RECONCILE)).isEqualTo(shipped.get(RECONCILE));
        assertThat(status().at("/routes/reloadErrors")).isEmpty();
        assertThat(routeReloadCheck(health()).path("status").asText()).isEqualTo("UP");
        assertThat(routeFile(RECONCILE).path("version").asInt()).isEqualTo(1);
    }

    @Test
    void rollbackGoesToTheVersionBeforeTheRunningOneWhileAnEditIsRefused() {
        String first = withHeader("X-Route-Edit", "first");
        String second = withHeader("X-Route-Edit", "second");
        int before = acceptedInTurn(POST, first, second);
        write(POST, unresolvable(second));
        await().atMost(DEADLINE).until(() -> !routeFile(POST).path("refused").isNull());

        TerminalClient.Reply rolledBack = it.call("POST", "/admin/v1/routes/" + POST + "/rollback");

        assertThat(rolledBack.status()).as(rolledBack.body()).isEqualTo(200);
        assertThat(rolledBack.json().path("version").asInt()).as("the version before the running one").isEqualTo(before + 1);
        assertThat(read(POST)).isEqualTo(first);
        await().atMost(DEADLINE).until(() -> status().at("/routes/reloadErrors").isEmpty()
                && routeReloadCheck(health()).path("status").asText().equals("UP"));
        forwardOne();
        assertThat(t.hq.lastBatchHeader("X-Route-Edit")).contains("first");
    }

    @Test
    void rollbackWithoutAPreviousVersionIs409AndOfAnUnknownFile404() {
        TerminalClient.Reply oldest = it.call("POST", "/admin/v1/routes/watch-hq.camel.yaml/rollback");
        TerminalClient.Reply unknown = it.call("POST", "/admin/v1/routes/no-such.camel.yaml/rollback");

        assertThat(oldest.status()).isEqualTo(409);
        assertThat(oldest.json().path("error").asText()).isEqualTo("no_previous_version");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").asText()).isEqualTo("not_found");
        assertThat(terminal.get("/admin/v1/routes").status()).as("terminals may not").isEqualTo(403);
    }

    @Test
    void aDeletedFileKeepsItsRoutesRunningAndIsReported() throws IOException {
        String file = "poll-hq-changes.camel.yaml";
        Files.delete(routes.resolve(file));

        await().atMost(DEADLINE).until(() -> !status().at("/routes/reloadErrors").isEmpty());
        assertThat(status().at("/routes/reloadErrors/0/file").asText()).isEqualTo(file);
        assertThat(status().at("/routes/reloadErrors/0/message").asText()).contains("deleted");
        assertThat(t.gateway().camelContext().getRoute("poll-hq-changes")).isNotNull();

        write(file, shipped.get(file));
        await().atMost(DEADLINE).until(() -> status().at("/routes/reloadErrors").isEmpty());
        assertThat(routeFile(file).path("deleted").asBoolean()).isFalse();
    }

    @Test
    void everyBeanRouteFilesMayNameIsBoundWithItsListedType() {
        for (GatewayBeans.Bean bean : GatewayBeans.ALL) {
            assertThat(t.gateway().camelContext().getRegistry().lookupByName(bean.name())).as(bean.name()).isInstanceOf(bean.type());
        }
    }

    // ---- helpers

    private String withHeader(String name, String value) {
        String call = "            steps:\n              - to: \"{{gateway.hq.url}}";
        assertThat(shipped.get(POST)).contains(call);
        return shipped.get(POST).replace(call, "            steps:\n"
                + "              - setHeader:\n                  name: " + name + "\n                  constant: \"" + value + "\"\n"
                + "              - to: \"{{gateway.hq.url}}");
    }

    /** Saves each content in turn, the next once the one before runs; answers the version that ran before them. */
    private int acceptedInTurn(String file, String... contents) {
        int before = routeFile(file).path("version").asInt();
        for (int i = 0; i < contents.length; i++) {
            int expected = before + i + 1;
            write(file, contents[i]);
            await().atMost(DEADLINE).until(() -> routeFile(file).path("version").asInt() == expected);
        }
        return before;
    }

    /** The HQ call's URL as a placeholder without a setting: the check refuses it. */
    private static String unresolvable(String postToHq) {
        assertThat(postToHq).contains("{{gateway.hq.url}}");
        return postToHq.replace("{{gateway.hq.url}}", "{{gateway.hq.no-such-url}}");
    }

    private String read(String file) {
        try {
            return Files.readString(routes.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode health() {
        return new TerminalClient(t.baseUrl(), null).get("/observe/health").json();
    }

    private void write(String file, String content) {
        try {
            Files.writeString(routes.resolve(file), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void forwardOne() {
        awaitApplied(postAdjustments("SKU-0001", 1));
    }

    private List<String> postAdjustments(String sku, int count) {
        List<String> ids = IntStream.range(0, count).mapToObj(i -> "reload-" + (++updates)).toList();
        String body = "[" + String.join(",", ids.stream().map(id -> TerminalClient.adjust(id, sku, 1)).toList()) + "]";
        assertThat(terminal.post(body).status()).isEqualTo(202);
        return ids;
    }

    private void awaitApplied(List<String> ids) {
        await().atMost(DEADLINE).until(() -> ids.stream().allMatch(id -> "APPLIED".equals(terminal.update(id).path("status").asText())));
    }

    private JsonNode status() {
        return it.get("/admin/v1/status").json();
    }

    @Test
    void aRenamedFileTakesOverItsRoutes() throws IOException {
        String renamed = "watch-hq-renamed.camel.yaml";
        Files.move(routes.resolve("watch-hq.camel.yaml"), routes.resolve(renamed));
        try {
            await().atMost(DEADLINE).until(() -> {
                JsonNode f = routeFileOrNull(renamed);
                return f != null && f.path("refused").isNull() && f.path("routes").toString().contains("watch-hq");
            });
            assertThat(status().at("/routes/reloadErrors")).isEmpty();
            assertThat(t.gateway().camelContext().getRoute("watch-hq")).isNotNull();
        } finally {
            Files.move(routes.resolve(renamed), routes.resolve("watch-hq.camel.yaml"));
        }
        await().atMost(DEADLINE).until(() -> {
            JsonNode f = routeFileOrNull("watch-hq.camel.yaml");
            return f != null && f.path("refused").isNull() && !f.path("deleted").asBoolean(false)
                    && f.path("routes").toString().contains("watch-hq");
        });
        assertThat(status().at("/routes/reloadErrors")).isEmpty();
    }

    private JsonNode routeFileOrNull(String file) {
        for (JsonNode f : it.get("/admin/v1/routes").json().path("files")) {
            if (f.path("file").asText().equals(file)) {
                return f;
            }
        }
        return null;
    }

    private JsonNode routeFile(String file) {
        for (JsonNode f : it.get("/admin/v1/routes").json().path("files")) {
            if (f.path("file").asText().equals(file)) {
                return f;
            }
        }
        throw new AssertionError("no " + file + " in /admin/v1/routes");
    }

    private String currentContent(String file) {
        int version = routeFile(file).path("version").asInt();
        try {
            return Files.readString(t.dataDir.resolve("routes-history").resolve(file).resolve(String.format("%04d.camel.yaml", version)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int lineOf(String content, String text) {
        List<String> lines = content.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError("no line '" + text + "'");
    }
}
