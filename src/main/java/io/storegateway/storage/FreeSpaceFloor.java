package io.storegateway.storage;

import io.storegateway.broker.StorageGuard;
import io.storegateway.config.GatewaySettings;
import io.storegateway.update.UpdateJson;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The floor under ingest: while a disk the gateway writes to (the broker's journal and paging, the
 * SQLite mirror) has less than {@code gateway.storage.min-free-bytes} free, new updates are refused
 * (HTTP 503, JMS messages left on the inbound queue). Asked on the accept path itself, one statvfs per
 * disk, so a fast ingest cannot run past it. What stays below the floor is for the drain: settling
 * HQ's answers, acknowledging batches, the journal's and the mirror's own upkeep.
 */
public final class FreeSpaceFloor implements StorageGuard {

    public static final String MIN_FREE_BYTES = "gateway.storage.min-free-bytes";
    /**
     * The drain's room: a new journal file and a compaction's (10 MiB files), a page file (10 MiB), the
     * mirror's WAL at a full drain (at most 40 MiB measured) and its growth while the backlog settles,
     * with margin.
     */
    public static final long DEFAULT_MIN_FREE_BYTES = 128L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(FreeSpaceFloor.class);

    /** One file system and the gateway's directories on it; its free and total bytes, read when asked. */
    record Disk(List<Path> dirs, LongSupplier freeBytes, LongSupplier totalBytes) {

        static Disk of(FileStore store, List<Path> dirs) {
            return new Disk(dirs, () -> read(store::getUsableSpace, dirs), () -> read(store::getTotalSpace, dirs));
        }

        private static long read(IoLong value, List<Path> dirs) {
            try {
                return value.get();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the free space of " + dirs.get(0), e);
            }
        }

        long free() {
            return freeBytes.getAsLong();
        }
    }

    private interface IoLong {
        long get() throws IOException;
    }

    /** The disk with the least free space, and how much. */
    public record Free(long bytes, Path where) {
    }

    private final List<Disk> disks;
    private final long floor;
    private final AtomicBoolean refusing = new AtomicBoolean();
    private final AtomicBoolean warned = new AtomicBoolean();

    FreeSpaceFloor(List<Disk> disks, long floor) {
        if (floor < 0) {
            throw new IllegalStateException(MIN_FREE_BYTES + " must be 0 or more, not " + floor);
        }
        this.floor = floor;
        this.disks = List.copyOf(disks);
    }

    /** The floor over the given directories (created if missing), from {@code gateway.storage.min-free-bytes}. */
    public static FreeSpaceFloor from(GatewaySettings settings, List<Path> dirs) {
        return new FreeSpaceFloor(disksOf(dirs), settings.getLong(MIN_FREE_BYTES, DEFAULT_MIN_FREE_BYTES));
    }

    private static List<Disk> disksOf(List<Path> dirs) {
        Map<FileStore, List<Path>> byStore = new LinkedHashMap<>();
        for (Path dir : dirs) {
            Path abs = dir.toAbsolutePath().normalize();
            try {
                Files.createDirectories(abs);
                byStore.computeIfAbsent(Files.getFileStore(abs), s -> new ArrayList<>()).add(abs);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the disk of " + abs, e);
            }
        }
        List<Disk> disks = new ArrayList<>();
        byStore.forEach((store, paths) -> disks.add(Disk.of(store, List.copyOf(paths))));
        return disks;
    }

    public long floor() {
        return floor;
    }

    /** The least free space over the gateway's disks, read now. */
    public Free free() {
        Free least = null;
        for (Disk d : disks) {
            long bytes = d.free();
            if (least == null || bytes < least.bytes()) {
                least = new Free(bytes, d.dirs().get(0));
            }
        }
        return least;
    }

    /** Below the floor: no new update may be stored. Logs each crossing, and a warning at twice the floor. */
    @Override
    public boolean full() {
        return refusal() != null;
    }

    @Override
    public String refusal() {
        Free free = free();
        // Once refusing, accepting again takes a margin above the floor: no flapping at its edge.
        boolean below = free.bytes() < (refusing.get() ? floor + margin() : floor);
        if (below != refusing.get() && refusing.compareAndSet(!below, below)) {
            if (below) {
                LOG.atError().addKeyValue("event", "storage-floor")
                        .log("Free disk space under {} is {}, below {} = {}: new updates are refused (HTTP 503, JMS "
                                + "messages stay on the inbound queue) until space is freed; the backlog keeps draining to HQ",
                        free.where(), mib(free.bytes()), MIN_FREE_BYTES, mib(floor));
            } else {
                LOG.atInfo().addKeyValue("event", "storage-floor")
                        .log("Free disk space under {} is {} again, above {} and its margin: updates are accepted again",
                                free.where(), mib(free.bytes()), mib(floor));
            }
        }
        boolean low = free.bytes() < 2 * floor;
        if (low != warned.get() && warned.compareAndSet(!low, low) && low && !below) {
            LOG.atWarn().addKeyValue("event", "storage-low")
                    .log("Free disk space under {} is {}, less than twice {} ({}): below it new updates are refused; "
                            + "free some space or make the disk larger", free.where(), mib(free.bytes()), MIN_FREE_BYTES, mib(floor));
        }
        return below ? "the disk under " + free.where() + " has " + mib(free.bytes()) + " free, below " + MIN_FREE_BYTES
                + " (" + mib(floor) + ")" : null;
    }

    /**
     * What free space must climb above the floor before updates are accepted again: a quarter of it, more
     * than the mirror's WAL gives back at each checkpoint (tens of MB while ingesting fast), so ingest does
     * not flap at the floor's edge.
     */
    long margin() {
        return Math.max(floor / 4, 1024 * 1024);
    }

    /** For /admin/v1/status: the floor, and each disk's free and total bytes. */
    public ObjectNode status() {
        ObjectNode n = UpdateJson.MAPPER.createObjectNode();
        boolean refusingNow = refusal() != null;
        Free least = free();
        n.put("minFreeBytes", floor);
        n.put("freeBytes", least.bytes());
        n.put("refusing", refusingNow);
        n.put("low", least.bytes() < 2 * floor);
        ArrayNode list = n.putArray("disks");
        for (Disk d : disks) {
            ObjectNode o = list.addObject();
            o.put("freeBytes", d.free());
            o.put("totalBytes", d.totalBytes().getAsLong());
            ArrayNode paths = o.putArray("dirs");
            d.dirs().forEach(p -> paths.add(p.toString()));
        }
        return n;
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
