package io.storegateway.cli;

import io.storegateway.config.GatewaySettings;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What follows {@code -jar store-gateway.jar}: a command and its options, a request for help, or
 * ({@link Unreadable}) the one line that says what is wrong with it.
 *
 * @param command null when help was asked for without a command
 */
record CommandLine(Command command, boolean help, String configFile, String routesDir) {

    static final String JAR = "store-gateway.jar";

    enum Command {
        RUN("run", true, "the gateway (the default); refuses to start with the demo credentials"),
        DEMO("demo", true, "the gateway plus an in-process HQ simulator with a seeded catalogue"),
        HQ_SIMULATOR("hq-simulator", false, "the HQ simulator alone, on hq.port"),
        VALIDATE("validate", true, "checks the config and the route files offline; exit 1 with one file:line message per problem"),
        HEALTH("health", false, "asks the gateway on this machine (port and TLS as configured) whether it is live;"
                + " exit 0 if UP, else 1");

        final String word;
        final boolean takesRoutes;
        final String meaning;

        Command(String word, boolean takesRoutes, String meaning) {
            this.word = word;
            this.takesRoutes = takesRoutes;
            this.meaning = meaning;
        }

        static Optional<Command> named(String word) {
            return Arrays.stream(values()).filter(c -> c.word.equals(word)).findFirst();
        }
    }

    /** A command line that cannot be run; the message is the line the user sees. */
    static final class Unreadable extends RuntimeException {
        Unreadable(String message) {
            super(message, null, false, false);
        }
    }

    static CommandLine parse(List<String> args) {
        List<String> rest = new ArrayList<>(args);
        boolean help = rest.removeIf(a -> a.equals("--help") || a.equals("-h"));
        Command command = null;
        if (!rest.isEmpty() && !rest.get(0).startsWith("-")) {
            String word = rest.remove(0);
            if (word.equals("help")) {
                return new CommandLine(null, true, null, null);
            }
            command = Command.named(word).orElseThrow(() -> new Unreadable("unknown command '" + word + "'; the commands are "
                    + Arrays.stream(Command.values()).map(c -> c.word).collect(Collectors.joining(", "))));
        }
        if (help) {
            return new CommandLine(command, true, null, null);
        }
        if (command == null) {
            command = Command.RUN;
        }
        List<String> javaOptions = rest.stream().filter(a -> a.startsWith("-D")).toList();
        if (!javaOptions.isEmpty()) {
            // Java reads -D only before -jar; after it, it is an argument to the gateway, not a setting.
            List<String> fixed = new ArrayList<>(args);
            fixed.removeAll(javaOptions);
            throw new Unreadable(String.join(" ", javaOptions) + " is a Java option and goes before -jar: java "
                    + String.join(" ", javaOptions) + " -jar " + JAR + (fixed.isEmpty() ? "" : " " + String.join(" ", fixed)));
        }
        String config = option(rest, "--config", "a settings file", GatewaySettings.DEFAULT_CONFIG_FILE);
        String routes = command.takesRoutes ? option(rest, "--routes", "a directory", null) : null;
        if (!rest.isEmpty()) {
            throw new Unreadable("'" + command.word + "' does not take " + String.join(" ", rest));
        }
        return new CommandLine(command, false, config, routes);
    }

    private static String option(List<String> args, String name, String what, String fallback) {
        int i = args.indexOf(name);
        if (i < 0) {
            return fallback;
        }
        if (i + 1 >= args.size() || args.get(i + 1).startsWith("-")) {
            throw new Unreadable(name + " needs " + what + ", e.g. " + name + " "
                    + (fallback != null ? fallback : "routes"));
        }
        String value = args.remove(i + 1);
        args.remove(i);
        return value;
    }

    /** The usage of one command, or of all when {@code command} is null. */
    static String usage(Command command) {
        StringBuilder text = new StringBuilder();
        if (command == null) {
            text.append("usage: java [-Dkey=value ...] -jar ").append(JAR).append(" [COMMAND] [--config FILE] [--routes DIR]\n\n");
            for (Command c : Command.values()) {
                text.append(String.format("  %-13s %s\n", c.word, c.meaning));
            }
            text.append("\n");
        } else {
            text.append("usage: java [-Dkey=value ...] -jar ").append(JAR).append(' ').append(command.word)
                    .append(" [--config FILE]").append(command.takesRoutes ? " [--routes DIR]" : "").append("\n\n")
                    .append(command.meaning).append("\n\n");
        }
        text.append("  --config FILE  the settings (default ").append(GatewaySettings.DEFAULT_CONFIG_FILE).append(")\n");
        if (command == null || command.takesRoutes) {
            text.append("  --routes DIR   the route files (default: gateway.routes-dir)\n");
        }
        text.append("  --help         this text").append(command == null ? "; COMMAND --help: that command's" : "").append("\n\n")
                .append("Any setting can be given as -Dkey=value before -jar, or in the environment (gateway.http.port:\n")
                .append("GATEWAY_HTTP_PORT); either wins over the file.\n");
        return text.toString();
    }
}
