import { expect, test, type Page } from "@playwright/test";
import { flashes, open, watchConsole } from "./helpers";

let counter = 0;
/** A user name no other test (or earlier run against a kept server) uses. */
function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}${Math.floor(Math.random() * 1000)}`;
}

async function expectOnlyFlash(page: Page, category: string, text: string | RegExp) {
  await expect(flashes(page)).toHaveCount(1);
  await expect(flashes(page).first()).toHaveAttribute("data-category", category);
  await expect(flashes(page).first().locator(".flash-message")).toHaveText(text);
}

for (const js of [true, false]) {
  test.describe(js ? "accounts, JavaScript on" : "accounts, JavaScript off", () => {
    test.use({ javaScriptEnabled: js });

    test("register, log in, see the dashboard, log out: each step flashes once", async ({ page }) => {
      const problems = watchConsole(page);
      const name = uniqueName("journey");

      await open(page, "/register", js);
      await page.getByLabel("Username").fill(name);
      await page.getByLabel("E-mail").fill(`${name}@example.com`);
      await page.getByLabel("Password").fill("Sunny-day-2026");
      await page.getByRole("button", { name: "Register" }).click();
      await expect(page).toHaveURL(/\/login$/);
      await expectOnlyFlash(page, "success", "Registered! Please log in.");

      await page.getByLabel("Username").fill(name);
      await page.getByLabel("Password").fill("Sunny-day-2026");
      await page.getByRole("button", { name: "Log in" }).click();
      await expect(page).toHaveURL(/\/dashboard$/);
      await expectOnlyFlash(page, "success", `Welcome back, ${name}!`);
      await expect(page.getByText(`Hello, ${name}!`)).toBeVisible();
      await expect(page.getByTestId("signed-in-as")).toContainText(name);
      await expect(page.getByTestId("remembered")).toHaveText(/^no/);

      await page.reload();
      await expect(page.getByText(`Hello, ${name}!`)).toBeVisible();
      await expect(flashes(page)).toHaveCount(0);

      if (js) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
      await page.getByRole("button", { name: "Log out" }).click();
      await expect(page).toHaveURL(/\/login$/);
      await expectOnlyFlash(page, "info", "You have been logged out.");
      await expect(page.getByRole("button", { name: "Log out" })).toHaveCount(0);

      await page.goto("/dashboard");
      await expect(page).toHaveURL(/\/login\?next=/);
      await expectOnlyFlash(page, "warning", "Please log in first.");
      expect(problems).toEqual([]);
    });

    test("an anonymous dashboard visit is sent to log in, then back", async ({ page }) => {
      const name = uniqueName("guard");
      const response = await page.request.post("/api/register", {
        form: { username: name, email: `${name}@example.com`, password: "Sunny-day-2026" },
        headers: { accept: "text/html" },
        maxRedirects: 0,
      });
      expect(response.status()).toBe(303);
      await page.goto("/login"); // shows (and so uses up) the "Registered!" flash

      await page.goto("/dashboard");
      await expect(page).toHaveURL(/\/login\?next=%2Fdashboard$|\/login\?next=\/dashboard$/);
      await expectOnlyFlash(page, "warning", "Please log in first.");
      if (js) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
      await page.getByLabel("Username").fill(name);
      await page.getByLabel("Password").fill("Sunny-day-2026");
      await page.getByRole("button", { name: "Log in" }).click();
      await expect(page).toHaveURL(/\/dashboard$/);
      await expectOnlyFlash(page, "success", `Welcome back, ${name}!`);
    });

    test("a wrong password is told once, with the name kept", async ({ page }) => {
      const name = uniqueName("wrong");
      await open(page, "/register", js);
      await page.getByLabel("Username").fill(name);
      await page.getByLabel("E-mail").fill(`${name}@example.com`);
      await page.getByLabel("Password").fill("Sunny-day-2026");
      await page.getByRole("button", { name: "Register" }).click();
      await expect(page).toHaveURL(/\/login$/);

      await page.getByLabel("Username").fill(name);
      await page.getByLabel("Password").fill("not-the-password");
      await page.getByRole("button", { name: "Log in" }).click();
      await expectOnlyFlash(page, "error", "Wrong username or password.");
      await expect(page.getByLabel("Username")).toHaveValue(name);
      await expect(page.getByTestId("signed-in-as")).toHaveCount(0);

      await page.goto("/login");
      await expect(flashes(page)).toHaveCount(0);
    });

    test("registration problems are shown beside their fields", async ({ page }) => {
      await open(page, "/register", js);
      await page.getByLabel("Username").fill("ab");
      await page.getByLabel("E-mail").fill("not-an-email");
      await page.getByLabel("Password").fill("short");
      await page.getByRole("button", { name: "Register" }).click();
      const field = (label: string) => page.locator(".field").filter({ has: page.getByLabel(label) });
      await expect(field("Username").locator(".flash-error")).toHaveText(/3 to 32 characters/);
      await expect(field("E-mail").locator(".flash-error")).toHaveText(/does not look like an e-mail/);
      await expect(field("Password").locator(".flash-error")).toHaveText(/8 to 128 characters/);
      await expect(field("Password").locator(".flash-info")).toHaveText(/upper-case letter/);
      // Tied to their inputs, and summed up at the top (the GOV.UK pattern), with links to the
      // fields; with JavaScript the focus has moved there.
      for (const label of ["Username", "E-mail", "Password"]) {
        await expect(page.getByLabel(label)).toHaveAttribute("aria-invalid", "true");
      }
      await expect(page.getByLabel("Password")).toHaveAccessibleDescription(
        "8 to 128 characters A password has 8 to 128 characters. Tip: an upper-case letter makes your password stronger.",
      );
      // Field flashes describe their field: the words only, no dismiss control.
      await expect(page.getByLabel("E-mail")).toHaveAttribute("aria-describedby", /^flash-\S+-text$/);
      await expect(field("E-mail").getByRole("checkbox")).toHaveCount(0);
      const summary = page.getByRole("alert").filter({ hasText: "There is a problem" });
      await expect(summary.getByRole("link")).toHaveText([
        /3 to 32 characters/,
        /does not look like an e-mail/,
        /8 to 128 characters/,
      ]);
      if (js) await expect(summary).toBeFocused();
      const link = summary.getByRole("link", { name: /does not look like/ });
      await expect(link).toHaveAttribute("href", "#email");
      // Following a link of the summary puts the focus in its field.
      await link.focus();
      await page.keyboard.press("Enter");
      await expect(page.getByLabel("E-mail")).toBeFocused();
      await expect(flashes(page)).toHaveCount(0);
      await expect(page.getByLabel("Username")).toHaveValue("ab");
      await expect(page.getByLabel("E-mail")).toHaveValue("not-an-email");
    });
  });
}
