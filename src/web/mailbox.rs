//! `GET /dev/mailbox` (dev mode only, as Phoenix's mailbox preview and Rails' letter_opener): the
//! mail in the outbox folder, newest first, with its links clickable, so that a password reset
//! runs end to end with no mail server. Not routed at all in production mode.

use axum::{
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

use super::state::AppState;
use crate::text::iso_time;

/// The outbox as an HTML page.
pub async fn list(State(state): State<AppState>) -> Response {
    let Some(outbox) = state.mailer.outbox() else {
        return (
            StatusCode::NOT_FOUND,
            "Mail goes to the SMTP server (`mail.transport = \"smtp\"`): there is no outbox.\n",
        )
            .into_response();
    };
    let mails = match outbox.list().await {
        Ok(mails) => mails,
        Err(err) => {
            tracing::warn!(error = %err, "cannot read the outbox");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Cannot read the outbox.\n",
            )
                .into_response();
        }
    };
    let mut page = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"icon\" type=\"image/svg+xml\" href=\"/favicon.svg\">\
         <title>Mailbox (dev mode)</title></head><body><main>\
         <h1>Mailbox (dev mode)</h1>",
    );
    page.push_str(&format!(
        "<p>{} mail(s) in <code>{}</code>, newest first. Nothing here was sent.</p>",
        mails.len(),
        escape(&outbox.dir().display().to_string())
    ));
    for mail in &mails {
        page.push_str(&format!(
            "<article class=\"mail\"><h2>{}</h2><dl><dt>To</dt><dd class=\"to\">{}</dd>\
             <dt>Written</dt><dd><time datetime=\"{at}\">{at}</time></dd></dl>\
             <pre class=\"text\">{}</pre></article>",
            escape(&mail.mail.subject),
            escape(&mail.mail.to),
            with_links(&mail.mail.text),
            at = iso_time(mail.at),
        ));
    }
    page.push_str("</main></body></html>\n");
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        page,
    )
        .into_response()
}

/// `text` escaped for HTML, with each `http://` or `https://` word a link.
fn with_links(text: &str) -> String {
    let mut html = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            html.push('\n');
        }
        for (j, word) in line.split(' ').enumerate() {
            if j > 0 {
                html.push(' ');
            }
            if word.starts_with("http://") || word.starts_with("https://") {
                let word = escape(word);
                html.push_str(&format!("<a href=\"{word}\">{word}</a>"));
            } else {
                html.push_str(&escape(word));
            }
        }
    }
    html
}

fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_clickable_and_everything_is_escaped() {
        assert_eq!(
            with_links("Go to\nhttps://x.test/a?b=1&c=2 now <b>"),
            "Go to\n<a href=\"https://x.test/a?b=1&amp;c=2\">https://x.test/a?b=1&amp;c=2</a> now &lt;b&gt;"
        );
        assert_eq!(with_links("javascript:alert(1)"), "javascript:alert(1)");
        assert_eq!(escape("\"'"), "&quot;&#39;");
    }
}
