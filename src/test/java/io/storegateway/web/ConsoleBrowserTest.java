package io.storegateway.web;

import io.storegateway.TerminalClient;
import io.storegateway.TestGateway;
import io.storegateway.admin.ActivityHistory;
import io.storegateway.broker.Queues;
import io.storegateway.config.GatewaySettings;
import io.storegateway.hq.ProductRecord;
import io.storegateway.routes.RouteFiles;
import io.storegateway.routes.ShippedRoutes;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.JMSContext;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The console at /console/ in a real headless Chromium (Debian's chromium and chromedriver),
 * against a real gateway and HQ simulator: what IT sees, and what its clicks do on the server.
 * Without Chromium the tests are skipped, unless STOREGW_REQUIRE_BROWSER=1 (CI) makes that a failure.
 */
class ConsoleBrowserTest {

    private static final String CHROMIUM = System.getProperty("storegw.chromium", "/usr/bin/chromium");
    private static final String CHROMEDRIVER = System.getProperty("storegw.chromedriver", "/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "console-browser");
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String SKU = "SKU-0001";

    private static WebDriver browser;
    private static Path profile;

    private TestGateway t;
    private TerminalClient terminal;
    private TerminalClient it;

    private static final String MISSING = CHROMIUM + " or " + CHROMEDRIVER
            + " is missing (Debian: apt-get install chromium chromium-driver)";

    private static boolean browserPresent() {
        return Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER));
    }

    @BeforeAll
    static void startBrowser() throws IOException {
        if (!browserPresent()) {
            if ("1".equals(System.getenv("STOREGW_REQUIRE_BROWSER"))) {
                fail("STOREGW_REQUIRE_BROWSER=1 but " + MISSING);
            }
            return; // each test reports itself skipped, with the reason
        }
        profile = Files.createTempDirectory("console-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // The machine's network is closed: nothing in the background may try to reach out.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,1700", "--user-data-dir=" + profile);
        // An explicit driver executable and browser binary: Selenium Manager is never asked to download one.
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @AfterEach
    void stop(TestInfo test) throws IOException {
        // What the page looked like at the end, for whoever reads a failed CI run.
        if (browser instanceof ChromeDriver chrome) {
            Files.createDirectories(SCREENSHOTS);
            Files.copy(chrome.getScreenshotAs(OutputType.FILE).toPath(),
                    SCREENSHOTS.resolve(test.getTestMethod().orElseThrow().getName() + ".png"), StandardCopyOption.REPLACE_EXISTING);
        }
        if (t != null) {
            t.close();
        }
    }

    private void start(String name, Map<String, String> settings) {
        assumeTrue(browser != null, "console browser test skipped: " + MISSING);
        Map<String, String> all = new HashMap<>(settings);
        all.put(ActivityHistory.SAMPLE_INTERVAL_MS, "300");
        t = TestGateway.started(name, 3, all);
        terminal = t.terminal();
        it = new TerminalClient(t.baseUrl(), TestGateway.ADMIN_TOKEN);
        browser.get(t.baseUrl() + "/console/");
    }

    private void signIn(String token) {
        waitFor("the sign-in form", d -> d.findElement(By.cssSelector("[data-testid=token]")).isDisplayed());
        WebElement box = byTestId("token");
        box.clear();
        box.sendKeys(token);
        byTestId("signin-submit").click();
    }

    private WebElement byTestId(String id) {
        return browser.findElement(By.cssSelector("[data-testid='" + id + "']"));
    }

    private String text(String testId) {
        return byTestId(testId).getText();
    }

    private <V> V waitFor(String what, Function<WebDriver, V> condition) {
        return new WebDriverWait(browser, PATIENCE)
                .ignoring(StaleElementReferenceException.class)
                .withMessage(() -> what + "; the page said: " + browser.findElement(By.tagName("body")).getText())
                .until(condition);
    }

    private void waitForText(String testId, String expected) {
        waitFor(testId + " to show '" + expected + "'", d -> text(testId).equals(expected));
    }

    private int rows(String testId) {
        return browser.findElements(By.cssSelector("tr[data-testid='" + testId + "']")).size();
    }

    @Test
    void signsInWithTheAdminTokenOnlyAndSaysWhenTheGatewayIsUnreachable() {
        start("console-signin", Map.of());

        signIn("not-a-token");
        waitFor("the page to refuse an unknown token",
                d -> text("signin-message").contains("did not accept this token"));
        signIn(TestGateway.TERMINAL_TOKEN);
        waitFor("the page to refuse a terminal token", d -> text("signin-message").contains("not an admin token"));
        signIn(TestGateway.ADMIN_TOKEN);
        waitForText("status-online", "Online");
        assertThat(text("status-breaker")).isEqualTo("CLOSED");
        assertThat(terminal.get("/admin/v1/history").status()).isEqualTo(403);
        assertThat(it.get("/admin/v1/history").json().path("points")).isNotEmpty();

        t.stopGateway();

        waitFor("the page to say the gateway does not answer", d -> byTestId("error").isDisplayed()
                && text("error").contains("gateway does not answer"));
    }

    @Test
    void showsTheBacklogGrowWhileHqIsAwayAndDrainWhenItIsBack() {
        start("console-backlog", Map.of());
        signIn(TestGateway.ADMIN_TOKEN);
        waitForText("status-online", "Online");
        waitForText("status-backlog", "0");

        t.hq.stop();
        waitForText("status-online", "Offline");
        for (int i = 1; i <= 7; i++) {
            assertThat(terminal.post(TerminalClient.adjust("sold-" + i, SKU, -1)).status()).isEqualTo(202);
        }

        waitForText("status-backlog", "7");
        // The chart's latest sample has it too.
        waitFor("the chart to show a backlog of 7", d -> d.findElement(By.id("legend-backlog")).getText().equals("7"));
        assertThat(browser.findElements(By.cssSelector("#chart [data-series=backlog]"))).isNotEmpty();

        t.hq.start();
        waitForText("status-online", "Online");
        waitForText("status-backlog", "0");
        waitFor("a last sync", d -> text("status-last-sync").endsWith("ago"));
        // The time axis covers the samples there are, from the first: the outage takes a good part of the chart.
        waitFor("the chart to show the backlog drained", d -> d.findElement(By.id("legend-backlog")).getText().equals("0"));
        WebElement chart = byTestId("chart");
        Instant firstSample = Instant.parse(it.get("/admin/v1/history").json().at("/points/0/at").asText());
        assertThat(Instant.parse(chart.getAttribute("data-axis-start"))).isEqualTo(firstSample.truncatedTo(ChronoUnit.MILLIS));
        assertThat(browser.findElements(By.cssSelector("#chart [data-axis-label]"))).extracting(WebElement::getText)
                .contains("now").doesNotContain("−60 min");
        assertThat(shareOfChartWithABacklog()).as("the outage's share of the chart's width").isGreaterThan(0.1);
        assertThat(t.hq.product(TestGateway.STORE, SKU).orElseThrow().quantity())
                .isEqualTo(it.get("/api/v1/products/" + SKU).json().path("hq").path("quantity").asLong());
    }

    @Test
    void resolvesAManualConflictWithAClick() {
        start("console-conflict", Map.of("gateway.conflict.policy", "MANUAL"));
        signIn(TestGateway.ADMIN_TOKEN);
        waitForText("status-online", "Online");
        // The store sets a price on version 1 while HQ is away; HQ sets another meanwhile.
        t.hq.stop();
        assertThat(terminal.post("{\"updateId\":\"price-1\",\"terminalId\":\"till-1\",\"type\":\"SET_PRICE\",\"sku\":\"" + SKU
                + "\",\"price\":1.11,\"baseVersion\":1,\"occurredAt\":\"" + Instant.now() + "\"}").status()).isEqualTo(202);
        t.hq.editAtHq(TestGateway.STORE, new ProductRecord(SKU, null, new BigDecimal("9.99"),
                t.hq.product(TestGateway.STORE, SKU).orElseThrow().quantity(), 0, null, false));
        t.hq.start();

        String row = "tr[data-testid=conflict-row][data-sku='" + SKU + "']";
        waitFor("the conflict to be listed", d -> !d.findElements(By.cssSelector(row)).isEmpty());
        waitForText("status-conflicts", "1");
        assertThat(browser.findElement(By.cssSelector(row)).getText()).contains("price 1.11").contains("price 9.99");

        browser.findElement(By.cssSelector(row + " [data-testid=resolve-local]")).click();

        waitFor("the conflict to leave the page", d -> rows("conflict-row") == 0);
        waitForText("status-conflicts", "0");
        assertThat(text("notice")).contains("resolved");
        assertThat(it.get("/admin/v1/conflicts").json().path("items")).isEmpty();
        // The store's price went to HQ again and came back into the mirror.
        await().atMost(PATIENCE).untilAsserted(() -> {
            JsonNode p = terminal.product(SKU);
            assertThat(p.path("price").decimalValue()).isEqualByComparingTo("1.11");
            assertThat(p.path("syncState").asText()).isEqualTo("SYNCED");
        });
        assertThat(t.hq.product(TestGateway.STORE, SKU).orElseThrow().price()).isEqualByComparingTo("1.11");
    }

    @Test
    void replaysAndDiscardsSetAsideMessagesWithAClick() {
        start("console-parked", Map.of());
        signIn(TestGateway.ADMIN_TOKEN);
        waitForText("status-online", "Online");
        // HQ does not know these products: both go to the DLQ.
        assertThat(terminal.post(TerminalClient.adjust("dead-1", "NEW-1", 5)).status()).isEqualTo(202);
        assertThat(terminal.post(TerminalClient.adjust("dead-2", "NEW-2", 1)).status()).isEqualTo(202);
        waitFor("two DLQ rows", d -> rows("dlq-row") == 2);
        waitForText("status-dlq", "2");

        // HQ now knows NEW-1: its update can be replayed.
        t.hq.editAtHq(TestGateway.STORE, new ProductRecord("NEW-1", "Kiwi", new BigDecimal("0.40"), 10, 0, null, false));
        browser.findElement(By.cssSelector("tr[data-testid=dlq-row][data-update-id='dead-1'] [data-testid=replay]")).click();
        waitFor("the replayed row to leave the page", d -> rows("dlq-row") == 1);
        await().atMost(PATIENCE).until(() -> "APPLIED".equals(terminal.update("dead-1").path("status").asText()));
        assertThat(t.hq.product(TestGateway.STORE, "NEW-1").orElseThrow().quantity()).isEqualTo(15);

        // Discard asks first.
        browser.findElement(By.cssSelector("tr[data-testid=dlq-row][data-update-id='dead-2'] [data-testid=discard]")).click();
        new WebDriverWait(browser, PATIENCE).until(ExpectedConditions.alertIsPresent()).accept();
        waitFor("the discarded row to leave the page", d -> rows("dlq-row") == 0);
        assertThat(t.gateway().depth(Queues.DLQ)).isZero();
        assertThat(it.get("/admin/v1/dlq").json().path("items")).isEmpty();

        // An invalid JMS message whose body is markup: shown as text, never run as HTML.
        sendToIngest("<img id=injected src=x onerror=alert(1)>");
        waitFor("the invalid message on the page", d -> rows("invalid-row") == 1);
        assertThat(browser.findElement(By.cssSelector("tr[data-testid=invalid-row]")).getText()).contains("<img id=injected");
        assertThat(browser.findElements(By.id("injected"))).isEmpty();

        browser.findElement(By.cssSelector("tr[data-testid=invalid-row] [data-testid=discard]")).click();
        new WebDriverWait(browser, PATIENCE).until(ExpectedConditions.alertIsPresent()).accept();
        waitFor("the invalid row to leave the page", d -> rows("invalid-row") == 0);
        assertThat(t.gateway().depth(Queues.INVALID)).isZero();
    }

    @Test
    void anInvalidMessageShowsItsSkuAndUpdateIdAndAReplaySaysItIsStillInvalid() {
        start("console-invalid", Map.of());
        signIn(TestGateway.ADMIN_TOKEN);
        waitForText("status-online", "Online");

        sendToIngest("{\"updateId\":\"bad-1\",\"terminalId\":\"till-1\",\"type\":\"ADJUST_QUANTITY\",\"sku\":\"SKU-0002\","
                + "\"delta\":\"lots\",\"occurredAt\":\"" + Instant.now() + "\"}");

        String row = "tr[data-testid=invalid-row][data-update-id='bad-1']";
        waitFor("the invalid message with its update id", d -> !d.findElements(By.cssSelector(row)).isEmpty());
        List<String> cells = browser.findElement(By.cssSelector(row)).findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
        assertThat(cells.get(1)).isEqualTo("bad-1");
        assertThat(cells.get(2)).isEqualTo("SKU-0002");

        browser.findElement(By.cssSelector(row + " [data-testid=replay]")).click();

        waitFor("the page to say it is still invalid", d -> text("notice").contains("still invalid"));
        assertThat(text("notice")).contains("bad-1").contains("delta");
        assertThat(browser.findElement(By.cssSelector(row)).getAttribute("data-still-invalid")).isEqualTo("yes");
        assertThat(rows("invalid-row")).isEqualTo(1);
        assertThat(t.gateway().depth(Queues.INVALID)).isEqualTo(1);
    }

    @Test
    void showsARefusedRouteFileWithItsLineAndRestoresTheRunningVersionWithAClick() throws IOException {
        Path routes = ShippedRoutes.copy("console-routes");
        start("console-routes", Map.of(GatewaySettings.ROUTES_DIR, routes.toString(), RouteFiles.WATCH_INTERVAL_MS, "200"));
        signIn(TestGateway.ADMIN_TOKEN);
        waitForText("status-online", "Online");
        assertThat(byTestId("routes-refused").isDisplayed()).as("nothing refused yet").isFalse();
        String file = "post-to-hq.camel.yaml";
        String running = Files.readString(routes.resolve(file));
        String broken = running.replace("{{gateway.hq.url}}", "{{gateway.hq.no-such-url}}");
        List<String> lines = broken.lines().toList();
        int line = 1 + IntStream.range(0, lines.size()).filter(i -> lines.get(i).contains("no-such-url")).findFirst().orElseThrow();

        Files.writeString(routes.resolve(file), broken);

        String block = "[data-testid=route-refused][data-file='" + file + "']";
        waitFor("the refused route file on the page", d -> !d.findElements(By.cssSelector(block)).isEmpty()
                && byTestId("routes-refused").isDisplayed());
        assertThat(browser.findElement(By.cssSelector(block + " [data-testid=route-error]")).getText())
                .startsWith(file + ":" + line + ": ").contains("unresolvable placeholder");

        browser.findElement(By.cssSelector(block + " [data-testid=restore-route]")).click();

        waitFor("the refused file to leave the page", d -> !byTestId("routes-refused").isDisplayed());
        assertThat(text("notice")).contains("restored");
        assertThat(Files.readString(routes.resolve(file))).isEqualTo(running);
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(it.get("/admin/v1/status").json().at("/routes/reloadErrors")).isEmpty();
            assertThat(new TerminalClient(t.baseUrl(), null).get("/observe/health").json().path("checks")).anySatisfy(check -> {
                assertThat(check.path("name").asText()).isEqualTo("route-reload");
                assertThat(check.path("status").asText()).isEqualTo("UP");
            });
        });
    }

    private void sendToIngest(String body) {
        try (ActiveMQConnectionFactory f = new ActiveMQConnectionFactory("tcp://localhost:" + t.brokerPort());
             JMSContext ctx = f.createContext(TestGateway.TERMINAL_USER, TestGateway.TERMINAL_TOKEN)) {
            ctx.createProducer().send(ctx.createQueue(Queues.INBOUND), body);
        }
    }

    /** How much of the backlog panel's width the drawn backlog is above zero. */
    private double shareOfChartWithABacklog() {
        WebElement panel = browser.findElement(By.cssSelector("#chart rect[data-panel=backlog]"));
        double left = Double.parseDouble(panel.getAttribute("x"));
        double width = Double.parseDouble(panel.getAttribute("width"));
        double zero = Double.parseDouble(panel.getAttribute("y")) + Double.parseDouble(panel.getAttribute("height"));
        List<double[]> drawn = new ArrayList<>();
        for (WebElement line : browser.findElements(By.cssSelector("#chart polyline[data-series=backlog]"))) {
            for (String point : line.getAttribute("points").trim().split("\\s+")) {
                String[] xy = point.split(",");
                drawn.add(new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])});
            }
        }
        for (WebElement dot : browser.findElements(By.cssSelector("#chart circle[data-series=backlog]"))) {
            drawn.add(new double[] {Double.parseDouble(dot.getAttribute("cx")), Double.parseDouble(dot.getAttribute("cy"))});
        }
        double from = drawn.stream().filter(p -> p[1] < zero - 0.5).mapToDouble(p -> p[0]).min().orElse(left);
        double to = drawn.stream().filter(p -> p[1] < zero - 0.5).mapToDouble(p -> p[0]).max().orElse(left);
        return (to - from) / width;
    }
}
