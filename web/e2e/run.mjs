// The console's browser suite: Debian's Chromium driven by playwright-core, headless,
// against a real gantry-local started here on a free port (in-memory database). It walks
// the README's first session and the life of an estate through the console only, checks
// every page with axe-core (no serious or critical violation) at 1280 px and at a narrow
// 390 px, and writes a screenshot of each page, and of any failure, to web/artefacts/.
//
//   node e2e/run.mjs            (make web-test runs it after vite build)
//   CHROMIUM=/path GANTRY_LOCAL=/path/to/binary node e2e/run.mjs
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const repo = join(web, "..");
const artefacts = join(web, "artefacts");
rmSync(artefacts, { recursive: true, force: true });
mkdirSync(artefacts, { recursive: true });
const tmp = mkdtempSync(join(tmpdir(), "gantry-console-e2e-"));
const started = Date.now();
const log = (...a) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s]`, ...a);

// --- gantry-local on a free port ---
let binary = process.env.GANTRY_LOCAL;
if (!binary) {
  binary = join(tmp, "gantry-local");
  execFileSync(process.env.GO ?? "go", ["build", "-o", binary, "./cmd/gantry-local"], { cwd: repo, stdio: "inherit" });
}
const server = spawn(binary, ["--addr", "127.0.0.1:0", "--in-memory", "--data-dir", join(tmp, "data"), "--s3-dir", join(tmp, "s3"),
  "--web-dir", join(web, "dist"), "--step", "40ms"], { cwd: repo, stdio: ["ignore", "ignore", "pipe"] });
const serverLog = join(artefacts, "gantry-local.log");
const base = await new Promise((resolve, reject) => {
  let seen = "";
  const timer = setTimeout(() => reject(new Error("gantry-local did not start within 90 s; its log: " + serverLog)), 90_000);
  server.stderr.on("data", (chunk) => {
    appendFileSync(serverLog, chunk);
    seen += chunk;
    const m = /Gantry is running on (http:\/\/[0-9.:]+)/.exec(seen);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  });
  server.on("exit", (code) => reject(new Error(`gantry-local exited (${code}); its log: ${serverLog}`)));
});
log("gantry-local on", base);

// --- bundles: the sample templates, and a minor of the service template ---
const bundle = (dir, name) => {
  const out = join(tmp, name);
  execFileSync("tar", ["-C", dir, "-czf", out, "."]);
  return out;
};
const vpcBundle = bundle(join(repo, "templates/environments/vpc-ecs/v1"), "vpc-ecs-1.0.tgz");
const s3Bundle = bundle(join(repo, "templates/services/s3-bucket/v1"), "s3-bucket-1.0.tgz");
const minorDir = join(tmp, "s3-bucket-1.1");
cpSync(join(repo, "templates/services/s3-bucket/v1"), minorDir, { recursive: true });
const schemaPath = join(minorDir, "schema/schema.yaml");
writeFileSync(schemaPath, readFileSync(schemaPath, "utf8").replace(/description: "/, 'description: "(1.1) '));
const s3Minor = bundle(minorDir, "s3-bucket-1.1.tgz");
// An environment template CloudFormation refuses at deployment (an unknown resource type)
// while registration, which renders it for the sample environment "my-environment", sees
// a valid stack.
const brokenDir = join(tmp, "broken-env");
cpSync(join(repo, "templates/environments/vpc-ecs/v1"), brokenDir, { recursive: true });
writeFileSync(join(brokenDir, "infrastructure/cloudformation.yaml"),
  '{% if environment.name != "my-environment" %}Resources:\n  Thing:\n    Type: AWS::Foo::Bar\n    Properties: {}\n' +
  "{% else %}Resources:\n  Placeholder:\n    Type: AWS::SNS::Topic\n{% endif %}");
const brokenBundle = bundle(brokenDir, "broken-env-1.0.tgz");

// --- the browser ---
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
const consoleErrors = [];
page.on("pageerror", (e) => consoleErrors.push(String(e)));
page.setDefaultTimeout(20_000);
const axeSource = readFileSync(join(web, "node_modules/axe-core/axe.min.js"), "utf8");

let shot = 0;
const screenshot = (name) => page.screenshot({ path: join(artefacts, `${String(++shot).padStart(2, "0")}-${name}.png`), fullPage: true });
const fail = (msg) => {
  throw new Error(msg);
};

async function step(name, f) {
  const t = Date.now();
  try {
    await f();
    log(`ok   ${name} (${Date.now() - t} ms)`);
  } catch (e) {
    await page.screenshot({ path: join(artefacts, `FAILED-${name.replace(/\W+/g, "-")}.png`), fullPage: true }).catch(() => {});
    log(`FAIL ${name}: ${e.message}`);
    throw e;
  }
}

const go = async (path) => {
  await page.goto(base + path);
  await page.waitForLoadState("networkidle");
};
const click = (name) => page.getByRole("button", { name, exact: true }).click();
const choose = async (id, option) => {
  await page.locator(`#${id}`).click();
  await page.getByRole("option", { name: option }).first().click();
};
const fill = (id, value) => page.locator(`#${id}`).fill(value);
const statusIs = (status, timeout = 60_000) => page.locator(`[data-testid=deployment-status][data-status=${status}]`).waitFor({ timeout });

