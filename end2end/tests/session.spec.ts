import { expect, test, type Browser, type Page } from "@playwright/test";
import {
  flashes,
  open,
  registerAndLogIn,
  uniqueName,
  watchConsole,
} from "./helpers";

/**
 * Closes the browser "session" and starts a new one the way a browser restart does: a new
 * context that gets back only the persistent cookies (those with an expiry), since a restart
 * drops session cookies.
 */
async function restart(browser: Browser, page: Page): Promise<Page> {
  const cookies = await page.context().cookies();
  await page.context().close();
  const context = await browser.newContext();
  const persistent = cookies.filter((cookie) => cookie.expires > 0);
  if (persistent.length > 0) await context.addCookies(persistent);
  return context.newPage();
}

test.describe("remember me", () => {
  test.use({ javaScriptEnabled: false });

  test("a remembered log-in survives a browser restart", async ({ browser }) => {
    const page = await (await browser.newContext()).newPage();
    const name = uniqueName("keep");
    await registerAndLogIn(page, name, true);
    const session = (await page.context().cookies()).find((c) => c.name === "flashboard_session");
    expect(session, "the session cookie").toBeTruthy();
    const days = (session!.expires - Date.now() / 1000) / 86_400;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    expect(session!.httpOnly).toBe(true);
    expect(session!.sameSite).toBe("Lax");

    const after = await restart(browser, page);
    await after.goto("/dashboard");
    await expect(after).toHaveURL(/\/dashboard$/);
    await expect(after.getByText(`Hello, ${name}!`)).toBeVisible();
    await expect(after.getByTestId("remembered")).toHaveText("yes");
    await after.context().close();
  });

  test("a log-in without remember me ends with the browser", async ({ browser }) => {
    const page = await (await browser.newContext()).newPage();
    const name = uniqueName("forget");
    await registerAndLogIn(page, name, false);
    const session = (await page.context().cookies()).find((c) => c.name === "flashboard_session");
    expect(session!.expires, "a browser-session cookie has no expiry").toBe(-1);

    const after = await restart(browser, page);
    await after.goto("/dashboard");
    await expect(after).toHaveURL(/\/login\?next=\/dashboard$/);
    await expect(flashes(after)).toHaveCount(1);
    await expect(flashes(after).first()).toHaveAttribute("data-category", "warning");
    await after.context().close();
  });
});

/** The page background, as the browser computed it. */
function background(page: Page) {
  return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
}

const DARK_BG = "rgb(18, 21, 27)";
const LIGHT_BG = "rgb(246, 247, 249)";

test.describe("settings without JavaScript", () => {
  test.use({ javaScriptEnabled: false, colorScheme: "light" });

  test("the chosen theme is rendered by the server on every page, and reset", async ({ page }) => {
    await page.goto("/settings");
    await expect(page.locator("html")).toHaveAttribute("data-theme", "system");
    expect(await background(page)).toBe(LIGHT_BG);

    await page.getByLabel("Dark").check();
    await page.getByLabel("Compact").check();
    await page.getByRole("button", { name: "Save preferences" }).click();
    await expect(page).toHaveURL(/\/settings$/);
    await expect(flashes(page).first()).toHaveText(/Preferences saved\./);
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    await expect(page.locator("html")).toHaveAttribute("data-density", "compact");
    expect(await background(page)).toBe(DARK_BG);
    await expect(page.getByLabel("Dark")).toBeChecked();

    for (const path of ["/", "/login", "/flash-demo"]) {
      await page.goto(path);
      await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
      expect(await background(page)).toBe(DARK_BG);
    }

    await page.goto("/settings");
    await page.getByRole("button", { name: "Reset to defaults" }).click();
    await expect(page.locator("html")).toHaveAttribute("data-theme", "system");
    await expect(page.getByLabel("Same as my system")).toBeChecked();
    expect(await background(page)).toBe(LIGHT_BG);
  });
});

