package io.storegateway.admin;

import io.storegateway.broker.Queues;
import io.storegateway.mirror.Reconciliation;
import io.storegateway.security.RequireRole;
import io.storegateway.web.ApiErrors;
import io.storegateway.web.HttpReplies;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import java.util.Optional;

/** The admin API (docs/OPERATING.md, IT staff), for the admin role only. */
public final class AdminApiRoutes extends RouteBuilder {

    private final RequireRole admin;
    private final GatewayStatus status;
    private final Reconciliation reconciliation;
    private final ParkedMessages parked;

    public AdminApiRoutes(RequireRole admin, GatewayStatus status, Reconciliation reconciliation, ParkedMessages parked) {
        this.admin = admin;
        this.status = status;
        this.reconciliation = reconciliation;
        this.parked = parked;
    }

    /** List, replay and discard the messages of one set-aside queue. */
    private void parkedMessages(String path, String queue) {
        from("platform-http:/admin/v1/" + path + "?httpMethodRestrict=GET")
                .routeId("admin-" + path + "-list")
                .routeConfigurationId(ApiErrors.ID)
                .process(admin)
                .process(e -> HttpReplies.json(e, 200, parked.list(queue)));
        from("platform-http:/admin/v1/" + path + "/{id}/replay?httpMethodRestrict=POST")
                .routeId("admin-" + path + "-replay")
                .routeConfigurationId(ApiErrors.ID)
                .process(admin)
                .process(e -> replay(e, queue));
        from("platform-http:/admin/v1/" + path + "/{id}?httpMethodRestrict=DELETE")
                .routeId("admin-" + path + "-discard")
                .routeConfigurationId(ApiErrors.ID)
                .process(admin)
                .process(e -> answer(e, parked.discard(queue, e.getMessage().getHeader("id", String.class))));
    }

    /** {@code ?force=true} replays an invalid message that ingest's check still refuses (for a route that transforms it first). */
    private void replay(Exchange e, String queue) {
        boolean force = "true".equals(e.getMessage().getHeader("force", String.class));
        ParkedMessages.Replay replay = parked.replay(queue, e.getMessage().getHeader("id", String.class), force);
        switch (replay.outcome()) {
            case REPLAYED -> HttpReplies.json(e, 200, replay.message());
            case NOT_FOUND -> answer(e, Optional.empty());
            case STILL_INVALID -> HttpReplies.error(e, 422, "still_invalid", "the message is still invalid, so it stays on "
                    + queue + ": " + replay.whyInvalid());
            default -> throw new IllegalStateException(replay.outcome().name());
        }
    }

    private static void answer(Exchange e, Optional<ObjectNode> done) {
        if (done.isPresent()) {
            HttpReplies.json(e, 200, done.get());
        } else {
            HttpReplies.error(e, 404, "not_found", "no message with that id on this queue");
        }
    }

    @Override
    public void configure() {
        from("platform-http:/admin/v1/status?httpMethodRestrict=GET")
                .routeId("admin-status")
                .routeConfigurationId(ApiErrors.ID)
                .process(admin)
                .process(e -> HttpReplies.json(e, 200, status.toJson()));

        parkedMessages("dlq", Queues.DLQ);
        parkedMessages("invalid", Queues.INVALID);

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
