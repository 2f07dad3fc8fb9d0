package io.storegateway.ingest;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.charset.StandardCharsets;

/** JMH (run by the benchmark, io.storegateway.bench): the validator on one update and on a body of 100. */
@State(Scope.Benchmark)
public class ValidatorBenchmark {

    private final UpdateValidator validator = new UpdateValidator();
    private byte[] one;
    private byte[] hundred;

    @Setup
    public void bodies() {
        one = update(0).getBytes(StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < 100; i++) {
            b.append(i == 0 ? "" : ",").append(update(i));
        }
        hundred = b.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String update(int i) {
        return "{\"updateId\":\"u-" + i + "\",\"terminalId\":\"T1\",\"type\":\"UPSERT_PRODUCT\",\"sku\":\"SKU-" + i
                + "\",\"name\":\"Apples " + i + "\",\"price\":\"2.36\",\"quantity\":10,\"occurredAt\":\"2026-11-27T10:00:00Z\",\"baseVersion\":3}";
    }

    @Benchmark
    public ValidationResult validateOneUpdate() {
        return validator.validate(one);
    }

    @Benchmark
    public ValidationResult validateHundredUpdates() {
        return validator.validate(hundred);
    }
}
