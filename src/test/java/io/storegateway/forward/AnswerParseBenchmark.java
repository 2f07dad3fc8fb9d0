package io.storegateway.forward;

import io.storegateway.broker.UpdateMessages.QueuedUpdate;
import io.storegateway.hq.HqJson;
import io.storegateway.hq.ProductRecord;
import io.storegateway.hq.UpdateResult;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateJson;
import io.storegateway.update.UpdateType;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** JMH (run by the benchmark, io.storegateway.bench): reading HQ's answer to a batch of 100. */
@State(Scope.Benchmark)
public class AnswerParseBenchmark {

    private final List<QueuedUpdate> updates = new ArrayList<>();
    private String answer;

    @Setup
    public void answer() {
        ObjectNode body = UpdateJson.MAPPER.createObjectNode();
        ArrayNode results = body.putArray("results");
        Instant now = Instant.now();
        for (int i = 0; i < 100; i++) {
            InventoryUpdate u = new InventoryUpdate("u-" + i, "T1", UpdateType.ADJUST_QUANTITY, "SKU-" + i, null, null, null,
                    -1L, now, null, false);
            updates.add(new QueuedUpdate(u, "HTTP", now, null));
            results.add(HqJson.toJson(new UpdateResult(u.updateId(), UpdateResult.Status.APPLIED, null,
                    new ProductRecord("SKU-" + i, "Product " + i, new BigDecimal("1.99"), 99, 2, now, false))));
        }
        answer = body.toString();
    }

    @Benchmark
    public List<UpdateResult> parseAnswerOfHundred() throws Exception {
        return HqAnswerApplier.parse(answer, updates);
    }
}
