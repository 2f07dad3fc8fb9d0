package io.storegateway.routes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Every accepted version of every route file, as {@code <dir>/<file>/NNNN.camel.yaml} (the gateway's
 * dir is {@code <gateway.data-dir>/routes-history}). A version's accepted-at time is its file's
 * modification time. Nothing here is ever deleted.
 */
final class RouteVersions {

    /** The history folder under the data dir. */
    static final String DIR = "routes-history";

    record Version(int number, String hash, Instant acceptedAt) {
    }

    private final Path dir;

    RouteVersions(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** The versions of one file, oldest first. */
    List<Version> of(String file) {
        Path folder = dir.resolve(file);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        List<Version> versions = new ArrayList<>();
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.matches("\\d{4,}\\" + RouteFileCheck.SUFFIX)) {
                    int number = Integer.parseInt(name.substring(0, name.indexOf('.')));
                    versions.add(new Version(number, hash(Files.readString(p, StandardCharsets.UTF_8)),
                            Files.getLastModifiedTime(p).toInstant()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the route history in " + folder, e);
        }
        versions.sort(Comparator.comparingInt(Version::number));
        return versions;
    }

    /** The newest version of the file with this content, if it was ever accepted. */
    Optional<Version> withHash(String file, String hash) {
        List<Version> all = of(file);
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).hash().equals(hash)) {
                return Optional.of(all.get(i));
            }
        }
        return Optional.empty();
    }

    /** Keeps {@code content} as the file's next version. */
    Version archive(String file, String content, Instant at) {
        List<Version> all = of(file);
        int number = all.isEmpty() ? 1 : all.get(all.size() - 1).number() + 1;
        Path folder = dir.resolve(file);
        Path target = folder.resolve(name(number));
        try {
            Files.createDirectories(folder);
            writeAtomically(target, content);
            Files.setLastModifiedTime(target, FileTime.from(at));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep version " + number + " of " + file + " in " + folder, e);
        }
        return new Version(number, hash(content), at);
    }

    String content(String file, int number) {
        try {
            return Files.readString(dir.resolve(file).resolve(name(number)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read version " + number + " of " + file, e);
        }
    }

    /** Writes beside the target, then moves it in place: a reader never sees half a file. */
    static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static String hash(String content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String name(int number) {
        return String.format("%04d", number) + RouteFileCheck.SUFFIX;
    }
}
