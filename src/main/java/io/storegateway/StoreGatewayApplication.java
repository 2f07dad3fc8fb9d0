package io.storegateway;

import io.storegateway.cli.Commands;

import org.slf4j.LoggerFactory;

/** {@code java -jar store-gateway.jar [run|demo|hq-simulator|validate] …} */
public final class StoreGatewayApplication {

    private StoreGatewayApplication() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = Commands.run(args);
        } catch (Throwable t) {
            LoggerFactory.getLogger(StoreGatewayApplication.class).error("Store Gateway failed", t);
            code = 1;
        }
        // Exit even when a half-started part left non-daemon threads behind.
        System.exit(code);
    }
}
