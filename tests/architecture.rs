//! The crate's layers (ARCHITECTURE.md), checked: every module may use the modules of its own
//! layer and of the layers below it, never one above, and no two modules use each other in a
//! circle.
//!
//! The test reads `src/` with `syn`: every `use` and every path written out in the code
//! (`crate::x::y`, `super::x`, `self::x`), outside `#[cfg(test)]` code, is an edge from the
//! module it is written in to the module it names. Modules are grouped into units (the longest
//! prefix in [`LAYERS`] that names it); edges inside one unit are not checked.
//!
//! What it cannot see: a dependency through a value rather than a path (a web module reading
//! `state.config.x` names only `server::state`, not `server::config`), paths that start with a
//! name brought in by `use` or `mod` rather than `crate`/`self`/`super` (`server/mod.rs` uses
//! its submodules that way), and attributes' contents. The cycle check compares which units
//! form each circle, not every edge inside one.
//!
//! The code does not match the layers yet (issue 13 moves it step by step). The edges that still
//! break them are listed in [`KNOWN_UPWARD`]: a new one fails the test, and so does a listed one
//! that is gone, so that the list only shrinks and always says where the work is.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

use syn::visit::Visit;

/// The layers, from the bottom; each is a list of units (module paths inside the crate).
const LAYERS: &[(&str, &[&str])] = &[
    ("foundation", &["allocator", "clock", "text"]),
    ("health", &["db_health"]),
    ("flash", &["flash"]),
    ("db", &["server::db"]),
    ("domain", &["session", "auth", "preferences", "seeded"]),
    (
        "web",
        &[
            "server::call",
            "server::redirect",
            "server::client_ip",
            "server::fn_errors",
            "server::headers",
            "server::assets",
            "server::unavailable",
            "server::page_facts",
            "server::page_body",
            "server::page_cache",
            "server::compression",
            "server::reactive_owner",
            "server::overload",
            "server::health",
            "server::telemetry",
            "server::state",
        ],
    ),
    ("pages", &["components", "pages"]),
    ("app", &["app"]),
    (
        "server",
        &[
            "server",
            "server::config",
            "server::secret",
            "server::router",
        ],
    ),
];

/// Edges that still go up a layer or close a circle, as `(from, to)` units. Remove a line when
/// the code stops needing it; never add one.
const KNOWN_UPWARD: &[(&str, &str)] = &[
    ("auth", "server::call"),
    ("auth", "server::client_ip"),
    ("auth", "server::config"),
    ("auth", "server::page_facts"),
    ("auth", "server::redirect"),
    ("auth", "server::secret"),
    ("auth", "server::state"),
    ("flash", "session"),
    ("pages", "app"),
    ("pages", "server::router"),
    ("preferences", "server::call"),
    ("preferences", "server::redirect"),
    ("server::db", "server::config"),
    ("session", "server::call"),
    ("session", "server::config"),
    ("session", "server::redirect"),
    ("session", "server::secret"),
    ("session", "server::state"),
    ("server::state", "server::config"),
    ("server::state", "server::secret"),
];

/// Module circles that are still there (each as its units, sorted). Same rule as above.
const KNOWN_CYCLES: &[&[&str]] = &[
    &["app", "pages", "server::router"],
    &[
        "auth",
        "flash",
        "preferences",
        "seeded",
        "server::call",
        "server::headers",
        "server::page_cache",
        "server::page_facts",
        "server::state",
        "session",
    ],
];

#[test]
fn modules_only_use_their_own_layer_and_the_ones_below() {
    let edges = crate_edges();
    let layer_of = layer_table();
    let unit = |module: &str| unit_of(module, &layer_of);
    let mut upward = BTreeSet::new();
    let mut unknown = BTreeSet::new();
    for (from, to) in &edges {
        let (Some(a), Some(b)) = (unit(from), unit(to)) else {
            unknown.extend(
                [from, to]
                    .into_iter()
                    .filter(|m| unit(m).is_none())
                    .cloned(),
            );
            continue;
        };
        if a != b && layer_of[&a] < layer_of[&b] {
            upward.insert((a, b));
        }
    }
    assert!(
        unknown.is_empty(),
        "modules in no layer (add them to LAYERS and ARCHITECTURE.md): {unknown:?}"
    );
    let known: BTreeSet<(String, String)> = KNOWN_UPWARD
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let new: Vec<_> = upward.difference(&known).collect();
    let gone: Vec<_> = known.difference(&upward).collect();
    assert!(
        new.is_empty(),
        "new edges up a layer (a module using one above it): {new:?}"
    );
    assert!(
        gone.is_empty(),
        "these edges are gone; remove them from KNOWN_UPWARD: {gone:?}"
    );
}

