package io.storegateway.hq.simulator;

import io.storegateway.config.GatewaySettings;
import io.storegateway.hq.HqJson;
import io.storegateway.hq.ProductRecord;
import io.storegateway.hq.UpdateResult;
import io.storegateway.hq.simulator.SimulatedFaults.Mode;
import io.storegateway.hq.simulator.SimulatedStore.ChangesPage;
import io.storegateway.hq.simulator.SimulatedStore.HqEdit;
import io.storegateway.hq.simulator.SimulatedStore.InventoryPage;
import io.storegateway.security.GatewayTls;
import io.storegateway.security.KeyStoreFile;
import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The reference HQ of docs/HQ-PROTOCOL.md on a real socket: the protocol under {@code /hq/}, and under
 * {@code /sim/} the knobs to inject faults and to make edits at HQ. State lives in memory and
 * survives {@link #stop()} and a later {@link #start()} on the same port.
 */
public final class HqSimulator {

    private static final Logger LOG = LoggerFactory.getLogger(HqSimulator.class);

    static {
        // The JDK server writes headers and body separately; with Nagle on, each keep-alive answer
        // then waits ~40 ms for the client's delayed ACK. Read once, when the first server is made.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** The simulator serves HTTPS with this PKCS12 key store (password: {@code hq.tls.keystore-password}). */
    public static final String TLS_KEYSTORE = "hq.tls.keystore";
    /** Set: the simulator asks for a client certificate that chains to this trust store (mutual TLS). */
    public static final String TLS_CLIENT_TRUSTSTORE = "hq.tls.client-truststore";
    static final int WORKER_THREADS = 16;
    static final int ACCEPT_BACKLOG = 1024;
    static final int DEFAULT_PAGE_SIZE = 500;
    static final int MAX_PAGE_SIZE = 5000;
    static final int MAX_CHANGES_PER_CALL = 1000;
    static final long DEMO_QUANTITY = 100;

    private static final List<String> DEMO_PRODUCTS = List.of(
            "Apples", "Bananas", "Bread", "Butter", "Cheese", "Coffee", "Eggs", "Flour", "Milk", "Olive oil",
            "Pasta", "Rice", "Salt", "Sugar", "Tea", "Tomatoes", "Yoghurt", "Orange juice", "Honey", "Chocolate");

    private final ConcurrentMap<String, SimulatedStore> stores = new ConcurrentHashMap<>();
    private volatile SimulatedFaults faults = SimulatedFaults.NONE;
    private final Set<String> refusedSkus = ConcurrentHashMap.newKeySet();
    private final Set<String> refusedForcedSkus = ConcurrentHashMap.newKeySet();
    private volatile String requiredToken;
    private volatile Map<String, String> lastBatchHeaders = Map.of();
    private volatile BiConsumer<Map<String, String>, List<UpdateResult>> onAnswered = (headers, results) -> { };
    private final Set<String> otherTokens = ConcurrentHashMap.newKeySet();
    private volatile ScheduledExecutorService workers;
    private HttpServer server;
    private int port;
    /** Set: HTTPS with this context; {@code requireClientCertificate}: mutual TLS. */
    private SSLContext tls;
    private boolean requireClientCertificate;

    private final List<Route> hqRoutes = List.of(
            new Route("GET", "hq/v1/health", (req, params) -> answerHealth(req)),
            new Route("POST", "hq/v1/stores/{}/updates", this::postUpdates),
            new Route("GET", "hq/v1/stores/{}/inventory", this::getInventory),
            new Route("GET", "hq/v1/stores/{}/changes", this::getChanges));
    private final List<Route> simRoutes = List.of(
            new Route("GET", "sim/v1/faults", (req, params) -> req.reply(200, faults.toJson())),
            new Route("POST", "sim/v1/faults", (req, params) -> postFaults(req)),
            new Route("PUT", "sim/v1/stores/{}/products/{}", this::putProduct));

    /** @param port the port to listen on; 0 picks a free one, kept for later restarts */
    public HqSimulator(int port) {
        this.port = port;
    }

    // ---- lifecycle ----

    public synchronized HqSimulator start() {
        if (server != null) {
            return this;
        }
        // One pool both runs the handlers and times delayed answers, so a slow or held
        // request costs a scheduled task, not a blocked thread.
        ScheduledExecutorService pool = Executors.newScheduledThreadPool(WORKER_THREADS, workerThreads());
        try {
            HttpServer http = tls == null ? HttpServer.create(new InetSocketAddress(port), ACCEPT_BACKLOG)
                    : httpsServer();
            http.createContext("/", this::handle);
            http.setExecutor(pool);
            workers = pool;
            http.start();
            server = http;
            port = http.getAddress().getPort();
        } catch (IOException e) {
            pool.shutdownNow();
            throw new UncheckedIOException("HQ simulator cannot listen on port " + port, e);
        }
        LOG.atInfo().addKeyValue("event", "simulator-up").log("HQ simulator listening on {}", url());
        return this;
    }

    private HttpsServer httpsServer() throws IOException {
        HttpsServer https = HttpsServer.create(new InetSocketAddress(port), ACCEPT_BACKLOG);
        boolean needClientAuth = requireClientCertificate;
        https.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
                var ssl = getSSLContext().getDefaultSSLParameters();
                ssl.setNeedClientAuth(needClientAuth);
                params.setSSLParameters(ssl);
            }
        });
        return https;
    }

    /**
     * Serves HTTPS from the next {@link #start()} on when {@code hq.tls.keystore} is set (PKCS12, password
     * {@code hq.tls.keystore-password}); with {@code hq.tls.client-truststore} set too, a client must
     * present a certificate that chains to it, or the handshake fails (mutual TLS).
     */
    public synchronized HqSimulator useTls(GatewaySettings settings) {
        KeyStoreFile.of(settings, TLS_KEYSTORE).ifPresent(keys -> {
            Optional<KeyStoreFile> clients = KeyStoreFile.of(settings, TLS_CLIENT_TRUSTSTORE);
            tls = GatewayTls.serverContext(keys, clients);
            requireClientCertificate = clients.isPresent();
        });
        return this;
    }

    /** Closes the socket (clients get connection refused) and drops requests in flight; state is kept. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.stop(0);
        workers.shutdownNow();
        server = null;
        LOG.atInfo().addKeyValue("event", "simulator-stopped").log("HQ simulator on port {} stopped", port);
    }

    public synchronized int port() {
        return port;
    }

    public synchronized String url() {
        return (tls == null ? "http" : "https") + "://localhost:" + port;
    }

    // ---- state, for the CLI, the demo and tests ----

    /** Puts records as given (versions untouched, nothing in the changes log). */
    public void seed(String storeId, Collection<ProductRecord> records) {
        store(storeId).seed(records);
    }

    /** SKU-0001 … SKU-{count}: grocery names, prices between 0.99 and 19.98, quantity 100, version 1. */
    public void seedDemoCatalogue(String storeId, int count) {
        Instant now = Instant.now();
        List<ProductRecord> records = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            records.add(new ProductRecord(String.format("SKU-%04d", i), demoName(i), demoPrice(i),
                    DEMO_QUANTITY, 1, now, false));
        }
        seed(storeId, records);
    }

    private static String demoName(int i) {
        int round = (i - 1) / DEMO_PRODUCTS.size();
        String name = DEMO_PRODUCTS.get((i - 1) % DEMO_PRODUCTS.size());
        return round == 0 ? name : name + " " + (round + 1);
    }

    private static BigDecimal demoPrice(int i) {
        return BigDecimal.valueOf(99 + (i * 137L) % 1900, 2);
    }

    /** The product as HQ holds it, deleted ones included. */
    public Optional<ProductRecord> product(String storeId, String sku) {
        SimulatedStore store = stores.get(storeId);
        return store == null ? Optional.empty() : store.product(sku);
    }

    /** All products of the store sorted by sku, deleted ones included. */
    public List<ProductRecord> inventory(String storeId) {
        SimulatedStore store = stores.get(storeId);
        return store == null ? List.of() : store.inventory();
    }

    /** Updates applied for the store; duplicates, conflicts and rejections do not count. */
    public int appliedCount(String storeId) {
        SimulatedStore store = stores.get(storeId);
        return store == null ? 0 : store.appliedCount();
    }

    /** The ids of the updates applied to one product, in the order HQ applied them (tests check per-SKU order with it). */
    public List<String> appliedOrder(String storeId, String sku) {
        SimulatedStore store = stores.get(storeId);
        return store == null ? List.of() : store.appliedOrder(sku);
    }

    /**
     * An edit at HQ, as {@code PUT /sim/v1/stores/{storeId}/products/{sku}}: the record's name and
     * price replace the current ones unless null; its quantity and deleted flag always apply.
     * Bumps the version and appears in the changes feed.
     */
    public ProductRecord editAtHq(String storeId, ProductRecord partial) {
        HqEdit edit = new HqEdit(partial.name(), partial.price(), partial.quantity(), partial.deleted());
        return store(storeId).editAtHq(partial.sku(), edit, Instant.now());
    }

    /**
     * @param mode      none, down, error, timeout or ack-lost
     * @param rate      share of requests that suffer error, timeout or ack-lost, 0.0 to 1.0
     * @param latencyMs delay before every /hq/ request is handled (0 = none), so a client that gives
     *                  up sooner may still find its batch applied; for timeout, how long a request is held
     * @throws IllegalArgumentException for an unknown mode or a value out of range
     */
    public void setFault(String mode, double rate, long latencyMs) {
        faults = SimulatedFaults.of(mode, rate, latencyMs);
        LOG.atInfo().addKeyValue("event", "simulator-faults").log("HQ simulator faults now {}", faults.toJson());
    }

    /**
     * Makes HQ refuse, with 422 for the whole batch, every batch that holds an update of this SKU:
     * how a real HQ answers an update it cannot take at all. For tests of the gateway's narrowing.
     */
    public void refuseBatchesWithSku(String sku) {
        refusedSkus.add(sku);
    }

    /** The bearer token /hq/v1/stores/… requires, or null when open. */
    /** A header of the last batch of updates posted (what an edited route sends, for tests). */
    public Optional<String> lastBatchHeader(String name) {
        return Optional.ofNullable(lastBatchHeaders.get(name.toLowerCase(Locale.ROOT)));
    }

    /**
     * Called with HQ's results to each batch of updates, after they are applied and before the answer
     * goes out (the benchmark times an update's way through the gateway with it). Keep it quick.
     */
    public void whenAnswered(Consumer<List<UpdateResult>> listener) {
        this.onAnswered = (headers, results) -> listener.accept(results);
    }

    /** The same, also given the request's headers (names in lower case), e.g. to tell which gateway sent a batch. */
    public void whenAnswered(BiConsumer<Map<String, String>, List<UpdateResult>> listener) {
        this.onAnswered = listener;
    }

    public String requiredToken() {
        return requiredToken;
    }

    /** @param token the bearer token /hq/v1/stores/… will require; null opens them */
    public void setRequiredToken(String token) {
        this.requiredToken = token;
    }

    /** A further bearer token /hq/v1/stores/… accept while a token is required (one per gateway, so tests can tell them apart). */
    public void acceptAlso(String token) {
        otherTokens.add(token);
    }

    private SimulatedStore store(String storeId) {
        return stores.computeIfAbsent(storeId, id -> new SimulatedStore());
    }

    // ---- request handling ----

    private void handle(HttpExchange exchange) {
        SimExchange req = new SimExchange(exchange);
        guarded(req, () -> {
            if (req.path().startsWith("/hq/")) {
                handleHq(req);
            } else {
                dispatch(req, simRoutes);
            }
        });
    }

    /** Faults strike here, before anything is read or applied. */
    private void handleHq(SimExchange req) throws IOException {
        SimulatedFaults now = faults;
        if (now.strikes(Mode.TIMEOUT)) {
            workers.schedule(req::drop, now.timeoutHoldMs(), TimeUnit.MILLISECONDS);
        } else if (now.latencyMs() > 0) {
            workers.schedule(() -> guarded(req, () -> answerHq(req, now)), now.latencyMs(), TimeUnit.MILLISECONDS);
        } else {
            answerHq(req, now);
        }
    }

    private void answerHq(SimExchange req, SimulatedFaults now) throws IOException {
        if (now.mode() == Mode.DOWN) {
            req.fail(503, "down", "HQ is down (simulated)");
        } else if (now.strikes(Mode.ERROR)) {
            req.fail(500, "internal_error", "HQ failed (simulated)");
        } else if (isStorePath(req) && !isAuthorized(req)) {
            req.setHeader("WWW-Authenticate", "Bearer");
            req.fail(401, "unauthorized", "missing or wrong bearer token");
        } else {
            dispatch(req, hqRoutes);
        }
    }

    private static boolean isStorePath(SimExchange req) {
        List<String> s = req.pathSegments();
        return s.size() >= 3 && s.get(0).equals("hq") && s.get(1).equals("v1") && s.get(2).equals("stores");
    }

    private boolean isAuthorized(SimExchange req) {
        String token = requiredToken;
        if (token == null) {
            return true;
        }
        String given = req.header("Authorization");
        if (given == null) {
            return false;
        }
        boolean ok = MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), ("Bearer " + token).getBytes(StandardCharsets.UTF_8));
        for (String other : otherTokens) {
            ok |= MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), ("Bearer " + other).getBytes(StandardCharsets.UTF_8));
        }
        return ok;
    }

    private void dispatch(SimExchange req, List<Route> routes) throws IOException {
        List<String> allowed = new ArrayList<>();
        for (Route route : routes) {
            Optional<List<String>> params = route.match(req.pathSegments());
            if (params.isEmpty()) {
                continue;
            }
            if (route.method().equals(req.method())) {
                route.handler().handle(req, params.get());
                return;
            }
            allowed.add(route.method());
        }
        if (allowed.isEmpty()) {
            req.fail(404, "not_found", "no endpoint at " + req.path());
        } else {
            req.setHeader("Allow", String.join(", ", allowed));
            req.fail(405, "method_not_allowed", req.method() + " is not allowed on " + req.path());
        }
    }

    /** Answers whatever went wrong, so no exchange is ever left open by accident. */
    private void guarded(SimExchange req, Action action) {
        try {
            action.run();
        } catch (Rejection e) {
            answerQuietly(req, e.status, e.error, e.getMessage());
        } catch (IllegalArgumentException e) {
            answerQuietly(req, 400, "bad_request", e.getMessage());
        } catch (IOException e) {
            // Mostly a client that gave up before a delayed answer.
            LOG.debug("HQ simulator could not answer {} {}: {}", req.method(), req.path(), e.toString());
            req.drop();
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("event", "simulator-failed")
                    .log("HQ simulator failed on {} {}", req.method(), req.path(), e);
            answerQuietly(req, 500, "internal_error", String.valueOf(e.getMessage()));
        }
    }

    private static void answerQuietly(SimExchange req, int status, String error, String message) {
        try {
            req.fail(status, error, message);
        } catch (IOException | RuntimeException e) {
            req.drop();
        }
    }

    // ---- /hq/ endpoints ----

    private static void answerHealth(SimExchange req) throws IOException {
        req.reply(200, UpdateJson.MAPPER.createObjectNode().put("status", "UP"));
    }

    /**
     * Makes HQ refuse, with 422 for the whole batch, every batch that holds a forced update (the store's
     * winning change sent again, {@code "force": true}) of this SKU: an HQ whose own rules forbid
     * overriding that product. For tests of forced re-sends.
     */
    public void refuseForcedUpdatesOf(String sku) {
        refusedForcedSkus.add(sku);
    }

    /** The Idempotency-Key header needs no handling: per-updateId dedupe already makes a resent batch harmless. */
    private void postUpdates(SimExchange req, List<String> params) throws IOException {
        lastBatchHeaders = req.headers();
        List<InventoryUpdate> updates = parseUpdates(readJson(req));
        for (int i = 0; i < updates.size(); i++) {
            if (refusedSkus.contains(updates.get(i).sku())) {
                throw Rejection.invalidUpdate("updates[" + i + "]: HQ refuses updates of sku " + updates.get(i).sku());
            }
            if (updates.get(i).force() && refusedForcedSkus.contains(updates.get(i).sku())) {
                throw Rejection.invalidUpdate("updates[" + i + "]: HQ refuses to let a store override sku " + updates.get(i).sku());
            }
        }
        List<UpdateResult> results = store(params.get(0)).applyBatch(updates, Instant.now());
        onAnswered.accept(req.headers(), results);
        if (faults.strikes(Mode.ACK_LOST)) {
            req.drop();
            return;
        }
        ArrayNode json = UpdateJson.MAPPER.createArrayNode();
        results.forEach(r -> json.add(HqJson.toJson(r)));
        ObjectNode answer = UpdateJson.MAPPER.createObjectNode();
        answer.set("results", json);
        req.reply(200, answer);
    }

    /** The whole batch is checked before any of it applies, so a bad update leaves the store untouched. */
    private static List<InventoryUpdate> parseUpdates(JsonNode body) {
        JsonNode list = body.get("updates");
        if (list == null || !list.isArray()) {
            throw Rejection.badRequest("body must be {\"updates\":[…]}");
        }
        List<InventoryUpdate> updates = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            updates.add(parseUpdate(list.get(i), i));
        }
        return updates;
    }

    private static InventoryUpdate parseUpdate(JsonNode node, int index) {
        for (String field : List.of("updateId", "type", "sku", "occurredAt")) {
            if (!node.path(field).isTextual() || node.get(field).asText().isBlank()) {
                throw Rejection.invalidUpdate("updates[" + index + "]." + field + " is missing");
            }
        }
        try {
            return UpdateJson.fromTrustedJson(node);
        } catch (RuntimeException e) {
            throw Rejection.invalidUpdate("updates[" + index + "] is not a valid update: " + e.getMessage());
        }
    }

    private void getInventory(SimExchange req, List<String> params) throws IOException {
        String after = req.query("after");
        int limit = Math.min(positiveInt(req, "limit", DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
        InventoryPage page = store(params.get(0)).page(after == null || after.isEmpty() ? null : after, limit);
        ObjectNode answer = UpdateJson.MAPPER.createObjectNode();
        answer.set("items", records(page.items()));
        answer.put("next", page.next());
        req.reply(200, answer);
    }

    private void getChanges(SimExchange req, List<String> params) throws IOException {
        String since = req.query("since");
        long from = since == null || since.isEmpty() ? 0 : cursor(since);
        ChangesPage page = store(params.get(0)).changesSince(from, MAX_CHANGES_PER_CALL);
        ObjectNode answer = UpdateJson.MAPPER.createObjectNode();
        answer.set("changes", records(page.changes()));
        answer.put("cursor", Long.toString(page.cursor()));
        req.reply(200, answer);
    }

    private static long cursor(String since) {
        try {
            long cursor = Long.parseLong(since);
            if (cursor >= 0) {
                return cursor;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw Rejection.badRequest("since must be a cursor from an earlier answer, not " + since);
    }

    private static int positiveInt(SimExchange req, String name, int fallback) {
        String value = req.query(name);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw Rejection.badRequest(name + " must be a positive number, not " + value);
    }

    private static ArrayNode records(List<ProductRecord> records) {
        ArrayNode json = UpdateJson.MAPPER.createArrayNode();
        records.forEach(r -> json.add(HqJson.toJson(r)));
        return json;
    }

    // ---- /sim/ endpoints ----

    private void postFaults(SimExchange req) throws IOException {
        JsonNode body = readJson(req);
        if (!body.path("mode").isTextual()) {
            throw Rejection.badRequest("mode is required: none, down, error, timeout or ack-lost");
        }
        double rate = body.has("rate") ? number(body, "rate").doubleValue() : 1.0;
        long latencyMs = body.has("latencyMs") ? wholeNumber(body, "latencyMs") : 0;
        setFault(body.get("mode").asText(), rate, latencyMs);
        req.reply(200, faults.toJson());
    }

    private void putProduct(SimExchange req, List<String> params) throws IOException {
        JsonNode body = readJson(req);
        HqEdit edit = new HqEdit(
                text(body, "name"),
                body.hasNonNull("price") ? number(body, "price") : null,
                body.hasNonNull("quantity") ? wholeNumber(body, "quantity") : null,
                body.hasNonNull("deleted") ? bool(body, "deleted") : null);
        ProductRecord edited = store(params.get(0)).editAtHq(params.get(1), edit, Instant.now());
        req.reply(200, HqJson.toJson(edited));
    }

    // ---- request bodies ----

    private static JsonNode readJson(SimExchange req) throws IOException {
        JsonNode body;
        try {
            body = UpdateJson.MAPPER.readTree(req.body());
        } catch (JsonProcessingException e) {
            throw Rejection.badRequest("body is not valid JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) {
            throw Rejection.badRequest("body must be a JSON object");
        }
        return body;
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw Rejection.badRequest(field + " must be a string");
        }
        return v.asText();
    }

    /** Accepts a JSON number or a numeric string, as prices often travel as strings. */
    private static BigDecimal number(JsonNode body, String field) {
        JsonNode v = body.get(field);
        try {
            if (v.isNumber() || v.isTextual()) {
                return new BigDecimal(v.asText());
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw Rejection.badRequest(field + " must be a number");
    }

    private static long wholeNumber(JsonNode body, String field) {
        try {
            return number(body, field).longValueExact();
        } catch (ArithmeticException e) {
            throw Rejection.badRequest(field + " must be a whole number");
        }
    }

    private static boolean bool(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (!v.isBoolean()) {
            throw Rejection.badRequest(field + " must be true or false");
        }
        return v.booleanValue();
    }

    private static ThreadFactory workerThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread t = new Thread(task, "hq-simulator-" + count.incrementAndGet());
            t.setDaemon(true); // a forgotten simulator must not keep a test JVM alive
            return t;
        };
    }

    @FunctionalInterface
    private interface Action {
        void run() throws IOException;
    }

    @FunctionalInterface
    private interface Handler {
        void handle(SimExchange req, List<String> params) throws IOException;
    }

    /** An endpoint: method, path pattern with {} for a variable segment, and what answers it. */
    private record Route(String method, List<String> pattern, Handler handler) {

        Route(String method, String pattern, Handler handler) {
            this(method, List.of(pattern.split("/")), handler);
        }

        /** The path's values at the {} places, or empty when the path has another shape. */
        Optional<List<String>> match(List<String> segments) {
            if (segments.size() != pattern.size()) {
                return Optional.empty();
            }
            List<String> params = new ArrayList<>(2);
            for (int i = 0; i < pattern.size(); i++) {
                if (pattern.get(i).equals("{}")) {
                    params.add(segments.get(i));
                } else if (!pattern.get(i).equals(segments.get(i))) {
                    return Optional.empty();
                }
            }
            return Optional.of(params);
        }
    }

    /** A request HQ refuses with a 4xx and the protocol's error body. */
    private static final class Rejection extends RuntimeException {
        final int status;
        final String error;

        private Rejection(int status, String error, String message) {
            super(message, null, false, false);
            this.status = status;
            this.error = error;
        }

        static Rejection badRequest(String message) {
            return new Rejection(400, "bad_request", message);
        }

        /** 422, so the gateway narrows the batch down to the update at fault. */
        static Rejection invalidUpdate(String message) {
            return new Rejection(422, "invalid_update", message);
        }
    }
}
