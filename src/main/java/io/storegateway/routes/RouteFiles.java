package io.storegateway.routes;

import io.storegateway.config.GatewaySettings;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Collectors;

/**
 * The route files as the gateway runs them. Every version that reaches Camel went through the same
 * path, at start, on an edit and on a rollback: {@link RouteFileCheck} first, then the swap: the
 * file's old routes are stopped gracefully (an in-flight batch finishes or rolls back; it is never
 * committed half-way) and removed, the new ones added and started. When Camel refuses them, the old
 * ones are put back. A refused change is logged with {@code file:line}, shown in the status, and the
 * previous routes keep running. Every accepted version is kept ({@link RouteVersions}).
 *
 * <p>A deleted file is not taken as "stop these flows": its routes keep running (a flow such as
 * forward-to-hq is rarely meant to vanish, and a rename or an editor's save can look like a delete),
 * and the deletion is reported as an error until the file is back. Restarting the gateway without
 * the file drops its routes. Routes a new file takes over by id from a deleted file move to it.
 */
public final class RouteFiles implements AutoCloseable {

    public static final String WATCH_INTERVAL_MS = "gateway.routes.watch-interval-ms";
    static final long DEFAULT_WATCH_INTERVAL_MS = 2000;

    private static final Logger LOG = LoggerFactory.getLogger(RouteFiles.class);

    public enum Rollback { ROLLED_BACK, UNKNOWN_FILE, NO_PREVIOUS_VERSION, REFUSED }

    public record RollbackResult(Rollback outcome, String message, List<RouteProblem> problems) {
    }

    public enum Restore { RESTORED, UNKNOWN_FILE, NOTHING_RUNS, NOT_WRITTEN }

    public record RestoreResult(Restore outcome, String message) {
    }

    private record Refusal(Instant at, List<RouteProblem> problems) {
    }

    /** One file: what runs from it (content null: nothing does), its version, and a standing refusal. */
    private record FileState(String name, String content, String hash, Map<String, Integer> routes, int version,
                             Instant since, boolean deleted, Refusal refused) {

        FileState refusedFor(Refusal r) {
            return new FileState(name, content, hash, routes, version, since, deleted, r);
        }

        /** The file on disk is what runs again: no refusal or deletion stands. */
        FileState onDiskAgain() {
            return new FileState(name, content, hash, routes, version, since, false, null);
        }
    }

    private final Path dir;
    private final RouteVersions versions;
    private final GatewaySettings settings;
    private final Clock clock;
    private final long watchIntervalMs;
    /** Swaps one at a time; readers (status, the admin API) never wait for one. */
    private final Object swapLock = new Object();
    private final Map<String, FileState> files = new ConcurrentSkipListMap<>();
    private volatile Instant lastReloadAt;
    private CamelContext camel;
    private RouteFileCheck check;
    private RouteFileWatcher watcher;

    public RouteFiles(GatewaySettings settings, Clock clock) {
        this.settings = settings;
        this.dir = settings.routesDir().toAbsolutePath().normalize();
        this.versions = new RouteVersions(settings.dataDir().toAbsolutePath().normalize().resolve(RouteVersions.DIR));
        this.clock = clock;
        this.watchIntervalMs = settings.getLong(WATCH_INTERVAL_MS, DEFAULT_WATCH_INTERVAL_MS);
    }

