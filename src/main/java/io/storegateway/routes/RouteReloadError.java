package io.storegateway.routes;

import java.time.Instant;

/** A route file change the gateway refused (or a file it misses): the previous routes keep running. */
public record RouteReloadError(String file, int line, String message, Instant at) {

    @Override
    public String toString() {
        return file + ":" + line + ": " + message;
    }
}
