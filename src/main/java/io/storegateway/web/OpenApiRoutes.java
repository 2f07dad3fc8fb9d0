package io.storegateway.web;

import io.storegateway.update.UpdateJson;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Serves the OpenAPI 3 description of {@code /api/v1} and {@code /admin/v1} (src/main/resources/openapi/
 * openapi.yaml, kept true by OpenApiContractTest) as YAML and as JSON, to any token holder: like every
 * route under {@code /api}, it needs a terminal or admin token. The routes are Camel platform-http
 * routes, not REST DSL, so Camel's generated OpenAPI does not describe them; this document does.
 */
public final class OpenApiRoutes extends RouteBuilder {

    public static final String RESOURCE = "/openapi/openapi.yaml";

    /** The terminal-or-admin token check (security.RequireRole), as a processor so that web needs no security. */
    private final Processor terminal;
    private final String yaml;
    private final byte[] json;

    public OpenApiRoutes(Processor terminal) {
        this.terminal = terminal;
        this.yaml = read();
        try {
            Object document = new Load(LoadSettings.builder().build()).loadFromString(yaml);
            this.json = UpdateJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(document);
        } catch (IOException e) {
            throw new UncheckedIOException("the OpenAPI document cannot be written as JSON", e);
        }
    }

    @Override
    public void configure() {
        from("platform-http:/api/v1/openapi.json?httpMethodRestrict=GET")
                .routeId("api-description-json")
                .routeConfigurationId(ApiErrors.ID)
                .process(terminal)
                .process(e -> answer(e, "application/json", json));
        from("platform-http:/api/v1/openapi.yaml?httpMethodRestrict=GET")
                .routeId("api-description-yaml")
                .routeConfigurationId(ApiErrors.ID)
                .process(terminal)
                .process(e -> answer(e, "application/yaml", yaml.getBytes(StandardCharsets.UTF_8)));
    }

    private static void answer(Exchange exchange, String type, byte[] body) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, type + "; charset=utf-8");
        exchange.getMessage().setBody(body);
    }

    static String read() {
        try (InputStream in = OpenApiRoutes.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not in this build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
