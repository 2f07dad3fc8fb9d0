package io.storegateway.hq;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;

/**
 * The one paging loop for HQ's feeds (the inventory pages, the changes feed). Each page is asked for
 * with the cursor the last one gave. The stop rule, the same for every feed: paging ends when a page
 * has no next cursor, when a page comes back empty, or when a cursor comes back that was already asked
 * for (an HQ going round in circles); and after {@code maxPages}. An empty page or a repeated cursor
 * while HQ still offers a next one end with a WARN line: HQ's answers are wrong, and a task that paged
 * for ever would hold its thread and never report.
 */
public final class HqPaging {

    /** Asks HQ for the page at a cursor. */
    @FunctionalInterface
    public interface PageFetch {
        HqPage fetch(String cursor) throws Exception;
    }

    /** Takes one page in (the mirror writes it); runs before the next page is asked for. */
    @FunctionalInterface
    public interface PageHandler {
        void accept(HqPage page) throws Exception;
    }

    private static final Logger LOG = LoggerFactory.getLogger(HqPaging.class);

    private final String what;
    private final Set<String> asked = new HashSet<>();

    public HqPaging(String what) {
        this.what = what;
    }

    /** Pages from {@code first} on, each page handed to {@code handler} before the next is asked for. */
    public void pages(String first, int maxPages, PageFetch fetch, PageHandler handler) throws Exception {
        String cursor = first;
        for (int n = 0; cursor != null && n < maxPages; n++) {
            HqPage page = fetch.fetch(cursor);
            handler.accept(page);
            cursor = next(page);
        }
    }

    /** The cursor to ask with next, or null when paging ends. */
    String next(HqPage page) {
        asked.add(page.asked());
        String next = page.next();
        if (next == null) {
            return null;
        }
        if (page.records().isEmpty()) {
            LOG.atWarn().addKeyValue("event", "hq-paging-stopped")
                    .log("{}: HQ answered an empty page with a next cursor ({}); paging ends here", what, next);
            return null;
        }
        if (asked.contains(next)) {
            LOG.atWarn().addKeyValue("event", "hq-paging-stopped")
                    .log("{}: HQ answered a next cursor already asked for ({}); paging ends here", what, next);
            return null;
        }
        return next;
    }
}
