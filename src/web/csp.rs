//! The pages' Content-Security-Policy (set per response by `headers`, and on the anonymous
//! page cache's copies by `page_cache`, each with its own nonce).

/// The Content-Security-Policy. Scripts only from this origin, plus inline scripts carrying the
/// render's `nonce` (Leptos' hydration scripts do); `'wasm-unsafe-eval'` lets the page compile
/// its WebAssembly and nothing else; no plug-ins, no `<base>`, no framing, forms post here only.
pub fn content_security_policy(nonce: Option<&str>, dev: bool) -> String {
    let scripts = match nonce {
        Some(nonce) => format!("'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"),
        None => "'self' 'wasm-unsafe-eval'".to_owned(),
    };
    // cargo-leptos' live reload talks over a WebSocket on another port.
    let connect = if dev { "'self' ws: wss:" } else { "'self'" };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data:; \
         connect-src {connect}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
         form-action 'self'"
    )
}
