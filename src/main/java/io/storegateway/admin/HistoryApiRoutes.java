package io.storegateway.admin;

import io.storegateway.security.RequireRole;
import io.storegateway.web.ApiErrors;
import io.storegateway.web.HttpReplies;

import org.apache.camel.builder.RouteBuilder;

/** {@code GET /admin/v1/history}: the last hour of backlog and throughput, for the console's chart (admin role). */
public final class HistoryApiRoutes extends RouteBuilder {

    private final RequireRole admin;
    private final ActivityHistory history;

    public HistoryApiRoutes(RequireRole admin, ActivityHistory history) {
        this.admin = admin;
        this.history = history;
    }

    @Override
    public void configure() {
        from("platform-http:/admin/v1/history?httpMethodRestrict=GET")
                .routeId("admin-history")
                .routeConfigurationId(ApiErrors.ID)
                .process(admin)
                .process(e -> HttpReplies.json(e, 200, history.toJson()));
    }
}
