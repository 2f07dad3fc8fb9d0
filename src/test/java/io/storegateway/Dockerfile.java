package io.storegateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read as Docker reads it, as far as the checks need: comment lines dropped, continued lines
 * joined, one instruction per entry with the build stage it belongs to (each FROM starts one).
 */
record Dockerfile(List<Instruction> instructions) {

    record Instruction(int stage, String keyword, String arguments) {
    }

    private static final Pattern ENV_PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S+)");

    static Dockerfile read(Path file) throws IOException {
        List<Instruction> instructions = new ArrayList<>();
        int stage = -1;
        StringBuilder pending = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            if (line.strip().startsWith("#") || (pending.isEmpty() && line.isBlank())) {
                continue;
            }
            boolean continued = line.endsWith("\\");
            pending.append(continued ? line.substring(0, line.length() - 1) : line).append(' ');
            if (continued) {
                continue;
            }
            String[] parts = pending.toString().strip().split("\\s+", 2);
            pending.setLength(0);
            String keyword = parts[0].toUpperCase(Locale.ROOT);
            if (keyword.equals("FROM")) {
                stage++;
            }
            instructions.add(new Instruction(stage, keyword, parts.length > 1 ? parts[1].replaceAll("\\s+", " ") : ""));
        }
        return new Dockerfile(instructions);
    }

    /** The instructions of the stage the image is made of (the last), with {@code keyword}. */
    List<String> finalStage(String keyword) {
        int last = instructions.get(instructions.size() - 1).stage();
        return instructions.stream().filter(i -> i.stage() == last && i.keyword().equals(keyword))
                .map(Instruction::arguments).toList();
    }

    /** The one instruction {@code keyword} of the final stage. */
    String one(String keyword) {
        List<String> found = finalStage(keyword);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + keyword + " in the final stage, found " + found);
        }
        return found.get(0);
    }

    /** The final stage's ENV variables. */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String arguments : finalStage("ENV")) {
            Matcher m = ENV_PAIR.matcher(arguments);
            while (m.find()) {
                env.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
            }
        }
        return env;
    }
}
