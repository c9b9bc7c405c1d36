//! `/dashboard`: the logged-in user's page, with the facts of their session.

use leptos::prelude::*;

use crate::{auth::dashboard, text::t};

/// The dashboard. Anonymous visitors never see it: the server sends them to `/login` with a
/// `warning` flash (before rendering on a page load, from the server function on a client-side
/// navigation).
#[component]
pub fn DashboardPage() -> impl IntoView {
    let text = t();
    let data = Resource::new(|| (), |()| dashboard());
    view! {
        <h1>{text.dashboard_title}</h1>
        <Transition>
            {move || {
                data.get()
                    .and_then(Result::ok)
                    .flatten()
                    .map(|d| {
                        view! {
                            <p class="lead">{text.dashboard_greeting.replace("{name}", &d.username)}</p>
                            <section class="card" aria-labelledby="session-heading">
                                <h2 id="session-heading">{text.dashboard_session_heading}</h2>
                                <dl class="facts">
                                    <dt>{text.dashboard_logged_in_at}</dt>
                                    <dd data-testid="logged-in-at">{d.logged_in_at}</dd>
                                    <dt>{text.dashboard_expires_at}</dt>
                                    <dd data-testid="expires-at">{d.expires_at}</dd>
                                    <dt>{text.dashboard_remembered}</dt>
                                    <dd data-testid="remembered">
                                        {if d.remembered { text.dashboard_yes } else { text.dashboard_no }}
                                    </dd>
                                </dl>
                            </section>
                        }
                    })
            }}
        </Transition>
    }
}
