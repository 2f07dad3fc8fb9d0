package io.storegateway.mirror;

import io.storegateway.hq.HqJson;
import io.storegateway.hq.HqPaging;
import io.storegateway.hq.ProductRecord;
import io.storegateway.tasks.BackgroundTasks;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fills an empty mirror with HQ's catalogue (GET …/inventory, page by page), so a new gateway can
 * show stock levels before its first update travels. Until it has succeeded once, every call tries
 * again; after that it does nothing (keeping the mirror in step is the job of HQ's answers, and of
 * reconciliation).
 */
public final class CatalogueLoader {

    private final BackgroundTasks tasks;

    public static final String SOURCE_HQ_INVENTORY = "HQ_INVENTORY";
    static final int PAGE = 500;

    private static final Logger LOG = LoggerFactory.getLogger(CatalogueLoader.class);

    private final MirrorDatabase db;
    private final Products products;
    private final String inventoryUrl;
    private final String hqToken;
    private final Clock clock;
    private volatile boolean loaded;

    public CatalogueLoader(MirrorDatabase db, Products products, String hqUrl, String storeId, String hqToken, Clock clock,
                           BackgroundTasks tasks) {
        this.tasks = tasks;
        this.db = db;
        this.products = products;
        this.inventoryUrl = hqUrl + "/hq/v1/stores/" + URLEncoder.encode(storeId, StandardCharsets.UTF_8) + "/inventory";
        this.hqToken = hqToken;
        this.clock = clock;
    }

    public boolean loaded() {
        return loaded;
    }

    /** Route step: loads the catalogue if the mirror has no product yet. */
    public void loadIfEmpty(Exchange exchange) throws IOException {
        if (loaded) {
            return;
        }
        if (db.read(products::count) > 0) {
            loaded = true;
            return;
        }
        ProducerTemplate http = exchange.getContext().createProducerTemplate();
        try {
            int count = 0;
            String after = "";
            HqPaging paging = new HqPaging("Catalogue load");
            do {
                String query = "limit=" + PAGE + "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8);
                String body = http.requestBodyAndHeaders(inventoryUrl, null, headers(query), String.class);
                JsonNode page = UpdateJson.MAPPER.readTree(body);
                List<ProductRecord> records = new ArrayList<>();
                page.path("items").forEach(n -> records.add(HqJson.recordFromJson(n)));
                Instant now = clock.instant();
                db.inTransaction(c -> {
                    for (ProductRecord r : records) {
                        products.apply(c, r, SOURCE_HQ_INVENTORY, null, now);
                    }
                    return null;
                });
                count += records.size();
                after = paging.next(after, page);
            } while (after != null);
            loaded = true;
            tasks.succeeded(BackgroundTasks.CATALOGUE);
            LOG.atInfo().addKeyValue("event", "catalogue-loaded")
                    .log("Mirror filled with HQ's catalogue: {} product(s)", count);
        } catch (IOException | RuntimeException e) {
            tasks.failed(BackgroundTasks.CATALOGUE, e);
            throw e;
        } finally {
            http.stop();
        }
    }

    private Map<String, Object> headers(String query) {
        Map<String, Object> h = new HashMap<>();
        h.put(Exchange.HTTP_METHOD, "GET");
        h.put(Exchange.HTTP_QUERY, query);
        if (!hqToken.isEmpty()) {
            h.put("Authorization", "Bearer " + hqToken);
        }
        return h;
    }
}
