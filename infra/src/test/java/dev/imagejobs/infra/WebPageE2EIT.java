package dev.imagejobs.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The web page on the real local stack, in headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}, installed by {@code .ci/run}): a user opens the link the launcher prints,
 * submits a prompt and watches the job reach {@code completed} live, with its image shown, without
 * reloading; invalid input shows the server's problem details. Skipped only where no chromedriver is
 * installed.
 */
class WebPageE2EIT {
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir static Path stateDir;
  @TempDir static Path browserProfile;

  @RegisterExtension static final StackLogsOnFailure LOGS = new StackLogsOnFailure();

  private static RunningStack stack;
  private static WebDriver browser;

  @BeforeAll
  static void start() {
    assumeTrue(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
        "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
    LOGS.watch(new StateDirectory(stateDir).logs());
    stack = LocalStack.start(TestStacks.settings(stateDir, Map.of()));
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // The flags Chromium needs on a machine without network access or a display, running as root.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + browserProfile);
    browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build(),
        options);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aPromptSubmittedOnThePageReachesCompletedLiveWithItsImageShown() {
    // Given the page opened through the link the launcher prints, following project "storyboard"
    browser.get(stack.gatewayUrl() + "/?project=storyboard&token=" + stack.devToken());
    WebDriverWait wait = new WebDriverWait(browser, TIMEOUT);
    wait.until(d -> "live".equals(byTestId("stream-status").getAttribute("data-state")));

    // When the user submits a prompt for a character key at 16:9, at high priority
    new Select(byTestId("job-type")).selectByValue("ASSET_IMAGE_KEY");
    byTestId("asset-id").sendKeys("captain");
    byTestId("prompt").sendKeys("A sea captain with a brass telescope, storyboard sketch");
    new Select(byTestId("aspect-ratio")).selectByVisibleText("16:9");
    new Select(byTestId("priority")).selectByValue("high");
    byTestId("submit-job").click();

    // Then the job appears and reaches completed without a reload, with its image loaded
    WebElement row = wait.until(d -> d.findElements(By.cssSelector("[data-testid=job-row][data-status=completed]"))
        .stream().findFirst().orElse(null));
    WebElement image = row.findElement(By.cssSelector("[data-testid=job-image]"));
    wait.until(d -> "true".equals(image.getAttribute("data-loaded")));
    Object naturalWidth = ((JavascriptExecutor) browser).executeScript("return arguments[0].naturalWidth;", image);
    Object naturalHeight = ((JavascriptExecutor) browser).executeScript("return arguments[0].naturalHeight;", image);
    assertThat(((Number) naturalWidth).doubleValue() / ((Number) naturalHeight).doubleValue())
        .isCloseTo(16.0 / 9.0, within(0.05));
    assertThat(row.getAttribute("data-job-id")).isNotBlank();
    assertThat(row.findElement(By.cssSelector("[data-testid=job-status]")).getText()).containsIgnoringCase("completed");
    assertThat(row.findElement(By.cssSelector("[data-testid=job-detail]")).getText()).contains("priority high");
  }

  @Test
  void aBatchSubmittedOnThePageIsFollowedLiveUntilEveryJobEnded() throws Exception {
    // Given the page following project "batches"
    browser.get(stack.gatewayUrl() + "/?project=batches&token=" + stack.devToken());
    WebDriverWait wait = new WebDriverWait(browser, TIMEOUT);
    wait.until(d -> "live".equals(byTestId("stream-status").getAttribute("data-state")));

    // When the user sends three prompts, one per line, as a batch of start frames
    new Select(byTestId("job-type")).selectByValue("START_FRAME");
    byTestId("scene-id").sendKeys("s1");
    byTestId("shot-id").sendKeys("sh1");
    byTestId("batch-section").findElement(By.tagName("summary")).click();
    byTestId("batch-prompts").sendKeys("The harbour at dawn\nThe harbour at noon\n\nThe harbour at dusk\n");
    byTestId("submit-batch").click();

    // Then the batch's line counts its jobs until all three completed and the batch ended
    WebElement status = wait.until(d -> "ended".equals(byTestId("batch-status").getAttribute("data-state"))
        ? byTestId("batch-status") : null);
    assertThat(status.getText()).contains("3 jobs", "3 completed", "ended");
    assertThat(browser.findElements(By.cssSelector("[data-testid=job-row][data-status=completed]"))).hasSize(3);
    HttpResponse<String> batch = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            stack.gatewayUrl() + "/api/v1/images/batches/" + status.getAttribute("data-batch-id")))
        .header("Authorization", "Bearer " + stack.devToken()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(batch.statusCode()).as(batch.body()).isEqualTo(200);
    assertThat(batch.body()).contains("\"jobCount\":3", "\"completed\":3", "\"ended\":true",
        "The harbour at dawn", "The harbour at dusk");
  }

