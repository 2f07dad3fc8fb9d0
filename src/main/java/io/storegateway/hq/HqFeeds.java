package io.storegateway.hq;

import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * HQ's read feeds (its inventory, its changes) as records. The calls go through the route files
 * ({@code direct:hq-inventory-page}, {@code direct:hq-changes}), which hold the URL, the headers and
 * any transform for another HQ API; this is the one place that turns HQ's JSON (docs/HQ-PROTOCOL.md)
 * into records, and the paging is {@link HqPaging}'s, the same for both.
 */
public final class HqFeeds {

    public static final String INVENTORY_PAGE = "direct:hq-inventory-page";
    public static final String CHANGES = "direct:hq-changes";
    public static final String HEALTH = "direct:hq-health";
    /** Records asked for per inventory page. */
    public static final int PAGE = 500;

    /** Pages through HQ's whole inventory, from the first page; {@code what} names the task in log lines. */
    public void inventory(CamelContext camel, String what, HqPaging.PageHandler handler) throws Exception {
        ProducerTemplate hq = camel.createProducerTemplate();
        try {
            new HqPaging(what).pages("", Integer.MAX_VALUE, after -> {
                JsonNode page = read(hq.requestBodyAndHeaders(INVENTORY_PAGE, null, Map.of("after", after, "limit", PAGE), String.class));
                JsonNode next = page.path("next");
                return new HqPage(after, records(page.path("items")), next.isTextual() ? next.asText() : null);
            }, handler);
        } finally {
            hq.stop();
        }
    }

    /**
     * Pages through HQ's changes since {@code since}, at most {@code maxPages}. A page's next cursor is
     * HQ's {@code cursor}, or null when the cursor did not move (HQ has nothing newer).
     */
    public void changes(CamelContext camel, String since, int maxPages, HqPaging.PageHandler handler) throws Exception {
        ProducerTemplate hq = camel.createProducerTemplate();
        try {
            new HqPaging("HQ changes").pages(since, maxPages, cursor -> {
                JsonNode answer = read(hq.requestBodyAndHeaders(CHANGES, null, Map.of("since", cursor), String.class));
                String next = answer.path("cursor").asText(cursor);
                return new HqPage(cursor, records(answer.path("changes")), next.equals(cursor) ? null : next);
            }, handler);
        } finally {
            hq.stop();
        }
    }

    private static JsonNode read(String body) throws IOException {
        return UpdateJson.MAPPER.readTree(body == null ? "" : body);
    }

    private static List<ProductRecord> records(JsonNode array) {
        List<ProductRecord> records = new ArrayList<>();
        array.forEach(n -> records.add(HqJson.recordFromJson(n)));
        return records;
    }
}
