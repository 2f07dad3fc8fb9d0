package io.storegateway.admin;

import io.storegateway.mirror.Reconciliation;
import io.storegateway.security.RequireRole;
import io.storegateway.web.ApiErrors;
import io.storegateway.web.HttpReplies;
import org.apache.camel.builder.RouteBuilder;

/** The admin API (CONTRACT §6), for the admin role only. */
public final class AdminApiRoutes extends RouteBuilder {

    private final RequireRole admin;
    private final GatewayStatus status;
    private final Reconciliation reconciliation;

    public AdminApiRoutes(RequireRole admin, GatewayStatus status, Reconciliation reconciliation) {
        this.admin = admin;
        this.status = status;
        this.reconciliation = reconciliation;
    }

    @Override
    public void configure() {
        from("platform-http:/admin/v1/status?httpMethodRestrict=GET")
                .routeId("admin-status")
                .routeConfigurationId(ApiErrors.ID)
                .process(admin)
                .process(e -> HttpReplies.json(e, 200, status.toJson()));

        // Runs a full reconciliation now and answers its report; 503 when HQ cannot be reached.
        from("platform-http:/admin/v1/reconcile?httpMethodRestrict=POST")
                .routeId("admin-reconcile")
                .routeConfigurationId(ApiErrors.ID)
                .process(admin)
                .process(e -> {
                    try {
                        HttpReplies.json(e, 200, reconciliation.run(e.getContext(), true));
                    } catch (Exception failure) {
                        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                        HttpReplies.error(e, 503, "hq_unreachable", "reconciliation needs HQ, which did not answer: "
                                + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
                        e.getMessage().setHeader("Retry-After", "30");
                    }
                });
    }
}
