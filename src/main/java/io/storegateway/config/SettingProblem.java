package io.storegateway.config;

/**
 * One setting's problem, said where the value came from: {@code config/application.properties:133:
 * gateway.forward.batch-size: must be …}, {@code env GATEWAY_HTTP_PORT: …} or {@code -Dgateway.http.port: …}.
 *
 * @param where the file and line, environment variable or system property the value came from; null for a
 *              value given in code (tests, the demo)
 */
public record SettingProblem(String where, String key, String message) {

    @Override
    public String toString() {
        return (where == null ? "" : where + ": ") + key + ": " + message;
    }
}
