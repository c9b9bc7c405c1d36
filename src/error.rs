//! [`AppError`]: how a server function fails, for both sides of the wire. It carries the HTTP
//! status and the words the user is shown, and never a cause: the server logs the cause once,
//! where the failure happens (`web::context::RequestContext::internal`), and sends only the kind.
//!
//! Expected outcomes (a form with mistakes, a wrong password, too many attempts) are not
//! errors: they are flashes and redirects. This type is for what the user cannot fix by
//! changing their input.

use std::fmt;

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

use crate::text::{Lang, fill, t};

/// Why a server function call failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", content = "detail", rename_all = "snake_case")]
pub enum AppError {
    /// The call could not be read (a field missing, a body that is not a form): `400`. The
    /// detail is the decoder's own account of what was wrong with it.
    BadRequest(String),
    /// The database cannot be used right now and nothing was changed: `503`, with
    /// `Retry-After`.
    Unavailable,
    /// Anything else the server could not do: `500`.
    Internal,
    /// In the browser: the server could not be reached, or its answer could not be read.
    Unreachable,
}

impl AppError {
    /// The HTTP status the answer carries.
    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest(_) => 400,
            AppError::Unavailable => 503,
            AppError::Internal => 500,
            // Never sent by the server; what a gateway would say.
            AppError::Unreachable => 502,
        }
    }
}

impl AppError {
    /// The words the user is shown, in `lang`.
    pub fn words(&self, lang: Lang) -> String {
        let text = t(lang);
        match self {
            AppError::BadRequest(detail) => fill(text.error_bad_request, &[("detail", detail)]),
            AppError::Unavailable => text.error_unavailable.to_owned(),
            AppError::Internal => text.error_internal.to_owned(),
            AppError::Unreachable => text.action_unreachable.to_owned(),
        }
    }
}

/// The words the user is shown, in the current request's (or page's) language.
impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words(Lang::current()))
    }
}

impl std::error::Error for AppError {}

#[cfg(feature = "ssr")]
impl AppError {
    /// [`AppError::Internal`], its `cause` logged here (once) and not sent.
    pub fn internal(cause: impl fmt::Display) -> Self {
        tracing::error!(%cause, "server function failed");
        AppError::Internal
    }
}

/// Failures of the server-function machinery itself: on the server, a call it could not decode
/// (the caller's mistake); in the browser, a server it could not reach or understand.
impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        if cfg!(feature = "ssr") {
            match value {
                // What the server makes of a body it cannot take (a missing field, not UTF-8,
                // not a form).
                ServerFnErrorErr::Args(detail)
                | ServerFnErrorErr::MissingArg(detail)
                | ServerFnErrorErr::Deserialization(detail)
                | ServerFnErrorErr::Request(detail) => AppError::BadRequest(detail),
                _ => AppError::Internal,
            }
        } else {
            match value {
                ServerFnErrorErr::Request(_)
                | ServerFnErrorErr::Deserialization(_)
                | ServerFnErrorErr::Response(_) => AppError::Unreachable,
                _ => AppError::Internal,
            }
        }
    }
}
