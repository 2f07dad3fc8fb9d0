package io.storegateway.cli;

import io.storegateway.config.GatewaySettings;
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
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code validate}: checks the config file and the route files offline, printing one
 * {@code file:line: message} per problem. This first version checks YAML syntax, the shape of each
 * route (a list of route entries with an id, unique across files) and that numeric settings parse.
 */
final class ConfigValidator {

    private final PrintStream out;
    private final List<String> problems = new ArrayList<>();

    ConfigValidator(PrintStream out) {
        this.out = out;
    }

    int validate(Path configFile, Path routesDir) {
        checkConfig(configFile);
        checkRoutes(routesDir);
        problems.forEach(out::println);
        if (problems.isEmpty()) {
            out.println("OK: " + configFile + " and the routes in " + routesDir);
            return 0;
        }
        return 1;
    }

    private void checkConfig(Path file) {
        if (!Files.isRegularFile(file)) {
            problems.add(file + ":1: config file not found");
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.add(file + ":1: cannot read: " + e.getMessage());
            return;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            problems.add(file + ":1: not a properties file: " + e.getMessage());
            return;
        }
        for (String key : p.stringPropertyNames()) {
            String value = p.getProperty(key).trim();
            boolean numeric = key.endsWith("-ms") || key.endsWith(".port") || key.endsWith("-size")
                    || key.endsWith("-bytes") || key.endsWith("-percent") || key.endsWith(".consumers");
            if (numeric && !value.isEmpty() && !value.startsWith("{{") && !value.matches("-?\\d+")) {
                problems.add(file + ":" + lineOf(lines, key) + ": " + key + " must be a whole number, not '" + value + "'");
            }
        }
        String hqUrl = p.getProperty(GatewaySettings.HQ_URL);
        if (hqUrl != null && !hqUrl.trim().matches("https?://.+")) {
            problems.add(file + ":" + lineOf(lines, GatewaySettings.HQ_URL) + ": " + GatewaySettings.HQ_URL
                    + " must be an http:// or https:// URL");
        }
    }

    private void checkRoutes(Path dir) {
        if (!Files.isDirectory(dir)) {
            problems.add(dir + ":1: routes directory not found");
            return;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            problems.add(dir + ":1: cannot list: " + e.getMessage());
            return;
        }
        Set<String> ids = new HashSet<>();
        for (Path f : files) {
            checkRouteFile(f, ids);
        }
    }

    private void checkRouteFile(Path file, Set<String> ids) {
        Optional<Node> root;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = new Compose(LoadSettings.builder().setLabel(file.toString()).build()).composeReader(r);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(1);
            problems.add(file + ":" + line + ": YAML syntax: " + e.getProblem());
            return;
        } catch (YamlEngineException | IOException e) {
            problems.add(file + ":1: " + e.getMessage());
            return;
        }
        if (root.isEmpty()) {
            return;
        }
        if (!(root.get() instanceof SequenceNode list)) {
            problems.add(file + ":" + line(root.get()) + ": a route file is a YAML list of '- route:' entries");
            return;
        }
        for (Node item : list.getValue()) {
            Optional<Node> route = value(item, "route");
            if (route.isEmpty()) {
                continue;
            }
            Optional<Node> id = value(route.get(), "id");
            if (id.isEmpty() || !(id.get() instanceof ScalarNode idText)) {
                problems.add(file + ":" + line(item) + ": route has no id");
                continue;
            }
            if (!ids.add(idText.getValue())) {
                problems.add(file + ":" + line(id.get()) + ": route id '" + idText.getValue() + "' is used twice");
            }
            if (value(route.get(), "from").isEmpty()) {
                problems.add(file + ":" + line(item) + ": route '" + idText.getValue() + "' has no 'from'");
            }
        }
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

    private static int lineOf(List<String> lines, String key) {
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).trim();
            if (l.startsWith(key + " ") || l.startsWith(key + "=") || l.startsWith(key + ":")) {
                return i + 1;
            }
        }
        return 1;
    }
}
