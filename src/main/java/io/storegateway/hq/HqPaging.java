package io.storegateway.hq;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;

/**
 * The one rule for paging through HQ's inventory (the catalogue load, the reconciliation): the next page
 * is asked for with the {@code next} cursor of the last, and paging ends when there is none, when a page
 * comes back empty, or when a cursor comes back that was already asked for (an HQ going round in
 * circles). The last two end with a WARN line: HQ's answers are wrong, and a task that paged for ever
 * would hold its thread and never report.
 */
public final class HqPaging {

    private static final Logger LOG = LoggerFactory.getLogger(HqPaging.class);

    private final String what;
    private final Set<String> asked = new HashSet<>();

    public HqPaging(String what) {
        this.what = what;
    }

    /** The cursor to ask with next, or null when paging ends; {@code after} is the cursor this page was asked with. */
    public String next(String after, JsonNode page) {
        asked.add(after);
        JsonNode next = page.path("next");
        if (!next.isTextual()) {
            return null;
        }
        if (page.path("items").isEmpty()) {
            LOG.atWarn().addKeyValue("event", "hq-paging-stopped")
                    .log("{}: HQ answered an empty page with a next cursor ({}); paging ends here", what, next.asText());
            return null;
        }
        if (asked.contains(next.asText())) {
            LOG.atWarn().addKeyValue("event", "hq-paging-stopped")
                    .log("{}: HQ answered a next cursor already asked for ({}); paging ends here", what, next.asText());
            return null;
        }
        return next.asText();
    }
}
