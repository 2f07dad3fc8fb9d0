package io.storegateway.routes;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.NoSuchEndpointException;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.dsl.yaml.common.exception.UnknownNodeIdException;
import org.apache.camel.dsl.yaml.common.exception.UnsupportedFieldException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.BeanDefinition;
import org.apache.camel.model.CircuitBreakerDefinition;
import org.apache.camel.model.ExpressionNode;
import org.apache.camel.model.FilterDefinition;
import org.apache.camel.model.LogDefinition;
import org.apache.camel.model.ProcessDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.model.ValidateDefinition;
import org.apache.camel.model.WhenDefinition;
import org.apache.camel.model.language.ExpressionDefinition;
import org.apache.camel.model.language.MethodCallExpression;
import org.apache.camel.spi.Language;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks a route file without running it: YAML syntax, the file's shape (only {@code - route:}
 * entries, each with an id and a {@code from}), every {@code {{placeholder}}} against the settings,
 * Camel's own reading of the file (unknown EIPs and options), every endpoint (unknown components and
 * options), expressions, and every bean the file names against {@link GatewayBeans}. Each problem
 * comes with the line it is on.
 *
 * <p>Camel reads the file into a context of its own that is never started, so nothing is run, bound
 * or connected. One check is not thread-safe; the gateway serialises its checks.
 */
public final class RouteFileCheck implements AutoCloseable {

