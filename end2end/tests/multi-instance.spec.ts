import { expect, type Page, test } from "@playwright/test";
import { DEMO, flashes, open, registerAndLogIn, uniqueName, watchConsole } from "./helpers";

// Two Flashboard instances on one PostgreSQL database behind nginx (round robin): the project
// "chromium, two instances behind nginx" in playwright.config.ts, served by end2end/cluster/serve.

/** Records which instance served each request of `page` (nginx's `X-Upstream` header). */
function recordUpstreams(page: Page): Set<string> {
  const seen = new Set<string>();
  page.on("response", (res) => {
    const upstream = res.headers()["x-upstream"];
    if (upstream) seen.add(upstream);
  });
  return seen;
}

for (const js of [true, false]) {
  test.describe(js ? "two instances, JavaScript on" : "two instances, JavaScript off", () => {
    test.use({ javaScriptEnabled: js });

    test("a journey through nginx is one session, whichever instance answers", async ({ page }) => {
      const problems = watchConsole(page);
      const upstreams = recordUpstreams(page);
      const name = uniqueName("cluster");

      await registerAndLogIn(page, name);
      // Each reload may reach either instance: always logged in, the welcome shown once.
      for (let i = 0; i < 4; i++) {
        await page.reload();
        if (js) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
        await expect(page.getByText(`Hello, ${name}!`)).toBeVisible();
        await expect(flashes(page)).toHaveCount(0);
      }

      // Flashes pushed by one instance are shown once, by whichever serves the page.
      await open(page, "/flash-demo", js);
      await page.getByRole("button", { name: "Flash and redirect" }).click();
      await expect(flashes(page)).toHaveCount(DEMO.length);
      await page.reload();
      if (js) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
      await expect(flashes(page)).toHaveCount(0);

      // Logged out on one, logged out on both.
      await open(page, "/dashboard", js);
      await page.getByRole("button", { name: "Log out" }).click();
      await expect(page).toHaveURL(/\/login$/);
      await expect(flashes(page)).toHaveCount(1);
      await expect(flashes(page).first().locator(".flash-message")).toHaveText(
        "You have been logged out.",
      );
      for (let i = 0; i < 2; i++) {
        await page.goto("/dashboard");
        await expect(page).toHaveURL(/\/login\?next=/);
      }

      expect([...upstreams].length).toBe(2);
      expect(problems).toEqual([]);
    });
  });
}
