import { expect, type Locator, test } from "@playwright/test";
import {
  DEMO,
  flashes,
  liveRegionOf,
  markWindow,
  open,
  watchConsole,
  windowStillMarked,
} from "./helpers";

/** The demo's button in each language the app speaks. */
const LANGUAGES = [
  { locale: "en-US", flashAndRedirect: "Flash and redirect" },
  { locale: "zh-CN", flashAndRedirect: "发送并重定向" },
];

for (const js of [true, false]) {
  test.describe(js ? "flash messages, JavaScript on" : "flash messages, JavaScript off", () => {
    test.use({ javaScriptEnabled: js });

    test("the demo shows every style once and a reload shows none", async ({ page }) => {
      const problems = watchConsole(page);
      await open(page, "/flash-demo", js);
      await expect(flashes(page)).toHaveCount(0);

      await page.getByRole("button", { name: "Flash and redirect" }).click();
      await expect(flashes(page)).toHaveCount(DEMO.length);
      for (const [i, flash] of DEMO.entries()) {
        const item = flashes(page).nth(i);
        await expect(item).toHaveAttribute("data-category", flash.category);
        expect(await liveRegionOf(item)).toBe(flash.role);
        await expect(item.locator(".flash-message")).toHaveText(flash.message);
      }
      // Five looks: four built-in styles, and the neutral one for `message` and custom names.
      const looks = await flashes(page).evaluateAll((items) =>
        items.map((item) => getComputedStyle(item).borderLeftColor),
      );
      expect(new Set(looks).size).toBe(5);
      await expect(page.locator(".flash-cat-stock_alert")).toHaveClass(/flash-neutral/);
      await expect(page).toHaveURL(/\/flash-demo$/);

      await page.reload();
      if (js) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
      await expect(flashes(page)).toHaveCount(0);
      expect(problems).toEqual([]);
    });

    test("the same-response variant shows them too, once", async ({ page }) => {
      await open(page, "/flash-demo", js);
      await page.getByRole("button", { name: "Flash and show now" }).click();
      await expect(flashes(page)).toHaveCount(DEMO.length);
      await page.goto("/flash-demo");
      await expect(flashes(page)).toHaveCount(0);
    });

    test("another tab does not see flashes already shown", async ({ page, context }) => {
      await open(page, "/flash-demo", js);
      await page.getByRole("button", { name: "Flash and redirect" }).click();
      await expect(flashes(page)).toHaveCount(DEMO.length);
      const other = await context.newPage();
      await other.goto("/flash-demo");
      await expect(other.getByRole("heading", { level: 1 })).toBeVisible();
      await expect(flashes(other)).toHaveCount(0);
    });

    test("a flash can be dismissed with the mouse or the keyboard", async ({ page }) => {
      await open(page, "/flash-demo", js);
      await page.getByRole("button", { name: "Flash and redirect" }).click();
      const error = page.locator('.flash[data-category="error"]');
      const warning = page.locator('.flash[data-category="warning"]');
      await expect(error).toBeVisible();
      await error.locator("label.flash-dismiss").click();
      await expect(error).toBeHidden();
      await warning.getByRole("checkbox", { name: "Dismiss" }).focus();
      await page.keyboard.press("Space");
      await expect(warning).toBeHidden();
      await expect(page.locator('.flash[data-category="stock_alert"]')).toBeVisible();
    });

    for (const language of LANGUAGES) {
      test.describe(language.locale, () => {
        test.use({ locale: language.locale });
        test(`success dismisses itself after about 6 s, paused while hovered or focused; errors stay (${language.locale})`, async ({ page }) => {
          await open(page, "/flash-demo", js);
          await page.getByRole("button", { name: language.flashAndRedirect }).click();
          const success = page.locator('.flash[data-category="success"]');
          const info = page.locator('.flash[data-category="info"]');
          const error = page.locator('.flash[data-category="error"]');
          await expect(success).toBeVisible();
          await info.hover();

          // The countdown is a CSS animation: read and move its clock through the Web Animations
          // API instead of waiting seconds in real time.
          const states = (flash: Locator) =>
            flash.evaluate((el) => el.getAnimations().map((animation) => animation.playState));
          const jumpTo = (flash: Locator, ms: number) =>
            flash.evaluate((el, ms) => {
              for (const animation of el.getAnimations()) {
                animation.pause();
                animation.currentTime = ms;
              }
            }, ms);
          expect(await states(success)).toEqual(["running"]);
          expect(await states(info)).toEqual(["paused"]); // the pointer is on it: its clock stopped
          expect(await states(error)).toEqual([]); // errors never go by themselves
          await success.getByRole("checkbox").focus();
          expect(await states(success)).toEqual(["paused"]); // so does focus inside it

          await jumpTo(success, 5_900);
          await expect(success).toBeVisible(); // still there just before 6 s
          await jumpTo(success, 6_400);
          await expect(success).toBeHidden(); // gone after the fade
          await expect(info).toBeVisible();
          await expect(error).toBeVisible();
        });
      });
    }

    test("a script in a message is shown as text", async ({ page }) => {
      const problems = watchConsole(page);
      let dialogs = 0;
      page.on("dialog", async (dialog) => {
        dialogs += 1;
        await dialog.dismiss();
      });
      const payload = `<script>alert("pwned")</script><img src=x onerror="alert(1)">`;
      await open(page, "/flash-demo", js);
      await page.getByLabel("Message").fill(payload);
      await page.getByLabel("Category").fill("error");
      await page.getByRole("button", { name: "Flash it" }).click();
      const item = flashes(page).first();
      await expect(item.locator(".flash-message")).toHaveText(payload);
      await expect(page.locator(".flash-region script, .flash-region img")).toHaveCount(0);
      expect(dialogs).toBe(0);
      expect(problems.filter((p) => !p.includes("Failed to load resource"))).toEqual([]);
    });

    test("invalid input is told beside its field, not in the banner", async ({ page }) => {
      await open(page, "/flash-demo", js);
      await page.getByLabel("Category").fill("two words");
      await page.getByLabel("Message").fill("hello");
      await page.getByRole("button", { name: "Flash it" }).click();
      const categoryField = page.locator(".field").filter({ has: page.getByLabel("Category") });
      await expect(categoryField.locator(".flash")).toHaveText(/A category is 1 to 64/);
      await expect(page.getByLabel("Category")).toHaveAttribute("aria-invalid", "true");
      await expect(page.locator(".error-summary")).toContainText("A category is 1 to 64");
      await expect(flashes(page)).toHaveCount(0);

      await page.getByLabel("Category").fill("info");
      await page.getByLabel("Message").fill("");
      await page.getByRole("button", { name: "Flash it" }).click();
      const messageField = page.locator(".field").filter({ has: page.getByLabel("Message") });
      await expect(messageField.locator(".flash")).toHaveText(/Write a message to flash/);
      await expect(categoryField.locator(".flash")).toHaveCount(0);
      await expect(page.getByLabel("Category")).not.toHaveAttribute("aria-invalid", "true");
      await expect(flashes(page)).toHaveCount(0);
    });

    test("the back button does not bring shown flashes back", async ({ page }) => {
      await open(page, "/flash-demo", js);
      await page.getByRole("button", { name: "Flash and redirect" }).click();
      await expect(flashes(page)).toHaveCount(DEMO.length);
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Home" }).click();
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("Welcome to Flashboard");
      await expect(flashes(page)).toHaveCount(0);
      await page.goBack();
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("Flash messages, every style");
      await expect(flashes(page)).toHaveCount(0);
    });
  });
}

