package io.storegateway.mirror;

import io.storegateway.ClosesTestGateways;
import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /api/v1/products?after=&limit=} pages through every SKU once, in one order, whatever the
 * mirror database's collation: SKUs that an en_US or ICU collation sorts differently from Java's
 * String order (case, '-', '_', '.'), some known from HQ and some only from pending updates, so both
 * sides of the product list's merge are walked. Runs on SQLite and, in the mirror-on-postgresql
 * execution, on PostgreSQL.
 */
@ExtendWith(ClosesTestGateways.class)
class ProductPagingTest {

    /** Acknowledged by HQ: rows in the product table. */
    private static final List<String> AT_HQ = List.of("a-1", "A_2", "b", "B", "a.3", "A0", "SKU_1", "SKU-10", "SKU-9", "z");
    /** Queued while HQ is away: only in the store's pending updates. */
    private static final List<String> PENDING = List.of("a_1", "A-3", "Ab", "b.2", "SKU.5", "0", "_x", "-y");

    private TestGateway t;

    @Test
    void pagesVisitEverySkuOnceInJavaStringOrder() {
        t = TestGateway.started("paging-order", 0);
        TerminalClient terminal = t.terminal();
        for (String sku : AT_HQ) {
            assertThat(terminal.post(upsert("hq-" + sku, sku)).status()).isEqualTo(202);
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> t.gateway().acceptedUpdates().count(UpdateStatus.APPLIED) == AT_HQ.size());
        t.hq.stop();
        for (String sku : PENDING) {
            assertThat(terminal.post(upsert("pending-" + sku, sku)).status()).isEqualTo(202);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> t.gateway().acceptedUpdates().count(UpdateStatus.QUEUED) == PENDING.size());

        List<String> expected = Stream.concat(AT_HQ.stream(), PENDING.stream()).sorted().toList();
        assertThat(walk(500)).containsExactlyElementsOf(expected);
        for (int limit = 1; limit <= 4; limit++) {
            assertThat(walk(limit)).as("pages of %d", limit).containsExactlyElementsOf(expected);
        }
        // A cursor that is not itself a SKU the mirror knows starts after it, in the same order.
        assertThat(skus(page("SKU-", 500))).containsExactlyElementsOf(
                expected.stream().filter(s -> s.compareTo("SKU-") > 0).toList());
    }

    /** Every SKU the product list gives, following {@code next} from the start. */
    private List<String> walk(int limit) {
        List<String> seen = new ArrayList<>();
        String after = null;
        for (int pages = 0; pages < 100; pages++) {
            JsonNode page = page(after, limit);
            assertThat(page.path("items").size()).isLessThanOrEqualTo(limit);
            seen.addAll(skus(page));
            if (page.path("next").isNull()) {
                return seen;
            }
            after = page.path("next").asText();
        }
        throw new AssertionError("no last page after 100 pages: " + seen);
    }

    private JsonNode page(String after, int limit) {
        String query = "?limit=" + limit + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
        TerminalClient.Reply reply = t.terminal().get("/api/v1/products" + query);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    private static List<String> skus(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.path("items").forEach(item -> out.add(item.path("sku").asText()));
        return out;
    }

    private static String upsert(String updateId, String sku) {
        return "{\"updateId\":\"" + updateId + "\",\"terminalId\":\"till-1\",\"type\":\"UPSERT_PRODUCT\",\"sku\":\"" + sku
                + "\",\"name\":\"Product " + sku + "\",\"price\":1.50,\"quantity\":5,\"occurredAt\":\"" + Instant.now() + "\"}";
    }
}
