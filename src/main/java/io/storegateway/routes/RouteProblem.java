package io.storegateway.routes;

/** One thing wrong with a route file, at a line (1-based). */
public record RouteProblem(String file, int line, String message) {

    public RouteProblem {
        line = Math.max(1, line);
    }

    /** {@code file:line: message}, the form editors and CI logs link to. */
    @Override
    public String toString() {
        return file + ":" + line + ": " + message;
    }
}