  @Test
  void aFrameMadeFromAnUploadedReferenceAndAnEarlierJobsImageCompletesWithBoth() throws Exception {
    // Given the page following project "references", with a completed asset key
    browser.get(stack.gatewayUrl() + "/?project=references&token=" + stack.devToken());
    WebDriverWait wait = new WebDriverWait(browser, TIMEOUT);
    wait.until(d -> "live".equals(byTestId("stream-status").getAttribute("data-state")));
    new Select(byTestId("job-type")).selectByValue("ASSET_IMAGE_KEY");
    byTestId("asset-id").sendKeys("mara");
    byTestId("prompt").sendKeys("Mara, a lighthouse keeper");
    byTestId("submit-job").click();
    WebElement key = wait.until(d -> d.findElements(By.cssSelector("[data-testid=job-row][data-status=completed]"))
        .stream().findFirst().orElse(null));

    // When the user picks that job's image, uploads a sketch, and asks for a start frame with both
    key.findElement(By.cssSelector("[data-testid=use-reference-button]")).click();
    Path sketch = stateDir.resolve("sketch.png");
    ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "png", sketch.toFile());
    byTestId("reference-file").sendKeys(sketch.toString());
    wait.until(d -> d.findElements(By.cssSelector("[data-testid=reference-chip]")).size() == 2);
    new Select(byTestId("job-type")).selectByValue("START_FRAME");
    byTestId("scene-id").sendKeys("s1");
    byTestId("shot-id").sendKeys("sh1");
    byTestId("prompt").sendKeys("Mara on the pier, as sketched");
    byTestId("submit-job").click();

