//! The server functions: the endpoints the forms post to (`POST /api/<name>`, named so their
//! URLs never change) and a few reads for scripted clients, with the page-side handles the
//! pages use. Each tells its outcome with flashes and a redirect, through the request context
//! `web::context::RequestContext`; the rules they apply belong to the domain (`auth`, `session`,
//! `preferences`).
//!
//! Compiled for both builds: on the server each function runs; in the browser each is a stub
//! that posts to its endpoint (no island calls one today).

pub mod account;
pub mod account_changes;
pub mod devices;
pub mod flash_demo;
pub mod form_input;
pub mod inspector;
pub mod password_reset;
pub mod preferences;
pub mod user;
