package io.storegateway.storage;

import io.storegateway.broker.StorageGuard;
import io.storegateway.config.GatewaySettings;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The floor under ingest: the fullest disk decides, refusing starts below the floor and ends a quarter above it. */
class FreeSpaceFloorTest {

    private static final long MIB = 1024 * 1024;

    private final AtomicLong brokerFree = new AtomicLong(500 * MIB);
    private final AtomicLong mirrorFree = new AtomicLong(900 * MIB);
    private final FreeSpaceFloor floor = new FreeSpaceFloor(List.of(
            new FreeSpaceFloor.Disk(List.of(Path.of("/data/broker")), brokerFree::get, () -> 1000 * MIB),
            new FreeSpaceFloor.Disk(List.of(Path.of("/mirror")), mirrorFree::get, () -> 1000 * MIB)), 128 * MIB);

    @Test
    void theFullestDiskDecidesAndRefusingEndsAQuarterAboveTheFloor() {
        assertThat(floor.refusal()).isNull();
        assertThat(floor.free()).isEqualTo(new FreeSpaceFloor.Free(500 * MIB, Path.of("/data/broker")));

        mirrorFree.set(127 * MIB);
        assertThat(floor.refusal()).contains("/mirror").contains("127.0 MiB").contains(FreeSpaceFloor.MIN_FREE_BYTES);
        assertThat(floor.full()).isTrue();

        mirrorFree.set(150 * MIB); // above the floor, not yet above 160 MiB: still refusing
        assertThat(floor.full()).isTrue();
        mirrorFree.set(160 * MIB);
        assertThat(floor.full()).isFalse();
        mirrorFree.set(129 * MIB); // accepting: the floor itself counts again
        assertThat(floor.full()).isFalse();
    }

    @Test
    void theStatusShowsTheFloorAndEveryDisk() {
        brokerFree.set(200 * MIB);
        JsonNode s = floor.status();
        assertThat(s.path("minFreeBytes").asLong()).isEqualTo(128 * MIB);
        assertThat(s.path("freeBytes").asLong()).isEqualTo(200 * MIB);
        assertThat(s.path("refusing").asBoolean()).isFalse();
        assertThat(s.path("low").asBoolean()).as("under twice the floor").isTrue();
        assertThat(s.path("disks")).hasSize(2);
        assertThat(s.path("disks").get(0).path("dirs").get(0).asText()).isEqualTo(Path.of("/data/broker").toString());
        assertThat(s.path("disks").get(0).path("totalBytes").asLong()).isEqualTo(1000 * MIB);
    }

    @Test
    void directoriesOnOneFileSystemAreOneDiskAndAFloorOfZeroNeverRefuses(@TempDir Path dir) {
        GatewaySettings none = GatewaySettings.of(Map.of(FreeSpaceFloor.MIN_FREE_BYTES, "0"));
        FreeSpaceFloor off = FreeSpaceFloor.from(none, List.of(dir.resolve("broker"), dir.resolve("mirror")));
        assertThat(off.status().path("disks")).hasSize(1);
        assertThat(off.full()).isFalse();

        GatewaySettings huge = GatewaySettings.of(Map.of(FreeSpaceFloor.MIN_FREE_BYTES, Long.toString(Long.MAX_VALUE / 4)));
        assertThat(FreeSpaceFloor.from(huge, List.of(dir)).refusal()).contains(dir.toString());
    }

    @Test
    void eitherGuardRefusesWithTheFirstReasonAndAddsUpWriteFailures() {
        StorageGuard broker = new StorageGuard() {
            @Override
            public boolean full() {
                return false;
            }

            @Override
            public long writeFailures() {
                return 2;
            }
        };
        StorageGuard both = StorageGuard.either(floor, broker);
        assertThat(both.refusal()).isNull();
        assertThat(both.writeFailures()).isEqualTo(2);
        brokerFree.set(MIB);
        assertThat(both.refusal()).contains("/data/broker");
        assertThat(StorageGuard.either(() -> true, floor).refusal()).contains("max-disk-usage-percent");
    }
}
