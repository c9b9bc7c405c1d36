import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { flashes, open, registerAndLogIn, uniqueName } from "./helpers";

// axe-core (4.13) on every page, in both languages and both colour schemes, logged out and in,
// with flashes and field errors on screen: no violation of WCAG 2.0, 2.1 and 2.2 A and AA, nor
// of axe's best practices.
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

/** Runs axe on the page as it is now; fails listing each violation with its rule and elements. */
async function expectNoViolations(page: Page, state: string) {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const found = results.violations.map(
    (violation) =>
      `${state}: ${violation.id} (${violation.impact}): ${violation.help}\n` +
      violation.nodes.map((node) => `    ${node.target.join(" ")}: ${node.failureSummary}`).join("\n"),
  );
  expect(found, found.join("\n")).toEqual([]);
}

const LANGUAGES = [
  { locale: "en-US", lang: "en", register: "Register", flashIt: "Flash it", flashAndRedirect: "Flash and redirect" },
  { locale: "zh-CN", lang: "zh-CN", register: "注册", flashIt: "发送", flashAndRedirect: "发送并重定向" },
];

for (const language of LANGUAGES) {
  for (const colorScheme of ["light", "dark"] as const) {
    test.describe(`axe, ${language.lang}, ${colorScheme}`, () => {
      test.use({ locale: language.locale, colorScheme });

      test("every public page, logged out", async ({ page }) => {
        for (const path of [
          "/",
          "/login",
          "/register",
          "/password/forgot",
          `/password/reset?token=${"0".repeat(64)}`,
          "/flash-demo",
          "/settings",
          "/no-such-page",
        ]) {
          await open(page, path, true);
          await expect(page.locator("html")).toHaveAttribute("lang", language.lang);
          await expectNoViolations(page, path);
        }
      });

      test("flashes of every category, and field errors with their summary", async ({ page }) => {
        await open(page, "/flash-demo", true);
        await page.getByRole("button", { name: language.flashAndRedirect }).click();
        await expect(flashes(page)).toHaveCount(6);
        await expectNoViolations(page, "/flash-demo with every flash");

        await open(page, "/flash-demo", true);
        await page.locator("#category").fill("two words");
        await page.getByRole("button", { name: language.flashIt, exact: true }).click();
        await expect(page.locator(".error-summary")).toBeVisible();
        await expectNoViolations(page, "/flash-demo with a field error");

        await open(page, "/register", true);
        await page.locator("#username").fill("ab");
        await page.locator("#email").fill("nope");
        await page.locator("#password").fill("short");
        await page.getByRole("button", { name: language.register, exact: true }).click();
        await expect(page.locator(".error-summary li")).toHaveCount(3);
        await expectNoViolations(page, "/register with field errors");
      });

      test("every page, logged in", async ({ page }) => {
        await registerAndLogIn(page, uniqueName("axe"));
        for (const path of ["/dashboard", "/session", "/account", "/settings", "/", "/flash-demo"]) {
          await open(page, path, true);
          await expect(page.locator("html")).toHaveAttribute("lang", language.lang);
          await expectNoViolations(page, `${path}, logged in`);
        }
        // The account page with its mistakes told (both fields of the password form).
        await open(page, "/account", true);
        await page.locator("#new_password").fill("short");
        await page.locator("#password-heading + form button[type=submit]").click();
        await expect(page.locator(".error-summary li")).toHaveCount(2);
        await expectNoViolations(page, "/account with field errors");
      });
    });
  }
}

test.describe("axe on the server-rendered pages alone", () => {
  test.use({ locale: "zh-CN" });

  test("the pages as sent pass too (the app's script and wasm never load)", async ({ page }) => {
    // axe itself needs JavaScript, so the page keeps it, but the app's files are refused: what
    // axe sees is what a browser without JavaScript shows.
    await page.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
    for (const path of ["/", "/login", "/register", "/flash-demo", "/settings"]) {
      await page.goto(path);
      await expect(page.locator("body")).not.toHaveAttribute("data-hydrated", "true");
      await expectNoViolations(page, `${path} as sent`);
    }
  });
});

test("the check reports a violation with its rule and element", async ({ page }) => {
  // What the check found before issue 15: an empty `div` (the flash region without flashes) with
  // a label but no role that allows one.
  await open(page, "/", true);
  await page.evaluate(() => {
    const div = document.createElement("div");
    div.id = "planted";
    div.setAttribute("aria-label", "Notifications");
    document.querySelector("main")!.append(div);
  });
  const failure = await expectNoViolations(page, "/ with a planted mistake").then(
    () => "",
    (err: Error) => err.message,
  );
  expect(failure).toContain("aria-prohibited-attr");
  expect(failure).toContain("#planted");
});
