import { expect, test } from "@playwright/test";

test("the home page is served by the server and shows the navigation", async ({ page }) => {
  const response = await page.goto("/");
  expect(response?.status()).toBe(200);
  await expect(page).toHaveTitle("Welcome to Flashboard");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Home" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Log in" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Register" })).toBeVisible();
});

test("the islands hydrate: a click handler that only the wasm attaches works", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning") errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(err.message));

  await page.goto("/");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const count = page.getByTestId("click-count");
  await expect(count).toHaveText("0");
  await page.getByRole("button", { name: "Count clicks" }).click();
  await page.getByRole("button", { name: "Count clicks" }).click();
  await expect(count).toHaveText("2");
  expect(errors).toEqual([]);
});

test("the bundle is served under content-hashed names, cached for a year", async ({ page }) => {
  const assets = new Map<string, string | undefined>();
  page.on("response", (response) => {
    const path = new URL(response.url()).pathname;
    if (path.startsWith("/pkg/") && response.status() === 200) {
      assets.set(path, response.headers()["cache-control"]);
    }
  });
  await page.goto("/");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  // The styles applied: the stylesheet link works.
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).not.toBe("rgba(0, 0, 0, 0)");
  const hashed = /^\/pkg\/flashboard\.[A-Za-z0-9_-]{22}\.(js|wasm|css)$/;
  const loaded = [...assets.keys()];
  for (const kind of ["js", "wasm", "css"]) {
    expect(loaded.some((path) => hashed.test(path) && path.endsWith(`.${kind}`)), kind).toBe(true);
  }
  for (const [path, cacheControl] of assets) {
    expect(path).toMatch(hashed);
    expect(cacheControl, path).toBe("public, max-age=31536000, immutable");
  }
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the server-rendered page is complete but inert", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Welcome to Flashboard");
    await page.getByRole("button", { name: "Count clicks" }).click();
    await expect(page.getByTestId("click-count")).toHaveText("0");
    await expect(page.locator("body")).not.toHaveAttribute("data-hydrated", "true");
  });
});

test("an unknown address answers 404 with the layout", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
});
