package io.storegateway.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM the benchmark starts on the test classpath (the gateway, or the broker baseline), with its
 * output in a log file, and what /proc says about it: resident memory and CPU time.
 */
final class JvmProcess implements AutoCloseable {

    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private final Process process;
    private final Path log;
    private final long startedNanos;

    private JvmProcess(Process process, Path log, long startedNanos) {
        this.process = process;
        this.log = log;
        this.startedNanos = startedNanos;
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "bench-reaper-" + process.pid()));
    }

    static JvmProcess start(Path log, List<String> jvmArgs, String mainClass, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new JvmProcess(p, log, t0);
    }

    long pid() {
        return process.pid();
    }

    long startedNanos() {
        return startedNanos;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    /** Resident set size now, and its peak (VmHWM), in KiB; -1 when gone. */
    long[] rssKb() {
        long rss = -1;
        long hwm = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", ""));
                } else if (line.startsWith("VmHWM:")) {
                    hwm = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return new long[] {rss, hwm};
    }

    /** User plus system CPU time so far, in milliseconds (-1 when gone). */
    long cpuMillis() {
        return cpuMillisOf(pid());
    }

    static long cpuMillisOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14 and 15 of /proc/pid/stat (utime, stime), counted from after the command name
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / CLOCK_TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Runs jcmd against the process: heap after a full GC, as GC.heap_info prints it. */
    String heapInfoAfterGc() {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        try {
            run(jcmd, Long.toString(pid()), "GC.run");
            return run(jcmd, Long.toString(pid()), "GC.heap_info");
        } catch (IOException e) {
            return "(jcmd failed: " + e + ")";
        }
    }

    static String run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            p.waitFor(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    /** SIGTERM, then the exit code (-1 when it did not stop in time). */
    int terminate(long timeoutSeconds) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            return -1;
        }
        return process.exitValue();
    }

    int waitFor(long timeoutSeconds) throws InterruptedException {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(log + ": did not finish within " + timeoutSeconds + " s; tail:\n" + tail(40));
        }
        return process.exitValue();
    }

    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
