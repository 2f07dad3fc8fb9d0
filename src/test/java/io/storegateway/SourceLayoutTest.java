package io.storegateway;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No class is named by its fully qualified name inside the code where an import would do (Spotless keeps
 * the imports ordered and unused ones out; this keeps the names short). A qualified name stays where the
 * simple name is taken: another class of that name is imported or lives in the same package.
 */
class SourceLayoutTest {

    private static final Pattern QUALIFIED = Pattern.compile(
            "(?<![\\w.\"/])((?:java|javax|jakarta|org|io|com)\\.[a-z0-9_]+(?:\\.[a-z0-9_]+)*)\\.([A-Z]\\w*)");
    private static final Pattern IMPORT = Pattern.compile("^import ([\\w.]+)\\.(\\w+);", Pattern.MULTILINE);
    private static final Pattern STRING = Pattern.compile("\"(?:\\\\.|[^\"\\\\])*\"");

    @Test
    void noInlineQualifiedNameWhereAnImportWouldDo() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path root : List.of(Path.of("src/main/java"), Path.of("src/test/java"))) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    found.addAll(inlineNames(f));
                }
            }
        }
        assertThat(found).as("write an import instead").isEmpty();
    }

    private static List<String> inlineNames(Path file) throws IOException {
        String source = Files.readString(file, StandardCharsets.UTF_8);
        Map<String, String> imported = new HashMap<>();
        Matcher im = IMPORT.matcher(source);
        while (im.find()) {
            imported.put(im.group(2), im.group(1));
        }
        List<String> samePackage;
        try (Stream<Path> siblings = Files.list(file.getParent())) {
            samePackage = siblings.map(p -> p.getFileName().toString().replace(".java", "")).toList();
        }
        List<String> found = new ArrayList<>();
        boolean inComment = false;
        List<String> lines = source.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (inComment) {
                inComment = !line.contains("*/");
                continue;
            }
            if (line.startsWith("/*")) {
                inComment = !line.contains("*/");
                continue;
            }
            if (line.startsWith("*") || line.startsWith("//") || line.startsWith("import ") || line.startsWith("package ")) {
                continue;
            }
            String code = STRING.matcher(line.split("//", 2)[0]).replaceAll("\"\"");
            Matcher m = QUALIFIED.matcher(code);
            while (m.find()) {
                String simple = m.group(2);
                String other = imported.get(simple);
                boolean taken = (other != null && !other.equals(m.group(1))) || samePackage.contains(simple);
                if (!taken) {
                    found.add(file + ":" + (i + 1) + ": " + m.group());
                }
            }
        }
        return found;
    }
}
