package io.storegateway.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.Locale;
import java.util.function.Consumer;

/** Runs the JMH micro-benchmarks (one fork at -Xmx256m) and prints a table of their throughput. */
final class JmhBenchmarks {

    private JmhBenchmarks() {
    }

    static void run(Consumer<String> out, boolean smoke) throws Exception {
        Options opts = new OptionsBuilder()
                .include("io\\.storegateway\\.(ingest\\.ValidatorBenchmark|mirror\\.MirrorDiffBenchmark|forward\\.AnswerParseBenchmark)\\..*")
                .forks(1)
                .jvmArgs("-Xmx256m")
                .warmupIterations(smoke ? 1 : 3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(smoke ? 1 : 5)
                .measurementTime(TimeValue.seconds(1))
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(opts).run();
        out.accept("## Micro-benchmarks (JMH, 1 fork at -Xmx256m, " + (smoke ? "1+1" : "3+5") + " iterations of 1 s)");
        out.accept("");
        out.accept("| benchmark | ops/s | ± (99.9%) |");
        out.accept("|---|---|---|");
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
            out.accept(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f |", name, r.getPrimaryResult().getScore(),
                    r.getPrimaryResult().getScoreError()));
        }
        out.accept("");
    }
}
