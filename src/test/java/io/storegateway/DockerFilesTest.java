package io.storegateway;

import io.storegateway.config.GatewaySettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No Docker engine runs here, so docker/ is checked for what it names: the jar the build produces,
 * the files it copies, the ports and the health paths the gateway and the simulator really serve,
 * and config keys that exist.
 */
class DockerFilesTest {

    private static final Path DOCKERFILE = Path.of("docker/Dockerfile");
    private static final Path COMPOSE = Path.of("docker/compose.yaml");
    private TestGateway t;

    @AfterEach
    void stop() {
        if (t != null) {
            t.close();
        }
    }

    @Test
    void theDockerfileCopiesTheJarTheBuildProducesAndFilesThatExist() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        assertThat(finalName.find()).isTrue();
        assertThat(dockerfile).contains("/src/target/" + finalName.group(1) + ".jar");
        for (String copied : all(dockerfile, "(?m)^COPY (?!--from)(?:--chown=\\S+ )?(\\S+) ")) {
            assertThat(Path.of(copied)).as("COPY %s", copied).exists();
        }
        assertThat(dockerfile).containsPattern("(?m)^USER (?!root)\\w+");
        assertThat(dockerfile).containsPattern("(?m)^VOLUME .*/var/lib/store-gateway");
        assertThat(dockerfile).contains("GATEWAY_DATA_DIR=/var/lib/store-gateway");
    }

    @Test
    void exposedPortsAreTheConfiguredDefaults() throws IOException {
        GatewaySettings defaults = GatewaySettings.load(Path.of(GatewaySettings.DEFAULT_CONFIG_FILE));
        String dockerfile = Files.readString(DOCKERFILE);
        assertThat(dockerfile).containsPattern("(?m)^EXPOSE " + defaults.httpPort() + " " + defaults.brokerPort() + "$");
        String compose = Files.readString(COMPOSE);
        assertThat(compose).contains("\"" + defaults.httpPort() + ":" + defaults.httpPort() + "\"")
                .contains("\"" + defaults.brokerPort() + ":" + defaults.brokerPort() + "\"");
    }

    @Test
    void composeSetsOnlyConfigKeysThatExist() throws IOException {
        String config = Files.readString(Path.of(GatewaySettings.DEFAULT_CONFIG_FILE)).toLowerCase(Locale.ROOT);
        List<String> vars = all(Files.readString(COMPOSE), "(?m)^\\s+((?:GATEWAY|HQ)_[A-Z_]+):");
        assertThat(vars).isNotEmpty();
        for (String var : vars) {
            // GATEWAY_HQ_URL -> gateway.hq.url (or gateway.hq-url): the config file names every key.
            String dotted = var.toLowerCase(Locale.ROOT).replace('_', '.');
            Pattern key = Pattern.compile("(?m)^#?\\s*" + dotted.replace(".", "[.-]") + "\\s*=");
            assertThat(key.matcher(config).find()).as("%s names a key in config/application.properties", var).isTrue();
        }
    }

    @Test
    void theHealthchecksCallPathsTheGatewayAndTheSimulatorServe() throws Exception {
        String gatewayCheck = first(Files.readString(DOCKERFILE), "curl -fsS http://localhost:8080(/\\S+)");
        String hqCheck = first(Files.readString(COMPOSE), "http://localhost:9090(/[^\"\\s]+)");
        t = TestGateway.started("docker-paths", 1);
        TerminalClient anonymous = new TerminalClient(t.baseUrl(), null);
        assertThat(anonymous.get(gatewayCheck).status()).as(gatewayCheck).isEqualTo(200);
        assertThat(new TerminalClient(t.hq.url(), null).get(hqCheck).status()).as(hqCheck).isEqualTo(200);
    }

    private static List<String> all(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    private static String first(String text, String regex) {
        List<String> found = all(text, regex);
        assertThat(found).as(regex).isNotEmpty();
        return found.get(0);
    }
}
