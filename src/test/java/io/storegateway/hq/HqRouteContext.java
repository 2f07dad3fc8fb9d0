package io.storegateway.hq;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/** The HQ layer without a gateway: the hq-* route files of a routes directory in a bare Camel context, calling HQ at a URL. */
final class HqRouteContext {

    static final List<String> FILES = List.of("hq-inventory-page.camel.yaml", "hq-changes.camel.yaml", "hq-health.camel.yaml");

    private HqRouteContext() {
    }

    static DefaultCamelContext start(Path routes, String hqUrl, String hqToken) throws Exception {
        DefaultCamelContext camel = new DefaultCamelContext();
        Properties settings = new Properties();
        settings.setProperty("gateway.hq.url", hqUrl);
        settings.setProperty("gateway.store-id", "S001");
        camel.getPropertiesComponent().setInitialProperties(settings);
        camel.getRegistry().bind("hqRequest", new HqRequest(hqToken));
        for (String file : FILES) {
            PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.resolveResource(camel, "file:" + routes.resolve(file)));
        }
        camel.start();
        return camel;
    }
}
