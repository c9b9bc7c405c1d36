import { type ConsoleMessage, expect, type Page, type Request } from "@playwright/test";

/**
 * The demo's flashes as the banner shows them: errors first, in the live region that interrupts
 * (`role="alert"`), then the rest in the order they were pushed, in the polite one
 * (`role="status"`).
 */
export const DEMO = [
  { category: "error", message: "The database connection failed.", role: "alert" },
  { category: "success", message: "Logged in successfully.", role: "status" },
  { category: "warning", message: "Your password is weak.", role: "status" },
  { category: "info", message: "Maintenance is planned for tonight.", role: "status" },
  { category: "message", message: "A message without a category.", role: "status" },
  { category: "stock_alert", message: "Only 3 left in stock.", role: "status" },
];

/** The live region (`alert` or `status`) of the banner that a flash is in. */
export async function liveRegionOf(item: import("@playwright/test").Locator): Promise<string | null> {
  return item.evaluate((el) => el.closest("[role]")?.getAttribute("role") ?? null);
}

/** Records console errors and warnings (an island's hydration mismatch is reported there). */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning") problems.push(msg.text());
  });
  page.on("pageerror", (err) => problems.push(err.message));
  return problems;
}

/**
 * Opens `path`; with JavaScript on, waits until the page script (an island) has run. When it does
 * not, the error carries what the page logged (a panic in the wasm is reported on the console).
 */
export async function open(page: Page, path: string, js: boolean) {
  const logged: string[] = [];
  const onConsole = (msg: ConsoleMessage) => logged.push(`${msg.type()}: ${msg.text()}`);
  const onError = (err: Error) => logged.push(`pageerror: ${err.message}`);
  const onFailed = (request: Request) =>
    logged.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  page.on("console", onConsole);
  page.on("pageerror", onError);
  page.on("requestfailed", onFailed);
  try {
    await page.goto(path);
    if (js) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  } catch (err) {
    throw new Error(`opening ${path}: ${err}\npage log: ${JSON.stringify(logged, null, 1)}`);
  } finally {
    page.off("console", onConsole);
    page.off("pageerror", onError);
    page.off("requestfailed", onFailed);
  }
}

/** The flash banner's items. */
export function flashes(page: Page) {
  return page.locator(".flash-region .flash");
}

/** The words of the flash banner's items (without the dismiss control's ×). */
export function flashTexts(page: Page) {
  return page.locator(".flash-region .flash .flash-message");
}

/** Marks the window, to tell later whether a new page was loaded (the mark would be gone). */
export async function markWindow(page: Page) {
  await page.evaluate(() => ((window as unknown as { __mark: number }).__mark = 1));
}

export async function windowStillMarked(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __mark?: number }).__mark === 1);
}

let counter = 0;
/** A user name no other test (or earlier run against a kept server) uses. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}${Math.floor(Math.random() * 1000)}`;
}

/**
 * Registers `name` (password "Sunny-day-2026") through the form; ends on /login. The fields are
 * found by their ids, so it works in every language.
 */
export async function register(page: Page, name: string) {
  await page.goto("/register");
  await page.locator("#username").fill(name);
  await page.locator("#email").fill(`${name}@example.com`);
  await page.locator("#password").fill("Sunny-day-2026");
  await page.locator("main button[type=submit]").click();
  await expect(page).toHaveURL(/\/login$/);
}

/** Registers `name` and logs in through the forms, ticking "Remember me" if asked. */
export async function registerAndLogIn(page: Page, name: string, remember = false) {
  await register(page, name);
  await page.locator("#username").fill(name);
  await page.locator("#password").fill("Sunny-day-2026");
  if (remember) await page.locator("input[name=remember]").check();
  await page.locator("main button[type=submit]").click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("signed-in-as")).toContainText(name);
}
