package io.storegateway.routes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The settings the route files use as {@code {{key}}} or {@code {{key:default}}} placeholders: a key IT
 * added to the config for a route of its own is known, not a misspelling.
 */
public final class RoutePlaceholders {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9._-]+)");

    private RoutePlaceholders() {
    }

    /** The keys used in the {@code *.camel.yaml} files of {@code dir}; none when there is no such directory. */
    public static Set<String> keysIn(Path dir) {
        Set<String> keys = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(RouteFileCheck.SUFFIX)).toList()) {
                Matcher m = PLACEHOLDER.matcher(Files.readString(f, StandardCharsets.UTF_8));
                while (m.find()) {
                    keys.add(m.group(1));
                }
            }
        } catch (NoSuchFileException e) {
            return keys;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the route files in " + dir + ": " + e.getMessage(), e);
        }
        return keys;
    }
}