    /** The files the gateway loads from the routes directory. */
    public static final String SUFFIX = ".camel.yaml";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(.+?)}}");
    private static final Pattern UNKNOWN_OPTIONS = Pattern.compile("Unknown parameters=\\[\\{(.*)}]");
    private static final Pattern BEAN_OPTION = Pattern.compile("=#(?:bean:)?([A-Za-z_][\\w.-]*)");

    /** What one file holds: its routes (id → line of the id), and what is wrong with it. */
    public record Result(String file, String content, Map<String, Integer> routes, List<RouteProblem> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /** The route files of a directory, and the other YAML files in it that the gateway would not load. */
    public record DirectoryResult(List<Result> files, List<RouteProblem> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private final DefaultCamelContext camel;
    /** The file being checked, to point at the exact line of a name Camel's model only knows by step. */
    private Node root;

    /** @param settings the values {@code {{placeholders}}} resolve against (the gateway's settings) */
    public RouteFileCheck(Properties settings) {
        camel = new DefaultCamelContext();
        camel.getCamelContextExtension().setName("route-file-check");
        camel.getPropertiesComponent().setOverrideProperties(settings);
        camel.build();
    }

    /** Checks every {@code *.camel.yaml} file of a directory, and that no route id is defined in two of them. */
    public DirectoryResult checkDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            return new DirectoryResult(List.of(), List.of(new RouteProblem(dir.toString(), 1, "routes directory not found")));
        }
        List<Path> yaml;
        try (Stream<Path> s = Files.list(dir)) {
            yaml = s.filter(f -> f.getFileName().toString().endsWith(".yaml") || f.getFileName().toString().endsWith(".yml"))
                    .sorted().toList();
        } catch (IOException e) {
            return new DirectoryResult(List.of(), List.of(new RouteProblem(dir.toString(), 1, "cannot list: " + e.getMessage())));
        }
        List<Result> results = new ArrayList<>();
        List<RouteProblem> problems = new ArrayList<>();
        Map<String, String> owners = new LinkedHashMap<>();
        for (Path f : yaml) {
            if (!f.getFileName().toString().endsWith(SUFFIX)) {
                problems.add(new RouteProblem(f.toString(), 1, "not loaded: the gateway loads only *" + SUFFIX + " files"));
                continue;
            }
            String content;
            try {
                content = Files.readString(f, StandardCharsets.UTF_8);
            } catch (IOException | UncheckedIOException e) {
                problems.add(new RouteProblem(f.toString(), 1, "cannot read: " + e.getMessage()));
                continue;
            }
            Result r = check(f.toString(), content);
            List<RouteProblem> all = new ArrayList<>(r.problems());
            r.routes().forEach((id, line) -> {
                String other = owners.putIfAbsent(id, f.getFileName().toString());
                if (other != null) {
                    all.add(new RouteProblem(f.toString(), line, "route id '" + id + "' is already defined in " + other));
                }
            });
            results.add(new Result(r.file(), content, r.routes(), List.copyOf(all)));
            problems.addAll(all);
        }
        return new DirectoryResult(results, problems);
    }

    /** Checks one file's content; {@code file} names it in the problems. */
    public Result check(String file, String content) {
        List<RouteProblem> problems = new ArrayList<>();
        Map<String, Integer> routes = new LinkedHashMap<>();
        Optional<Node> root;
        try {
            root = new Compose(LoadSettings.builder().setLabel(file).build()).composeString(content);
        } catch (MarkedYamlEngineException e) {
            problems.add(new RouteProblem(file, lineOf(e), "YAML syntax: " + e.getProblem()));
            return result(file, content, routes, problems);
        } catch (YamlEngineException e) {
            problems.add(new RouteProblem(file, 1, "YAML syntax: " + e.getMessage()));
            return result(file, content, routes, problems);
        }
        if (root.isEmpty()) {
            return result(file, content, routes, problems);
        }
        this.root = root.get();
        checkShape(file, root.get(), routes, problems);
        if (!problems.isEmpty()) {
            return result(file, content, routes, problems);
        }
        checkPlaceholders(file, root.get(), problems);
        List<RouteDefinition> definitions = readWithCamel(file, content, root.get(), problems);
        for (RouteDefinition route : definitions) {
            checkEndpoint(file, route.getInput().getLineNumber(), route.getInput().getEndpointUri(), problems);
            checkSteps(file, route.getOutputs(), problems);
        }
        return result(file, content, routes, problems);
    }

    private static Result result(String file, String content, Map<String, Integer> routes, List<RouteProblem> problems) {
        problems.sort((a, b) -> Integer.compare(a.line(), b.line()));
        return new Result(file, content, Map.copyOf(routes), List.copyOf(problems));
    }

    // ---- the file's shape

    private static void checkShape(String file, Node root, Map<String, Integer> routes, List<RouteProblem> problems) {
        if (!(root instanceof SequenceNode list)) {
            problems.add(new RouteProblem(file, line(root), "a route file is a YAML list of '- route:' entries"));
            return;
        }
        for (Node item : list.getValue()) {
            if (!(item instanceof MappingNode entry) || entry.getValue().size() != 1
                    || !(entry.getValue().get(0).getKeyNode() instanceof ScalarNode key)) {
                problems.add(new RouteProblem(file, line(item), "each entry of a route file is one '- route:'"));
                continue;
            }
            if (!key.getValue().equals("route")) {
                // Beans, REST and route configurations would outlive a reload of the file that made them.
                problems.add(new RouteProblem(file, line(item), "only '- route:' entries may be in a route file, not '"
                        + key.getValue() + "'"));
                continue;
            }
            Node route = entry.getValue().get(0).getValueNode();
            Optional<Node> id = value(route, "id");
            if (id.isEmpty() || !(id.get() instanceof ScalarNode idText) || idText.getValue().isBlank()) {
                problems.add(new RouteProblem(file, line(item), "route has no id"));
                continue;
            }
            if (routes.putIfAbsent(idText.getValue(), line(id.get())) != null) {
                problems.add(new RouteProblem(file, line(id.get()), "route id '" + idText.getValue() + "' is used twice in this file"));
            }
            if (value(route, "from").isEmpty()) {
                problems.add(new RouteProblem(file, line(item), "route '" + idText.getValue() + "' has no 'from'"));
            }
        }
    }

    // ---- placeholders

    private void checkPlaceholders(String file, Node node, List<RouteProblem> problems) {
        if (node instanceof ScalarNode s) {
            Matcher m = PLACEHOLDER.matcher(s.getValue());
            while (m.find()) {
                try {
                    camel.resolvePropertyPlaceholders(m.group());
                } catch (RuntimeException e) {
                    problems.add(new RouteProblem(file, line(s), "unresolvable placeholder " + m.group()
                            + ": no such setting in the config and no default (write {{" + m.group(1) + ":default}})"));
                }
            }
        } else if (node instanceof SequenceNode seq) {
            seq.getValue().forEach(n -> checkPlaceholders(file, n, problems));
        } else if (node instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                checkPlaceholders(file, t.getKeyNode(), problems);
                checkPlaceholders(file, t.getValueNode(), problems);
            }
        }
    }

    // ---- Camel's reading: unknown EIPs and options

    private List<RouteDefinition> readWithCamel(String file, String content, Node root, List<RouteProblem> problems) {
        String location = "file:" + (file.endsWith(".yaml") ? file : file + ".yaml");
        try {
            List<RouteDefinition> routes = new ArrayList<>();
            for (RoutesBuilder builder : PluginHelper.getRoutesLoader(camel)
                    .findRoutesBuilders(List.of(ResourceHelper.fromString(location, content)))) {
                if (builder instanceof RouteBuilder rb) {
                    rb.configureRoutes(camel);
                    routes.addAll(rb.getRouteCollection().getRoutes());
                }
            }
            return routes;
        } catch (Exception e) {
            MarkedYamlEngineException marked = causeOfType(e, MarkedYamlEngineException.class);
            if (marked == null) {
                problems.add(new RouteProblem(file, 1, rootMessage(e)));
            } else {
                problems.add(new RouteProblem(file, lineOf(marked), explain(marked, root)));
            }
            return List.of();
        }
    }

    private static String explain(MarkedYamlEngineException e, Node root) {
        String problem = e.getProblem() == null ? e.getMessage() : e.getProblem();
        String name = problem.substring(problem.indexOf(':') + 1).trim();
        if (e instanceof UnknownNodeIdException) {
            return "unknown EIP or step '" + name + "'";
        }
        if (e instanceof UnsupportedFieldException) {
            String parent = parentKey(root, lineOf(e), name, null);
            return parent == null ? "unknown option '" + name + "'" : "'" + parent + "' has no option '" + name + "'";
        }
        return problem;
    }

    /** The key whose mapping holds the key {@code name} on {@code line}: the step an unknown option was given to. */
    private static String parentKey(Node node, int line, String name, String parent) {
        if (node instanceof SequenceNode seq) {
            for (Node n : seq.getValue()) {
                String found = parentKey(n, line, name, parent);
                if (found != null) {
                    return found;
                }
            }
        } else if (node instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k) {
                    if (k.getValue().equals(name) && line(k) == line) {
                        return parent;
                    }
                    String found = parentKey(t.getValueNode(), line, name, k.getValue());
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return null;
    }

    // ---- endpoints, beans and expressions

    private void checkSteps(String file, List<ProcessorDefinition<?>> steps, List<RouteProblem> problems) {
        for (ProcessorDefinition<?> step : steps) {
            int line = step.getLineNumber();
            if (step instanceof SendDefinition<?> send) {
                checkEndpoint(file, line, send.getEndpointUri(), problems);
            }
            if (step instanceof BeanDefinition bean) {
                checkBean(file, line, bean.getRef(), bean.getMethod(), problems);
            }
            if (step instanceof ProcessDefinition process) {
                checkBean(file, line, process.getRef(), null, problems);
            }
            if (step instanceof CircuitBreakerDefinition breaker) {
                checkBean(file, line, breaker.getConfiguration(), null, problems);
                if (breaker.getResilience4jConfiguration() != null) {
                    checkBean(file, line, breaker.getResilience4jConfiguration().getCircuitBreaker(), null, problems);
                    checkBeanType(file, line, breaker.getResilience4jConfiguration().getCircuitBreaker(),
                            CircuitBreaker.class, problems);
                    checkBean(file, line, breaker.getResilience4jConfiguration().getConfig(), null, problems);
                }
                if (breaker.getOnFallback() != null) {
                    checkSteps(file, breaker.getOnFallback().getOutputs(), problems);
                }
            }
            if (step instanceof ExpressionNode node && node.getExpression() != null) {
                boolean predicate = step instanceof FilterDefinition || (Object) step instanceof WhenDefinition
                        || step instanceof ValidateDefinition;
                checkExpression(file, line, node.getExpression(), predicate, problems);
            }
            if (step instanceof LogDefinition log && log.getMessage() != null) {
                compile(file, line, "simple", log.getMessage(), false, problems);
            }
            checkSteps(file, step.getOutputs(), problems);
        }
    }

    private void checkEndpoint(String file, int line, String rawUri, List<RouteProblem> problems) {
        if (rawUri == null) {
            return;
        }
        Optional<String> resolved = resolved(rawUri);
        if (resolved.isEmpty() || resolved.get().contains("${")) {
            return; // an unresolvable placeholder is reported already; a dynamic uri is only known at run time
        }
        String uri = resolved.get();
        String scheme = uri.contains(":") ? uri.substring(0, uri.indexOf(':')) : uri;
        if (scheme.equals("bean") || scheme.equals("class")) {
            String rest = uri.substring(scheme.length() + 1);
            String name = rest.contains("?") ? rest.substring(0, rest.indexOf('?')) : rest;
            Matcher method = Pattern.compile("[?&]method=([^&]+)").matcher(rest);
            if (scheme.equals("bean")) {
                checkBean(file, line, name, method.find() ? method.group(1) : null, problems);
            }
            return;
        }
        Matcher refs = BEAN_OPTION.matcher(uri);
        while (refs.find()) {
            if (!refs.group(1).startsWith("class:") && !refs.group(1).startsWith("type:")) {
                checkBean(file, line, refs.group(1), null, problems);
            }
        }
        try {
            camel.getEndpoint(uri);
        } catch (NoSuchEndpointException e) {
            problems.add(new RouteProblem(file, line, "endpoint '" + rawUri + "': no Camel component '" + scheme
                    + "' in this gateway"));
        } catch (RuntimeException e) {
            Matcher unknown = UNKNOWN_OPTIONS.matcher(String.valueOf(e.getMessage()));
            if (unknown.find()) {
                List<String> names = Arrays.stream(unknown.group(1).split(",\\s*"))
                        .map(kv -> kv.contains("=") ? kv.substring(0, kv.indexOf('=')) : kv).toList();
                String base = rawUri.contains("?") ? rawUri.substring(0, rawUri.indexOf('?')) : rawUri;
                problems.add(new RouteProblem(file, lineOfScalar(names.get(0), line), "endpoint '" + base + "': unknown option"
                        + (names.size() > 1 ? "s " : " ") + String.join(", ", names) + " for component '" + scheme + "'"));
            } else {
                problems.add(new RouteProblem(file, line, "endpoint '" + rawUri + "': " + rootMessage(e)));
            }
        }
    }

    private void checkBean(String file, int stepLine, String ref, String method, List<RouteProblem> problems) {
        if (ref == null || ref.isBlank() || ref.contains("{{")) {
            return;
        }
        int line = lineOfScalar(ref, stepLine);
        String name = ref.startsWith("#bean:") ? ref.substring(6) : ref.startsWith("#") ? ref.substring(1) : ref;
        Optional<GatewayBeans.Bean> bean = GatewayBeans.named(name);
        if (bean.isEmpty()) {
            problems.add(new RouteProblem(file, line, "unknown bean '" + name + "'; the gateway has: " + GatewayBeans.names()));
            return;
        }
        if (method == null || method.isBlank()) {
            return;
        }
        String methodName = method.contains("(") ? method.substring(0, method.indexOf('(')).trim() : method.trim();
        boolean exists = Arrays.stream(bean.get().type().getMethods()).map(Method::getName).anyMatch(methodName::equals);
        if (!exists) {
            problems.add(new RouteProblem(file, lineOfScalar(method, stepLine), "bean '" + name + "' has no method '" + methodName + "'"));
        }
    }

    private void checkBeanType(String file, int stepLine, String ref, Class<?> type, List<RouteProblem> problems) {
        Optional<GatewayBeans.Bean> bean = ref == null ? Optional.empty() : GatewayBeans.named(ref);
        if (bean.isPresent() && !type.isAssignableFrom(bean.get().type())) {
            problems.add(new RouteProblem(file, lineOfScalar(ref, stepLine), "bean '" + ref + "' is a "
                    + bean.get().type().getSimpleName() + ", not a " + type.getSimpleName()));
        }
    }

    private void checkExpression(String file, int line, ExpressionDefinition expression, boolean predicate,
                                 List<RouteProblem> problems) {
        if (expression instanceof MethodCallExpression call) {
            checkBean(file, line, call.getRef(), call.getMethod(), problems);
        } else if (expression.getLanguage() != null && expression.getExpression() != null) {
            compile(file, line, expression.getLanguage(), expression.getExpression(), predicate, problems);
        }
    }

    private void compile(String file, int line, String languageName, String text, boolean predicate,
                         List<RouteProblem> problems) {
        Optional<String> resolved = resolved(text);
        if (resolved.isEmpty()) {
            return;
        }
        Language language;
        try {
            language = camel.resolveLanguage(languageName);
        } catch (RuntimeException e) {
            problems.add(new RouteProblem(file, line, "language '" + languageName + "' is not available in this gateway"));
            return;
        }
        try {
            if (predicate) {
                language.createPredicate(resolved.get());
            } else {
                language.createExpression(resolved.get());
            }
        } catch (RuntimeException e) {
            problems.add(new RouteProblem(file, line, languageName + " expression '" + text + "': "
                    + rootMessage(e).lines().findFirst().orElse("")));
        }
    }

    private Optional<String> resolved(String text) {
        try {
            return Optional.of(camel.resolvePropertyPlaceholders(text));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    // ---- helpers

    /** The line of the first scalar (key or value) that is exactly {@code text}, at or after {@code from}; else {@code from}. */
    private int lineOfScalar(String text, int from) {
        List<Node> todo = new ArrayList<>(List.of(root));
        int best = Integer.MAX_VALUE;
        while (!todo.isEmpty()) {
            Node n = todo.remove(todo.size() - 1);
            if (n instanceof ScalarNode s && s.getValue().equals(text) && line(s) >= from) {
                best = Math.min(best, line(s));
            } else if (n instanceof SequenceNode seq) {
                todo.addAll(seq.getValue());
            } else if (n instanceof MappingNode map) {
                map.getValue().forEach(t -> {
                    todo.add(t.getKeyNode());
                    todo.add(t.getValueNode());
                });
            }
        }
        return best == Integer.MAX_VALUE ? from : best;
    }

    private static Optional<Node> value(Node mapping, String key) {
        if (mapping instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                    return Optional.of(t.getValueNode());
                }
            }
        }
        return Optional.empty();
    }

    private static int line(Node n) {
        return n.getStartMark().map(m -> m.getLine() + 1).orElse(1);
    }

    private static int lineOf(MarkedYamlEngineException e) {
        return e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(1);
    }

    private static <T extends Throwable> T causeOfType(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof ClassNotFoundException) {
            return "no such class: " + root.getMessage();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    @Override
    public void close() {
        camel.stop();
    }
}
