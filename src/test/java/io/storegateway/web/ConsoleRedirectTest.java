package io.storegateway.web;

import io.storegateway.TestGateway;

import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The console's routes on Camel's real HTTP server: {@code GET /} takes a browser to the console. */
class ConsoleRedirectTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private Main camel;
    private int port;

    @BeforeEach
    void start() {
        port = TestGateway.freePort();
        Properties server = new Properties();
        server.setProperty("camel.server.enabled", "true");
        server.setProperty("camel.server.port", Integer.toString(port));
        camel = new Main();
        camel.setOverrideProperties(server);
        camel.configure().addRoutesBuilder(new ApiErrors());
        camel.configure().addRoutesBuilder(new ConsoleRoutes());
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theRootRedirectsToTheConsole() throws Exception {
        HttpResponse<String> root = get("/");

        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location")).hasValue("/console/");
        HttpResponse<String> console = get(root.headers().firstValue("Location").orElseThrow());
        assertThat(console.statusCode()).isEqualTo(200);
        assertThat(console.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    }

    @Test
    void onlyTheRootIsRedirected() throws Exception {
        assertThat(get("/api").statusCode()).isEqualTo(404);
        assertThat(get("/other/").headers().firstValue("Location")).isEmpty();
    }
}
