import { expect, type Page, test } from "@playwright/test";
import { flashTexts, flashes, open, uniqueName } from "./helpers";

// The whole journey with the keyboard alone: register, log in, dismiss a flash, change a
// preference, log out. Every control is reached with Tab (never a click, never `focus()`), and
// each one shows a focus indicator when it has the focus.

/** Presses Tab (at most 60 times) until the focused element is `target`. */
async function tabTo(page: Page, target: ReturnType<Page["locator"]>, what: string) {
  const handle = await target.elementHandle();
  for (let i = 0; i < 60; i += 1) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((el) => document.activeElement === el, handle)) {
      await expectFocusVisible(page, what);
      return;
    }
  }
  throw new Error(`Tab never reached ${what}`);
}

/**
 * The focused element draws a focus indicator: an outline (or, for the visually hidden dismiss
 * checkbox, its visible label does), at least 2 px wide and not transparent.
 */
async function expectFocusVisible(page: Page, what: string) {
  const ring = await page.evaluate(() => {
    let el = document.activeElement as HTMLElement;
    if (el.classList.contains("flash-dismiss-toggle")) el = el.nextElementSibling as HTMLElement;
    const style = getComputedStyle(el);
    return {
      style: style.outlineStyle,
      width: parseFloat(style.outlineWidth),
      color: style.outlineColor,
      matches: document.activeElement!.matches(":focus-visible"),
    };
  });
  expect(ring.matches, `${what} matches :focus-visible`).toBe(true);
  expect(ring.style, `${what} has an outline`).not.toBe("none");
  expect(ring.width, `${what}'s outline width`).toBeGreaterThanOrEqual(2);
  expect(ring.color, `${what}'s outline colour`).not.toMatch(/rgba\(.*, 0\)|transparent/);
}

for (const js of [true, false]) {
  test(`the journey with the keyboard alone, JavaScript ${js ? "on" : "off"}`, async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: js, reducedMotion: "reduce" });
    const page = await context.newPage();
    const name = uniqueName("keys");

    await open(page, "/", js);
    // The first stop is the skip link, then the header.
    await page.keyboard.press("Tab");
    await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
    await expectFocusVisible(page, "the skip link");

    await tabTo(page, page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Register" }), "Register link");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/register$/);
    if (js) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");

    await tabTo(page, page.getByLabel("Username"), "the user name field");
    await page.keyboard.type(name);
    await tabTo(page, page.getByLabel("E-mail"), "the e-mail field");
    await page.keyboard.type(`${name}@example.com`);
    await tabTo(page, page.getByLabel("Password"), "the password field");
    await page.keyboard.type("Sunny-day-2026");
    await tabTo(page, page.locator("main").getByRole("button", { name: "Register" }), "Register button");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/login$/);
    await expect(flashTexts(page)).toHaveText(["Registered! Please log in."]);

    await tabTo(page, page.getByLabel("Username"), "the user name field");
    await page.keyboard.type(name);
    await tabTo(page, page.getByLabel("Password"), "the password field");
    await page.keyboard.type("Sunny-day-2026");
    await tabTo(page, page.locator("main").getByRole("button", { name: "Log in" }), "Log in button");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/dashboard$/);
    await expect(flashTexts(page)).toHaveText([`Welcome back, ${name}!`]);

    // Dismiss the welcome with the keyboard.
    await tabTo(page, flashes(page).first().getByRole("checkbox", { name: "Dismiss" }), "Dismiss");
    await page.keyboard.press("Space");
    await expect(flashes(page).first()).toBeHidden();

    // Dark theme on /settings: arrows move within the radio group.
    await tabTo(page, page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }), "Settings link");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/settings$/);
    if (js) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await tabTo(page, page.getByRole("radio", { name: "Same as my system" }), "the theme choice");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await expect(page.getByRole("radio", { name: "Dark" })).toBeChecked();
    await tabTo(page, page.getByRole("button", { name: "Save preferences" }), "Save preferences");
    await page.keyboard.press("Enter");
    await expect(flashTexts(page)).toHaveText(["Preferences saved."]);
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");

    await tabTo(page, page.getByRole("button", { name: "Log out" }), "Log out");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/login$/);
    await expect(flashTexts(page)).toHaveText(["You have been logged out."]);
    await context.close();
  });
}

for (const js of [true, false]) {
  test(`the skip link moves the focus to the main content, JavaScript ${js ? "on" : "off"}`, async ({
    browser,
  }) => {
    const context = await browser.newContext({ javaScriptEnabled: js });
    const page = await context.newPage();
    await open(page, "/", js);
    await page.keyboard.press("Tab");
    await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page.locator("main")).toBeFocused();
    // The next stop is the first control of the page itself, past the header.
    await page.keyboard.press("Tab");
    await expect(page.getByRole("button", { name: "Count clicks" })).toBeFocused();
    await context.close();
  });
}

test("after a failed submit with JavaScript, the focus is on the problem", async ({ page }) => {
  await open(page, "/login", true);
  await page.getByLabel("Username").fill("nobody-here");
  await page.getByLabel("Password").fill("Wrong-password-1");
  await page.getByRole("button", { name: "Log in" }).click();
  // No field is wrong on its own here: the error in the banner takes the focus.
  const error = page.locator(".flash-alerts .flash");
  await expect(error.locator(".flash-message")).toHaveText(["Wrong username or password."]);
  await expect(error).toBeFocused();
});

test("the page script leaves the focus where the visitor already put it", async ({ page }) => {
  // Hold the wasm back until the visitor has moved: the page script starts after it.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/pkg/*.wasm", async (route) => {
    await held;
    // The first page's request may be gone with its page.
    await route.continue().catch(() => {});
  });
  // A failed log-in: the page it leads to has an error in the banner.
  await page.goto("/login");
  await page.getByLabel("Username").fill("nobody-here");
  await page.getByLabel("Password").fill("Wrong-password-1");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.locator(".flash-alerts .flash")).toHaveCount(1);
  await page.getByLabel("Username").focus();
  release();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByLabel("Username")).toBeFocused();
});
