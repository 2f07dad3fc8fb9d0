package io.storegateway.ingest;

import io.storegateway.security.RequireRole;
import io.storegateway.web.ApiErrors;
import org.apache.camel.builder.RouteBuilder;

/** {@code POST /api/v1/updates}: terminals post one update or an array (README, Terminals). */
public final class HttpIngestRoutes extends RouteBuilder {

    private final RequireRole terminal;
    private final HttpIngest ingest;

    public HttpIngestRoutes(RequireRole terminal, HttpIngest ingest) {
        this.terminal = terminal;
        this.ingest = ingest;
    }

    @Override
    public void configure() {
        from("platform-http:/api/v1/updates?httpMethodRestrict=POST")
                .routeId("ingest-from-http")
                .routeConfigurationId(ApiErrors.ID)
                .process(terminal)
                .process(ingest);
    }
}
