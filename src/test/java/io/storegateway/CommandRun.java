package io.storegateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One command of {@code java [javaOptions] -jar store-gateway.jar [args]} run to its end, as a user runs it:
 * a JVM of its own (the test classpath standing in for the jar), in {@code workDir}; what it printed on
 * each stream, and its exit code.
 */
public record CommandRun(int exitCode, String stdout, String stderr) {

    public static CommandRun of(Path workDir, List<String> javaOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), StoreGatewayApplication.class.getName()));
        command.addAll(List.of(args));
        try {
            Files.createDirectories(workDir);
            Path out = Files.createTempFile(workDir, "stdout", ".txt");
            Path err = Files.createTempFile(workDir, "stderr", ".txt");
            Process process = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(String.join(" ", args) + " still runs after 60 s: " + Files.readString(out));
                }
            } finally {
                process.destroyForcibly();
            }
            return new CommandRun(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Everything it printed, for assertion messages. */
    public String output() {
        return "exit " + exitCode + "\n[stdout]\n" + stdout + "[stderr]\n" + stderr;
    }
}
