//! Languages over real HTTP: which one a request gets (the visitor's choice, `Accept-Language`,
//! English), the switch (a plain form post that comes back to the same page), flashes rendered in
//! the viewer's language when shown (also one pushed before a switch), plurals, dates, and the
//! answers outside the pages (404, 429).

mod common;

use common::{banner, field_flashes, spawn_app, spawn_app_with};

const ZH: &str = "zh-CN,zh;q=0.9,en;q=0.8";

/// `GET path` with `Accept-Language: accept` from the app's client.
async fn get_in(app: &common::TestApp, path: &str, accept: &str) -> reqwest::Response {
    app.get_with_header(path, "accept-language", accept).await
}

/// The `lang` of the page's `<html>`.
fn html_lang(html: &str) -> &str {
    let tag = &html[html.find("<html").expect("<html>")..];
    let tag = &tag[..tag.find('>').unwrap()];
    let start = tag.find(" lang=\"").expect("<html lang>") + " lang=\"".len();
    &tag[start..start + tag[start..].find('"').unwrap()]
}

#[tokio::test]
async fn accept_language_picks_the_page_language_and_the_kept_page_is_per_language() {
    let app = spawn_app().await;
    for round in 0..2 {
        // The second round is served from the anonymous page cache.
        for (accept, lang, title) in [
            (ZH, "zh-CN", "<title>登录 · Flashboard</title>"),
            ("en-GB,en;q=0.9", "en", "<title>Log in · Flashboard</title>"),
            ("fr-FR", "en", "<title>Log in · Flashboard</title>"),
            (
                "de;q=0.9, zh-TW;q=0.5",
                "zh-CN",
                "<title>登录 · Flashboard</title>",
            ),
        ] {
            let res = app
                .new_client()
                .get(app.url("/login"))
                .header("accept-language", accept)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            assert_eq!(res.headers()["content-language"], lang, "{accept} {round}");
            let vary: Vec<_> = res.headers().get_all("vary").iter().collect();
            assert!(vary.iter().any(|v| *v == "accept-language"), "{vary:?}");
            let html = res.text().await.unwrap();
            assert_eq!(html_lang(&html), lang, "{accept} {round}");
            assert!(html.contains(title), "{accept} {round}: {html}");
            assert!(html.contains(r#"<meta name="description""#), "{html}");
        }
    }
    let served = app.state.page_cache.served();
    assert!(served >= 4, "{served}");
    // No header at all: English.
    let html = app.new_client().get(app.url("/")).send().await.unwrap();
    assert_eq!(html_lang(&html.text().await.unwrap()), "en");
}

#[tokio::test]
async fn the_switch_keeps_the_visitor_on_the_page_and_beats_the_header() {
    let app = spawn_app().await;
    let res = app
        .post_form(
            "/api/set_language",
            &[("lang", "zh-CN"), ("back", "/register?x=1")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/register?x=1");
    // The choice wins over an English browser, on every page.
    for path in [
        "/register",
        "/",
        "/flash-demo",
        "/settings",
        "/no-such-page",
    ] {
        let html = get_in(&app, path, "en").await.text().await.unwrap();
        assert_eq!(html_lang(&html), "zh-CN", "{path}");
    }
    let html = get_in(&app, "/register", "en").await.text().await.unwrap();
    assert!(html.contains("注册账号"), "{html}");
    // The switch offers the other language, named in it.
    assert!(
        html.contains(r#"lang="en""#) && html.contains(">English<"),
        "{html}"
    );
    // Back to the browser's language.
    let res = app
        .post_form("/api/set_language", &[("lang", "auto"), ("back", "/")])
        .await;
    assert_eq!(res.headers()["location"], "/");
    let html = get_in(&app, "/", "en").await.text().await.unwrap();
    assert_eq!(html_lang(&html), "en");
    let html = get_in(&app, "/", ZH).await.text().await.unwrap();
    assert_eq!(html_lang(&html), "zh-CN");
}

#[tokio::test]
async fn a_bad_language_or_destination_changes_nothing_and_goes_nowhere_else() {
    let app = spawn_app().await;
    let res = app
        .post_form(
            "/api/set_language",
            &[("lang", "klingon"), ("back", "/login")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
    let html = get_in(&app, "/login", "en").await.text().await.unwrap();
    assert_eq!(html_lang(&html), "en");
    assert_eq!(
        banner(&html),
        [(
            "error".to_owned(),
            "That is not a language this app speaks; nothing was changed.".to_owned()
        )]
    );
    for back in ["https://evil.example/", "//evil.example", "/\\evil", ""] {
        let res = app
            .post_form("/api/set_language", &[("lang", "zh-CN"), ("back", back)])
            .await;
        assert_eq!(res.headers()["location"], "/", "{back:?}");
    }
    // A missing field is the caller's mistake: 400, not 500.
    let res = app.post_form("/api/set_language", &[("back", "/")]).await;
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn a_flash_is_shown_in_the_language_of_whoever_sees_it() {
    let app = spawn_app().await;
    app.signed_in("alice").await;
    // The registration's and the log-in's flashes were pushed while the page language was English...
    let res = app
        .post_form(
            "/api/set_language",
            &[("lang", "zh-CN"), ("back", "/dashboard")],
        )
        .await;
    assert_eq!(res.headers()["location"], "/dashboard");
    // ... and is shown in Chinese, chosen after it was pushed.
    let html = app.html("/dashboard").await;
    assert_eq!(
        banner(&html),
        [
            ("success".to_owned(), "注册成功，请登录。".to_owned()),
            ("success".to_owned(), "欢迎回来，alice！".to_owned())
        ]
    );
    assert!(html.contains("你好，alice！"), "{html}");
    // Dates are <time> elements, written the Chinese way.
    assert!(html.contains(r#"<time datetime="20"#), "{html}");
    assert!(
        html.contains("日 ") && html.contains("（UTC）</time>"),
        "{html}"
    );
    // Field problems too; the choice outlives the log-out (kept in the visitor cookie).
    app.post_form("/api/logout", &[]).await;
    app.register("x", "not-an-address", "short").await;
    let html = get_in(&app, "/register", "en").await.text().await.unwrap();
    assert_eq!(field_flashes(&html, "error_email"), ["邮箱格式不正确。"]);
    assert_eq!(
        field_flashes(&html, "error_password"),
        ["密码需为 8 到 128 个字符。"]
    );
    // A visitor's own text stays as typed.
    app.call(
        "/api/flash_custom",
        &[("category", "info"), ("message", "Hello <b>world</b>")],
    )
    .await;
    let html = app.html("/flash-demo").await;
    assert_eq!(
        banner(&html),
        [(
            "info".to_owned(),
            "Hello &lt;b&gt;world&lt;/b&gt;".to_owned()
        )]
    );
}

#[tokio::test]
async fn english_plurals_follow_the_count() {
    let app = spawn_app().await;
    app.signed_in("owner").await;
    app.html("/dashboard").await;
    // One other device.
    let other = app.new_client();
    for client in [&other] {
        let res = client
            .post(app.url("/api/login"))
            .header("accept", "text/html")
            .form(&[("username", "owner"), ("password", "Password123")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
    }
    app.post_form("/api/sign_out_other_devices", &[]).await;
    let html = app.html("/dashboard").await;
    assert_eq!(
        banner(&html),
        [(
            "success".to_owned(),
            "Signed out 1 other device.".to_owned()
        )]
    );
    app.post_form("/api/sign_out_other_devices", &[]).await;
    let html = app.html("/dashboard").await;
    assert_eq!(
        banner(&html),
        [(
            "success".to_owned(),
            "Signed out 0 other devices.".to_owned()
        )]
    );
}

#[tokio::test]
async fn answers_outside_the_pages_speak_the_browsers_language() {
    let app = spawn_app_with(|config| {
        config.auth.attempts_per_ip_per_minute = std::num::NonZeroU32::new(1).unwrap();
    })
    .await;
    let res = get_in(&app, "/no-such-page", ZH).await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("页面不存在"));
    let mut told = None;
    for _ in 0..3 {
        let res = app
            .client
            .post(app.url("/api/login"))
            .header("accept-language", ZH)
            .form(&[("username", "nobody"), ("password", "Password123")])
            .send()
            .await
            .unwrap();
        if res.status() == 429 {
            told = Some(res.text().await.unwrap());
            break;
        }
    }
    let told = told.expect("the limit answered 429");
    assert!(told.starts_with("尝试次数过多"), "{told}");
    // A call the server cannot read: 400, in the browser's language.
    let res = app
        .client
        .post(app.url("/api/set_language"))
        .header("accept-language", ZH)
        .form(&[("back", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().starts_with("请求有误"));
    // Another site's form: 403, in the browser's language too.
    let res = app
        .new_client()
        .post(app.url("/api/set_language"))
        .header("accept-language", ZH)
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .form(&[("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().starts_with("已拒绝跨站请求"));
}

#[tokio::test]
async fn the_choice_beats_the_header_in_the_throttles_answer_and_outlives_the_session() {
    let app = spawn_app_with(|config| {
        config.auth.attempts_per_ip_per_minute = std::num::NonZeroU32::new(2).unwrap();
    })
    .await;
    app.signed_in("ana").await;
    app.post_form("/api/set_language", &[("lang", "zh-CN"), ("back", "/")])
        .await;
    // The session ends without a log-out (it timed out, or another device signed it out).
    sqlx::query("DELETE FROM tower_sessions")
        .execute(&app.pool)
        .await
        .unwrap();
    let html = get_in(&app, "/login", "en").await.text().await.unwrap();
    assert_eq!(
        html_lang(&html),
        "zh-CN",
        "the visitor cookie kept the choice"
    );
    let res = app
        .client
        .post(app.url("/api/login"))
        .header("accept-language", "en")
        .form(&[("username", "ana"), ("password", "Password123")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429, "the per-address limit (2) was used up");
    assert!(res.text().await.unwrap().starts_with("尝试次数过多"));
}
