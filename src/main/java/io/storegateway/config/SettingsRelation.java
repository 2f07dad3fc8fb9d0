package io.storegateway.config;

import java.util.function.Predicate;

/**
 * A rule over more than one setting (two that go together, two that must be in order), reported
 * against {@code key}, the one to change. Checked only when each setting on its own is good.
 *
 * @param key     where the problem is reported
 * @param message what must hold, e.g. "must not be above gateway.forward.backoff.max-ms"
 * @param holds   whether it holds for these settings
 */
public record SettingsRelation(String key, String message, Predicate<GatewaySettings> holds) {
}
