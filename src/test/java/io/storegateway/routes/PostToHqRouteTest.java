package io.storegateway.routes;

import io.storegateway.config.GatewaySettings;
import io.storegateway.forward.HqCircuitBreaker;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.EndpointInject;
import org.apache.camel.Exchange;
import org.apache.camel.Produce;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.apache.camel.test.main.junit5.ReplaceInRegistry;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * routes/post-to-hq.camel.yaml as shipped, with its HTTP call intercepted by a mock (no HQ, no socket):
 * where the batch goes, with which headers, and that the call runs inside the registry's breaker.
 */
@CamelMainTest(properties = {"gateway.hq.url=http://hq.test", "gateway.store-id=S042"}, mockEndpointsAndSkip = "http*")
class PostToHqRouteTest {

    private static final String REQUEST = "{\"updates\":[{\"updateId\":\"u-1\",\"sku\":\"SKU-1\"}]}";
    private static final String ANSWER = "{\"results\":[{\"updateId\":\"u-1\",\"status\":\"APPLIED\"}]}";

    /** The gateway's own breaker, opened after one counted failure so a test can see it count. */
    @ReplaceInRegistry
    CircuitBreaker hqCircuitBreaker = HqCircuitBreaker.from(GatewaySettings.of(Map.of(
            HqCircuitBreaker.MINIMUM_CALLS, "1", HqCircuitBreaker.WINDOW, "1")));

    /** The HTTP endpoint the route resolves to, mocked and skipped: the name is the resolved URL. */
    @EndpointInject("mock:http:hq.test/hq/v1/stores/S042/updates")
    MockEndpoint hq;

    @Produce("direct:post-to-hq")
    ProducerTemplate postToHq;

    @Configure
    void loadTheRouteFile(MainConfigurationProperties main) {
        main.withRoutesIncludePattern("file:routes/post-to-hq.camel.yaml");
    }

    @Test
    void postsTheBatchToTheStoresUpdatesUrlWithTheAuthorizationAndIdempotencyKey() throws Exception {
        hq.expectedMessageCount(1);
        hq.expectedBodiesReceived(REQUEST);
        hq.expectedHeaderReceived(Exchange.HTTP_METHOD, "POST");
        hq.expectedHeaderReceived(Exchange.CONTENT_TYPE, "application/json");
        hq.expectedHeaderReceived("Authorization", "Bearer hq-token");
        hq.expectedHeaderReceived("Idempotency-Key", "b-0123");
        hq.whenAnyExchangeReceived(e -> e.getMessage().setBody(ANSWER));

        Exchange done = postToHq.send(e -> {
            e.getMessage().setBody(REQUEST);
            e.getMessage().setHeaders(Map.of(Exchange.HTTP_METHOD, "POST", Exchange.CONTENT_TYPE, "application/json",
                    "Authorization", "Bearer hq-token", "Idempotency-Key", "b-0123"));
        });

        hq.assertIsSatisfied();
        assertThat(done.getException()).isNull();
        assertThat(done.getMessage().getBody(String.class)).as("HQ's answer goes back to forward-to-hq").isEqualTo(ANSWER);
        assertThat(hqCircuitBreaker.getMetrics().getNumberOfSuccessfulCalls()).as("the call went through the breaker").isEqualTo(1);
    }

    @Test
    void anOpenBreakerFailsTheCallWithoutAnHttpRequest() throws Exception {
        hqCircuitBreaker.transitionToOpenState();
        hq.expectedMessageCount(0);

        Exchange done = postToHq.send(e -> e.getMessage().setBody(REQUEST));

        assertThat(done.getException()).isInstanceOf(CallNotPermittedException.class);
        hq.assertIsSatisfied();
    }

    @Test
    void hqFailingGoesBackToTheCallerAndCountsAgainstHq() {
        hq.whenAnyExchangeReceived(e -> {
            throw new HttpOperationFailedException("http://hq.test/hq/v1/stores/S042/updates", 503, "Service Unavailable",
                    null, Map.of(), "");
        });

        Exchange done = postToHq.send(e -> e.getMessage().setBody(REQUEST));

        assertThat(done.getException()).as("no fallback: the caller decides")
                .hasRootCauseInstanceOf(HttpOperationFailedException.class);
        assertThat(hqCircuitBreaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }
}
