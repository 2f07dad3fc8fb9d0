package io.storegateway.lifecycle;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ShutdownTest {

    @Test
    void stopsWhatStartedLastFirst() {
        List<String> stopped = new ArrayList<>();
        Shutdown shutdown = new Shutdown();
        shutdown.add("mirror", () -> stopped.add("mirror"));
        shutdown.add("broker", () -> stopped.add("broker"));
        shutdown.add("camel", () -> stopped.add("camel"));

        shutdown.close();

        assertThat(stopped).containsExactly("camel", "broker", "mirror");
    }

    @Test
    void aStepThatFailsDoesNotKeepTheNextFromRunning() {
        List<String> stopped = new ArrayList<>();
        Shutdown shutdown = new Shutdown();
        shutdown.add("mirror", () -> stopped.add("mirror"));
        shutdown.add("broker", () -> {
            throw new IllegalStateException("already stopped");
        });
        shutdown.add("camel", () -> stopped.add("camel"));

        shutdown.close();

        assertThat(stopped).containsExactly("camel", "mirror");
    }

    @Test
    void runsEachStepOnce() {
        List<String> stopped = new ArrayList<>();
        Shutdown shutdown = new Shutdown();
        shutdown.add("broker", () -> stopped.add("broker"));

        shutdown.close();
        shutdown.close();

        assertThat(stopped).containsExactly("broker");
    }
}