#[test]
fn no_module_circles() {
    let layer_of = layer_table();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in crate_edges() {
        if let (Some(a), Some(b)) = (unit_of(&from, &layer_of), unit_of(&to, &layer_of))
            && a != b
        {
            graph.entry(a).or_default().insert(b);
        }
    }
    let cycles: BTreeSet<Vec<String>> = strongly_connected(&graph)
        .into_iter()
        .filter(|component| component.len() > 1)
        .collect();
    let known: BTreeSet<Vec<String>> = KNOWN_CYCLES
        .iter()
        .map(|units| units.iter().map(|u| u.to_string()).collect())
        .collect();
    assert_eq!(
        cycles, known,
        "module circles (units that use each other, directly or through others)"
    );
}

#[test]
fn the_reader_sees_every_kind_of_edge() {
    // The check is only as good as its reading of the code: each form below must give an edge.
    let source = r#"
        use crate::flash::{FlashStore, view::{self, Flashes}};
        use super::sibling::Thing;
        fn f() { crate::text::t(); self::inner::g(); }
        fn page() -> impl IntoView { view! { <p>{crate::session::visitor::name()}</p> } }
        mod inner { use super::super::up::Up; pub fn g() {} }
        #[cfg(test)]
        mod tests { use crate::server::config::Config; }
    "#;
    let edges = edges_of_source("auth::form", source);
    let to: BTreeSet<&str> = edges.iter().map(|(_, to)| to.as_str()).collect();
    for expected in [
        "flash",
        "flash::view",
        "auth::sibling",
        "text",
        "auth::form::inner",
        "auth::up",
        "session::visitor",
    ] {
        assert!(
            to.iter()
                .any(|m| *m == expected || m.starts_with(&format!("{expected}::"))),
            "{expected} missing from {to:?}"
        );
    }
    assert!(
        !to.iter().any(|m| m.starts_with("server")),
        "test code counted: {to:?}"
    );
}

fn layer_table() -> BTreeMap<String, usize> {
    LAYERS
        .iter()
        .enumerate()
        .flat_map(|(layer, (_, units))| units.iter().map(move |unit| (unit.to_string(), layer)))
        .collect()
}

/// The unit a module belongs to: the longest unit that is the module or one of its parents. A
/// unit whose submodules are listed one by one (`server`) holds only itself: a new submodule of
/// it must be given a layer.
fn unit_of(module: &str, layer_of: &BTreeMap<String, usize>) -> Option<String> {
    let mut candidate = module;
    loop {
        if layer_of.contains_key(candidate) {
            let lists_children = layer_of
                .keys()
                .any(|unit| unit.starts_with(&format!("{candidate}::")));
            return (candidate == module || !lists_children).then(|| candidate.to_owned());
        }
        candidate = &candidate[..candidate.rfind("::")?];
    }
}

/// Every `(from module, to module)` edge in `src/` (the crate root's own modules excluded).
fn crate_edges() -> BTreeSet<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut edges = BTreeSet::new();
    for file in rust_files(&src) {
        let module = module_of(&src, &file);
        if module.is_empty() {
            continue; // lib.rs and main.rs declare the modules and start the program
        }
        let source = std::fs::read_to_string(&file).unwrap();
        edges.extend(edges_of_source(&module, &source));
    }
    edges
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// `src/a/b.rs` and `src/a/b/mod.rs` are `a::b`; `lib.rs` and `main.rs` are the root ("").
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    if parts == ["lib"] || parts == ["main"] {
        parts.clear();
    }
    parts.join("::")
}

fn edges_of_source(module: &str, source: &str) -> BTreeSet<(String, String)> {
    let file = syn::parse_file(source).unwrap_or_else(|err| panic!("{module}: {err}"));
    let mut reader = Reader {
        file_module: module.to_owned(),
        inline: Vec::new(),
        edges: BTreeSet::new(),
    };
    reader.visit_file(&file);
    reader.edges
}

/// Collects the edges of one file.
struct Reader {
    file_module: String,
    /// The inline `mod` blocks the visitor is inside.
    inline: Vec<String>,
    edges: BTreeSet<(String, String)>,
}

impl Reader {
    fn current(&self) -> Vec<String> {
        let mut parts: Vec<String> = self
            .file_module
            .split("::")
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        parts.extend(self.inline.iter().cloned());
        parts
    }

