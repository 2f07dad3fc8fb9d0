package io.storegateway.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code validate} over route files with each kind of problem: one {@code file:line: message} each, exit 1. */
class ValidateCommandTest {

    private static final String HEAD = """
            - route:
                id: %s
                from:
                  uri: "timer:%s"
                  parameters:
                    period: "{{gateway.store.tick-ms}}"
                  steps:
            """;

    @Test
    void eachKindOfProblemIsReportedWithFileAndLine(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("application.properties");
        // A setting only this config file has: placeholders resolve against the file given.
        Files.writeString(config, "gateway.hq.url = http://hq.example:9090\ngateway.store.tick-ms = 1000\n");
        Path routes = Files.createDirectories(dir.resolve("routes"));
        write(routes, "fine", "        - log: \"${body}\"\n");
        write(routes, "syntax", "        - log: \"unterminated\n");
        write(routes, "eip", "        - logg: hi\n");
        write(routes, "option", "        - log:\n            message: hi\n            levl: INFO\n");
        write(routes, "endpoint", "        - to: \"log:x?levl=INFO\"\n");
        write(routes, "bean", "        - bean:\n            ref: noSuchBean\n");
        write(routes, "placeholder", "        - to: \"{{gateway.no-such-url}}/x\"\n");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new ConfigValidator(new PrintStream(out, true, StandardCharsets.UTF_8)).validate(config, routes);
        String report = out.toString(StandardCharsets.UTF_8);

        assertThat(code).as(report).isEqualTo(1);
        assertThat(report.lines()).as(report).containsExactlyInAnyOrder(
                routes.resolve("bean.camel.yaml") + ":9: unknown bean 'noSuchBean'; the gateway has: catalogueLoader, hqAnswerApplier, "
                        + "hqBatchRequest, hqCallFailure, hqChangesPoller, hqCircuitBreaker, hqConnectivity, hqRequest, http, https, jms, jmsIngest, "
                        + "outboundBatches, prometheusMeterRegistry, reconciliation",
                routes.resolve("endpoint.camel.yaml") + ":8: endpoint 'log:x': unknown option levl for component 'log'",
                routes.resolve("eip.camel.yaml") + ":8: unknown EIP or step 'logg'",
                routes.resolve("option.camel.yaml") + ":10: 'log' has no option 'levl'",
                routes.resolve("placeholder.camel.yaml") + ":8: unresolvable placeholder {{gateway.no-such-url}}: "
                        + "no such setting in the config and no default (write {{gateway.no-such-url:default}})",
                routes.resolve("syntax.camel.yaml") + ":9: YAML syntax: found unexpected end of stream");
    }

    @Test
    void aBadMirrorRetentionOrEngineIsReportedWithItsLine(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("application.properties");
        Files.writeString(config, "gateway.hq.url = http://hq.example:9090\ngateway.mirror.retention = a month\n"
                + "gateway.mirror.jdbc-url = jdbc:h2:file:./data/mirror/mirror\n");
        Path routes = Files.createDirectories(dir.resolve("routes"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new ConfigValidator(new PrintStream(out, true, StandardCharsets.UTF_8)).validate(config, routes);
        String report = out.toString(StandardCharsets.UTF_8);

        assertThat(code).as(report).isEqualTo(1);
        assertThat(report).contains(config + ":2: gateway.mirror.retention: must be 0 (keep everything), a number of days")
                .contains(config + ":3: gateway.mirror.jdbc-url: names an H2 database, which the mirror no longer runs on");
    }

    @Test
    void soundRoutesAndConfigExitZero(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("application.properties");
        Files.writeString(config, "gateway.store.tick-ms = 1000\n");
        Path routes = Files.createDirectories(dir.resolve("routes"));
        write(routes, "fine", "        - log: \"${body}\"\n");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new ConfigValidator(new PrintStream(out, true, StandardCharsets.UTF_8)).validate(config, routes);

        assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
    }

    private static void write(Path routes, String id, String steps) throws IOException {
        Files.writeString(routes.resolve(id + ".camel.yaml"), HEAD.formatted(id, id) + steps);
    }
}
