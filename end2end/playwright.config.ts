import { defineConfig, devices } from "@playwright/test";

// The server under test: the debug binary that `cargo leptos build` made, on its own port and its
// own database file (removed before each run), in dev mode (cookies without `Secure` on http).
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const database = "target/e2e/flashboard.db";
// The server binary, relative to the project root (E2E_BINARY=target/release/flashboard tests a
// release build).
const binary = process.env.E2E_BINARY ?? "target/debug/flashboard";

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: process.env.CI ? 2 : undefined,
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          // Debian's Chromium: Playwright never downloads a browser here.
          executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
          args: [
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
          ],
        },
      },
    },
  ],
  webServer: {
    command: `rm -f ${database} ${database}-wal ${database}-shm && exec ./${binary}`,
    cwd: "..",
    url: `${baseURL}/healthz`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
    env: {
      FLASHBOARD_MODE: "dev",
      FLASHBOARD_SERVER__ADDRESS: `127.0.0.1:${port}`,
      FLASHBOARD_DATABASE__URL: `sqlite://${database}`,
      // Every test registers and logs in from 127.0.0.1: lift the per-IP limit (the HTTP tests
      // cover it); per-account throttling stays on.
      FLASHBOARD_AUTH__ATTEMPTS_PER_IP_PER_MINUTE: "100000",
      LEPTOS_SITE_ROOT: "target/site",
      LEPTOS_SITE_PKG_DIR: "pkg",
      RUST_LOG: process.env.RUST_LOG ?? "warn",
    },
  },
});
