package io.storegateway;

import io.storegateway.config.GatewaySettings;
import io.storegateway.hq.simulator.HqSimulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No Docker engine runs here (and hadolint is not in Debian), so docker/ and .dockerignore are read as
 * Docker reads them and checked for what they name: the jar the build produces, files that exist and reach
 * the build, a user that is not root and owns what the gateway writes, a healthcheck that asks the gateway
 * itself, and ports, volumes and config keys that match the settings.
 */
class DockerFilesTest {

    private static final Path DOCKERFILE = Path.of("docker/Dockerfile");
    private static final Path COMPOSE = Path.of("docker/compose.yaml");
    private static final Path DOCKERIGNORE = Path.of(".dockerignore");

    @Test
    void theDockerfileCopiesTheJarTheBuildProducesAndFilesThatExist() throws IOException {
        Dockerfile dockerfile = Dockerfile.read(DOCKERFILE);
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        assertThat(finalName.find()).isTrue();
        assertThat(dockerfile.finalStage("COPY")).anySatisfy(copy ->
                assertThat(copy).startsWith("--from=build /src/target/" + finalName.group(1) + ".jar "));
        for (String source : copiedFromTheContext(dockerfile)) {
            assertThat(Path.of(source)).as("COPY %s", source).exists();
        }
        assertThat(dockerfile.one("VOLUME")).contains("/var/lib/store-gateway");
        assertThat(dockerfile.env()).containsEntry("GATEWAY_DATA_DIR", "/var/lib/store-gateway");
    }

    @Test
    void everyFileTheDockerfileCopiesReachesTheBuildAndTheRestStaysOut() throws Exception {
        DockerIgnore ignore = DockerIgnore.read(DOCKERIGNORE);
        Map<String, Object> build = map(service("gateway").get("build"));
        assertThat(COMPOSE.getParent().resolve((String) build.get("context")).normalize().toAbsolutePath())
                .as("the .dockerignore is at the root of compose's build context")
                .isEqualTo(DOCKERIGNORE.toAbsolutePath().getParent());

        List<String> copied = tracked(copiedFromTheContext(Dockerfile.read(DOCKERFILE)));
        assertThat(copied).contains("pom.xml", "routes/forward-to-hq.camel.yaml", "config/application.properties");
        assertThat(copied).allSatisfy(file -> assertThat(ignore.excludes(file)).as(file).isFalse());
        assertThat(List.of("target/store-gateway.jar", "target/classes/io/storegateway/Gateway.class", "data/broker/journal/a.amq",
                "data/mirror/mirror.db", ".git/HEAD", "docker/.env", "docker/users.properties",
                "routes/.forward-to-hq.camel.yaml.tmp", "gateway.log"))
                .allSatisfy(file -> assertThat(ignore.excludes(file)).as(file).isTrue());
    }

    @Test
    void theImageRunsAsAUserThatIsNotRootAndOwnsTheRoutesAndTheData() throws IOException {
        Dockerfile dockerfile = Dockerfile.read(DOCKERFILE);
        String run = String.join(" && ", dockerfile.finalStage("RUN"));
        Matcher useradd = Pattern.compile("useradd .*--uid (\\d+) --gid (\\S+) .*?(\\S+)(?: &&|$)").matcher(run);
        assertThat(useradd.find()).as(run).isTrue();
        String uid = useradd.group(1);
        String name = useradd.group(3);
        Matcher groupadd = Pattern.compile("groupadd --gid (\\d+) " + Pattern.quote(useradd.group(2)) + "\\b").matcher(run);
        assertThat(groupadd.find()).as(run).isTrue();
        String gid = groupadd.group(1);

        assertThat(uid).isNotEqualTo("0");
        assertThat(name).isNotEqualTo("root");
        assertThat(dockerfile.one("USER")).isIn(uid + ":" + gid, uid, name, name + ":" + useradd.group(2));
        // The gateway rewrites route files (rollback: a temporary file beside the file, moved over it) and
        // writes the broker journal and the mirror: the user must own those directories.
        Map<String, String> env = dockerfile.env();
        for (String dir : List.of(env.get("GATEWAY_ROUTES_DIR"), env.get("GATEWAY_DATA_DIR"))) {
            assertThat(run).as("mkdir and chown of " + dir)
                    .containsPattern("mkdir -p [^&]*" + Pattern.quote(dir) + "\\b")
                    .containsPattern("chown " + Pattern.quote(name + ":" + useradd.group(2)) + " [^&]*" + Pattern.quote(dir) + "\\b");
        }
        assertThat(dockerfile.finalStage("COPY")).filteredOn(c -> c.endsWith(" " + env.get("GATEWAY_ROUTES_DIR")))
                .singleElement().asString().startsWith("--chown=" + name + ":" + useradd.group(2) + " ");
    }

