package io.storegateway.forward;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;

/**
 * The HQ call's HTTP client. Its own automatic retries are off: HttpClient would otherwise repeat
 * a POST answered 503 behind the gateway's back, holding the batch's transaction meanwhile. Retrying
 * is the forwarding back-off's job alone.
 */
public final class HqHttpClient implements HttpClientConfigurer {

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.disableAutomaticRetries();
    }
}
