//! Static assets: the content-hashed names cargo-leptos gives the bundle (`hash-files`), and how
//! long browsers may keep each file.
//!
//! `LEPTOS_HASH_FILES=true cargo leptos build` writes `flashboard.<hash>.js`, `.wasm` and `.css`
//! into `pkg/`, and the hashes into `hash.txt` beside the server binary. The server reads that
//! file once: when it is there and names files that exist, pages link the hashed names (leptos'
//! `HydrationScripts`, and [`stylesheet_href`]); otherwise (a plain build, `cargo leptos watch`,
//! which says `LEPTOS_HASH_FILES=false`, the tests) the plain names. A hashed name never changes
//! content, so it is cached for a year as `immutable`; every other static file is `no-cache`
//! (fetched again on each use, so a rebuild or deploy is seen at once). Pages keep `no-store`
//! (see [`super::headers`]).

use std::sync::OnceLock;

use axum::http::{HeaderValue, StatusCode};
use leptos::prelude::LeptosOptions;

/// `Cache-Control` of a content-hashed file.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of any other static file.
pub const REVALIDATE: &str = "no-cache";
/// The length of cargo-leptos' hashes (base64url of 128 bits).
const HASH_CHARS: usize = 22;

/// The hashes of one build, from `hash.txt`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hashes {
    pub js: Option<String>,
    pub wasm: Option<String>,
    pub css: Option<String>,
}

impl Hashes {
    /// Parses cargo-leptos' `hash.txt` (`js: <hash>` lines).
    pub fn parse(text: &str) -> Self {
        let mut hashes = Self::default();
        for (kind, hash) in text.lines().filter_map(|line| line.split_once(':')) {
            let hash = Some(hash.trim().to_owned());
            match kind.trim() {
                "js" => hashes.js = hash,
                "wasm" => hashes.wasm = hash,
                "css" => hashes.css = hash,
                _ => {}
            }
        }
        hashes
    }
}

/// The hashes of the build beside the running binary, read once; `None` without `hash.txt`.
pub fn build_hashes(options: &LeptosOptions) -> Option<&'static Hashes> {
    static HASHES: OnceLock<Option<Hashes>> = OnceLock::new();
    HASHES
        .get_or_init(|| {
            let path = std::env::current_exe()
                .ok()?
                .parent()?
                .join(options.hash_file.as_ref());
            let text = std::fs::read_to_string(path).ok()?;
            Some(Hashes::parse(&text))
        })
        .as_ref()
}

/// Turns leptos' hashed names on exactly when the build's `hash.txt` is there and the files it
/// names are in the site (linking names that are not on disk would break every page), unless
/// `LEPTOS_HASH_FILES=false` (what `cargo leptos watch` says: its rebuilds are not hashed, so an
/// older build's `hash.txt` may be lying about). Returns whether they are on.
pub fn use_build_names(options: &mut LeptosOptions) -> bool {
    let refused = std::env::var("LEPTOS_HASH_FILES").is_ok_and(|value| value == "false");
    options.hash_files = !refused
        && build_hashes(options).is_some_and(|hashes| {
            let pkg = std::path::Path::new(options.site_root.as_ref())
                .join(options.site_pkg_dir.as_ref());
            let present = [
                ("js", &hashes.js),
                ("wasm", &hashes.wasm),
                ("css", &hashes.css),
            ]
            .into_iter()
            .all(|(extension, hash)| {
                hash.as_ref().is_some_and(|hash| {
                    pkg.join(format!("{}.{hash}.{extension}", options.output_name))
                        .is_file()
                })
            });
            if !present {
                tracing::warn!("hash.txt names files that are not in the site; using plain names");
            }
            present
        });
    options.hash_files
}

/// Where the pages' stylesheet is: `/pkg/flashboard.<hash>.css`, or without a hash.
pub fn stylesheet_href(options: &LeptosOptions) -> String {
    let hash = options
        .hash_files
        .then(|| build_hashes(options))
        .flatten()
        .and_then(|hashes| hashes.css.as_deref());
    match hash {
        Some(hash) => format!(
            "/{}/{}.{hash}.css",
            options.site_pkg_dir, options.output_name
        ),
        None => format!("/{}/{}.css", options.site_pkg_dir, options.output_name),
    }
}

/// Whether `path` names a content-hashed file: `/pkg/<name>.<22-character hash>.<extension>`.
pub fn is_hashed(path: &str) -> bool {
    let Some(file) = path.strip_prefix("/pkg/") else {
        return false;
    };
    let mut parts = file.rsplit('.');
    let (Some(_extension), Some(hash), Some(_stem)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    hash.len() == HASH_CHARS
        && hash
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

/// The `Cache-Control` of a static file answered with `status` for `hashed` (see
/// [`is_hashed`]): only successful answers are kept.
pub fn cache_control(hashed: bool, status: StatusCode) -> Option<HeaderValue> {
    if !(status.is_success() || status == StatusCode::NOT_MODIFIED) {
        return None;
    }
    Some(HeaderValue::from_static(if hashed {
        IMMUTABLE
    } else {
        REVALIDATE
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_txt_is_read_line_by_line() {
        let hashes = Hashes::parse("js: AAA\nwasm: BBB\ncss: CCC\n");
        assert_eq!(hashes.js.as_deref(), Some("AAA"));
        assert_eq!(hashes.wasm.as_deref(), Some("BBB"));
        assert_eq!(hashes.css.as_deref(), Some("CCC"));
    }

    #[test]
    fn only_content_hashed_names_under_pkg_are_hashed() {
        assert!(is_hashed("/pkg/flashboard.9p-6ZAnLIrK4JJf5rhh7Cg.js"));
        assert!(is_hashed("/pkg/flashboard.4TD3WJDC-6aTUxUtLMnmsA.css"));
        assert!(!is_hashed("/pkg/flashboard.css"));
        assert!(!is_hashed("/pkg/flashboard.js"));
        assert!(!is_hashed("/favicon.svg"));
        assert!(!is_hashed("/pkg/9p-6ZAnLIrK4JJf5rhh7Cg.js"), "no stem");
        assert!(!is_hashed("/other/flashboard.9p-6ZAnLIrK4JJf5rhh7Cg.js"));
        assert!(!is_hashed("/pkg/flashboard.9p-6ZAnLIrK4JJf5rhh7C!.js"));
    }

    #[test]
    fn failures_are_never_kept() {
        assert_eq!(cache_control(true, StatusCode::NOT_FOUND), None);
        assert_eq!(
            cache_control(true, StatusCode::OK).unwrap(),
            HeaderValue::from_static(IMMUTABLE)
        );
        assert_eq!(
            cache_control(false, StatusCode::NOT_MODIFIED).unwrap(),
            HeaderValue::from_static(REVALIDATE)
        );
    }
}
