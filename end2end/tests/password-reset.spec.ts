import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, type Page, test } from "@playwright/test";
import { flashes, open, register, uniqueName, watchConsole } from "./helpers";

// A forgotten password, end to end with no mail server: ask for a link, find the mail at
// /dev/mailbox (dev mode's outbox), follow the link, set a new password, log in with it; a used
// link, an expired one and a forged one do nothing. With JavaScript on and off.

const NEW_PASSWORD = "Rainy-night-2027";
/** The server's database, from `end2end/` (playwright.config.ts). */
const DATABASE = "../target/e2e/flashboard.db";
const run = promisify(execFile);
const SENT = /^If that is the name or address of an account, we have sent it a link/;

async function expectOnlyFlash(page: Page, category: string, text: string | RegExp) {
  await expect(flashes(page)).toHaveCount(1);
  await expect(flashes(page).first()).toHaveAttribute("data-category", category);
  await expect(flashes(page).first().locator(".flash-message")).toHaveText(text);
}

/** The reset link of the newest mail to `name` in the dev mailbox (the mail is sent in the
 * background: the page is loaded again until it is there). */
async function linkInMailbox(page: Page, name: string): Promise<string> {
  const mail = page.locator("article.mail", { has: page.locator(".to", { hasText: `${name}@example.com` }) });
  await expect(async () => {
    await page.goto("/dev/mailbox");
    await expect(mail.first()).toBeVisible({ timeout: 500 });
  }).toPass();
  const href = await mail.first().locator("a").getAttribute("href");
  expect(href).toMatch(/\/password\/reset\?token=[0-9a-f]{64}$/);
  return href!;
}

for (const js of [true, false]) {
  test.describe(js ? "a forgotten password, JavaScript on" : "a forgotten password, JavaScript off", () => {
    test.use({ javaScriptEnabled: js });

    test("ask for a link, follow it from the mail, set a new password, log in", async ({ page }) => {
      const problems = watchConsole(page);
      const name = uniqueName("forgot");
      await register(page, name);

      await open(page, "/login", js);
      await page.getByRole("link", { name: "Forgot your password?" }).click();
      await expect(page).toHaveURL(/\/password\/forgot$/);
      if (js) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
      await page.getByLabel("Username or e-mail").fill(name);
      await page.getByRole("button", { name: "Send the link" }).click();
      await expect(page).toHaveURL(/\/login$/);
      await expectOnlyFlash(page, "info", SENT);

      const link = await linkInMailbox(page, name);
      await page.goto(link);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("Choose a new password");
      if (js) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
      // Against the rules first: told beside the field, the link still works.
      await page.getByLabel("New password").fill("short");
      await page.getByRole("button", { name: "Set the new password" }).click();
      await expect(page.locator("#new_password")).toHaveAttribute("aria-invalid", "true");
      await page.getByLabel("New password").fill(NEW_PASSWORD);
      await page.getByRole("button", { name: "Set the new password" }).click();
      await expect(page).toHaveURL(/\/login$/);
      await expectOnlyFlash(page, "success", /^Your password has been reset/);
      await expect(page.getByRole("button", { name: "Log out" })).toHaveCount(0);

      await page.locator("#username").fill(name);
      await page.locator("#password").fill(NEW_PASSWORD);
      await page.locator("main button[type=submit]").click();
      await expect(page).toHaveURL(/\/dashboard$/);

      // The link worked once.
      await page.goto(link);
      await page.getByLabel("New password").fill("Another-password-1");
      await page.getByRole("button", { name: "Set the new password" }).click();
      await expect(page).toHaveURL(/\/password\/forgot$/);
      await expectOnlyFlash(page, "error", /^This link is not valid/);
      // Without JavaScript, Chromium may note that the preloaded wasm went unused.
      expect(problems.filter((problem) => js || !problem.includes("preloaded using link preload"))).toEqual([]);
    });

    test("an expired link sets nothing and says to ask again", async ({ page }) => {
      const name = uniqueName("expired");
      await register(page, name);
      await page.goto("/password/forgot");
      await page.getByLabel("Username or e-mail").fill(name);
      await page.getByRole("button", { name: "Send the link" }).click();
      await expect(page).toHaveURL(/\/login$/);
      const link = await linkInMailbox(page, name);
      // Thirty minutes on, as far as the link is concerned: its expiry moved to the past in the
      // server's database (Debian's sqlite3), for this user's link only.
      await run("sqlite3", [
        "-cmd",
        ".timeout 5000",
        DATABASE,
        `UPDATE password_resets SET expires_at = 0 WHERE user_id = (SELECT id FROM users WHERE username = '${name}')`,
      ]);
      await open(page, link, js);
      await page.getByLabel("New password").fill(NEW_PASSWORD);
      await page.getByRole("button", { name: "Set the new password" }).click();
      await expect(page).toHaveURL(/\/password\/forgot$/);
      await expectOnlyFlash(page, "error", /^This link is not valid/);
    });

    test("a forged link sets nothing and says to ask again", async ({ page }) => {
      await open(page, `/password/reset?token=${"0".repeat(64)}`, js);
      await page.getByLabel("New password").fill(NEW_PASSWORD);
      await page.getByRole("button", { name: "Set the new password" }).click();
      await expect(page).toHaveURL(/\/password\/forgot$/);
      await expectOnlyFlash(page, "error", /^This link is not valid/);
    });
  });
}

test("an unknown name gets the same answer and no mail", async ({ page }) => {
  const name = uniqueName("nobody");
  await page.goto("/password/forgot");
  await page.getByLabel("Username or e-mail").fill(name);
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expectOnlyFlash(page, "info", SENT);
  await page.goto("/dev/mailbox");
  await expect(page.locator("article.mail .to", { hasText: name })).toHaveCount(0);
});
