package io.storegateway.forward;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * Times every call Camel makes to HQ (batches, changes, inventory, health), whichever route or bean
 * makes it, as the histogram {@code gateway_hq_request_seconds{call,outcome}}. A call is one to HQ's
 * host and port, so a route edited to use another path is still measured.
 */
public final class HqRequestTimer extends EventNotifierSupport {

    private static final Duration[] BUCKETS = {
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final MeterRegistry registry;
    private final String hqAuthority;

    public HqRequestTimer(MeterRegistry registry, String hqUrl) {
        this.registry = registry;
        this.hqAuthority = URI.create(hqUrl).getRawAuthority().toLowerCase(Locale.ROOT);
        setIgnoreCamelContextEvents(true);
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
    }

    /** Camel times a send only when some notifier takes its "sending" event too. */
    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.ExchangeSendingEvent || event instanceof CamelEvent.ExchangeSentEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        if (!(event instanceof CamelEvent.ExchangeSentEvent)) {
            return;
        }
        CamelEvent.ExchangeSentEvent sent = (CamelEvent.ExchangeSentEvent) event;
        String call = callName(sent.getEndpoint().getEndpointUri());
        if (call == null) {
            return;
        }
        Timer.builder("gateway.hq.request")
                .description("HTTP calls to HQ, by call and outcome")
                .tag("call", call)
                .tag("outcome", sent.getExchange().isFailed() ? "error" : "ok")
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record(Duration.ofMillis(sent.getTimeTaken()));
    }

    /** The last path segment of a call to HQ ("updates", "changes", "health"), or null for other endpoints. */
    String callName(String endpointUri) {
        int scheme = endpointUri.indexOf("://");
        if (scheme < 0 || !endpointUri.startsWith("http")) {
            return null;
        }
        String rest = endpointUri.substring(scheme + 3);
        int query = rest.indexOf('?');
        if (query >= 0) {
            rest = rest.substring(0, query);
        }
        int slash = rest.indexOf('/');
        String authority = (slash < 0 ? rest : rest.substring(0, slash)).toLowerCase(Locale.ROOT);
        if (!authority.equals(hqAuthority)) {
            return null;
        }
        String path = slash < 0 ? "" : rest.substring(slash);
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String last = path.substring(path.lastIndexOf('/') + 1);
        return last.isEmpty() ? "root" : last;
    }
}
