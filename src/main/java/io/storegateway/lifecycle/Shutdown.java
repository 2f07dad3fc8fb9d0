package io.storegateway.lifecycle;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The gateway's stop steps, each named, run in the reverse of the order they were added: what started
 * last stops first. A step added as soon as its part runs is stopped even when a later part fails to
 * start. A step that fails is logged and the next one still runs.
 */
public final class Shutdown implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);

    private record Step(String name, AutoCloseable action) {
    }

    private final Deque<Step> steps = new ArrayDeque<>();

    public synchronized void add(String name, AutoCloseable action) {
        steps.push(new Step(name, action));
    }

    @Override
    public synchronized void close() {
        while (!steps.isEmpty()) {
            Step step = steps.pop();
            try {
                step.action().close();
            } catch (Exception | LinkageError e) {
                LOG.atWarn().addKeyValue("event", "stop-failed").log("Stopping {} failed: {}", step.name(), e.toString());
            }
        }
    }
}