    /// Records an edge to the module a path starting with `segments` names: `crate::a::b::Item`
    /// gives `a::b` as far as the path goes through lowercase names (modules); items,
    /// types and macros end it.
    fn path(&mut self, segments: &[String]) {
        let Some(first) = segments.first() else {
            return;
        };
        let target = match first.as_str() {
            "crate" => Vec::new(),
            "self" => self.current(),
            "super" => {
                let mut here = self.current();
                let mut rest = segments;
                while rest.first().is_some_and(|s| s == "super") {
                    here.pop();
                    rest = &rest[1..];
                }
                return self.resolved(here, rest);
            }
            _ => return,
        };
        self.resolved(target, &segments[1..]);
    }

    fn resolved(&mut self, mut target: Vec<String>, rest: &[String]) {
        for segment in rest {
            let is_module = segment
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase())
                && segment
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !is_module || segment == "self" {
                break;
            }
            target.push(segment.clone());
        }
        // The last lowercase segment may be a function or a value rather than a module; the
        // unit lookup walks up to the nearest known module, so that costs nothing.
        if !target.is_empty() {
            self.edges
                .insert((self.current().join("::"), target.join("::")));
        }
    }

    /// The paths (`ident :: ident :: ...`) in a macro's tokens.
    fn tokens(&mut self, tokens: proc_macro2::TokenStream) {
        use proc_macro2::TokenTree;
        let mut path: Vec<String> = Vec::new();
        let mut colons = 0;
        for token in tokens {
            match token {
                TokenTree::Ident(ident) if path.is_empty() || colons == 2 => {
                    path.push(ident.to_string());
                    colons = 0;
                    continue;
                }
                TokenTree::Punct(ref punct) if punct.as_char() == ':' && !path.is_empty() => {
                    colons += 1;
                    if colons <= 2 {
                        continue;
                    }
                }
                TokenTree::Group(group) => {
                    self.path(&std::mem::take(&mut path));
                    self.tokens(group.stream());
                    colons = 0;
                    continue;
                }
                _ => {}
            }
            self.path(&std::mem::take(&mut path));
            colons = 0;
            if let TokenTree::Ident(ident) = token {
                path.push(ident.to_string());
            }
        }
        self.path(&path);
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                prefix.push(name.ident.to_string());
                self.path(&prefix.clone());
                prefix.pop();
            }
            syn::UseTree::Rename(rename) => {
                prefix.push(rename.ident.to_string());
                self.path(&prefix.clone());
                prefix.pop();
            }
            syn::UseTree::Glob(_) => self.path(&prefix.clone()),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Meta>()
                .is_ok_and(|meta| meta.path().is_ident("test"))
    })
}

impl<'ast> Visit<'ast> for Reader {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if is_test_only(&item.attrs) {
            return;
        }
        self.inline.push(item.ident.to_string());
        syn::visit::visit_item_mod(self, item);
        self.inline.pop();
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        if !is_test_only(&item.attrs) {
            syn::visit::visit_item_fn(self, item);
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        if !is_test_only(&item.attrs) {
            self.use_tree(&mut Vec::new(), &item.tree);
        }
    }

    /// Macros (`view!`, `format!`) hold tokens, not parsed code: their paths are read from the
    /// tokens.
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        syn::visit::visit_macro(self, mac);
        self.tokens(mac.tokens.clone());
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.path(&segments);
        syn::visit::visit_path(self, path);
    }
}

/// Tarjan's strongly connected components of `graph`, each sorted.
fn strongly_connected(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        components: Vec<Vec<String>>,
    }
    fn connect<'g>(state: &mut State<'g>, node: &'g str) {
        let next = state.index.len();
        state.index.insert(node, next);
        state.low.insert(node, next);
        state.stack.push(node);
        state.on_stack.insert(node);
        if let Some(targets) = state.graph.get(node) {
            for target in targets {
                let target = target.as_str();
                if !state.index.contains_key(target) {
                    connect(state, target);
                    let low = state.low[node].min(state.low[target]);
                    state.low.insert(node, low);
                } else if state.on_stack.contains(target) {
                    let low = state.low[node].min(state.index[target]);
                    state.low.insert(node, low);
                }
            }
        }
        if state.low[node] == state.index[node] {
            let mut component = Vec::new();
            while let Some(member) = state.stack.pop() {
                state.on_stack.remove(member);
                component.push(member.to_owned());
                if member == node {
                    break;
                }
            }
            component.sort();
            state.components.push(component);
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        components: Vec::new(),
    };
    for node in graph.keys() {
        if !state.index.contains_key(node.as_str()) {
            connect(&mut state, node);
        }
    }
    state.components
}
