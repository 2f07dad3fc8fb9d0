package io.storegateway.mirror;

import io.storegateway.hq.HqJson;
import io.storegateway.hq.ProductRecord;
import io.storegateway.tasks.BackgroundTasks;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Brings edits made at HQ (new prices, new products) into the mirror: GET …/changes?since=cursor,
 * diffed into the product table with audit rows (source HQ_CHANGE), the cursor stored with them.
 * Pending local updates are not touched: the effective view stays HQ's state plus what is pending.
 */
public final class HqChangesPoller {

    private final BackgroundTasks tasks;

    public static final String SOURCE_HQ_CHANGE = "HQ_CHANGE";
    /** Pages fetched in one poll at the most, so one poll cannot run for ever. */
    static final int MAX_PAGES = 100;

    private static final Logger LOG = LoggerFactory.getLogger(HqChangesPoller.class);

    private final MirrorDatabase db;
    private final Products products;
    private final SyncState state;
    private final String changesUrl;
    private final String hqToken;
    private final Clock clock;
    private final long intervalMs;
    private final AtomicBoolean requested = new AtomicBoolean(true);
    private volatile long nextPollAt;

    public HqChangesPoller(MirrorDatabase db, Products products, SyncState state, String hqUrl, String storeId,
                           String hqToken, long intervalMs, Clock clock, BackgroundTasks tasks) {
        this.tasks = tasks;
        this.db = db;
        this.products = products;
        this.state = state;
        this.changesUrl = hqUrl + "/hq/v1/stores/" + URLEncoder.encode(storeId, StandardCharsets.UTF_8) + "/changes";
        this.hqToken = hqToken;
        this.clock = clock;
        this.intervalMs = intervalMs;
    }

    /** Poll at the next tick, not at the end of the interval (HQ just came back). */
    public void request() {
        requested.set(true);
    }

    /** Route step (a short tick): polls when the interval is over or a poll was requested. */
    public void pollIfDue(Exchange exchange) throws Exception {
        if (requested.getAndSet(false) || clock.millis() >= nextPollAt) {
            nextPollAt = clock.millis() + intervalMs;
            poll(exchange);
        }
    }

    /** Route step: fetches and applies HQ's changes since the stored cursor; returns how many were applied. */
    public int poll(Exchange exchange) throws Exception {
        return poll(exchange.getContext());
    }

    /** {@link #poll(Exchange)}, asked by forwarding too: a conflict's settling needs HQ's latest changes first. */
    public synchronized int poll(CamelContext camel) throws Exception {
        ProducerTemplate http = camel.createProducerTemplate();
        int applied = 0;
        try {
            for (int page = 0; page < MAX_PAGES; page++) {
                String since = state.get(SyncState.CHANGES_CURSOR).orElse("0");
                Map<String, Object> headers = new HashMap<>();
                headers.put(Exchange.HTTP_METHOD, "GET");
                headers.put(Exchange.HTTP_QUERY, "since=" + URLEncoder.encode(since, StandardCharsets.UTF_8));
                if (!hqToken.isEmpty()) {
                    headers.put("Authorization", "Bearer " + hqToken);
                }
                JsonNode answer = UpdateJson.MAPPER.readTree(http.requestBodyAndHeaders(changesUrl, null, headers, String.class));
                List<ProductRecord> changes = new ArrayList<>();
                answer.path("changes").forEach(n -> changes.add(HqJson.recordFromJson(n)));
                String cursor = answer.path("cursor").asText(since);
                Instant now = clock.instant();
                int written = db.inTransaction(c -> {
                    int n = 0;
                    for (ProductRecord r : changes) {
                        if (products.apply(c, r, SOURCE_HQ_CHANGE, null, now)) {
                            n++;
                        }
                    }
                    return n;
                });
                state.put(SyncState.CHANGES_CURSOR, cursor, now);
                applied += written;
                if (changes.isEmpty() || cursor.equals(since)) {
                    break;
                }
            }
            tasks.succeeded(BackgroundTasks.HQ_CHANGES);
        } catch (Exception e) {
            tasks.failed(BackgroundTasks.HQ_CHANGES, e);
            throw e;
        } finally {
            http.stop();
        }
        if (applied > 0) {
            LOG.atInfo().addKeyValue("event", "hq-changes").log("Took {} change(s) made at HQ into the mirror", applied);
        }
        return applied;
    }
}