    /**
     * Checks every route file, before Camel starts, and answers what loads them into Camel as it
     * starts (each kept as a version), so the flows start with the rest of the gateway. Fails, naming
     * every {@code file:line} at fault, when a file is not sound.
     */
    public RoutesBuilder checkAtStart() {
        synchronized (swapLock) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalStateException(GatewaySettings.ROUTES_DIR + " " + dir + " is not a directory");
            }
            check = new RouteFileCheck(settings.asProperties());
            RouteFileCheck.DirectoryResult found = check.checkDirectory(dir);
            List<RouteProblem> fatal = new ArrayList<>();
            for (RouteProblem p : found.problems()) {
                if (p.file().endsWith(RouteFileCheck.SUFFIX)) {
                    fatal.add(p);
                } else {
                    LOG.atWarn().addKeyValue("event", "route-problem").log("{}", p);
                }
            }
            failIfAny(fatal);
            return new LoadAtStart(found.files());
        }
    }

    /** Main adds it with the other routes, before Camel starts. */
    private final class LoadAtStart implements RoutesBuilder {

        private final List<RouteFileCheck.Result> checked;

        LoadAtStart(List<RouteFileCheck.Result> checked) {
            this.checked = checked;
        }

        @Override
        public void addRoutesToCamelContext(CamelContext context) {
            synchronized (swapLock) {
                camel = context;
                for (RouteFileCheck.Result r : checked) {
                    String name = Path.of(r.file()).getFileName().toString();
                    failIfAny(install(name, null, r));
                    String hash = RouteVersions.hash(r.content());
                    Instant now = clock.instant();
                    RouteVersions.Version v = versions.withHash(name, hash).orElseGet(() -> versions.archive(name, r.content(), now));
                    files.put(name, new FileState(name, r.content(), hash, r.routes(), v.number(), now, false, null));
                    LOG.atInfo().addKeyValue("event", "route-loaded").addKeyValue("file", name)
                            .log("Route file {} version {} loaded: {}", name, v.number(), r.routes().keySet());
                }
            }
        }

        @Override
        public void addTemplatedRoutesToCamelContext(CamelContext context) {
            // route files hold routes only
        }

        @Override
        public Set<String> updateRoutesToCamelContext(CamelContext context) {
            return Set.of(); // reloads go through RouteFiles, never through Camel's own reload
        }
    }

    private static void failIfAny(List<RouteProblem> problems) {
        if (!problems.isEmpty()) {
            throw new IllegalStateException("route files not loaded; fix them (see 'validate'):\n  "
                    + problems.stream().map(RouteProblem::toString).collect(Collectors.joining("\n  ")));
        }
    }

    /** Once Camel runs: watches the directory for edits (unless the interval is 0). */
    public void watch() {
        if (watchIntervalMs > 0) {
            watcher = new RouteFileWatcher(this, dir, watchIntervalMs);
            watcher.start();
            LOG.atInfo().addKeyValue("event", "route-watch")
                    .log("Watching {} for route file changes every {} ms; versions are kept in {}", dir, watchIntervalMs, versions.dir());
        }
    }

    /** A file with new content (stable on disk): checked, then swapped in, or refused. */
    void offer(String name, String content) {
        synchronized (swapLock) {
            String hash = RouteVersions.hash(content);
            FileState current = files.get(name);
            if (current != null && hash.equals(current.hash())) {
                // Back to what runs: a standing refusal or deletion is over.
                files.put(name, current.onDiskAgain());
                return;
            }
            RouteFileCheck.Result r = check.check(dir.resolve(name).toString(), content);
            List<RouteProblem> problems = r.ok() ? install(name, current, r) : r.problems();
            if (!problems.isEmpty()) {
                refuse(name, current, problems);
                return;
            }
            Instant now = clock.instant();
            int number = 0;
            try {
                number = versions.archive(name, content, now).number();
            } catch (UncheckedIOException e) {
                // It runs already; only its copy is missing (shown as version 0, which cannot be rolled back to).
                LOG.atError().addKeyValue("event", "route-version-not-kept").addKeyValue("file", name)
                        .log("Route file {} is running, but its version could not be kept: {}", name, e.getMessage());
            }
            files.put(name, new FileState(name, content, hash, r.routes(), number, now, false, null));
            lastReloadAt = now;
            LOG.atInfo().addKeyValue("event", "route-reloaded").addKeyValue("file", name)
                    .log("Route file {} version {} accepted and running: {}", name, number, r.routes().keySet());
        }
    }

    /** A file that is gone from the directory: its routes keep running, and that is reported. */
    void deleted(String name) {
        synchronized (swapLock) {
            FileState f = files.get(name);
            if (f == null || f.deleted()) {
                return;
            }
            if (f.routes().isEmpty()) {
                // A new file that was refused and is gone again: nothing runs from it, nothing to report.
                files.remove(name);
                return;
            }
            RouteProblem p = new RouteProblem(dir.resolve(name).toString(), 1, "the file was deleted; its routes "
                    + f.routes().keySet() + " keep running until the gateway restarts. Put the file back to keep them");
            files.put(name, new FileState(name, f.content(), f.hash(), f.routes(), f.version(), f.since(), true,
                    new Refusal(clock.instant(), List.of(p))));
            LOG.atError().addKeyValue("event", "route-deleted").addKeyValue("file", name).log("Route file deleted: {}", p);
        }
    }

    /**
     * Puts the version before the running one back: checked and swapped in like an edit, then
     * written over the file in the routes directory. Repeated rollbacks walk further back.
     */
    public RollbackResult rollback(String name) {
        synchronized (swapLock) {
            FileState f = files.get(name);
            if (f == null) {
                return new RollbackResult(Rollback.UNKNOWN_FILE, "no route file named " + name, List.of());
            }
            Optional<RouteVersions.Version> target = versions.of(name).stream()
                    // version 0: what runs was never kept, so the newest kept one is the previous one.
                    .filter(v -> f.version() == 0 || v.number() < f.version()).reduce((a, b) -> b);
            if (target.isEmpty()) {
                return new RollbackResult(Rollback.NO_PREVIOUS_VERSION, (f.version() == 0
                        ? name + " has no accepted version" : "version " + f.version() + " of " + name + " is the oldest one kept")
                        + (f.refused() == null || f.content() == null ? ""
                        : "; to undo the refused edit, restore the running version (POST /admin/v1/routes/" + name + "/restore)"),
                        List.of());
            }
            int number = target.get().number();
            String content = versions.content(name, number);
            RouteFileCheck.Result r = check.check(dir.resolve(name).toString(), content);
            List<RouteProblem> problems = r.ok() ? install(name, f, r) : r.problems();
            if (!problems.isEmpty()) {
                LOG.atError().addKeyValue("event", "route-rollback-refused").addKeyValue("file", name)
                        .log("Rollback of route file {} to version {} refused, version {} keeps running: {}", name, number,
                                f.version(), join(problems));
                return new RollbackResult(Rollback.REFUSED, "version " + number + " of " + name
                        + " is refused now (the settings or the gateway changed since); version " + f.version() + " keeps running", problems);
            }
            Instant now = clock.instant();
            files.put(name, new FileState(name, content, target.get().hash(), r.routes(), number, now, false, null));
            lastReloadAt = now;
            String unwritten = "";
            try {
                RouteVersions.writeAtomically(dir.resolve(name), content);
            } catch (IOException e) {
                LOG.atWarn().addKeyValue("event", "route-rollback-not-written").addKeyValue("file", name)
                        .log("Route file {} rolled back to version {}, but {} could not be rewritten ({}); it still holds the newer version",
                                name, number, dir.resolve(name), e.toString());
                unwritten = "; but " + dir.resolve(name) + " could not be rewritten (" + e.getMessage()
                        + ") and still holds the newer version, which a restart would load: copy version " + number
                        + " there by hand";
            }
            LOG.atInfo().addKeyValue("event", "route-rolled-back").addKeyValue("file", name)
                    .log("Route file {} rolled back from version {} to version {}: {}", name, f.version(), number, r.routes().keySet());
            return new RollbackResult(Rollback.ROLLED_BACK, "version " + number + " of " + name + " is running" + unwritten,
                    List.of());
        }
    }

    /**
     * Writes the version that runs back over the file in the routes directory, undoing a refused edit
     * (or a deletion) there; nothing is swapped, so the flows do not even pause.
     */
    public RestoreResult restoreRunningVersion(String name) {
        synchronized (swapLock) {
            FileState f = files.get(name);
            if (f == null) {
                return new RestoreResult(Restore.UNKNOWN_FILE, "no route file named " + name);
            }
            if (f.content() == null) {
                return new RestoreResult(Restore.NOTHING_RUNS, "nothing runs from " + name
                        + " (it was refused when it was new): fix the file or delete it");
            }
            try {
                RouteVersions.writeAtomically(dir.resolve(name), f.content());
            } catch (IOException e) {
                LOG.atWarn().addKeyValue("event", "route-restore-failed").addKeyValue("file", name)
                        .log("Route file {} could not be restored to its running version {}: {}", name, f.version(), e.toString());
                return new RestoreResult(Restore.NOT_WRITTEN, dir.resolve(name) + " could not be written (" + e.getMessage()
                        + "): copy version " + f.version() + " from " + versions.dir().resolve(name) + " there by hand");
            }
            files.put(name, f.onDiskAgain());
            LOG.atInfo().addKeyValue("event", "route-restored").addKeyValue("file", name)
                    .log("Route file {} restored to its running version {}", name, f.version());
            return new RestoreResult(Restore.RESTORED, "version " + f.version() + " of " + name + " is running and on disk again");
        }
    }

    // ---- the swap

    /** Replaces the routes of {@code previous} (null: none) with those of {@code next}; the problems when refused. */
    private List<RouteProblem> install(String name, FileState previous, RouteFileCheck.Result next) {
        List<RouteProblem> problems = new ArrayList<>();
        Set<FileState> takenOver = new LinkedHashSet<>();
        for (Map.Entry<String, Integer> id : next.routes().entrySet()) {
            Optional<FileState> owner = files.values().stream()
                    .filter(f -> !f.name().equals(name) && f.routes().containsKey(id.getKey())).findFirst();
            if (owner.isPresent() && owner.get().deleted()) {
                takenOver.add(owner.get());
            } else if (owner.isPresent()) {
                problems.add(new RouteProblem(next.file(), id.getValue(), "route id '" + id.getKey() + "' is already defined in "
                        + owner.get().name()));
            } else if ((camel.getRoute(id.getKey()) != null || ((ModelCamelContext) camel).getRouteDefinition(id.getKey()) != null)
                    && (previous == null || !previous.routes().containsKey(id.getKey()))) {
                problems.add(new RouteProblem(next.file(), id.getValue(), "route id '" + id.getKey()
                        + "' is taken by one of the gateway's built-in routes"));
            }
        }
        if (!problems.isEmpty()) {
            return problems;
        }
        Set<String> out = new LinkedHashSet<>(previous == null ? Set.of() : previous.routes().keySet());
        takenOver.forEach(f -> out.addAll(f.routes().keySet()));
        try {
            remove(out);
            add(name, next.content());
        } catch (Exception e) {
            Set<String> all = new LinkedHashSet<>(out);
            all.addAll(next.routes().keySet());
            removeQuietly(all);
            restore(previous);
            takenOver.forEach(this::restore);
            String routeId = e instanceof FailedToCreateRouteException c ? c.getRouteId()
                    : e instanceof FailedToStartRouteException s ? s.getRouteId() : null;
            int line = routeId != null && next.routes().containsKey(routeId) ? next.routes().get(routeId) : 1;
            problems.add(new RouteProblem(next.file(), line, (routeId == null ? "" : "route '" + routeId + "': ")
                    + "Camel refused it: " + RouteFileCheck.rootMessage(e)));
            return problems;
        }
        for (FileState f : takenOver) {
            files.put(f.name(), new FileState(f.name(), null, null, Map.of(), f.version(), f.since(), true, null));
        }
        return problems;
    }

    private void add(String name, String content) throws Exception {
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString("file:" + dir.resolve(name), content));
    }

    /** Stops each route gracefully (Camel lets its in-flight exchange finish), then removes it. */
    private void remove(Collection<String> routeIds) throws Exception {
        for (String id : routeIds) {
            if (camel.getRoute(id) != null) {
                camel.getRouteController().stopRoute(id);
                camel.removeRoute(id);
            } else {
                dropDefinition(id);
            }
        }
    }

    private void removeQuietly(Collection<String> routeIds) {
        for (String id : routeIds) {
            try {
                remove(List.of(id));
                // A route that failed to start may have left its definition behind.
                dropDefinition(id);
            } catch (Exception e) {
                LOG.atWarn().addKeyValue("event", "route-remove-failed")
                        .log("Removing route {} failed: {}", id, e.toString());
            }
        }
    }

    private void dropDefinition(String id) throws Exception {
        ModelCamelContext model = (ModelCamelContext) camel;
        RouteDefinition definition = model.getRouteDefinition(id);
        if (definition != null) {
            model.removeRouteDefinition(definition);
        }
    }

    private void restore(FileState f) {
        if (f == null || f.content() == null) {
            return;
        }
        try {
            add(f.name(), f.content());
        } catch (Exception e) {
            LOG.atError().addKeyValue("event", "route-restore-failed").addKeyValue("file", f.name())
                    .log("The previous routes of {} could not be put back either, they are not running: {}", f.name(),
                            RouteFileCheck.rootMessage(e), e);
        }
    }

    private void refuse(String name, FileState current, List<RouteProblem> problems) {
        Refusal r = new Refusal(clock.instant(), List.copyOf(problems));
        files.put(name, current == null ? new FileState(name, null, null, Map.of(), 0, null, false, r) : current.refusedFor(r));
        LOG.atError().addKeyValue("event", "route-refused").addKeyValue("file", name)
                .log("Route file refused, {}: {}", current == null || current.content() == null
                        ? "it is not loaded" : "version " + current.version() + " keeps running", join(problems));
    }

    private static String join(List<RouteProblem> problems) {
        return problems.stream().map(RouteProblem::toString).collect(Collectors.joining("; "));
    }

    // ---- what IT sees

    /** The refused changes (and deleted files) standing now; empty when every file runs as it is on disk. */
    public List<RouteReloadError> errors() {
        List<RouteReloadError> errors = new ArrayList<>();
        for (FileState f : files.values()) {
            if (f.refused() != null) {
                for (RouteProblem p : f.refused().problems()) {
                    errors.add(new RouteReloadError(f.name(), p.line(), p.message(), f.refused().at()));
                }
            }
        }
        return errors;
    }

    /** The running hash of each file, as the watcher starts. */
    Map<String, String> runningHashes() {
        return files.values().stream().filter(f -> f.hash() != null).collect(Collectors.toMap(FileState::name, FileState::hash));
    }

    /** Files whose disappearance matters: something runs from them, or a refusal of them stands. */
    Set<String> present() {
        return files.values().stream().filter(f -> !f.deleted() && (!f.routes().isEmpty() || f.refused() != null))
                .map(FileState::name).collect(Collectors.toSet());
    }

    public boolean knows(String name) {
        return files.containsKey(name);
    }

    /** The {@code routes} section of {@code /admin/v1/status}. */
    public ObjectNode statusJson() {
        ObjectNode n = UpdateJson.MAPPER.createObjectNode();
        ArrayNode errors = n.putArray("reloadErrors");
        for (RouteReloadError e : errors()) {
            ObjectNode item = errors.addObject();
            item.put("file", e.file());
            item.put("line", e.line());
            item.put("message", e.message());
            item.put("at", e.at().toString());
            // What "restore" would write back; null when nothing runs from the file.
            FileState f = files.get(e.file());
            if (f == null || f.content() == null) {
                item.putNull("runningVersion");
            } else {
                item.put("runningVersion", f.version());
            }
        }
        putInstant(n, "lastReloadAt", lastReloadAt);
        return n;
    }

    /** {@code GET /admin/v1/routes}. */
    public ObjectNode toJson() {
        ObjectNode n = UpdateJson.MAPPER.createObjectNode();
        n.put("dir", dir.toString());
        n.put("historyDir", versions.dir().toString());
        n.put("watchIntervalMs", watchIntervalMs);
        putInstant(n, "lastReloadAt", lastReloadAt);
        ArrayNode list = n.putArray("files");
        files.keySet().forEach(name -> list.add(fileJson(name)));
        return n;
    }

    public ObjectNode fileJson(String name) {
        FileState f = files.get(name);
        ObjectNode n = UpdateJson.MAPPER.createObjectNode();
        n.put("file", name);
        ArrayNode routes = n.putArray("routes");
        f.routes().keySet().stream().sorted().forEach(routes::add);
        n.put("version", f.version());
        if (f.hash() == null) {
            n.putNull("hash");
        } else {
            n.put("hash", f.hash());
        }
        putInstant(n, "acceptedAt", f.since());
        n.put("deleted", f.deleted());
        ArrayNode history = n.putArray("history");
        for (RouteVersions.Version v : versions.of(name)) {
            history.addObject().put("version", v.number()).put("hash", v.hash()).put("acceptedAt", v.acceptedAt().toString());
        }
        if (f.refused() == null) {
            n.putNull("refused");
        } else {
            ObjectNode refused = n.putObject("refused");
            refused.put("at", f.refused().at().toString());
            ArrayNode problems = refused.putArray("errors");
            for (RouteProblem p : f.refused().problems()) {
                problems.addObject().put("file", name).put("line", p.line()).put("message", p.message()).put("text", p.toString());
            }
        }
        return n;
    }

    private static void putInstant(ObjectNode n, String field, Instant value) {
        if (value == null) {
            n.putNull(field);
        } else {
            n.put(field, value.toString());
        }
    }

    /** Stops watching; a swap under way finishes first. */
    public void stopWatching() {
        if (watcher != null) {
            watcher.close();
        }
    }

    @Override
    public void close() {
        stopWatching();
        synchronized (swapLock) {
            if (check != null) {
                check.close();
            }
        }
    }
}
