//! Every request's id, `x-request-id`: kept from a trusted reverse proxy
//! (`server.trusted_proxies`, the same peers whose `X-Forwarded-For` is believed) when it is a
//! plain token, else made here; put in the request's log span (so every line logged while it is
//! served carries it) and sent back in the response, so a user's report, a proxy's log and this
//! server's log can be matched.

use std::{net::SocketAddr, sync::Arc};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};

/// `x-request-id`
pub static HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The longest id kept from a proxy.
const MAX_LEN: usize = 128;

/// A request's id, in the request's extensions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A new random id: 16 random bytes in hex (one allocation: this runs for every request).
    fn generate() -> Self {
        use argon2::password_hash::rand_core::{OsRng, RngCore};
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut random = [0u8; 16];
        OsRng.fill_bytes(&mut random);
        let mut id = String::with_capacity(32);
        for byte in random {
            id.push(char::from(HEX[usize::from(byte >> 4)]));
            id.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        Self(id)
    }
}

/// Whether a proxy's id may be kept: 1 to [`MAX_LEN`] characters of letters, digits and
/// `-_.:/+=` (a UUID, a hex string, base64), so it cannot break a log line or a header.
fn plausible(id: &str) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=".contains(&b))
}

/// Middleware: gives the request its id (see the module docs) and the response the header.
pub async fn assign(
    State(trusted_proxies): State<Arc<Vec<std::net::IpAddr>>>,
    mut request: Request,
    next: Next,
) -> Response {
    let from_proxy = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|info| trusted_proxies.contains(&info.0.ip()));
    let kept = from_proxy
        .then(|| request.headers().get(&HEADER))
        .flatten()
        .and_then(|value| value.to_str().ok())
        .filter(|id| plausible(id))
        .map(|id| RequestId(id.to_owned()));
    let id = kept.unwrap_or_else(RequestId::generate);
    // Always a header value (plain ASCII); were it not, the request would go without one.
    let value = HeaderValue::from_str(id.as_str()).ok();
    match &value {
        Some(value) => request.headers_mut().insert(HEADER.clone(), value.clone()),
        None => request.headers_mut().remove(&HEADER),
    };
    request.extensions_mut().insert(id);
    let mut response = next.run(request).await;
    if let Some(value) = value {
        response.headers_mut().insert(HEADER.clone(), value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_tokens_are_kept() {
        assert!(plausible("3f2b9c1e-1d2a-4c8e-9f00-123456789abc"));
        assert!(plausible("Root=1-67891233-abcdef012345678912345678"));
        assert!(!plausible(""));
        assert!(!plausible("a b"));
        assert!(!plausible("line\nbreak"));
        assert!(!plausible(&"x".repeat(129)));
        assert_eq!(RequestId::generate().as_str().len(), 32);
        assert_ne!(RequestId::generate(), RequestId::generate());
    }
}
