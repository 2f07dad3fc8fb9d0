package io.storegateway.ingest;

import io.storegateway.update.InventoryUpdate;

import jakarta.jms.JMSRuntimeException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Group commit for ingest. The requests that arrive while a commit is on its way wait here and go
 * together in the next one: one broker transaction (one journal sync) and one mirror transaction for
 * them all, instead of one each. A few committers work at once, so one group can form while another
 * waits for its sync. Nothing waits on purpose: a committer takes whatever has arrived, a lone request
 * is a group of one. Each request still waits for its own answer, given only after the commit.
 */
final class CommitGroups implements AutoCloseable {

    /** A request's updates, waiting for the commit that carries them. */
    static final class Request {
        final List<InventoryUpdate> updates;
        final String channel;
        private final CompletableFuture<List<Receipt>> answer = new CompletableFuture<>();

        Request(List<InventoryUpdate> updates, String channel) {
            this.updates = updates;
            this.channel = channel;
        }

        void answer(List<Receipt> receipts) {
            answer.complete(receipts);
        }

        void fail(RuntimeException e) {
            answer.completeExceptionally(e);
        }

        CompletableFuture<List<Receipt>> answer() {
            return answer;
        }
    }

    private final BlockingQueue<Request> waiting = new LinkedBlockingQueue<>();
    private final Consumer<List<Request>> commit;
    private final int maxUpdates;
    private final List<Thread> committers = new ArrayList<>();
    private volatile boolean closed;

    /**
     * @param commit     answers every request of a group, or gives it {@link #again} for a later group
     * @param committers how many groups may be on their way at once
     * @param maxUpdates a group takes no more requests once it holds this many updates
     */
    CommitGroups(Consumer<List<Request>> commit, int committers, int maxUpdates) {
        this.commit = commit;
        this.maxUpdates = maxUpdates;
        for (int i = 1; i <= committers; i++) {
            Thread t = new Thread(this::work, "ingest-commit-" + i);
            t.setDaemon(true);
            this.committers.add(t);
        }
        this.committers.forEach(Thread::start);
    }

    /**
     * The answer of the commit that carries these updates: the receipts, or what the commit threw for
     * them. Completed on a committer's thread.
     */
    CompletableFuture<List<Receipt>> submit(List<InventoryUpdate> updates, String channel) {
        Request r = new Request(updates, channel);
        waiting.add(r);
        if (closed) {
            failWaiting();
        }
        return r.answer;
    }

    /** Waits for {@link #submit}'s answer; throws what the commit threw. */
    static List<Receipt> await(CompletableFuture<List<Receipt>> answer) {
        try {
            return answer.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JMSRuntimeException("interrupted while waiting for the updates' commit");
        }
    }

    private void work() {
        while (!closed) {
            Request first;
            try {
                first = waiting.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (first == null) {
                continue;
            }
            List<Request> group = new ArrayList<>();
            group.add(first);
            int updates = first.updates.size();
            Request next;
            while (updates < maxUpdates && (next = waiting.poll()) != null) {
                group.add(next);
                updates += next.updates.size();
            }
            try {
                commit.accept(group);
            } catch (RuntimeException | Error e) {
                RuntimeException failure = e instanceof RuntimeException re ? re
                        : new IllegalStateException("the commit failed: " + e, e);
                group.forEach(r -> r.fail(failure));
                if (e instanceof Error error) {
                    throw error;
                }
            }
        }
    }

    /** Puts a request taken into a group back, for a later group. */
    void again(Request r) {
        waiting.add(r);
        if (closed) {
            failWaiting();
        }
    }

    private void failWaiting() {
        Request r;
        while ((r = waiting.poll()) != null) {
            r.fail(new JMSRuntimeException("the gateway is stopping"));
        }
    }

    /** Lets the groups on their way finish, then refuses what still waits. */
    @Override
    public void close() {
        closed = true;
        for (Thread t : committers) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        failWaiting();
    }
}
