//! `/dashboard`: the logged-in user's page, with the facts of their session and the list of
//! their devices.

use leptos::prelude::*;

use crate::{
    api::devices::{SignOutDevice, SignOutOtherDevices},
    components::{PageMeta, Time},
    seeded::seeded,
    session::devices::Device,
    text::{Lang, fill, t},
};

/// The dashboard. Anonymous visitors never see it: the server sends them to `/login` with a
/// `warning` flash before rendering.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let text = t(Lang::current());
    // Gathered by the server before the render (`web::page_facts`).
    let data = seeded(|facts| facts.dashboard.clone());
    view! {
        <PageMeta title=text.dashboard_title />
        <h1>{text.dashboard_title}</h1>
        {data
            .map(|d| {
                view! {
                    <p class="lead">{fill(text.dashboard_greeting, &[("name", &d.username)])}</p>
                    <section class="card" aria-labelledby="session-heading">
                        <h2 id="session-heading">{text.dashboard_session_heading}</h2>
                        <dl class="facts">
                            <dt>{text.dashboard_logged_in_at}</dt>
                            <dd data-testid="logged-in-at">
                                <Time stamp=d.logged_in_at />
                            </dd>
                            <dt>{text.dashboard_expires_at}</dt>
                            <dd data-testid="expires-at">
                                {d.expires_at.map_or_else(|| "-".into_any(), |stamp| view! { <Time stamp /> }.into_any())}
                            </dd>
                            <dt>{text.dashboard_remembered}</dt>
                            <dd data-testid="remembered">
                                {if d.remembered { text.dashboard_yes } else { text.dashboard_no }}
                            </dd>
                        </dl>
                    </section>
                }
            })}
        <Devices />
    }
}

/// The user's sessions, with a sign-out button for each other one and one for all others
/// (nothing for an anonymous visitor, whose list is empty).
#[component]
fn Devices() -> impl IntoView {
    let text = t(Lang::current());
    let sign_out = ServerAction::<SignOutDevice>::new();
    let sign_out_others = ServerAction::<SignOutOtherDevices>::new();
    // Gathered by the server before the render (`web::page_facts`); a sign-out posts and
    // comes back to a new render.
    let devices = seeded(|facts| facts.devices.clone()).unwrap_or_default();
    let others = devices.iter().filter(|device| !device.current).count();
    (!devices.is_empty()).then(|| {
        view! {
            <section class="card" aria-labelledby="devices-heading">
                <h2 id="devices-heading">{text.devices_heading}</h2>
                <p class="hint">{text.devices_lead}</p>
                <ul class="devices" data-testid="devices">
                    {devices
                        .into_iter()
                        .map(|device| view! { <DeviceItem device sign_out /> })
                        .collect_view()}
                </ul>
                {(others > 0)
                    .then(|| {
                        view! {
                            <ActionForm action=sign_out_others attr:class="sign-out-others">
                                <button type="submit" class="secondary">
                                    {text.devices_sign_out_others}
                                </button>
                            </ActionForm>
                        }
                    })}
            </section>
        }
    })
}

#[component]
fn DeviceItem(device: Device, sign_out: ServerAction<SignOutDevice>) -> impl IntoView {
    let text = t(Lang::current());
    view! {
        <li class="device" data-current=device.current.to_string()>
            <div>
                <strong>{device.browser}</strong>
                {device.current.then(|| view! { " " <span class="badge">{text.devices_this_one}</span> })}
                {device.remembered.then(|| view! { " " <span class="badge muted">{text.devices_remembered}</span> })}
                <div class="hint">
                    {text.devices_started} " " <Time stamp=device.started_at /> " · "
                    {text.devices_last_seen} " " <Time stamp=device.last_seen />
                </div>
            </div>
            {(!device.current)
                .then(|| {
                    view! {
                        <ActionForm action=sign_out>
                            <input type="hidden" name="device" value=device.handle />
                            <button type="submit" class="secondary">
                                {text.devices_sign_out}
                            </button>
                        </ActionForm>
                    }
                })}
        </li>
    }
}