    @Test
    void theHealthcheckIsTheJarsHealthCommandWithNothingHardWired() throws IOException {
        Dockerfile dockerfile = Dockerfile.read(DOCKERFILE);
        String healthcheck = dockerfile.one("HEALTHCHECK");
        List<String> command = healthcheckCommand(healthcheck);
        List<String> entrypoint = exec(dockerfile.one("ENTRYPOINT"));

        assertThat(command.get(0)).isEqualTo(entrypoint.get(0));
        assertThat(command).containsSubsequence(entrypoint.subList(1, entrypoint.size())).endsWith("health");
        assertThat(healthcheck).doesNotContain("curl", "localhost", "8080", "http:");
        // A JVM starts in about a second: room for it, and not every few seconds.
        assertThat(seconds(healthcheck, "timeout")).isGreaterThanOrEqualTo(10);
        assertThat(seconds(healthcheck, "interval")).isGreaterThanOrEqualTo(30);
    }

    @Test
    void theHealthcheckSaysUpForAGatewayOnItsManagementPort(@TempDir Path workDir) throws Exception {
        Dockerfile dockerfile = Dockerfile.read(DOCKERFILE);
        List<String> command = healthcheckCommand(dockerfile.one("HEALTHCHECK"));
        int jar = command.indexOf("-jar");
        int managementPort = TestGateway.freePort();
        try (TestGateway t = TestGateway.started("docker-health", 1, Map.of("gateway.management.port",
                Integer.toString(managementPort)))) {
            // As in the image: the default config file, relative to the WORKDIR.
            t.writeConfig(workDir.resolve(GatewaySettings.DEFAULT_CONFIG_FILE));
            CommandRun health = CommandRun.of(workDir, command.subList(1, jar),
                    command.subList(jar + 2, command.size()).toArray(String[]::new));

            assertThat(health.exitCode()).as(health.output()).isZero();
            assertThat(health.stdout()).contains(":" + managementPort + "/observe/health/live");
        }
    }

    @Test
    void exposedAndPublishedPortsAreTheConfiguredOnes() throws IOException {
        GatewaySettings defaults = GatewaySettings.load(Path.of(GatewaySettings.DEFAULT_CONFIG_FILE));
        assertThat(Dockerfile.read(DOCKERFILE).one("EXPOSE")).isEqualTo(defaults.httpPort() + " " + defaults.brokerPort());
        assertThat(service("gateway").get("ports")).asInstanceOf(InstanceOfAssertFactories.LIST)
                .contains(defaults.httpPort() + ":" + defaults.httpPort(), defaults.brokerPort() + ":" + defaults.brokerPort());

        String simulatorPort = (String) map(service("hq").get("environment")).get("HQ_PORT");
        assertThat(simulatorPort).isEqualTo(Integer.toString(defaults.simulatorPort()));
        assertThat(service("hq").get("ports")).asInstanceOf(InstanceOfAssertFactories.LIST)
                .containsExactly(simulatorPort + ":" + simulatorPort);
        String hqUrl = (String) map(service("gateway").get("environment")).get("GATEWAY_HQ_URL");
        assertThat(URI.create(hqUrl).getPort()).isEqualTo(defaults.simulatorPort());
    }

