package io.storegateway.forward;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.DefaultHttpRequestRetryStrategy;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;

/**
 * The HTTP client for HQ. It never repeats a request because of HQ's answer (a 503 to a POST would
 * otherwise be re-sent behind the gateway's back, holding the batch's transaction): retrying batches
 * is the forwarding back-off's job alone. It does retry once a GET (health, changes, inventory) that
 * met a dead pooled connection, the usual first request after HQ restarted; and it drops idle
 * connections so few are dead to begin with.
 */
public final class HqHttpClient implements HttpClientConfigurer {

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.setRetryStrategy(new IdempotentOnlyOnIoErrors())
                .evictExpiredConnections()
                .evictIdleConnections(TimeValue.ofSeconds(5));
    }

    /** One retry, only for idempotent requests (not POST) and only after an I/O error, never after an answer. */
    static final class IdempotentOnlyOnIoErrors extends DefaultHttpRequestRetryStrategy {
        IdempotentOnlyOnIoErrors() {
            super(1, TimeValue.ZERO_MILLISECONDS);
        }

        @Override
        public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
            return false;
        }
    }
}
