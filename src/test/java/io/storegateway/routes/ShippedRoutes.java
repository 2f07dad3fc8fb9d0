package io.storegateway.routes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;

/** A copy of the project's route files in a directory of its own under target/, for a test to edit. */
public final class ShippedRoutes {

    private ShippedRoutes() {
    }

    public static Path copy(String name) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "test-data", name + "-" + UUID.randomUUID().toString().substring(0, 8))
                    .toAbsolutePath());
            try (Stream<Path> files = Files.list(Path.of("routes"))) {
                for (Path f : files.toList()) {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
