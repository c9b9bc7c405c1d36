//! What an HTTP request needs, between the domain (`session`, `auth`) and the pages: the
//! server functions' request context ([`context::RequestContext`]), redirects, the client's address, error
//! answers, security headers and CSRF, the page cache and the facts a render is seeded with,
//! compression, the health endpoints, the dev mode's mailbox, request ids, logs and metrics and the shared [`state::AppState`].
//!
//! Every module here is middleware or a helper of one; none starts anything (that is
//! `server`, the composition root, which wires these into the router).

pub mod assets;
pub mod client_ip;
pub mod compression;
pub mod context;
pub mod csp;
pub mod current_user;
pub mod fn_errors;
pub mod guard;
pub mod headers;
pub mod health;
pub mod language;
pub mod lifetime;
pub mod mailbox;
pub mod metrics;
pub mod overload;
pub mod page_body;
pub mod page_cache;
pub mod page_facts;
pub mod reactive_owner;
pub mod redirect;
pub mod request_id;
pub mod resign;
pub mod state;
pub mod telemetry;
pub mod throttle;
pub mod unavailable;
pub mod visitor;
