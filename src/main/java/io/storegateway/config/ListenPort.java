package io.storegateway.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * A port setting this process is about to listen on. Checked before anything starts, so that a wrong
 * value or another process on the port stops the start with one line naming the key, not a bind
 * exception's stack trace from deep inside Vert.x, Artemis or the JDK's HTTP server.
 */
public final class ListenPort {

    static final int MAX = 65_535;

    private ListenPort() {
    }

    /** Fails naming {@code key} when {@code port} is no TCP port, or another process holds it. */
    public static void requireFree(String key, int port) {
        requireInRange(key, port);
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new IllegalStateException(key + " " + port + " is already in use by another process");
        }
    }

    /** Fails naming {@code key} when {@code port} is not between 1 and 65535. */
    public static void requireInRange(String key, int port) {
        if (port < 1 || port > MAX) {
            throw new IllegalStateException(key + " must be a port from 1 to " + MAX + ", not " + port);
        }
    }
}
