package io.storegateway.routes;

import io.storegateway.security.RequireRole;
import io.storegateway.web.ApiErrors;
import io.storegateway.web.HttpReplies;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code GET /admin/v1/routes}, {@code POST /admin/v1/routes/{file}/rollback} and
 * {@code POST /admin/v1/routes/{file}/restore}, for the admin role.
 */
public final class RouteFilesApiRoutes extends RouteBuilder {

    private final RequireRole admin;
    private final RouteFiles routeFiles;

    public RouteFilesApiRoutes(RequireRole admin, RouteFiles routeFiles) {
        this.admin = admin;
        this.routeFiles = routeFiles;
    }

    @Override
    public void configure() {
        from("platform-http:/admin/v1/routes?httpMethodRestrict=GET")
                .routeId("admin-routes")
                .routeConfigurationId(ApiErrors.ID)
                .process(admin)
                .process(e -> HttpReplies.json(e, 200, routeFiles.toJson()));

        from("platform-http:/admin/v1/routes/{file}/rollback?httpMethodRestrict=POST")
                .routeId("admin-routes-rollback")
                .routeConfigurationId(ApiErrors.ID)
                .process(admin)
                .process(this::rollback);

        from("platform-http:/admin/v1/routes/{file}/restore?httpMethodRestrict=POST")
                .routeId("admin-routes-restore")
                .routeConfigurationId(ApiErrors.ID)
                .process(admin)
                .process(this::restore);
    }

    /** The file named in the path; the name without {@code .camel.yaml} works too. */
    private String file(Exchange exchange) {
        String file = exchange.getMessage().getHeader("file", String.class);
        // Only a name the gateway knows is ever used: the path cannot point outside the routes dir.
        if (file != null && !file.endsWith(RouteFileCheck.SUFFIX) && routeFiles.knows(file + RouteFileCheck.SUFFIX)) {
            file = file + RouteFileCheck.SUFFIX;
        }
        return file == null ? "" : file;
    }

    private void rollback(Exchange exchange) {
        String file = file(exchange);
        RouteFiles.RollbackResult result = routeFiles.rollback(file);
        switch (result.outcome()) {
            case ROLLED_BACK -> HttpReplies.json(exchange, 200, routeFiles.fileJson(file));
            case UNKNOWN_FILE -> HttpReplies.error(exchange, 404, "not_found", result.message());
            case NO_PREVIOUS_VERSION -> HttpReplies.error(exchange, 409, "no_previous_version", result.message());
            case REFUSED -> {
                ObjectNode body = HttpReplies.error("route_file_refused", result.message());
                ArrayNode details = body.putArray("details");
                result.problems().forEach(p -> details.addObject().put("line", p.line()).put("message", p.message()));
                HttpReplies.json(exchange, 422, body);
            }
            default -> throw new IllegalStateException(result.outcome().name());
        }
    }

    private void restore(Exchange exchange) {
        String file = file(exchange);
        RouteFiles.RestoreResult result = routeFiles.restoreRunningVersion(file);
        switch (result.outcome()) {
            case RESTORED -> HttpReplies.json(exchange, 200, routeFiles.fileJson(file));
            case UNKNOWN_FILE -> HttpReplies.error(exchange, 404, "not_found", result.message());
            case NOTHING_RUNS -> HttpReplies.error(exchange, 409, "nothing_running", result.message());
            case NOT_WRITTEN -> HttpReplies.error(exchange, 500, "route_file_not_written", result.message());
            default -> throw new IllegalStateException(result.outcome().name());
        }
    }
}
