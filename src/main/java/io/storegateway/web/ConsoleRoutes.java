package io.storegateway.web;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import java.io.IOException;
import java.io.InputStream;

/**
 * Serves the IT console at {@code /console/} from the jar: one HTML page with its script inline, no
 * build step. The page holds no data of its own: it calls the admin API with the admin token the
 * user types in. {@code GET /} redirects to it.
 */
public final class ConsoleRoutes extends RouteBuilder {

    static final String PATH = "/console/";

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            + "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    @Override
    public void configure() {
        from("platform-http:/console?httpMethodRestrict=GET&matchOnUriPrefix=true")
                .routeId("console-page")
                .routeConfigurationId(ApiErrors.ID)
                .process(ConsoleRoutes::serve);
        // Someone typing the gateway's address into a browser meets the console, not a 404.
        from("platform-http:/?httpMethodRestrict=GET")
                .routeId("root-to-console")
                .routeConfigurationId(ApiErrors.ID)
                .process(ConsoleRoutes::redirectToConsole);
    }

    static void redirectToConsole(Exchange exchange) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 302);
        exchange.getMessage().setHeader("Location", PATH);
        exchange.getMessage().setBody(null);
    }

    static void serve(Exchange exchange) throws IOException {
        try (InputStream page = ConsoleRoutes.class.getResourceAsStream("/console/index.html")) {
            if (page == null) {
                HttpReplies.error(exchange, 404, "not_found", "the console is not in this build");
                return;
            }
            byte[] html = page.readAllBytes();
            exchange.getMessage().removeHeaders("*");
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/html; charset=utf-8");
            exchange.getMessage().setHeader("Cache-Control", "no-cache");
            // The page loads nothing from elsewhere and talks only to this gateway; no framing.
            exchange.getMessage().setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            exchange.getMessage().setHeader("X-Content-Type-Options", "nosniff");
            exchange.getMessage().setHeader("Referrer-Policy", "no-referrer");
            exchange.getMessage().setBody(html);
        }
    }
}
