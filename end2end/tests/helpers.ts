import { expect, type Page } from "@playwright/test";

/** The demo's flashes, in the order they are pushed. */
export const DEMO = [
  { category: "success", message: "Logged in successfully.", role: "status" },
  { category: "warning", message: "Your password is weak.", role: "status" },
  { category: "info", message: "Maintenance is planned for tonight.", role: "status" },
  { category: "error", message: "The database connection failed.", role: "alert" },
  { category: "message", message: "A message without a category.", role: "status" },
  { category: "stock_alert", message: "Only 3 left in stock.", role: "status" },
];

/** Records console errors and warnings (hydration mismatches are reported there). */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning") problems.push(msg.text());
  });
  page.on("pageerror", (err) => problems.push(err.message));
  return problems;
}

/** Opens `path`; with JavaScript on, waits until the wasm has taken over the page. */
export async function open(page: Page, path: string, js: boolean) {
  await page.goto(path);
  if (js) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** The flash banner's items. */
export function flashes(page: Page) {
  return page.locator(".flash-region .flash");
}

/** Marks the window, to tell later whether the page was reloaded (the mark would be gone). */
export async function markWindow(page: Page) {
  await page.evaluate(() => ((window as unknown as { __mark: number }).__mark = 1));
}

export async function windowStillMarked(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __mark?: number }).__mark === 1);
}
