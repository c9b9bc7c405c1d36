//! Keeps Leptos' reactive owner of one request from being seen by another.
//!
//! Leptos finds its context (`use_context`: the request's parts, its `ResponseOptions`, the CSP
//! nonce, [`LeaveFlashes`](crate::flash::LeaveFlashes), ...) through a *thread-local* current
//! owner. Each page render starts with `Owner::new_root`, which sets that thread-local and never
//! restores it, so the page's owner stays "current" on its worker thread while other tasks run
//! there. leptos_axum's static-file and server-function handlers then create their owner with
//! `Owner::new()`, a *child of the current one*: they see the page's context. Without the
//! isolation, a stylesheet served during a page render applies (and so takes) the page's
//! response headers, and the page goes out without its Content-Security-Policy nonce, blocking
//! its own hydration scripts; a server function beside a 404 render can see that render's
//! `LeaveFlashes`.
//!
//! [`isolate`] runs every request with a fresh, empty root owner as the current one while its
//! future is polled, and puts back whatever was current before after each poll: whatever a
//! request sets stays inside that request's polls.

use std::{
    pin::Pin,
    task::{Context, Poll},
};

use axum::{extract::Request, middleware::Next, response::Response};
use leptos::reactive::owner::Owner;

/// Middleware (outermost): the request runs under an owner of its own. See the module docs.
pub async fn isolate(request: Request, next: Next) -> Response {
    Isolated {
        owner: fresh_root(),
        future: Box::pin(next.run(request)),
    }
    .await
}

/// A root owner with no parent and no context, leaving the thread's current owner as it was
/// (`Owner::new_root` makes the new root current; `Owner::new` would make a child of whatever
/// is current).
fn fresh_root() -> Owner {
    let previous = Owner::current();
    let root = Owner::new_root(None);
    match previous {
        Some(previous) => previous.set(),
        None => root.clone().unset(),
    }
    root
}

/// A future polled with `owner` as the current owner.
struct Isolated<F> {
    owner: Owner,
    future: Pin<Box<F>>,
}

impl<F: Future> Future for Isolated<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        // `Owner::with` restores the previous owner afterwards, whatever the poll set.
        this.owner.with(|| this.future.as_mut().poll(cx))
    }
}