test("the page script adds nothing to the live regions, so nothing is announced twice", async ({ page }) => {
  // Record every node added inside the banner's live regions once the document has been parsed:
  // a screen reader announces those; what the parser put there is read with the page.
  await page.addInitScript(() => {
    const added: string[] = [];
    (window as unknown as { __added: string[] }).__added = added;
    document.addEventListener("DOMContentLoaded", () => {
      new MutationObserver((records) => {
        for (const record of records) {
          // A text node's change counts for the element it is in.
          const target =
            record.target.nodeType === Node.ELEMENT_NODE
              ? (record.target as Element)
              : record.target.parentElement;
          const inRegion = target?.closest(".flash-alerts, .flash-statuses");
          for (const node of record.addedNodes) {
            // A flash added inside a region, or a region (re)placed as a whole.
            if (inRegion && node.nodeType === Node.ELEMENT_NODE && (node as Element).matches(".flash"))
              added.push("flash");
            else if (inRegion && record.type === "childList" && node.nodeType === Node.TEXT_NODE)
              added.push("text");
            else if (
              node.nodeType === Node.ELEMENT_NODE &&
              ((node as Element).matches(".flash-alerts, .flash-statuses, .flash-region") ||
                (node as Element).querySelector(".flash-alerts, .flash-statuses"))
            )
              added.push("region");
          }
          if (inRegion && record.type === "characterData") added.push("text");
        }
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
  });
  // The same-response demo: a full page load whose HTML already holds the six flashes.
  await open(page, "/flash-demo", true);
  await page.getByRole("button", { name: "Flash and show now" }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(flashes(page)).toHaveCount(DEMO.length);
  expect(await page.evaluate(() => (window as unknown as { __added: string[] }).__added)).toEqual([]);
  // The redirect variant: the page it leads to (a new document) has the flashes in its HTML too.
  await markWindow(page);
  await page.getByRole("button", { name: "Flash and redirect" }).click();
  await expect.poll(() => windowStillMarked(page)).toBe(false);
  await expect(page).toHaveURL(/\/flash-demo$/);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(flashes(page)).toHaveCount(DEMO.length);
  expect(await page.evaluate(() => (window as unknown as { __added: string[] }).__added)).toEqual([]);
});

test("the flash region is a live region from the first paint", async ({ page }) => {
  await page.goto("/");
  const region = page.getByRole("region", { name: "Notifications" });
  await expect(region.getByRole("alert")).toHaveCount(1);
  await expect(region.getByRole("status")).toHaveCount(1);
  await expect(region.locator(".flash")).toHaveCount(0);
});

for (const language of LANGUAGES) {
test.describe(`reduced motion (${language.locale})`, () => {
  test.use({ reducedMotion: "reduce", locale: language.locale });

  test("success still goes after its time, without a fade; errors stay", async ({ page }) => {
    test.slow();
    await open(page, "/flash-demo", true);
    await page.getByRole("button", { name: language.flashAndRedirect }).click();
    const success = page.locator('.flash[data-category="success"]');
    await expect(success).toBeVisible();
    const animation = await success.evaluate((el) => getComputedStyle(el).animationName);
    expect(animation).toBe("flash-expire-still");
    await expect(success).toBeHidden({ timeout: 9000 });
    await expect(page.locator('.flash[data-category="error"]')).toBeVisible();
  });
});
}

for (const js of [true, false]) {
  test(`success can be kept on screen until dismissed (WCAG 2.2.1), JavaScript ${js ? "on" : "off"}`, async ({
    browser,
  }) => {
    const context = await browser.newContext({ javaScriptEnabled: js });
    const page = await context.newPage();
    await open(page, "/settings", js);
    await page.getByLabel("Keep messages on screen until I dismiss them").check();
    await page.getByRole("button", { name: "Save preferences" }).click();
    await expect(page.locator("html")).toHaveAttribute("data-flashes", "keep");
    await open(page, "/flash-demo", js);
    await page.getByRole("button", { name: "Flash and redirect" }).click();
    const success = page.locator('.flash[data-category="success"]');
    await expect(success).toBeVisible();
    // No countdown at all: nothing will hide it but its dismiss control.
    expect(await success.evaluate((el) => el.getAnimations().length)).toBe(0);
    await success.locator("label.flash-dismiss").click();
    await expect(success).toBeHidden();
    await context.close();
  });
}
