package io.storegateway.hq;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

/**
 * Route step before a GET to HQ (routes hq-inventory-page, hq-changes): the named headers become the
 * query string, URL-encoded, and HQ's token goes in as {@code Authorization: Bearer …}. The token stays
 * out of the route files, so out of route dumps and logs. Every other header is dropped first, so
 * nothing internal leaks to HQ; headers a route sets after this step do go to HQ.
 */
public final class HqRequest {

    private final String hqToken;

    public HqRequest(String hqToken) {
        this.hqToken = hqToken == null ? "" : hqToken;
    }

    /**
     * Route step: {@code get(*, 'limit after')} asks with {@code ?limit=…&after=…} from the headers
     * {@code limit} and {@code after} (a header that is not set is left out).
     */
    public void get(Exchange exchange, String queryHeaders) {
        Message m = exchange.getMessage();
        StringJoiner query = new StringJoiner("&");
        for (String name : queryHeaders.trim().split("[\\s,]+")) {
            Object value = name.isEmpty() ? null : m.getHeader(name);
            if (value != null) {
                query.add(encode(name) + "=" + encode(value.toString()));
            }
        }
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_METHOD, "GET");
        if (query.length() > 0) {
            m.setHeader(Exchange.HTTP_QUERY, query.toString());
        }
        if (!hqToken.isEmpty()) {
            m.setHeader("Authorization", "Bearer " + hqToken);
        }
        m.setBody(null);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