test.describe("settings with JavaScript", () => {
  test.use({ colorScheme: "dark" });

  test("saving restyles the page", async ({ page }) => {
    const problems = watchConsole(page);
    await open(page, "/settings", true);
    expect(await background(page)).toBe(DARK_BG);
    await page.getByLabel("Light").check();
    await page.getByRole("button", { name: "Save preferences" }).click();
    await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
    await expect.poll(() => background(page)).toBe(LIGHT_BG);
    await expect(flashes(page).first()).toHaveText(/Preferences saved\./);
    await expect(page).toHaveURL(/\/settings$/);

    // A fresh load renders it from the session, before any script runs.
    await page.goto("/");
    await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
    expect(problems).toEqual([]);
  });
});

for (const js of [true, false]) {
  test.describe(js ? "inspector, JavaScript on" : "inspector, JavaScript off", () => {
    test.use({ javaScriptEnabled: js });

    test("shows the preferences just set, the cookie and the lifetime", async ({ page }) => {
      const name = uniqueName("inspect");
      await registerAndLogIn(page, name, false);
      await open(page, "/settings", js);
      await page.getByLabel("Dark").check();
      await page.getByRole("button", { name: "Save preferences" }).click();
      await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");

      await open(page, "/session", js);
      const preferences = page.locator('[data-testid="session-data"] tr[data-key="preferences"]');
      await expect(preferences).toContainText('"theme":"dark"');
      await expect(page.locator('tr[data-key="auth.login"]')).toContainText('"remember":false');
      await expect(page.getByTestId("cookie-name")).toHaveText("flashboard_session");
      await expect(page.getByTestId("cookie-httponly")).toHaveText("yes");
      await expect(page.getByTestId("cookie-samesite")).toHaveText("Lax");
      await expect(page.getByTestId("cookie-lifetime")).toContainText("until the browser closes");
      await expect(page.getByTestId("session-ending")).toHaveAttribute("data-ending", "idle");
      await expect(page.getByTestId("fingerprint")).toHaveText(/^[0-9a-f]{16}$/);

      const cookie = (await page.context().cookies()).find((c) => c.name === "flashboard_session")!;
      const body = await page.content();
      // The cookie value is "<signature><id>"; neither appears on the page.
      expect(body).not.toContain(cookie.value.slice(44));
      expect(body).not.toContain(cookie.value);
    });
  });
}

for (const js of [true, false]) {
  test.describe(js ? "devices, JavaScript on" : "devices, JavaScript off", () => {
    test.use({ javaScriptEnabled: js });

    test("signing out the other device ends its session at once", async ({ browser, page }) => {
      const name = uniqueName("devices");
      await registerAndLogIn(page, name);
      // The same user on a phone.
      const phone = await (
        await browser.newContext({
          userAgent: "Mozilla/5.0 (Linux; Android 14; Pixel 8) Gecko/20100101 Firefox/128.0",
        })
      ).newPage();
      await phone.goto("/login");
      await phone.getByLabel("Username").fill(name);
      await phone.getByLabel("Password").fill("Sunny-day-2026");
      await phone.getByRole("button", { name: "Log in" }).click();
      await expect(phone).toHaveURL(/\/dashboard$/);

      await open(page, "/dashboard", js);
      const devices = page.getByTestId("devices").locator(".device");
      await expect(devices).toHaveCount(2);
      await expect(page.getByTestId("devices").locator('.device[data-current="true"]')).toHaveCount(1);
      const other = page.getByTestId("devices").locator(".device", { hasText: "Firefox on Android" });
      await other.getByRole("button", { name: "Sign out" }).click();
      await expect(flashes(page).first()).toHaveText(/That device has been signed out\./);
      await expect(devices).toHaveCount(1);

      await phone.goto("/dashboard");
      await expect(phone).toHaveURL(/\/login\?next=\/dashboard$/);
      await expect(flashes(phone).first()).toHaveText(/Your session has ended/);
      await page.goto("/dashboard");
      await expect(page.getByText(`Hello, ${name}!`)).toBeVisible();
      await phone.context().close();
    });
  });
}
