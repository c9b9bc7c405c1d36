import { defineConfig, devices } from "@playwright/test";

// The server under test: the debug binary that `cargo leptos build` made, on its own port and its
// own database file (removed before each run), in dev mode (cookies without `Secure` on http).
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const database = "target/e2e/flashboard.db";
// A second server, for `db-faults.spec.ts` alone: its tests break the database (another process
// holds the write lock), which the other tests, running meanwhile, must not see.
const faultsPort = port + 1;
const faultsURL = `http://127.0.0.1:${faultsPort}`;
const faultsDatabase = "target/e2e/faults.db";
// Two instances on one PostgreSQL database behind nginx (end2end/cluster/serve), for
// `multi-instance.spec.ts`: only when a PostgreSQL server is given (scripts/test starts one).
const postgres = process.env.FLASHBOARD_TEST_POSTGRES_URL;
const clusterPort = port + 2;
const clusterURL = `http://127.0.0.1:${clusterPort}`;
// The server binary, relative to the project root (E2E_BINARY=target/release/flashboard tests a
// release build).
const binary = process.env.E2E_BINARY ?? "target/debug/flashboard";

/** The settings both servers run with, on `address` and the database file `file`. */
function serverEnv(address: string, file: string): Record<string, string> {
  return {
    FLASHBOARD_MODE: "dev",
    FLASHBOARD_SERVER__ADDRESS: address,
    FLASHBOARD_DATABASE__URL: `sqlite://${file}`,
    // Mail (password reset links) goes to an outbox of its own, listed at /dev/mailbox, and
    // its links point to this server.
    FLASHBOARD_MAIL__OUTBOX_DIR: `${file}.outbox`,
    FLASHBOARD_MAIL__BASE_URL: `http://${address}`,
    // Every test registers and logs in from 127.0.0.1: lift the per-IP limit (the HTTP tests
    // cover it); per-account throttling stays on.
    FLASHBOARD_AUTH__ATTEMPTS_PER_IP_PER_MINUTE: "100000",
    LEPTOS_SITE_ROOT: "target/site",
    LEPTOS_SITE_PKG_DIR: "pkg",
    RUST_LOG: process.env.RUST_LOG ?? "warn",
  };
}

/** Starts `binary` on a fresh database `file`, on `port`. */
function server(port: number, file: string) {
  return {
    command: `rm -rf ${file} ${file}-wal ${file}-shm ${file}.outbox && exec ./${binary}`,
    cwd: "..",
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
    env: serverEnv(`127.0.0.1:${port}`, file),
  };
}

/** Debian's Chromium: Playwright never downloads a browser here. */
const chromium = {
  ...devices["Desktop Chrome"],
  launchOptions: {
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
};

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
      testIgnore: /(db-faults|multi-instance)\.spec\.ts/,
      use: chromium,
    },
    {
      name: "chromium, database faults",
      testMatch: /db-faults\.spec\.ts/,
      use: { ...chromium, baseURL: faultsURL },
    },
    ...(postgres
      ? [
          {
            name: "chromium, two instances behind nginx",
            testMatch: /multi-instance\.spec\.ts/,
            use: { ...chromium, baseURL: clusterURL },
          },
        ]
      : []),
  ],
  webServer: [
    server(port, database),
    {
      ...server(faultsPort, faultsDatabase),
      env: {
        ...serverEnv(`127.0.0.1:${faultsPort}`, faultsDatabase),
        // A write waits this long for the lock before the app answers 503.
        FLASHBOARD_DATABASE__BUSY_TIMEOUT: "300ms",
      },
    },
    ...(postgres
      ? [
          {
            command: `exec end2end/cluster/serve ${clusterPort} ${clusterPort + 1} ${clusterPort + 2}`,
            cwd: "..",
            url: `${clusterURL}/healthz`,
            reuseExistingServer: false,
            timeout: 60_000,
          },
        ]
      : []),
  ],
});
