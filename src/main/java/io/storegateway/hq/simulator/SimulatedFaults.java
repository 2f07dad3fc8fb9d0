package io.storegateway.hq.simulator;

import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/** The misbehaviour the simulator is told to show on its /hq/ endpoints; immutable, swapped as a whole. */
record SimulatedFaults(Mode mode, double rate, long latencyMs) {

    /** How long a "timeout" holds a request when no latency is given: longer than any sane client waits. */
    static final long DEFAULT_TIMEOUT_HOLD_MS = 30_000;

    static final SimulatedFaults NONE = new SimulatedFaults(Mode.NONE, 1.0, 0);

    enum Mode {
        NONE("none"), DOWN("down"), ERROR("error"), TIMEOUT("timeout"), ACK_LOST("ack-lost");

        final String wireName;

        Mode(String wireName) {
            this.wireName = wireName;
        }

        static Mode parse(String wireName) {
            return Arrays.stream(values())
                    .filter(m -> m.wireName.equals(wireName))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(
                            "mode must be one of none, down, error, timeout, ack-lost, not " + wireName));
        }
    }

    SimulatedFaults {
        if (!(rate >= 0.0 && rate <= 1.0)) {
            throw new IllegalArgumentException("rate must be between 0.0 and 1.0, not " + rate);
        }
        if (latencyMs < 0) {
            throw new IllegalArgumentException("latencyMs must not be negative, not " + latencyMs);
        }
    }

    static SimulatedFaults of(String mode, double rate, long latencyMs) {
        return new SimulatedFaults(Mode.parse(mode), rate, latencyMs);
    }

    /** Whether this request should suffer {@code fault}: the mode matches and the dice say so. */
    boolean strikes(Mode fault) {
        return mode == fault && (rate >= 1.0 || ThreadLocalRandom.current().nextDouble() < rate);
    }

    long timeoutHoldMs() {
        return latencyMs > 0 ? latencyMs : DEFAULT_TIMEOUT_HOLD_MS;
    }

    ObjectNode toJson() {
        ObjectNode n = UpdateJson.MAPPER.createObjectNode();
        n.put("mode", mode.wireName);
        n.put("rate", rate);
        n.put("latencyMs", latencyMs);
        return n;
    }
}
