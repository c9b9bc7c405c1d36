import { expect, test, type Page } from "@playwright/test";
import { open, register, registerAndLogIn, uniqueName, watchConsole } from "./helpers";

test("the page script and its islands work under the Content-Security-Policy, without console errors", async ({
  page,
}) => {
  const problems = watchConsole(page);
  const response = await page.goto("/flash-demo");
  const csp = response!.headers()["content-security-policy"];
  expect(csp).toContain("'nonce-");
  expect(csp).not.toContain("unsafe-inline");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  // A form post and its redirect, then a page with an island of its own: the island script
  // (an inline module with the response's nonce) loads the wasm on each page.
  await page.getByRole("button", { name: "Flash and redirect" }).click();
  await expect(page.locator(".flash-region .flash")).toHaveCount(6);
  await page.getByRole("link", { name: "Home" }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("button", { name: "Count clicks" }).click();
  await expect(page.getByTestId("click-count")).toHaveText("1");
  expect(problems).toEqual([]);
});

/**
 * An attacker's page on another origin (served by Playwright at http://attacker.test) that
 * submits a form to the app as soon as it loads: the browser sends it as a cross-site post.
 */
async function attackerPage(page: Page, appOrigin: string, action: string, fields: string) {
  const app = new URL(appOrigin);
  await page.route("http://attacker.test/**", (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><form id="f" method="post" action="${app.origin}${action}">${fields}</form>
             <script>document.getElementById("f").submit()</script>`,
    }),
  );
  const posted = page.waitForResponse((r) => r.url().endsWith(action));
  await page.goto("http://attacker.test/");
  return posted;
}

test("a page on another origin cannot log the visitor in (login CSRF)", async ({ page, baseURL }) => {
  // The attacker has an account of their own.
  const name = uniqueName("attacker");
  await register(page, name);
  await page.context().clearCookies();

  const response = await attackerPage(
    page,
    baseURL!,
    "/api/login",
    `<input name="username" value="${name}"><input name="password" value="Sunny-day-2026">`,
  );
  expect(response.status()).toBe(403);
  expect(await page.content()).toContain("Cross-site request refused");
  await open(page, `${baseURL}/dashboard`, false);
  await expect(page).toHaveURL(/\/login\?next=\/dashboard$/);
});

test("a page on another origin cannot log the visitor out", async ({ page, baseURL }) => {
  const name = uniqueName("victim");
  await registerAndLogIn(page, name);

  const response = await attackerPage(page, baseURL!, "/api/logout", "");
  expect(response.status()).toBe(403);
  await page.goto(`${baseURL}/dashboard`);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByText(`Hello, ${name}!`)).toBeVisible();
});

for (const js of [true, false]) {
  test.describe(js ? "throttling, JavaScript on" : "throttling, JavaScript off", () => {
    test.use({ javaScriptEnabled: js });

    test("repeated failed log-ins are told to wait, in a flash", async ({ page }) => {
      const name = uniqueName("throttled");
      await open(page, "/login", js);
      let throttled = false;
      for (let attempt = 0; attempt < 10 && !throttled; attempt++) {
        if (!page.url().endsWith("/login")) await open(page, "/login", js);
        await page.getByLabel("Username").fill(name);
        await page.getByLabel("Password").fill("wrong-password");
        const response = page.waitForResponse((r) => r.url().endsWith("/api/login"));
        await page.getByRole("button", { name: "Log in" }).click();
        throttled = (await response).status() === 429;
      }
      expect(throttled, "the sixth quick failure is throttled").toBe(true);
      // The 429 page is plain text; the flash waits for the next page.
      await page.goto("/login");
      const warning = page.locator('.flash-region .flash[data-category="warning"]');
      await expect(warning).toHaveText(/Too many attempts\. Please try again in \d+ seconds?\./);
    });
  });
}
