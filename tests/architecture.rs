//! The crate's layers (ARCHITECTURE.md), checked: every module may use the modules of its own
//! layer and of the layers below it, never one above, and no two modules use each other in a
//! circle.
//!
//! The test reads `src/` with `syn`: every `use` and every path written out in the code
//! (`crate::x::y`, `super::x`, `self::x`), outside `#[cfg(test)]` code, is an edge from the
//! module it is written in to the module it names. Modules are grouped into units (the longest
//! prefix in [`LAYERS`] that names it); edges inside one unit are not checked.
//!
//! A third test applies the circle check to single modules (files), where a module may still
//! use its parent and the parent its children (a `mod.rs` re-exporting what its files define).
//!
//! What it cannot see: a dependency through a value rather than a path (a module handed a
//! value of a type it never names), the finer target of a path that starts with a name brought
//! in by `use` or `mod` (the `use` itself is seen), and attributes' contents.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

use syn::visit::Visit;

/// The layers, from the bottom; each is a list of units (module paths inside the crate).
const LAYERS: &[(&str, &[&str])] = &[
    ("foundation", &["allocator", "clock", "error", "text"]),
    ("db", &["db"]),
    ("health", &["db_health"]),
    ("session", &["session"]),
    (
        "domain",
        &["auth", "flash", "mail", "preferences", "seeded"],
    ),
    (
        "web",
        &[
            "web::assets",
            "web::client_ip",
            "web::compression",
            "web::context",
            "web::csp",
            "web::current_user",
            "web::fn_errors",
            "web::guard",
            "web::headers",
            "web::health",
            "web::language",
            "web::lifetime",
            "web::mailbox",
            "web::metrics",
            "web::overload",
            "web::page_body",
            "web::page_cache",
            "web::page_facts",
            "web::reactive_owner",
            "web::redirect",
            "web::request_id",
            "web::resign",
            "web::state",
            "web::telemetry",
            "web::throttle",
            "web::unavailable",
            "web::visitor",
        ],
    ),
    ("pages", &["api", "components", "pages"]),
    ("app", &["app"]),
    (
        "server",
        &[
            "server",
            "server::build",
            "server::config",
            "server::ops",
            "server::secret",
            "server::render",
            "server::router",
        ],
    ),
];

#[test]
fn modules_only_use_their_own_layer_and_the_ones_below() {
    let edges = crate_edges();
    let layer_of = layer_table();
    let unit = |module: &str| unit_of(module, &layer_of);
    // Each unit edge up a layer, with the module edges behind it (for the failure message).
    let mut upward: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
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
            upward
                .entry((a, b))
                .or_default()
                .push(format!("{from} -> {to}"));
        }
    }
    assert!(
        unknown.is_empty(),
        "modules in no layer (add them to LAYERS and ARCHITECTURE.md): {unknown:?}"
    );
    assert!(
        upward.is_empty(),
        "edges up a layer (a unit using one above it), with the uses behind them: {upward:#?}"
    );
}

#[test]
fn no_circles_between_units() {
    let layer_of = layer_table();
    let circles = circles(crate_edges().into_iter().filter_map(|(from, to)| {
        let (a, b) = (unit_of(&from, &layer_of)?, unit_of(&to, &layer_of)?);
        (a != b).then(|| (a, b, format!("{from} -> {to}")))
    }));
    assert!(
        circles.is_empty(),
        "units that use each other, directly or through others, with the uses inside each \
         circle: {circles:#?}"
    );
}

#[test]
fn no_circles_between_modules() {
    let is_family =
        |a: &str, b: &str| a.starts_with(&format!("{b}::")) || b.starts_with(&format!("{a}::"));
    let modules: BTreeSet<String> = rust_files(&src_dir())
        .iter()
        .map(|file| module_of(&src_dir(), file))
        .collect();
    // An edge to an item (`session::login`) is an edge to the module that holds it.
    let module = |path: &str| -> Option<String> {
        let mut candidate = path;
        loop {
            if modules.contains(candidate) {
                return Some(candidate.to_owned());
            }
            candidate = &candidate[..candidate.rfind("::")?];
        }
    };
    let circles = circles(crate_edges().into_iter().filter_map(|(from, to)| {
        let (a, b) = (module(&from)?, module(&to)?);
        (a != b && !is_family(&a, &b)).then(|| (a, b, format!("{from} -> {to}")))
    }));
    assert!(
        circles.is_empty(),
        "modules that use each other, directly or through others, with the uses inside each \
         circle: {circles:#?}"
    );
}

/// The names that run SQL or hold connections: only `db` may use them (errors, such as
/// `sqlx::Error`, may travel).
const SQL_NAMES: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_with",
    "raw_sql",
    "QueryBuilder",
    "Pool",
    "SqlitePool",
    "SqliteConnection",
    "SqlitePoolOptions",
    "SqliteConnectOptions",
    "Connection",
    "Acquire",
    "Executor",
    "Transaction",
    "migrate",
];

