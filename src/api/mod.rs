//! The server functions: the endpoints the forms post to (`POST /api/<name>`, named so their
//! URLs never change) and the reads the hydrated pages make, with the page-side handles that
//! call them. Each tells its outcome with flashes and a redirect, through the request context
//! `web::context::RequestContext`; the rules they apply belong to the domain (`auth`, `session`,
//! `preferences`).
//!
//! Compiled for both builds: on the server each function runs; in the browser each is a stub
//! that posts to its endpoint.

pub mod account;
pub mod account_changes;
pub mod devices;
pub mod flash_demo;
pub mod form_input;
pub mod inspector;
pub mod password_reset;
pub mod preferences;
pub mod user;
