package io.storegateway.web;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import java.io.IOException;
import java.io.InputStream;

/**
 * Serves the web page at {@code /console/} from the jar. The page holds no data of its own: it
 * calls the API with the token the user types in.
 */
public final class ConsoleRoutes extends RouteBuilder {

    @Override
    public void configure() {
        from("platform-http:/console?httpMethodRestrict=GET&matchOnUriPrefix=true")
                .routeId("console-page")
                .routeConfigurationId(ApiErrors.ID)
                .process(ConsoleRoutes::serve);
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
            exchange.getMessage().setBody(html);
        }
    }
}
