package io.storegateway.admin;

import io.storegateway.security.RequireRole;
import io.storegateway.web.ApiErrors;
import io.storegateway.web.HttpReplies;
import org.apache.camel.builder.RouteBuilder;

/** The admin API (CONTRACT §6), for the admin role only. */
public final class AdminApiRoutes extends RouteBuilder {

    private final RequireRole admin;
    private final GatewayStatus status;

    public AdminApiRoutes(RequireRole admin, GatewayStatus status) {
        this.admin = admin;
        this.status = status;
    }

    @Override
    public void configure() {
        from("platform-http:/admin/v1/status?httpMethodRestrict=GET")
                .routeId("admin-status")
                .routeConfigurationId(ApiErrors.ID)
                .process(admin)
                .process(e -> HttpReplies.json(e, 200, status.toJson()));
    }
}
