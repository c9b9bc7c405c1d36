import { expect, test } from "@playwright/test";
import { flashTexts, flashes, open, registerAndLogIn, uniqueName, watchConsole } from "./helpers";

// English and Simplified Chinese, with JavaScript on and off: the browser's language decides
// until the visitor chooses; the switch keeps them on the same page; `<html lang>` is right in
// the server render, and the islands read it from there; flashes are shown in the viewer's
// language.

/** The home page counter's button, in Chinese (`src/text/zh_cn.rs`). */
const ZH_COUNT_BUTTON = "点击计数";

for (const js of [true, false]) {
  test.describe(js ? "languages, JavaScript on" : "languages, JavaScript off", () => {
    test.use({ javaScriptEnabled: js });

    test.describe("a Chinese browser", () => {
      test.use({ locale: "zh-CN" });

      test("gets Chinese pages, and the islands speak Chinese too", async ({ page }) => {
        const problems = watchConsole(page);
        await open(page, "/register", js);
        await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
        await expect(page).toHaveTitle("注册账号 · Flashboard");
        await expect(page.getByRole("heading", { level: 1 })).toHaveText("注册账号");
        await expect(page.getByLabel("用户名")).toBeVisible();
        // Field problems, in Chinese, beside their fields and summed up at the top.
        await page.getByLabel("用户名").fill("ab");
        await page.getByLabel("邮箱").fill("nope");
        await page.getByLabel("密码").fill("short");
        await page.getByRole("button", { name: "注册", exact: true }).click();
        await expect(page.locator(".error-summary h2")).toHaveText("表单有误，请修改");
        await expect(page.locator(".field .flash-error .flash-message")).toHaveText([
          "用户名需为 3 到 32 个字符。",
          "邮箱格式不正确。",
          "密码需为 8 到 128 个字符。",
        ]);
        await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
        if (js) {
          // The counter island renders its text in the browser, from the page's `lang`.
          await open(page, "/", js);
          await page.getByRole("button", { name: ZH_COUNT_BUTTON }).click();
          await expect(page.getByTestId("click-count")).toHaveText("1");
          await expect(page.getByRole("button", { name: ZH_COUNT_BUTTON })).toBeVisible();
        }
        expect(problems).toEqual([]);
      });

      test("switches to English on the same page, and back", async ({ page }) => {
        await open(page, "/login?next=/settings", js);
        await page.getByRole("button", { name: "English" }).click();
        await expect(page).toHaveURL(/\/login\?next=\/settings$/);
        await expect(page.locator("html")).toHaveAttribute("lang", "en");
        await expect(page.getByRole("heading", { level: 1 })).toHaveText("Log in");
        if (js) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
        // The choice is kept: another page, then a reload.
        await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Flash demo" }).click();
        await expect(page.getByRole("heading", { level: 1 })).toHaveText("Flash messages, every style");
        await page.reload();
        await expect(page.locator("html")).toHaveAttribute("lang", "en");
        await page.getByRole("button", { name: "简体中文" }).click();
        await expect(page).toHaveURL(/\/flash-demo$/);
        await expect(page.getByRole("heading", { level: 1 })).toHaveText("各种样式的闪现消息");
      });
    });

    test("a flash pushed before a switch is shown in the new language", async ({ page }) => {
      const name = uniqueName("lang");
      await registerAndLogIn(page, name);
      await open(page, "/settings", js);
      // Pushed now (a device sign-out elsewhere would do the same), shown after the switch.
      const pushed = await page.request.post("/api/flash_demo", {
        headers: { accept: "application/json" },
        form: {},
        maxRedirects: 0,
      });
      expect(pushed.status()).toBeLessThan(400);
      await page.locator("form.language-switch").getByRole("button", { name: "简体中文" }).click();
      await expect(page).toHaveURL(/\/settings$/);
      await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
      await expect(flashTexts(page)).toHaveText([
        "数据库连接失败。",
        "登录成功。",
        "密码强度较弱。",
        "系统维护通知：今晚将进行维护。",
        "一条没有分类的消息。",
        "库存不足，仅剩 3 件。",
      ]);
      // /settings shows the choice; "Same as my browser" gives the choice back to the browser.
      await expect(page.getByRole("radio", { name: "简体中文" })).toBeChecked();
      await page.getByRole("radio", { name: "跟随浏览器" }).check();
      await page.getByRole("button", { name: "切换语言" }).click();
      await expect(page.locator("html")).toHaveAttribute("lang", "en");
      await expect(page.getByRole("radio", { name: "Same as my browser" })).toBeChecked();
      // Logged in throughout.
      await expect(page.getByTestId("signed-in-as")).toContainText(name);
    });
  });
}
