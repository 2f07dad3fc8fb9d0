package io.storegateway;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Closes every {@link TestGateway} a test started, newest first: those started in a test or its
 * {@code @BeforeEach} after each test, those started in {@code @BeforeAll} after the class. Replaces
 * the same {@code @AfterEach void stop() { t.close(); }} in every class that boots a gateway.
 * Gateways are tracked on the thread that runs the test (tests do not run in parallel); one started
 * on another thread is the test's to close.
 */
public final class ClosesTestGateways implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private static final ThreadLocal<Deque<List<TestGateway>>> SCOPES = ThreadLocal.withInitial(ArrayDeque::new);

    /** Called by TestGateway as it starts; outside a test that uses this extension, nothing to track. */
    static void started(TestGateway gateway) {
        List<TestGateway> scope = SCOPES.get().peek();
        if (scope != null) {
            scope.add(gateway);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        SCOPES.get().push(new ArrayList<>());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        SCOPES.get().push(new ArrayList<>());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        closeScope();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        closeScope();
    }

    private static void closeScope() {
        Deque<List<TestGateway>> scopes = SCOPES.get();
        List<TestGateway> scope = scopes.poll();
        if (scopes.isEmpty()) {
            SCOPES.remove();
        }
        if (scope == null) {
            return;
        }
        RuntimeException failed = null;
        for (int i = scope.size() - 1; i >= 0; i--) {
            try {
                scope.get(i).close();
            } catch (RuntimeException e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }
}