    // Then the frame completes, and its job sends the two references in the order picked
    wait.until(d -> d.findElements(By.cssSelector("[data-testid=job-row][data-status=completed]")).size() == 2);
    assertThat(browser.findElements(By.cssSelector("[data-testid=reference-chip]"))).isEmpty();
    String frame = browser.findElements(By.cssSelector("[data-testid=job-row]")).get(0).getAttribute("data-job-id");
    HttpResponse<String> view = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            stack.gatewayUrl() + "/api/v1/images/jobs/" + frame))
        .header("Authorization", "Bearer " + stack.devToken()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(view.body()).contains("\"jobType\":\"START_FRAME\"", "\"status\":\"completed\"")
        .containsPattern("\"references\":\\[\\{\"source\":\"job\",\"id\":\"" + key.getAttribute("data-job-id")
            + "\".*\\{\"source\":\"upload\"");

    // And an end frame that matches the shot's start frame completes with it as its first reference
    new Select(byTestId("job-type")).selectByValue("END_FRAME");
    byTestId("match-start").click();
    byTestId("prompt").sendKeys("Mara leaves the pier");
    byTestId("submit-job").click();
    wait.until(d -> d.findElements(By.cssSelector("[data-testid=job-row][data-status=completed]")).size() == 3);
    String end = browser.findElements(By.cssSelector("[data-testid=job-row]")).get(0).getAttribute("data-job-id");
    HttpResponse<String> endView = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            stack.gatewayUrl() + "/api/v1/images/jobs/" + end))
        .header("Authorization", "Bearer " + stack.devToken()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(endView.body()).contains("\"jobType\":\"END_FRAME\"")
        .contains("\"references\":[{\"source\":\"job\",\"id\":\"" + frame + "\"");
  }

  @Test
  void anEditWithAMaskPaintedOnThePageChangesOnlyThePaintedRegion() throws Exception {
    // Given the page following project "edits", with a completed asset key
    browser.get(stack.gatewayUrl() + "/?project=edits&token=" + stack.devToken());
    WebDriverWait wait = new WebDriverWait(browser, TIMEOUT);
    wait.until(d -> "live".equals(byTestId("stream-status").getAttribute("data-state")));
    new Select(byTestId("job-type")).selectByValue("ASSET_IMAGE_KEY");
    byTestId("asset-id").sendKeys("coat");
    byTestId("prompt").sendKeys("A grey coat on a hook");
    byTestId("submit-job").click();
    WebElement source = wait.until(d -> d.findElements(By.cssSelector("[data-testid=job-row][data-status=completed]"))
        .stream().findFirst().orElse(null));

    // When the user opens the editor on it, paints a stroke in its top left corner and applies an edit
    source.findElement(By.cssSelector("[data-testid=edit-button]")).click();
    wait.until(d -> "true".equals(byTestId("edit-source").getAttribute("data-loaded")));
    WebElement canvas = byTestId("mask-canvas");
    int width = canvas.getRect().getWidth();
    int height = canvas.getRect().getHeight();
    new Actions(browser).moveToElement(canvas, -width / 2 + width / 8, -height / 2 + height / 8).clickAndHold()
        .moveByOffset(width / 8, 0).moveByOffset(0, height / 8).release().perform();
    wait.until(d -> "painted".equals(byTestId("mask-status").getAttribute("data-state")));
    byTestId("edit-prompt").sendKeys("Make the coat red");
    byTestId("submit-edit").click();

    // Then the edit completes, at the source's size, and only painted pixels differ from the source
    wait.until(d -> d.findElements(By.cssSelector("[data-testid=job-row][data-status=completed]")).size() == 2);
    String edit = browser.findElements(By.cssSelector("[data-testid=job-row]")).get(0).getAttribute("data-job-id");
    JsonNode view = TestStacks.job(stack, edit);
    assertThat(view.get("jobType").asText()).isEqualTo("EDIT");
    assertThat(view.at("/edit/source/id").asText()).isEqualTo(source.getAttribute("data-job-id"));
    BufferedImage before = image("/api/v1/images/jobs/" + source.getAttribute("data-job-id") + "/image");
    BufferedImage after = image("/api/v1/images/jobs/" + edit + "/image");
    BufferedImage mask = image("/api/v1/images/references/" + view.at("/edit/mask/id").asText() + "/image");
    assertThat(after.getWidth()).isEqualTo(before.getWidth());
    assertThat(after.getHeight()).isEqualTo(before.getHeight());
    int changedInside = 0;
    for (int y = 0; y < before.getHeight(); y++) {
      for (int x = 0; x < before.getWidth(); x++) {
        boolean inside = (mask.getRGB(x, y) >>> 24) >= 128;
        if (!inside) {
          assertThat(after.getRGB(x, y)).as("pixel %d,%d outside the mask", x, y).isEqualTo(before.getRGB(x, y));
        } else if (after.getRGB(x, y) != before.getRGB(x, y)) {
          changedInside++;
        }
      }
    }
    assertThat(changedInside).as("pixels changed inside the mask").isPositive();
    assertThat((mask.getRGB(0, 0) >>> 24)).as("the corner was not painted").isZero();
  }

  @Test
  void aJobOfThreeVariantsShowsEachAndTheOneChosenBecomesTheJobsImageAtItsPlaceInTheStore() throws Exception {
    // Given the page following project "variations"
    browser.get(stack.gatewayUrl() + "/?project=variations&token=" + stack.devToken());
    WebDriverWait wait = new WebDriverWait(browser, TIMEOUT);
    wait.until(d -> "live".equals(byTestId("stream-status").getAttribute("data-state")));

    // When the user asks for three variants of a start frame and chooses the second
    new Select(byTestId("job-type")).selectByValue("START_FRAME");
    byTestId("scene-id").sendKeys("s1");
    byTestId("shot-id").sendKeys("sh1");
    byTestId("prompt").sendKeys("The harbour at dawn, three ways");
    new Select(byTestId("variants")).selectByValue("3");
    byTestId("submit-job").click();
    String jobId = wait.until(d -> d.findElements(By.cssSelector("[data-testid=job-row][data-status=completed]"))
        .stream().findFirst().orElse(null)).getAttribute("data-job-id");
    // The page draws a job's row again on each of its events: find it anew each time.
    By row = By.cssSelector("[data-testid=job-row][data-job-id='" + jobId + "']");
    wait.ignoring(StaleElementReferenceException.class);
    wait.until(d -> d.findElement(row).findElements(By.cssSelector("[data-testid=variant][data-status=stored] img"))
        .size() == 3);
    wait.until(d -> {
      d.findElement(row).findElement(By.cssSelector("[data-testid=variant][data-variant='2'] [data-testid=choose-variant]"))
          .click();
      return true;
    });

    // Then the second is marked chosen, the job's image is its, and the store has it at the job's path
    wait.until(d -> "true".equals(d.findElement(row).findElement(By.cssSelector("[data-testid=variant][data-variant='2']"))
        .getAttribute("data-selected")));
    JsonNode view = TestStacks.job(stack, jobId);
    assertThat(view.get("selectedVariant").asInt()).isEqualTo(2);
    assertThat(view.get("variants")).hasSize(3);
    String variantPath = view.at("/variants/1/url").asText();
    byte[] chosen = TestStacks.get(stack, variantPath).body();
    assertThat(TestStacks.get(stack, "/api/v1/images/jobs/" + jobId + "/image").body()).isEqualTo(chosen);
    Path storage = new StateDirectory(stack.stateDir()).storage();
    Path jobPath = storage.resolve("asset-images").resolve(view.at("/image/storagePath").asText().replace("_v2.", "."));
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(Files.readAllBytes(jobPath)).isEqualTo(chosen));
  }

  private static BufferedImage image(String path) throws Exception {
    HttpResponse<byte[]> response = TestStacks.get(stack, path);
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return ImageIO.read(new ByteArrayInputStream(response.body()));
  }

  @Test
  void thePageOpensOnTheTenantsProjectsAndShowsOneAsAStoryboardLive() throws Exception {
    // Given a project "harbour-film" with a character's key and a shot's start and end frames
    String key = TestStacks.submit(stack, Map.of("jobType", "ASSET_IMAGE_KEY", "projectId", "harbour-film",
        "branchId", "main", "assetId", "keeper", "prompt", "The keeper", "aspectRatio", "3:4"));
    TestStacks.awaitEnded(stack, key, TIMEOUT);
    for (String type : List.of("START_FRAME", "END_FRAME")) {
      TestStacks.awaitEnded(stack, TestStacks.submit(stack, Map.of("jobType", type, "projectId", "harbour-film",
          "branchId", "main", "sceneId", "s1", "shotId", "sh1", "prompt", "The pier, " + type,
          "aspectRatio", "21:9")), TIMEOUT);
    }

    // When the page is opened without a project
    browser.get(stack.gatewayUrl() + "/?token=" + stack.devToken());
    WebDriverWait wait = new WebDriverWait(browser, TIMEOUT);

    // Then it lists the tenant's projects with their jobs, and opening one shows its storyboard
    WebElement project = wait.until(d -> d.findElements(
        By.cssSelector("[data-testid=project-item][data-project-id=harbour-film]")).stream().findFirst().orElse(null));
    assertThat(project.getText()).contains("harbour-film", "3 jobs", "3 completed");
    project.findElement(By.tagName("button")).click();
    wait.until(d -> "live".equals(byTestId("stream-status").getAttribute("data-state")));
    WebElement asset = wait.until(d -> d.findElements(By.cssSelector("[data-testid=storyboard-asset]")).stream()
        .findFirst().orElse(null));
    assertThat(asset.getAttribute("data-job-id")).isEqualTo(key);
    assertThat(asset.getText()).isEqualTo("keeper");
    wait.until(d -> d.findElements(By.cssSelector("[data-testid=storyboard-frame] img[data-loaded=true]")).size() == 2);
    assertThat(byTestId("storyboard-scenes").getText()).contains("Scene s1", "shot sh1 start", "shot sh1 end");
    assertThat(byTestId("projects-panel").isDisplayed()).isFalse();

    // And a new start frame of the shot replaces the old one live
    String newer = TestStacks.submit(stack, Map.of("jobType", "START_FRAME", "projectId", "harbour-film",
        "branchId", "main", "sceneId", "s1", "shotId", "sh1", "prompt", "The pier at night", "aspectRatio", "21:9"));
    wait.until(d -> d.findElements(By.cssSelector("[data-testid=storyboard-frame][data-job-id='" + newer + "']"))
        .size() == 1);
  }

  @Test
  void invalidInputShowsTheServersClearError() {
    browser.get(stack.gatewayUrl() + "/?project=storyboard&token=" + stack.devToken());
    WebDriverWait wait = new WebDriverWait(browser, TIMEOUT);
    wait.until(d -> "live".equals(byTestId("stream-status").getAttribute("data-state")));
    int rowsBefore = browser.findElements(By.cssSelector("[data-testid=job-row]")).size();

    new Select(byTestId("job-type")).selectByValue("ASSET_IMAGE_KEY");
    byTestId("asset-id").clear();
    byTestId("asset-id").sendKeys("not a valid id!");
    byTestId("prompt").sendKeys("A lighthouse");
    byTestId("submit-job").click();

    WebElement error = wait.until(d -> {
      WebElement shown = byTestId("error");
      return shown.isDisplayed() && !shown.getText().isBlank() ? shown : null;
    });
    assertThat(error.getText()).containsIgnoringCase("assetId");
    assertThat(browser.findElements(By.cssSelector("[data-testid=job-row]"))).hasSize(rowsBefore);
  }

  @Test
  void aProjectsBudgetIsShownBesideIt() throws Exception {
    HttpResponse<String> set = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(stack.gatewayUrl() + "/api/v1/images/budgets/budgeted"))
        .header("Authorization", "Bearer " + stack.devToken()).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"amountUsd\":5,\"monthlyReset\":true}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(set.statusCode()).as(set.body()).isEqualTo(200);

    browser.get(stack.gatewayUrl() + "/?project=budgeted&token=" + stack.devToken());
    WebDriverWait wait = new WebDriverWait(browser, TIMEOUT);
    WebElement budget = wait.until(d -> "set".equals(byTestId("budget").getAttribute("data-state"))
        ? byTestId("budget") : null);
    assertThat(budget.getText()).isEqualTo("Budget 5 USD a month: 0 spent, 0 reserved, 5 left");

    browser.get(stack.gatewayUrl() + "/?project=unbudgeted&token=" + stack.devToken());
    wait.until(d -> "none".equals(byTestId("budget").getAttribute("data-state")));
    assertThat(byTestId("budget").getText()).isEqualTo("No budget for this project");
  }

  @Test
  void theOperatorDashboardShowsTheStacksFiguresAndRefusesATenantsToken() throws Exception {
    // Given a job that ran through the stack
    String jobId = TestStacks.submit(stack, TestStacks.assetKeyJob("keeper", "A lighthouse keeper", "1:1"));
    TestStacks.awaitEnded(stack, jobId, TIMEOUT);

    // When an operator opens the link the launcher prints
    browser.get(stack.gatewayUrl() + "/operator.html?token=" + stack.operatorToken());
    WebDriverWait wait = new WebDriverWait(browser, TIMEOUT);

    // Then the figures of the whole stack show, and keep being refreshed
    wait.until(d -> byTestId("lag").getText().contains("image-jobs-generation"));
    String firstUpdate = byTestId("updated").getAttribute("datetime");
    assertThat(byTestId("generation").findElements(By.cssSelector("tbody tr"))).isNotEmpty()
        .allSatisfy(row -> assertThat(row.getText()).contains("generation"));
    assertThat(byTestId("minutes").findElements(By.cssSelector("tbody tr"))).hasSize(15);
    assertThat(byTestId("ended").getText()).containsAnyOf("completed", "failed");
    assertThat(byTestId("lag").getText()).contains("image-jobs-gateway-projection", "image-jobs-upload");
    wait.until(d -> !firstUpdate.equals(byTestId("updated").getAttribute("datetime")));

    // And a tenant's token is told the page is for operators
    browser.get(stack.gatewayUrl() + "/operator.html?token=" + stack.devToken());
    WebElement error = wait.until(d -> byTestId("error").isDisplayed() ? byTestId("error") : null);
    assertThat(error.getText()).contains("no operator role");
  }

  private static WebElement byTestId(String testId) {
    return browser.findElement(By.cssSelector("[data-testid=" + testId + "]"));
  }
}