async function signIn(role) {
  await page.evaluate(() => sessionStorage.clear()).catch(() => {});
  await go("/");
  await page.getByRole("radio", { name: new RegExp(role, "i") }).check();
  await click("Sign in");
  await page.getByRole("heading", { name: "Template catalog" }).waitFor();
}

async function switchTo(role) {
  await page.getByRole("button", { name: /Signed in as/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await signIn(role);
}

async function axe(label) {
  // Cloudscape makes a table's wrapper focusable once its resize observer has seen it
  // overflow: let two frames pass so that axe sees the page as a user does.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (bad.length) fail(`axe on ${label}: ${JSON.stringify(bad, null, 1)}`);
  return result.length;
}

async function registerVersion(kind, name, file, majorOption) {
  await go(`/templates/${kind}/${name}`);
  await click("Register version");
  await page.locator('input[type="file"]').setInputFiles(file);
  if (majorOption) await choose("register-major", majorOption);
  await page.getByRole("dialog").getByRole("button", { name: "Register", exact: true }).click();
  await page.getByText("DRAFT").first().waitFor();
}

async function publish(kind, name, version) {
  await go(`/templates/${kind}/${name}`);
  await page.getByRole("button", { name: `Publish ${version}` }).click();
  await page.locator('[data-testid=versions] [data-status=PUBLISHED]').first().waitFor();
}

let exitCode = 0;
const ids = {};
try {
  await step("sign in as admin from the picker", async () => {
    await go("/");
    await screenshot("sign-in");
    await signIn("admin");
  });

  await step("admin registers and publishes the templates", async () => {
    for (const [kind, name, file] of [["environment", "vpc-ecs", vpcBundle], ["service", "s3-bucket", s3Bundle]]) {
      await go("/templates");
      await click(`Create ${kind} template`);
      await fill("template-name", name);
      await page.getByRole("dialog").getByRole("button", { name: "Create", exact: true }).click();
      await page.getByRole("heading", { name }).waitFor();
      await registerVersion(kind, name, file);
      await publish(kind, name, "1.0");
      await page.getByTestId("recommended").filter({ hasText: /^1\.0$/ }).waitFor(); // recommended once published
    }
    await go("/templates");
    await screenshot("catalog");
  });

  await step("developer sees no admin actions, and a 403 as what it is", async () => {
    await switchTo("developer");
    if (await page.getByRole("button", { name: "Create environment template" }).count()) fail("a developer is offered an admin action");
    await go("/environments");
    await page.getByRole("heading", { name: /^Environments/ }).waitFor();
    if (await page.getByRole("button", { name: "Create environment" }).count()) fail("a developer is offered Create environment while no template is self-service");
    await go("/environments/new?template=vpc-ecs&major=1");
    await page.getByTestId("picked-version").filter({ hasText: "1.0" }).waitFor();
    await fill("env-name", "gamma");
    await click("Create environment");
    await page.getByText("Access denied (403)").waitFor();
    await page.getByText("creating an environment of environment template vpc-ecs needs the admin role: the template is not self-service").waitFor();
    await screenshot("developer-403");
  });

  await step("admin marks the environment template self-service", async () => {
    await switchTo("admin");
    await go("/templates/environment/vpc-ecs");
    await page.locator("[data-testid=self-service][data-self-service=false]").waitFor();
    await click("Make self-service");
    await page.locator("[data-testid=self-service][data-self-service=true]").waitFor();
    await screenshot("template-self-service");
  });

  await step("developer creates an environment from the form: a field error, then its fix", async () => {
    await switchTo("developer");
    await go("/environments");
    await click("Create environment");
    await choose("pick-template", "vpc-ecs");
    await page.getByTestId("picked-version").filter({ hasText: "1.0" }).waitFor();
    await fill("env-name", "beta");
    await fill("env-input-vpc_cidr", "10.0.0.0/33");
    await choose("env-input-nat_gateways", "per-az");
    await click("Create environment");
    const fieldError = page.locator('[data-field=vpc_cidr]').getByText(/must match pattern/);
    await fieldError.waitFor();
    await screenshot("environment-form-field-error");
    await fill("env-input-vpc_cidr", "10.1.0.0/16");
    if (!(await page.getByLabel("Spec YAML").textContent()).includes("vpc_cidr: 10.1.0.0/16")) fail("the YAML view does not follow the form");
    await click("Create environment");
    await page.waitForURL(/\/environments\/beta$/);
    await statusIs("SUCCEEDED");
    await page.getByTestId("outputs").getByRole("cell", { name: "VpcId", exact: true }).waitFor();
    await page.getByTestId("provisioned-resources").getByRole("cell", { name: "VPC", exact: true }).waitFor();
    await page.getByRole("button", { name: "Update", exact: true }).waitFor(); // the developer manages it
    await screenshot("environment-succeeded");
  });

  await step("developer creates a service of two instances from the form: a field error, then its fix", async () => {
    await go("/services/new");
    await choose("pick-template", "s3-bucket");
    await page.getByTestId("picked-version").filter({ hasText: "1.0" }).waitFor();
    await fill("svc-name", "uploads");
    await fill("inst-0-name", "uploads-a");
    await choose("inst-0-env", "beta");
    await fill("inst-0-input-noncurrent_version_expiration_days", "0");
    await click("Add instance");
    await fill("inst-1-name", "uploads-b");
    await choose("inst-1-env", "beta");
    await click("Create service");
    await page.locator("#inst-0-input-noncurrent_version_expiration_days").locator("xpath=ancestor::div[@data-field]").getByText(/must be >= 1/).waitFor();
    await screenshot("service-form-field-error");
    await fill("inst-0-input-noncurrent_version_expiration_days", "30");
    await click("Create service");
    await page.waitForURL(/\/services\/uploads$/);
    await page.locator("[data-testid=service-status][data-status=ACTIVE]").waitFor({ timeout: 60_000 });
    await screenshot("service-active");
    await go("/services/uploads/instances/uploads-a");
    await statusIs("SUCCEEDED");
    await page.getByTestId("outputs").getByRole("cell", { name: "BucketName", exact: true }).waitFor();
    ids.deployment = (await page.locator("[data-testid=deployments] a").first().getAttribute("href")).split("/").pop();
    await screenshot("instance-succeeded");
    await go(`/deployments/${ids.deployment}`);
    await statusIs("SUCCEEDED");
    await page.getByLabel("Rendered CloudFormation template").getByText("AWS::S3::Bucket").first().waitFor();
    await screenshot("deployment");
  });

  await step("admin publishes a minor and updates the fleet from the dashboard", async () => {
    await switchTo("admin");
    await registerVersion("service", "s3-bucket", s3Minor, "The next minor of 1");
    await publish("service", "s3-bucket", "1.1");
    await page.getByTestId("recommended").filter({ hasText: "1.1" }).waitFor();
    await go("/fleet");
    await page.getByTestId("resources-summary").getByRole("cell", { name: "Service instances", exact: true }).waitFor();
    await screenshot("fleet");
    await go("/fleet/service/s3-bucket");
    await page.locator("[data-testid=fleet-count-behindMinor] [data-count='2']").waitFor();
    await screenshot("fleet-template-behind");
    await click("Update all behind minor (2)");
    await page.getByTestId("rollout-preview").getByText(/2 behind a minor move to 1\.1/).waitFor({ timeout: 60_000 });
    await page.getByTestId("rollout-preview").getByRole("cell", { name: "uploads/uploads-a", exact: true }).waitFor();
    await screenshot("fleet-rollout-preview");
    await click("Confirm update (2)");
    await page.getByTestId("rollout").getByText("All 2 deployments succeeded").waitFor({ timeout: 60_000 });
    await page.locator("[data-testid=fleet-count-recommended] [data-count='2']").waitFor({ timeout: 20_000 });
    await screenshot("fleet-updated");
  });

  await step("developer removes an instance by updating the service", async () => {
    await switchTo("developer");
    await go("/services/uploads");
    await page.getByRole("button", { name: "Remove instance uploads-b" }).click();
    await page.getByTestId("instances").getByRole("link", { name: "uploads-b", exact: true }).waitFor({ state: "detached", timeout: 60_000 });
    await page.getByTestId("instances").getByRole("link", { name: "uploads-a", exact: true }).waitFor();
    await page.locator("[data-testid=service-status][data-status=ACTIVE]").waitFor({ timeout: 60_000 });
    await screenshot("service-instance-removed");
    await switchTo("admin");
  });

  await step("a failed deployment shows its reason and its rendered template", async () => {
    await go("/templates");
    await click("Create environment template");
    await fill("template-name", "broken-env");
    await page.getByRole("dialog").getByRole("button", { name: "Create", exact: true }).click();
    await page.getByRole("heading", { name: "broken-env" }).waitFor();
    await registerVersion("environment", "broken-env", brokenBundle);
    await publish("environment", "broken-env", "1.0");
    await go("/environments/new?template=broken-env&major=1");
    await page.getByTestId("picked-version").filter({ hasText: "1.0" }).waitFor();
    await fill("env-name", "doomed");
    await fill("env-component-role", "arn:aws:iam::000000000000:role/doomed-components"); // an admin gives it a component role
    await click("Create environment");
    await page.waitForURL(/\/environments\/doomed$/);
    await statusIs("FAILED");
    await page.getByTestId("status-message").getByText(/AWS::Foo::Bar/).waitFor();
    await page.getByTestId("component-role").getByText("arn:aws:iam::000000000000:role/doomed-components").waitFor();
    await screenshot("environment-failed");
    await page.locator("[data-testid=deployments] a").first().click();
    await statusIs("FAILED");
    await page.getByTestId("failure-reason").getByText(/AWS::Foo::Bar/).waitFor();
    await page.getByLabel("Rendered CloudFormation template").getByText("AWS::Foo::Bar").waitFor();
    ids.failed = page.url().split("/").pop();
    await screenshot("deployment-failed");
  });

  await step("admin previews an environment update, then deploys exactly that preview", async () => {
    await go("/environments/beta");
    await statusIs("SUCCEEDED");
    const before = await page.locator("[data-testid=deployments] tbody tr").count();
    await click("Update");
    await choose("update-input-flow_log_retention_days", "60");
    await click("Preview changes");
    await page.getByTestId("preview").getByRole("cell", { name: "Modify", exact: true }).first().waitFor();
    await screenshot("environment-update-preview");
    await click("Deploy this preview");
    await statusIs("SUCCEEDED");
    await page.waitForFunction((n) => document.querySelectorAll("[data-testid=deployments] tbody tr").length > n, before);
    await page.getByLabel("Environment spec").getByText("flow_log_retention_days: 60").waitFor();
  });

  await step("admin links a repository and syncs a template from it", async () => {
    await go("/repositories");
    await fill("repo-name", "example-org/infra");
    await fill("repo-connection", "arn:aws:codestar-connections:us-east-1:111122223333:connection/example");
    await click("Link repository");
    await page.getByTestId("repositories").getByRole("link", { name: "example-org/infra" }).click();
    await page.getByRole("heading", { name: "Repository example-org/infra" }).waitFor();
    await page.getByTestId("sync-TEMPLATE_SYNC").getByText("Nothing syncs from this repository").waitFor();
    await fill("sync-target", "vpc-ecs");
    await fill("sync-path", "vpc-ecs");
    await click("Create sync configuration");
    await page.getByTestId("sync-TEMPLATE_SYNC").getByRole("cell", { name: "vpc-ecs", exact: true }).waitFor();
    await page.getByRole("heading", { name: /Latest sync of main/ }).waitFor();
    await screenshot("repository");
  });

  await step("every page passes axe at 1280 px and at 390 px, with a screenshot", async () => {
    const pages = ["/templates", "/templates/environment/vpc-ecs", "/templates/service/s3-bucket/versions/1.1", "/environments", "/environments/new",
      "/environments/beta", "/services", "/services/new", "/services/uploads", "/services/uploads/instances/uploads-a", "/components", "/components/new",
      `/deployments/${ids.deployment}`, `/deployments/${ids.failed}`, "/environments/doomed", "/fleet", "/fleet/service/s3-bucket", "/account-connections", "/repositories", "/repositories/GITHUB/example-org/infra"];
    let minor = 0;
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await go("/templates");
      await page.addScriptTag({ content: axeSource });
      for (const p of pages) {
        // The console's own navigation (no reload): each page as a user reaches it.
        await page.evaluate((to) => {
          history.pushState(null, "", to);
          window.dispatchEvent(new PopStateEvent("popstate"));
        }, p);
        await page.locator("h1").first().waitFor();
        // Loaded: no table or select still says it is loading.
        await page.waitForFunction(() => !/\bLoading\b/.test(document.body.innerText));
        minor += await axe(`${p} at ${width} px`);
        await screenshot(`${width}${p.replace(/\//g, "_")}`);
      }
      await page.evaluate(() => sessionStorage.clear());
      await go("/");
      await page.getByRole("button", { name: "Sign in" }).waitFor();
      await page.addScriptTag({ content: axeSource });
      minor += await axe(`sign-in at ${width} px`);
      await signIn("admin");
    }
    log(`axe: no serious or critical violation on ${pages.length + 1} pages × 2 widths (${minor} minor or moderate)`);
  });
  if (consoleErrors.length) fail(`uncaught errors in the page: ${consoleErrors.join("; ")}`);
} catch (e) {
  exitCode = 1;
  console.error(e);
} finally {
  await browser.close();
  server.kill("SIGINT");
  await new Promise((r) => server.once("exit", r));
  rmSync(tmp, { recursive: true, force: true });
  log(exitCode ? "browser suite FAILED; screenshots in web/artefacts" : "browser suite passed; screenshots in web/artefacts");
}
process.exit(exitCode);
