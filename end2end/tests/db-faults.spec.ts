import { spawn } from "node:child_process";
import { once } from "node:events";
import { expect, type Page, test } from "@playwright/test";
import { flashes, open, registerAndLogIn, uniqueName } from "./helpers";

// These tests run against a server of their own (the "database faults" project in
// playwright.config.ts), one at a time: while one holds that server's database lock, every write
// there fails, which no other test may meet.
test.describe.configure({ mode: "serial" });

/** The faults server's database, from `end2end/`. */
const DATABASE = "../target/e2e/faults.db";
const UNAVAILABLE = "We could not save that; please try again in a moment.";

/**
 * Another process (Debian's `sqlite3`) takes SQLite's write lock on the server's database and
 * holds it until `release()`: every write of the app waits its busy timeout (300 ms for this
 * server) and fails.
 */
async function holdWriteLock(): Promise<{ release: () => Promise<void> }> {
  const sqlite = spawn("sqlite3", [DATABASE], { stdio: ["pipe", "pipe", "inherit"] });
  let output = "";
  sqlite.stdout.on("data", (chunk) => (output += chunk));
  sqlite.stdin.write("BEGIN IMMEDIATE;\nSELECT 'held';\n");
  await expect.poll(() => output, { message: "sqlite3 takes the lock" }).toContain("held");
  return {
    release: async () => {
      sqlite.stdin.end("ROLLBACK;\n.quit\n");
      await once(sqlite, "exit");
    },
  };
}

async function chooseDark(page: Page) {
  await page.getByLabel("Dark").check();
  await page.getByRole("button", { name: "Save preferences" }).click();
}

for (const js of [true, false]) {
  test.describe(js ? "JavaScript on" : "JavaScript off", () => {
    test.use({ javaScriptEnabled: js });

    test("a save the database cannot take gets a page saying so; nothing changed", async ({
      page,
    }) => {
      await registerAndLogIn(page, uniqueName(js ? "faultjs" : "faultnojs"));
      await open(page, "/settings", js);
      const lock = await holdWriteLock();
      try {
        const answer = page.waitForResponse((res) => res.url().endsWith("/api/save_preferences"));
        await chooseDark(page);
        const res = await answer;
        expect(res.status()).toBe(503);
        expect(res.headers()["retry-after"]).toBe("5");
        await expect(page.getByRole("heading", { name: "Please try again in a moment" })).toBeVisible();
        await expect(page.getByRole("alert")).toHaveText(UNAVAILABLE);
      } finally {
        await lock.release();
      }

      await open(page, "/settings", js);
      await expect(page.locator("html")).toHaveAttribute("data-theme", "system");
      await chooseDark(page);
      await expect(page).toHaveURL(/\/settings$/);
      await expect(flashes(page).first()).toHaveText(/Preferences saved\./);
      await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    });
  });
}
