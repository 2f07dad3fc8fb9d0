package io.storegateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegateway.config.GatewaySettings;
import io.storegateway.update.UpdateJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogFormatTest {

    private final PrintStream originalOut = System.out;

    @AfterEach
    void backToText() {
        System.setOut(originalOut);
        LogFormat.apply(GatewaySettings.of(Map.of(LogFormat.KEY, "text")));
        System.clearProperty(LogFormat.KEY);
    }

    @Test
    void jsonFormatWritesOneObjectPerLineWithUpdateIdAndSkuAsFields() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        LogFormat.apply(GatewaySettings.of(Map.of(LogFormat.KEY, "json")));

        LoggerFactory.getLogger("io.storegateway.test").atWarn()
                .addKeyValue("updateId", "u-42").addKeyValue("sku", "SKU-0042")
                .log("HQ rejected update {} for good", "u-42");

        String line = captured.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("HQ rejected update")).findFirst().orElseThrow();
        JsonNode json = UpdateJson.MAPPER.readTree(line);
        assertThat(json.path("level").asText()).isEqualTo("WARN");
        assertThat(json.path("formattedMessage").asText()).isEqualTo("HQ rejected update u-42 for good");
        assertThat(json.path("kvpList").toString()).contains("\"updateId\":\"u-42\"").contains("\"sku\":\"SKU-0042\"");
    }

    @Test
    void anUnknownFormatIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> LogFormat.apply(GatewaySettings.of(Map.of(LogFormat.KEY, "xml"))))
                .hasMessageContaining("gateway.log.format must be text or json");
    }
}
