package io.storegateway.web;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Error handling shared by the HTTP API routes (they opt in by id): an unexpected failure answers
 * 500 with the contract's JSON error body, never a stack trace; the log has the details.
 */
public final class ApiErrors extends RouteConfigurationBuilder {

    public static final String ID = "api-errors";
    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    @Override
    public void configuration() {
        routeConfiguration(ID)
                .onException(Exception.class).handled(true)
                .process(ApiErrors::internalError);
    }

    static void internalError(Exchange exchange) {
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.atError().addKeyValue("event", "request-failed")
                .log("{} {} failed", exchange.getMessage().getHeader(Exchange.HTTP_METHOD),
                        exchange.getMessage().getHeader(Exchange.HTTP_PATH), t);
        HttpReplies.error(exchange, 500, "internal_error", "the gateway could not handle this request; see its log");
    }
}
