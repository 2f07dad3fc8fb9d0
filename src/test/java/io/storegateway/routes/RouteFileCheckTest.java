package io.storegateway.routes;

import io.storegateway.config.GatewaySettings;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What a route file check finds, and on which line, without running anything. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteFileCheckTest {

    private RouteFileCheck check;

    @BeforeAll
    void start() {
        check = new RouteFileCheck(GatewaySettings.load(Path.of("config/application.properties")).asProperties());
    }

    @AfterAll
    void stop() {
        check.close();
    }

    private static String route(String steps) {
        return """
                # a comment
                - route:
                    id: r
                    from:
                      uri: "timer:r"
                      parameters:
                        period: "{{gateway.connectivity.interval-ms:1000}}"
                      steps:
                """ + steps.indent(8);
    }

    private RouteFileCheck.Result check(String content) {
        return check.check("r.camel.yaml", content);
    }

    @Test
    void theShippedRoutesAreSound() {
        RouteFileCheck.DirectoryResult shipped = check.checkDirectory(Path.of("routes"));

        assertThat(shipped.problems()).isEmpty();
        assertThat(shipped.files()).extracting(RouteFileCheck.Result::routes)
                .anySatisfy(routes -> assertThat(routes).containsKey("forward-to-hq"));
    }

    @Test
    void aSoundFileNamesItsRoutesWithTheirLines() {
        RouteFileCheck.Result r = check(route("""
                - bean:
                    ref: hqConnectivity
                    method: reachable
                """));

        assertThat(r.problems()).isEmpty();
        assertThat(r.routes()).containsEntry("r", 3);
    }

    @Test
    void yamlSyntaxErrorsNameTheLine() {
        RouteFileCheck.Result r = check("- route:\n    id: r\n    from:\n      uri: \"timer:r\n");

        assertThat(r.problems()).singleElement().hasToString("r.camel.yaml:5: YAML syntax: found unexpected end of stream");
    }

    @Test
    void anUnknownEipIsNamed() {
        RouteFileCheck.Result r = check(route("- logg: hello\n"));

        assertThat(r.problems()).singleElement().hasToString("r.camel.yaml:9: unknown EIP or step 'logg'");
    }

    @Test
    void anUnknownOptionOfAnEipIsNamedWithTheEip() {
        RouteFileCheck.Result r = check(route("""
                - log:
                    message: hello
                    levl: INFO
                """));

        assertThat(r.problems()).singleElement().hasToString("r.camel.yaml:11: 'log' has no option 'levl'");
    }

    @Test
    void anUnknownEndpointOptionOrComponentIsNamed() {
        RouteFileCheck.Result r = check(route("""
                - to: "log:x?levl=INFO"
                - to: "nosuch:thing"
                """));

        assertThat(r.problems()).extracting(RouteProblem::toString).containsExactly(
                "r.camel.yaml:9: endpoint 'log:x': unknown option levl for component 'log'",
                "r.camel.yaml:10: endpoint 'nosuch:thing': no Camel component 'nosuch' in this gateway");
    }

    @Test
    void anUnknownOptionInFromParametersIsFound() {
        RouteFileCheck.Result r = check(route("- log: hi\n").replace("period:", "periodd:"));

        assertThat(r.problems()).singleElement().hasToString("r.camel.yaml:7: endpoint 'timer:r': unknown option periodd for component 'timer'");
    }

    @Test
    void unknownBeansAndMethodsAreNamed() {
        RouteFileCheck.Result r = check(route("""
                - bean:
                    ref: outboundBatchez
                    method: take
                - bean:
                    ref: outboundBatches
                    method: takeAll
                - to: "bean:nothingHere?method=x"
                """));

        assertThat(r.problems()).extracting(RouteProblem::toString).containsExactly(
                "r.camel.yaml:10: unknown bean 'outboundBatchez'; the gateway has: " + GatewayBeans.names(),
                "r.camel.yaml:14: bean 'outboundBatches' has no method 'takeAll'",
                "r.camel.yaml:15: unknown bean 'nothingHere'; the gateway has: " + GatewayBeans.names());
    }

    @Test
    void theCircuitBreakerMustBeACircuitBreaker() {
        RouteFileCheck.Result r = check(route("""
                - circuitBreaker:
                    resilience4jConfiguration:
                      circuitBreaker: hqConnectivity
                    steps:
                      - log: hi
                """));

        assertThat(r.problems()).singleElement().hasToString("r.camel.yaml:11: bean 'hqConnectivity' is a HqConnectivity, not a CircuitBreaker");
    }

    @Test
    void anUnresolvablePlaceholderIsNamedAndOneWithADefaultIsFine() {
        RouteFileCheck.Result r = check(route("""
                - setHeader:
                    name: X-Store
                    constant: "{{gateway.store-id}}-{{gateway.no-such-key}}"
                - setHeader:
                    name: X-Note
                    constant: "{{gateway.no-such-key:fine}}"
                """));

        assertThat(r.problems()).singleElement().hasToString("r.camel.yaml:11: unresolvable placeholder {{gateway.no-such-key}}: "
                + "no such setting in the config and no default (write {{gateway.no-such-key:default}})");
    }

    @Test
    void aBrokenSimpleExpressionIsFound() {
        RouteFileCheck.Result r = check(route("""
                - filter:
                    simple: "${header.x > 3"
                    steps:
                      - log: "${body"
                """));

        assertThat(r.problems()).hasSize(2);
        assertThat(r.problems().get(0).toString()).startsWith("r.camel.yaml:9: simple expression '${header.x > 3'");
        assertThat(r.problems().get(1).toString()).startsWith("r.camel.yaml:12: simple expression '${body'");
    }

    @Test
    void onlyRouteEntriesAreAccepted() {
        RouteFileCheck.Result r = check("- beans:\n    - name: x\n      type: java.lang.Object\n" + route("- log: hi\n"));

        assertThat(r.problems()).singleElement()
                .hasToString("r.camel.yaml:1: only '- route:' entries may be in a route file, not 'beans'");
    }

    @Test
    void aRouteIdDefinedInTwoFilesIsRefused(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a.camel.yaml"), route("- log: a\n"));
        Files.writeString(dir.resolve("b.camel.yaml"), route("- log: b\n"));
        Files.writeString(dir.resolve("notes.yaml"), "just: notes\n");

        RouteFileCheck.DirectoryResult r = check.checkDirectory(dir);

        assertThat(r.problems()).extracting(RouteProblem::toString).containsExactly(
                dir.resolve("b.camel.yaml") + ":3: route id 'r' is already defined in a.camel.yaml",
                dir.resolve("notes.yaml") + ":1: not loaded: the gateway loads only *.camel.yaml files");
    }
}
