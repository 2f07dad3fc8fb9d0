package io.storegateway.routes;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Polls the routes directory and hands a changed file to {@link RouteFiles}. Polling by content hash
 * works where file events do not (Docker volumes, network shares). A file is handed over only once
 * its content is the same on two polls in a row, so a file caught half-written is not taken; and a
 * content is handed over once: a refused file is tried again when it changes.
 */
final class RouteFileWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RouteFileWatcher.class);

    private final RouteFiles files;
    private final Path dir;
    private final long intervalMs;
    private final ScheduledExecutorService timer;
    /** The content hash last handed over (or loaded at start), per file. */
    private final Map<String, String> handled = new HashMap<>();
    /** A new content seen once, waiting for the next poll to show it unchanged. */
    private final Map<String, String> pending = new HashMap<>();
    private final Set<String> missing = new HashSet<>();

    RouteFileWatcher(RouteFiles files, Path dir, long intervalMs) {
        this.files = files;
        this.dir = dir;
        this.intervalMs = intervalMs;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "route-file-watcher");
            t.setDaemon(true);
            return t;
        });
        handled.putAll(files.runningHashes());
    }

    void start() {
        timer.scheduleWithFixedDelay(this::pollSafely, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("event", "route-watch-failed")
                    .log("Watching {} failed this time: {}", dir, e.toString(), e);
        }
    }

    void poll() {
        Map<String, String> onDisk = new HashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(RouteFileCheck.SUFFIX) && Files.isRegularFile(p)) {
                    onDisk.put(name, Files.readString(p, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // Half-renamed or unreadable right now: look again at the next poll.
            LOG.debug("Cannot read {} this time: {}", dir, e.toString());
            return;
        }
        // Deletions first: a renamed file (a.camel.yaml -> b.camel.yaml) is seen gone and new on the
        // same poll, and b may only take over a's route ids once a is gone.
        for (String name : files.present()) {
            // Gone on two polls in a row: not an editor replacing the file.
            if (!onDisk.containsKey(name) && !missing.add(name)) {
                missing.remove(name);
                handled.remove(name);
                files.deleted(name);
            }
        }
        for (Map.Entry<String, String> file : onDisk.entrySet()) {
            String name = file.getKey();
            String hash = RouteVersions.hash(file.getValue());
            missing.remove(name);
            if (hash.equals(handled.get(name))) {
                pending.remove(name);
            } else if (!hash.equals(pending.put(name, hash))) {
                LOG.debug("Route file {} changed; taken when it is the same at the next look", name);
            } else {
                pending.remove(name);
                handled.put(name, hash);
                files.offer(name, file.getValue());
            }
        }
    }

    @Override
    public void close() {
        timer.shutdown();
        try {
            // A swap under way finishes: it stops routes gracefully and must not be cut off half-way.
            timer.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
