//! `/session`: the session inspector (logged-in users only).

use leptos::prelude::*;

use crate::{
    api::inspector::inspect_session,
    components::{PageMeta, Time},
    session::inspect::{Ending, SessionReport},
    text::{Lang, fill, t},
};

/// Shows what the server keeps for this session, its cookie, and when and why it ends.
#[component]
pub fn SessionPage() -> impl IntoView {
    let text = t(Lang::current());
    let report = Resource::new(|| (), |()| inspect_session());
    view! {
        <PageMeta title=text.inspector_title />
        <h1>{text.inspector_title}</h1>
        <p class="lead">{text.inspector_lead}</p>
        <Transition>
            {move || report.get().and_then(Result::ok).flatten().map(|report| view! { <Report report /> })}
        </Transition>
    }
}

#[component]
fn Report(report: SessionReport) -> impl IntoView {
    let text = t(Lang::current());
    let yes_no = |flag: bool| if flag { text.yes } else { text.no };
    let lifetime = match &report.cookie.persistent_until {
        Some(date) => fill(text.inspector_cookie_until, &[("date", &date.shown)]),
        None => text.inspector_cookie_browser_session.to_owned(),
    };
    let why = match report.ending {
        Ending::Idle => fill(text.inspector_ending_idle, &[("duration", &report.timeout)]),
        Ending::Absolute => fill(
            text.inspector_ending_absolute,
            &[("duration", &report.timeout)],
        ),
        Ending::Remembered => text.inspector_ending_remembered.to_owned(),
    };
    let ending = match report.ending {
        Ending::Idle => "idle",
        Ending::Absolute => "absolute",
        Ending::Remembered => "remembered",
    };
    view! {
        <section class="card" aria-labelledby="lifetime-heading">
            <h2 id="lifetime-heading">{text.inspector_lifetime_heading}</h2>
            <dl class="facts">
                <dt>{text.inspector_fingerprint}</dt>
                <dd>
                    <code data-testid="fingerprint">{report.fingerprint}</code>
                </dd>
                <dt>{text.inspector_started}</dt>
                <dd data-testid="started-at">
                    <Time stamp=report.started_at />
                </dd>
                <dt>{text.inspector_last_seen}</dt>
                <dd data-testid="last-seen">
                    <Time stamp=report.last_seen />
                </dd>
                <dt>{text.inspector_expires}</dt>
                <dd data-testid="session-ends">
                    <Time stamp=report.expires_at />
                </dd>
                <dt>{text.inspector_why}</dt>
                <dd data-testid="session-ending" data-ending=ending>
                    {why}
                </dd>
            </dl>
        </section>
        <section class="card" aria-labelledby="cookie-heading">
            <h2 id="cookie-heading">{text.inspector_cookie_heading}</h2>
            <dl class="facts" data-testid="cookie-facts">
                <dt>{text.inspector_cookie_name}</dt>
                <dd>
                    <code data-testid="cookie-name">{report.cookie.name}</code>
                </dd>
                <dt>{text.inspector_cookie_path}</dt>
                <dd>
                    <code>{report.cookie.path}</code>
                </dd>
                <dt>"HttpOnly"</dt>
                <dd data-testid="cookie-httponly">{yes_no(report.cookie.http_only)}</dd>
                <dt>"Secure"</dt>
                <dd data-testid="cookie-secure">{yes_no(report.cookie.secure)}</dd>
                <dt>"SameSite"</dt>
                <dd data-testid="cookie-samesite">{report.cookie.same_site}</dd>
                <dt>{text.inspector_cookie_lifetime}</dt>
                <dd data-testid="cookie-lifetime">{lifetime}</dd>
            </dl>
        </section>
        <section class="card" aria-labelledby="data-heading">
            <h2 id="data-heading">{text.inspector_data_heading}</h2>
            <table class="session-data" data-testid="session-data">
                <thead>
                    <tr>
                        <th scope="col">{text.inspector_key}</th>
                        <th scope="col">{text.inspector_value}</th>
                    </tr>
                </thead>
                <tbody>
                    {report
                        .entries
                        .into_iter()
                        .map(|(key, value)| {
                                let shown = key.clone();
                            view! {
                                <tr data-key=key>
                                    <th scope="row">
                                        <code>{shown}</code>
                                    </th>
                                    <td>
                                        <code>{value}</code>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}
