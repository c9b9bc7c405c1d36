import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";

// Lighthouse 12 (the line that runs on Node 20) against Debian's Chromium: accessibility, best
// practices and SEO at 100 on every public page, in both languages. Each run starts a Chromium
// of its own, so the pages are audited one after the other.
test.describe.configure({ mode: "serial" });

const run = promisify(execFile);
const CATEGORIES = ["accessibility", "best-practices", "seo"];
const PAGES = ["/", "/login", "/register", "/flash-demo", "/settings"];

interface Report {
  categories: Record<string, { score: number | null }>;
  audits: Record<string, { id: string; title: string; score: number | null; scoreDisplayMode: string }>;
}

/** Audits `url` with the browser asking for `language`; the report. */
async function audit(url: string, language: string): Promise<Report> {
  const dir = await mkdtemp(join(tmpdir(), "flashboard-lighthouse-"));
  try {
    const output = join(dir, "report.json");
    await run(
      "node_modules/.bin/lighthouse",
      [
        url,
        `--only-categories=${CATEGORIES.join(",")}`,
        "--output=json",
        `--output-path=${output}`,
        "--quiet",
        `--extra-headers=${JSON.stringify({ "Accept-Language": language })}`,
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
      ],
      { env: { ...process.env, CHROME_PATH: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" } },
    );
    return JSON.parse(await readFile(output, "utf8"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

for (const language of ["en", "zh-CN"]) {
  test(`Lighthouse: accessibility, best practices and SEO at 100 (${language})`, async ({ baseURL }) => {
    test.setTimeout(180_000);
    const below: string[] = [];
    for (const path of PAGES) {
      // What Lighthouse is about to audit is in that language.
      const served = await fetch(`${baseURL}${path}`, { headers: { "Accept-Language": language } });
      expect(await served.text()).toMatch(new RegExp(`<html[^>]* lang="${language}"`));
      const report = await audit(`${baseURL}${path}`, language);
      for (const category of CATEGORIES) {
        const score = report.categories[category]?.score;
        if (score !== 1) {
          // The audits that cost points (a weight above 0 and a score below 1).
          const failing = Object.values(report.audits)
            .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode === "binary")
            .map((a) => `${a.id} (${a.title})`);
          below.push(`${path} ${category}: ${score} - ${failing.join("; ")}`);
        }
      }
    }
    expect(below, below.join("\n")).toEqual([]);
  });
}
