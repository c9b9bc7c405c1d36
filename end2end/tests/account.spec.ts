import { type Browser, expect, type Page, test } from "@playwright/test";
import { flashes, open, registerAndLogIn, uniqueName, watchConsole } from "./helpers";

// The account page (`/account`): changing the password signs the other devices out, deleting
// the account leaves nothing to log in to. Each with JavaScript on and off.

const PASSWORD = "Sunny-day-2026";
const NEW_PASSWORD = "Rainy-night-2027";

async function expectOnlyFlash(page: Page, category: string, text: string | RegExp) {
  await expect(flashes(page)).toHaveCount(1);
  await expect(flashes(page).first()).toHaveAttribute("data-category", category);
  await expect(flashes(page).first().locator(".flash-message")).toHaveText(text);
}

/** Logs `name` in from a browser of its own; returns its page. */
async function logInElsewhere(browser: Browser, name: string, js: boolean): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: js });
  const page = await context.newPage();
  await page.goto("/login");
  await page.locator("#username").fill(name);
  await page.locator("#password").fill(PASSWORD);
  await page.locator("main button[type=submit]").click();
  await expect(page).toHaveURL(/\/dashboard$/);
  return page;
}

for (const js of [true, false]) {
  test.describe(js ? "the account page, JavaScript on" : "the account page, JavaScript off", () => {
    test.use({ javaScriptEnabled: js });

    test("changing the password signs the other devices out", async ({ page, browser }) => {
      const problems = watchConsole(page);
      const name = uniqueName("change");
      await registerAndLogIn(page, name);
      const phone = await logInElsewhere(browser, name, js);

      await open(page, "/account", js);
      await expect(page).toHaveTitle(/Your account/);
      // A wrong current password: told beside the field, nothing changed.
      await page.getByLabel("Current password").fill("Not-my-password-1");
      await page.getByLabel("New password").fill(NEW_PASSWORD);
      await page.getByRole("button", { name: "Change password" }).click();
      await expect(page).toHaveURL(/\/account$/);
      const current = page.locator("#current_password");
      await expect(current).toHaveAttribute("aria-invalid", "true");
      await expect(page.locator('[data-category="error_current_password"] .flash-message')).toHaveText(
        "That is not your current password; it was not changed.",
      );

      await page.getByLabel("Current password").fill(PASSWORD);
      await page.getByLabel("New password").fill(NEW_PASSWORD);
      await page.getByRole("button", { name: "Change password" }).click();
      await expect(page).toHaveURL(/\/account$/);
      await expectOnlyFlash(page, "success", "Password changed. 1 other device was signed out.");
      await expect(current).not.toHaveAttribute("aria-invalid", "true");

      // The phone's session has ended; this browser is still logged in.
      await phone.goto("/dashboard");
      await expect(phone).toHaveURL(/\/login\?next=/);
      await phone.context().close();
      await page.goto("/dashboard");
      await expect(page).toHaveURL(/\/dashboard$/);

      // The new password is the one that logs in now.
      if (js) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
      await page.getByRole("button", { name: "Log out" }).click();
      await expect(page).toHaveURL(/\/login$/);
      await page.locator("#username").fill(name);
      await page.locator("#password").fill(NEW_PASSWORD);
      await page.locator("main button[type=submit]").click();
      await expect(page).toHaveURL(/\/dashboard$/);
      // Without JavaScript, Chromium may note that the preloaded wasm went unused.
      expect(problems.filter((problem) => js || !problem.includes("preloaded using link preload"))).toEqual([]);
    });

    test("deleting the account asks for the password, then leaves nothing", async ({ page }) => {
      const name = uniqueName("delete");
      await registerAndLogIn(page, name);
      await open(page, "/account", js);

      await page.getByLabel("Your password").fill("Not-my-password-1");
      await page.getByRole("button", { name: "Delete my account" }).click();
      await expect(page).toHaveURL(/\/account$/);
      await expect(page.locator("#password")).toHaveAttribute("aria-invalid", "true");
      await expect(page.locator('[data-category="error_password"] .flash-message')).toHaveText(
        "That password is not right; your account was not deleted.",
      );

      await page.getByLabel("Your password").fill(PASSWORD);
      await page.getByRole("button", { name: "Delete my account" }).click();
      await expect(page).toHaveURL(/\/login$/);
      await expectOnlyFlash(page, "info", "Your account has been deleted.");
      await expect(page.getByRole("button", { name: "Log out" })).toHaveCount(0);

      await page.locator("#username").fill(name);
      await page.locator("#password").fill(PASSWORD);
      await page.locator("main button[type=submit]").click();
      await expect(page).toHaveURL(/\/login$/);
      await expectOnlyFlash(page, "error", "Wrong username or password.");
    });
  });
}

test("an anonymous visit to the account page is sent to log in", async ({ page }) => {
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=%2Faccount$|\/login\?next=\/account$/);
  await expectOnlyFlash(page, "warning", "Please log in first.");
});