#[test]
fn only_db_speaks_sql() {
    let src = src_dir();
    let mut found = Vec::new();
    for file in rust_files(&src) {
        let module = module_of(&src, &file);
        if module == "db" || module.starts_with("db::") {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap();
        found.extend(
            sql_uses(&source)
                .into_iter()
                .map(|path| format!("{module}: {path}")),
        );
    }
    assert!(
        found.is_empty(),
        "SQL outside `db` (its place is a repository in src/db/): {found:#?}"
    );
}

#[test]
fn the_sql_finder_sees_queries_pools_and_imports() {
    let source = r#"
        use sqlx::SqlitePool;
        async fn f(db: &Db) { sqlx::query("DELETE FROM flash").execute(pool).await; }
        fn g() -> sqlx::Result<()> { Err(sqlx::Error::RowNotFound) }
        fn h(db: &Db) { db.sqlite_pool(); }
        async fn i() { tokio::join!(sqlx::query_as("SELECT 1").fetch_one(pool)); }
        #[cfg(test)]
        mod tests { fn t() { sqlx::query_scalar("SELECT 1"); } }
    "#;
    assert_eq!(
        sql_uses(source),
        [
            "sqlx::SqlitePool",
            "sqlx::query",
            "sqlite_pool()",
            "sqlx::query_as (in a macro)"
        ]
    );
}

/// The SQL names (see [`SQL_NAMES`]) the non-test code of `source` uses, as written.
fn sql_uses(source: &str) -> Vec<String> {
    struct Finder(Vec<String>);
    impl Finder {
        fn check(&mut self, segments: Vec<String>) {
            // Errors may travel: `sqlx::Error`, `sqlx::migrate::MigrateError`.
            let error = segments
                .last()
                .is_some_and(|last| last.ends_with("Error") || last == "Result");
            let sql = segments.first().is_some_and(|first| first == "sqlx")
                && segments.iter().any(|s| SQL_NAMES.contains(&s.as_str()))
                || segments.iter().any(|s| s == "SqlitePool");
            let sql = sql && !error;
            if sql {
                self.0.push(segments.join("::"));
            }
        }
        fn tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
            match tree {
                syn::UseTree::Path(path) => {
                    prefix.push(path.ident.to_string());
                    self.tree(prefix, &path.tree);
                    prefix.pop();
                }
                syn::UseTree::Name(name) => {
                    let mut full = prefix.clone();
                    full.push(name.ident.to_string());
                    self.check(full);
                }
                syn::UseTree::Rename(rename) => {
                    let mut full = prefix.clone();
                    full.push(rename.ident.to_string());
                    self.check(full);
                }
                syn::UseTree::Group(group) => {
                    for tree in &group.items {
                        self.tree(prefix, tree);
                    }
                }
                syn::UseTree::Glob(_) => self.check(prefix.clone()),
            }
        }
    }
    impl<'ast> Visit<'ast> for Finder {
        fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
            if !is_test_only(&item.attrs) {
                syn::visit::visit_item_mod(self, item);
            }
        }
        fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
            if !is_test_only(&item.attrs) {
                syn::visit::visit_item_fn(self, item);
            }
        }
        fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
            if !is_test_only(&item.attrs) {
                self.tree(&mut Vec::new(), &item.tree);
            }
        }
        fn visit_path(&mut self, path: &'ast syn::Path) {
            self.check(path.segments.iter().map(|s| s.ident.to_string()).collect());
            syn::visit::visit_path(self, path);
        }
        /// The pool behind the `Db` handle is for tests and tools.
        fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
            if call.method == "sqlite_pool" {
                self.0.push("sqlite_pool()".to_owned());
            }
            syn::visit::visit_expr_method_call(self, call);
        }
        /// Macros hold tokens, not parsed code: `sqlx::query(...)` inside `tokio::join!`.
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            syn::visit::visit_macro(self, mac);
            let text = mac.tokens.to_string();
            for name in SQL_NAMES {
                if text.contains(&format!("sqlx :: {name} ")) {
                    self.0.push(format!("sqlx::{name} (in a macro)"));
                }
            }
            if text.contains(". sqlite_pool ()") {
                self.0.push("sqlite_pool() (in a macro)".to_owned());
            }
        }
    }
    let file = syn::parse_file(source).expect("parses");
    let mut finder = Finder(Vec::new());
    finder.visit_file(&file);
    finder.0
}

/// The circles of a graph given as `(from, to, why)` edges: each as its nodes and the whys of
/// the edges inside it.
fn circles(
    edges: impl Iterator<Item = (String, String, String)>,
) -> Vec<(Vec<String>, Vec<String>)> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut whys: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (a, b, why) in edges {
        graph.entry(a.clone()).or_default().insert(b.clone());
        whys.entry((a, b)).or_default().push(why);
    }
    strongly_connected(&graph)
        .into_iter()
        .filter(|component| component.len() > 1)
        .map(|component| {
            let inside = whys
                .iter()
                .filter(|((a, b), _)| component.contains(a) && component.contains(b))
                .flat_map(|(_, why)| why.iter().cloned())
                .collect();
            (component, inside)
        })
        .collect()
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
    let src = src_dir();
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

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
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

    /// `pub(super)` names who may see an item, not a module the item uses.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}
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
