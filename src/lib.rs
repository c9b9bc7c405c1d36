//! Flashboard: log-in, registration and a dashboard in Leptos, told through categorized one-time
//! flash messages kept in server-side SQLite sessions.
//!
//! The crate is built twice by cargo-leptos: with the `ssr` feature as the server binary and with
//! `hydrate` as the WebAssembly of the page's islands (the parts that run in the browser). Server-only code sits
//! behind `#[cfg(feature = "ssr")]`: whole modules here, and server-only submodules at the top of
//! the module that owns them (`auth`, `session`, `flash`).

// The view types of a page nest deeply (each element is a type); the default limit of 128 is
// too low for the dashboard's view.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod auth;
pub mod components;
pub mod error;
pub mod flash;
pub mod pages;
pub mod preferences;
pub mod seeded;
pub mod session;
pub mod text;

/// Server only: the memory allocator.
#[cfg(feature = "ssr")]
pub mod allocator;
/// Server only: the clock times are measured by (the system's, or the tests').
#[cfg(feature = "ssr")]
pub mod clock;
/// Server only: the database handle (`Db`), the pool, migrations and one repository per
/// table, the only place that writes SQL.
#[cfg(feature = "ssr")]
pub mod db;
/// Server only: whether the database can be used right now (failures sorted, logged once,
/// readiness probed).
#[cfg(feature = "ssr")]
pub mod db_health;
/// Server only: sending mail (SMTP, or the outbox folder in dev mode and tests).
#[cfg(feature = "ssr")]
pub mod mail;
/// Server only: the composition root (settings, secret keys, the router, start-up).
#[cfg(feature = "ssr")]
pub mod server;
/// Server only: what an HTTP request needs (request context, redirects, headers, page cache).
#[cfg(feature = "ssr")]
pub mod web;

// The server and the browser must agree on leptos' `erase_components`, or an island's hydration
// fails (README, "The WebAssembly bundle"). Neither side erases: the erased server render cost
// a fifth more instructions per page, and with islands the browser's code is small either way.
// cargo-leptos adds the flag to debug builds unless told not to (`disable-erase-components` in
// Cargo.toml); a `RUSTFLAGS` of your own could still carry it.
#[cfg(erase_components)]
compile_error!(
    "Flashboard is built without `--cfg erase_components`, on the server and in the browser \
     alike (a page's islands hydrate only when both agree). Remove it from RUSTFLAGS (or from \
     `rustflags` in a cargo config of your own)."
);

/// Browser entry point: readies the reactive runtime. Leptos' island script calls it, then
/// hydrates each `#[island]` of the server-rendered page (`components::PageScripts`, the home
/// page's counter); the rest of the page is server HTML, whose links and forms need no script.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
