package io.storegateway;

import io.storegateway.config.SettingRule;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/CONFIGURATION.md is generated from the settings' rules and the comments of the shipped
 * config/application.properties, so it cannot drift from either. After changing a rule or a comment:
 * {@code mvn test -Dtest=ConfigurationReferenceTest -Dregenerate=true}.
 */
class ConfigurationReferenceTest {

    private static final Path SHIPPED = Path.of("config/application.properties");
    private static final Path REFERENCE = Path.of("docs/CONFIGURATION.md");
    private static final Pattern SETTING = Pattern.compile("^(#\\s*)?((?:gateway|hq|camel)\\.[A-Za-z0-9._-]+)\\s*=\\s*(.*)$");
    private static final Pattern SECTION = Pattern.compile("^#\\s*-{8,}\\s*(.*)$");

    @Test
    void theReferenceIsWhatTheRulesAndTheShippedFileSay() throws IOException {
        String generated = generate();
        if (Boolean.getBoolean("regenerate")) {
            Files.writeString(REFERENCE, generated, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(REFERENCE, StandardCharsets.UTF_8))
                .as("docs/CONFIGURATION.md is out of date: mvn test -Dtest=ConfigurationReferenceTest -Dregenerate=true")
                .isEqualTo(generated);
    }

    static String generate() throws IOException {
        StringBuilder md = new StringBuilder("""
                # Configuration reference

                Generated from the rules the gateway checks its settings against (start-up and `validate` alike) and
                from the comments of the shipped `config/application.properties`; a test keeps it so. Every key can
                also be given as an environment variable (upper case, `.` and `-` become `_`: `gateway.hq.url` →
                `GATEWAY_HQ_URL`) or as `-Dkey=value` before `-jar`; the last of file, environment and `-D` wins.
                An empty value means "not set": the default applies. `java -jar store-gateway.jar validate` reports
                each problem as `file:line: key: message` (or `env GATEWAY_…:` / `-Dkey:` for an override), and
                `run` refuses to start with the same lines. A `gateway.*` or `hq.*` key that no rule knows and no
                route file uses as a `{{placeholder}}` is reported as unknown (a misspelt key is never ignored).

                "Shipped" is the value in `config/application.properties`; *(commented out)* marks a setting shown
                there as an example, not set.
                """);
        Set<String> documented = new LinkedHashSet<>();
        List<String> comment = new ArrayList<>();
        boolean commentUsed = false;
        boolean inTable = false;
        for (String line : Files.readAllLines(SHIPPED, StandardCharsets.UTF_8)) {
            Matcher section = SECTION.matcher(line);
            Matcher setting = SETTING.matcher(line);
            if (section.matches()) {
                md.append("\n## ").append(section.group(1).strip()).append("\n");
                inTable = false;
                comment.clear();
            } else if (setting.matches()) {
                String key = setting.group(2);
                if (!inTable) {
                    md.append("\n| Setting | Shipped | Must be | What it does |\n|---|---|---|---|\n");
                    inTable = true;
                }
                String shipped = setting.group(1) != null ? "*(commented out)*"
                        : setting.group(3).isBlank() ? "*(empty)*" : "`" + setting.group(3).strip() + "`";
                String what = comment.isEmpty() ? "" : commentUsed ? "(as above)" : String.join(" ", comment);
                commentUsed = true;
                md.append("| `").append(key).append("` | ").append(cell(shipped)).append(" | ")
                        .append(cell(rule(key).expects())).append(" | ").append(cell(what)).append(" |\n");
                documented.add(key);
            } else if (line.startsWith("#")) {
                if (commentUsed) {
                    comment.clear();
                    commentUsed = false;
                }
                comment.add(line.substring(1).strip());
            } else if (line.isBlank()) {
                comment.clear();
                commentUsed = false;
            }
        }
        md.append("\n## Not in the shipped file\n\n| Setting | Must be |\n|---|---|\n");
        for (SettingRule r : GatewaySettingRules.ALL.rules()) {
            if (!documented.contains(r.key())) {
                String key = r.isFamily() ? r.key() + "*PREFIX*" : r.key();
                md.append("| `").append(key).append("` | ").append(cell(r.expects())).append(" |\n");
            }
        }
        return md.toString();
    }

    private static SettingRule rule(String key) {
        return GatewaySettingRules.ALL.rules().stream().filter(r -> r.covers(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no rule for " + key));
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }
}
