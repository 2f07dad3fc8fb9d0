package io.storegateway.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewaySettingsTest {

    @Test
    void environmentOverridesTheFileAndSystemPropertiesOverrideBoth(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, "gateway.hq.url = http://file\ngateway.store-id = FILE\ngateway.http.port = 1111\n");
        Properties system = new Properties();
        system.setProperty("gateway.store-id", "SYSTEM");

        GatewaySettings s = GatewaySettings.load(file,
                Map.of("GATEWAY_HQ_URL", "http://env", "GATEWAY_STORE_ID", "ENV", "GATEWAY_ROUTES_DIR", "/r"), system);

        assertThat(s.hqUrl()).isEqualTo("http://env");
        assertThat(s.storeId()).isEqualTo("SYSTEM");
        assertThat(s.httpPort()).isEqualTo(1111);
        assertThat(s.routesDir()).isEqualTo(Path.of("/r"));
    }

    @Test
    void anEnvironmentVariableSetsAKeyThatNoFileMentions(@TempDir Path dir) {
        GatewaySettings s = GatewaySettings.load(dir.resolve("absent.properties"),
                Map.of("GATEWAY_BROKER_MAX_DISK_USAGE_PERCENT", "7"), new Properties());

        assertThat(s.getInt("gateway.broker.max-disk-usage-percent", 90)).isEqualTo(7);
    }

    @Test
    void contractDefaultsApplyWithoutAFile(@TempDir Path dir) {
        GatewaySettings s = GatewaySettings.load(dir.resolve("absent.properties"), Map.of(), new Properties());

        assertThat(s.storeId()).isEqualTo("S001");
        assertThat(s.httpPort()).isEqualTo(8080);
        assertThat(s.brokerPort()).isEqualTo(61616);
        assertThat(s.hqUrl()).isEqualTo("http://localhost:9090");
        assertThat(s.brokerUrl()).isEmpty();
        assertThat(s.simulatorPort()).isEqualTo(9090);
        assertThat(s.mirrorJdbcUrl()).startsWith("jdbc:sqlite:").contains("data").endsWith("mirror.db");
    }

    @Test
    void environmentNamesFollowTheContract() {
        assertThat(GatewaySettings.environmentName("gateway.hq.url")).isEqualTo("GATEWAY_HQ_URL");
        assertThat(GatewaySettings.environmentName("gateway.mirror.jdbc-url")).isEqualTo("GATEWAY_MIRROR_JDBC_URL");
    }

    @Test
    void aBadNumberNamesTheKey() {
        GatewaySettings s = GatewaySettings.of(Map.of("gateway.http.port", "eighty"));

        assertThatThrownBy(s::httpPort).hasMessageContaining("gateway.http.port").hasMessageContaining("eighty");
    }
}
