package io.storegateway.cli;

import io.storegateway.Gateway;
import io.storegateway.config.GatewaySettings;
import io.storegateway.security.GatewayTls;

import com.fasterxml.jackson.databind.ObjectMapper;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;

/**
 * {@code health}: asks the gateway on this machine for {@link #PATH}, where its settings say /observe is
 * served: {@link Gateway#MANAGEMENT_PORT} or else the HTTP port, over HTTPS when {@link GatewayTls#KEYSTORE}
 * is set. The Docker image's healthcheck, so that it follows the configuration instead of assuming 8080.
 */
final class HealthProbe {

    /** Liveness: the broker and the mirror. HQ being away is readiness, and must not restart a store's gateway. */
    static final String PATH = "/observe/health/live";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /**
     * Trusts whatever certificate the gateway presents: the probe only goes to loopback, and asks whether
     * this machine's gateway answers, not whether it is the real one; nor does it need the key store's password.
     */
    private static final SSLContext ANY_CERTIFICATE = anyCertificate();

    private final URI uri;

    private HealthProbe(URI uri) {
        this.uri = uri;
    }

    static HealthProbe of(GatewaySettings settings) {
        String scheme = settings.get(GatewayTls.KEYSTORE, null) == null ? "http" : "https";
        return new HealthProbe(URI.create(scheme + "://127.0.0.1:" + Gateway.managementPort(settings) + PATH));
    }

    URI uri() {
        return uri;
    }

    /** Prints one line, the answer; 0 when the gateway said UP, else 1 (Docker's "unhealthy"). */
    int check(PrintStream out) {
        try {
            HttpURLConnection http = (HttpURLConnection) uri.toURL().openConnection();
            if (http instanceof HttpsURLConnection https) {
                https.setSSLSocketFactory(ANY_CERTIFICATE.getSocketFactory());
                https.setHostnameVerifier((host, session) -> true);
            }
            http.setConnectTimeout((int) TIMEOUT.toMillis());
            http.setReadTimeout((int) TIMEOUT.toMillis());
            int code = http.getResponseCode();
            String status;
            try (InputStream body = code < 400 ? http.getInputStream() : http.getErrorStream()) {
                status = body == null ? "" : new ObjectMapper().readTree(body).path("status").asText("");
            }
            boolean up = code == 200 && status.equals("UP");
            out.println((up ? "UP " : "DOWN ") + uri + (up ? "" : ": HTTP " + code + (status.isEmpty() ? "" : ", " + status)));
            return up ? 0 : 1;
        } catch (IOException e) {
            out.println("DOWN " + uri + ": no answer (" + e.getMessage() + ")");
            return 1;
        }
    }

    private static SSLContext anyCertificate() {
        TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustAll}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JVM: " + e.getMessage(), e);
        }
    }
}