    @Test
    void composeMountsVolumesWhereTheImageReadsAndWrites() throws IOException {
        Dockerfile dockerfile = Dockerfile.read(DOCKERFILE);
        Map<String, String> env = dockerfile.env();
        Map<String, Object> gateway = service("gateway");
        List<String> targets = new ArrayList<>();
        for (Object volume : (List<?>) gateway.get("volumes")) {
            if (volume instanceof String shortForm) {
                String[] parts = shortForm.split(":");
                if (parts[0].startsWith(".")) {
                    assertThat(COMPOSE.getParent().resolve(parts[0])).as(shortForm).isDirectory();
                }
                targets.add(parts[1]);
            } else {
                targets.add((String) map(volume).get("target"));
            }
        }

        String workdir = dockerfile.one("WORKDIR");
        assertThat(targets).contains(env.get("GATEWAY_DATA_DIR"), env.get("GATEWAY_ROUTES_DIR"),
                workdir + "/" + Path.of(GatewaySettings.DEFAULT_CONFIG_FILE).getParent(),
                (String) map(gateway.get("environment")).get("GATEWAY_SECURITY_USERS_FILE"));
        assertThat(dockerfile.one("VOLUME")).contains("\"" + env.get("GATEWAY_DATA_DIR") + "\"");
    }

    @Test
    void composeSetsOnlyConfigKeysThatExist() throws IOException {
        String config = Files.readString(Path.of(GatewaySettings.DEFAULT_CONFIG_FILE)).toLowerCase(Locale.ROOT);
        List<String> vars = new ArrayList<>();
        for (Object service : map(compose().get("services")).values()) {
            Object environment = map(service).get("environment");
            if (environment != null) {
                map(environment).keySet().stream().filter(v -> v.matches("(GATEWAY|HQ)_[A-Z_]+")).forEach(vars::add);
            }
        }
        assertThat(vars).isNotEmpty();
        for (String var : vars) {
            // GATEWAY_HQ_URL -> gateway.hq.url (or gateway.hq-url): the config file names every key.
            String dotted = var.toLowerCase(Locale.ROOT).replace('_', '.');
            Pattern key = Pattern.compile("(?m)^#?\\s*" + dotted.replace(".", "[.-]") + "\\s*=");
            assertThat(key.matcher(config).find()).as("%s names a key in config/application.properties", var).isTrue();
        }
    }

    @Test
    void theSimulatorsHealthcheckCallsAPathItServes() {
        List<?> test = (List<?>) map(service("hq").get("healthcheck")).get("test");
        URI uri = URI.create((String) test.get(test.size() - 1));
        HqSimulator hq = new HqSimulator(0).start();
        try {
            assertThat(new TerminalClient(hq.url(), null).get(uri.getPath()).status()).as(uri.getPath()).isEqualTo(200);
        } finally {
            hq.stop();
        }
    }

    /** The sources of the COPY instructions (of every stage) that come from the build context. */
    private static List<String> copiedFromTheContext(Dockerfile dockerfile) {
        List<String> sources = new ArrayList<>();
        for (String copy : dockerfile.instructions().stream().filter(i -> i.keyword().equals("COPY"))
                .map(Dockerfile.Instruction::arguments).toList()) {
            if (!copy.startsWith("--from=")) {
                List<String> words = List.of(copy.replaceAll("^--chown=\\S+ ", "").split(" "));
                sources.addAll(words.subList(0, words.size() - 1));
            }
        }
        return sources;
    }

    /** The files git tracks under {@code paths}: what a clean clone, the build's context, holds. */
    private static List<String> tracked(List<String> paths) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "ls-files", "--"));
        command.addAll(paths);
        Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(git.waitFor()).as(out).isZero();
        return out.lines().toList();
    }

    private static List<String> healthcheckCommand(String healthcheck) throws IOException {
        Matcher cmd = Pattern.compile("\\bCMD (\\[.*])$").matcher(healthcheck);
        assertThat(cmd.find()).as("HEALTHCHECK in exec form (no shell): %s", healthcheck).isTrue();
        return exec(cmd.group(1));
    }

    private static List<String> exec(String json) throws IOException {
        return List.of(new ObjectMapper().readValue(json, String[].class));
    }

    private static int seconds(String healthcheck, String option) {
        Matcher m = Pattern.compile("--" + option + "=(\\d+)s\\b").matcher(healthcheck);
        assertThat(m.find()).as("--%s in %s", option, healthcheck).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static Map<String, Object> compose() throws IOException {
        return map(new Load(LoadSettings.builder().build()).loadFromString(Files.readString(COMPOSE)));
    }

    private static Map<String, Object> service(String name) {
        try {
            return map(map(compose().get("services")).get(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object yaml) {
        assertThat(yaml).isInstanceOf(Map.class);
        return (Map<String, Object>) yaml;
    }
}
