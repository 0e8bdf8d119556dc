//! The build check of `cargo xtask regen`: the new generated files must compile before
//! anything in the checkout is replaced.
//!
//! [`Scratch::create`] copies the SDK crate (its hand-written sources, manifest, README
//! and examples) with the new generated files, the workspace manifest (reduced to that one
//! member) and `Cargo.lock` (so every dependency keeps its pinned version) into a scratch
//! directory under the target directory. [`Scratch::check`] runs
//! `cargo check --offline --all-features --lib --examples --message-format=json` there with
//! the checkout's target directory, so dependencies already built are not built again, and
//! turns each compiler error into a [`CompileError`]: the item of the generated file the
//! error is in, mapped back to the spec ([`SpecIndex`]) as a JSON pointer
//! (`#/components/schemas/Agents.Foo`, `#/paths/~1executions~1{executionId}/get`), or
//! `file:line` when nothing maps, with rustc's message.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};
use syn::spanned::Spanned;

use crate::error::{Result, XtaskError, escape_segment};
use crate::names::{rust_type_name, snake_name, type_name};

/// The SDK crate's directory, relative to the workspace root.
pub const CRATE_DIR: &str = "asteroid-sdk";

/// The target directory cargo uses for the workspace at `root`: `CARGO_TARGET_DIR` when
/// set, else `<root>/target`.
pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// The cargo to run: the one running us (`CARGO`), else `cargo` from the `PATH`.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

// ----- the spec's names ---------------------------------------------------------------

/// What a generated item comes from in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `schema` or `operation`.
    pub kind: &'static str,
    /// The spec's name: the schema name or the operationId.
    pub name: String,
    /// The JSON pointer (URI fragment form), e.g. `#/components/schemas/Agents.Foo`.
    pub pointer: String,
}

/// The Rust names of the spec's schemas and operations, with their pointers.
#[derive(Debug, Default, Clone)]
pub struct SpecIndex {
    /// Rust type name of a component schema.
    schemas: BTreeMap<String, Origin>,
    /// Builder struct name of an operation (its operationId in PascalCase).
    operations: BTreeMap<String, Origin>,
    /// Client method name of an operation (its operationId in snake_case).
    methods: BTreeMap<String, Origin>,
}

impl SpecIndex {
    /// The index of a spec as published (before the transforms, so the pointers are into
    /// the file the user has).
    pub fn from_doc(doc: &Value) -> Self {
        let mut index = Self::default();
        if let Some(schemas) = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            for name in schemas.keys() {
                let origin = Origin {
                    kind: "schema",
                    name: name.clone(),
                    pointer: format!("#/components/schemas/{}", escape_segment(name)),
                };
                index.schemas.insert(rust_type_name(name), origin);
            }
        }
        if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                for method in crate::transforms::HTTP_METHODS {
                    let Some(id) = item
                        .get(*method)
                        .and_then(|op| op.get("operationId"))
                        .and_then(Value::as_str)
                    else {
                        continue;
                    };
                    let origin = Origin {
                        kind: "operation",
                        name: id.to_string(),
                        pointer: format!("#/paths/{}/{method}", escape_segment(path)),
                    };
                    index.operations.insert(type_name(id), origin.clone());
                    index.methods.insert(snake_name(id), origin);
                }
            }
        }
        index
    }

    /// The index of the spec's bytes (YAML or JSON); empty when they do not parse.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        std::str::from_utf8(bytes)
            .ok()
            .and_then(|text| crate::spec::parse_yaml(text).ok())
            .map(|doc| Self::from_doc(&doc))
            .unwrap_or_default()
    }

    /// Whether `name` is the builder of an operation.
    pub fn is_operation(&self, name: &str) -> bool {
        self.operations.contains_key(name)
    }

    /// What a type-like name (a struct, enum, or an impl's self type) comes from. In the
    /// `types` module a schema is preferred, elsewhere an operation.
    fn type_origin(&self, name: &str, in_types: bool) -> Option<&Origin> {
        let (first, second) = if in_types {
            (&self.schemas, &self.operations)
        } else {
            (&self.operations, &self.schemas)
        };
        let exact = |n: &str| first.get(n).or_else(|| second.get(n));
        if let Some(o) = exact(name) {
            return Some(o);
        }
        // A schema's builder; an operation's mock `When`/`Then`.
        for suffix in ["Builder", "When", "Then"] {
            if let Some(o) = name.strip_suffix(suffix).and_then(exact) {
                return Some(o);
            }
        }
        // A type hoisted from inside a schema or an operation (`ExecutionStatusSource`,
        // `ExecutionCancelBody`): the longest name it extends at a word boundary.
        [first, second]
            .into_iter()
            .flat_map(|m| m.iter())
            .filter(|(n, _)| {
                name.len() > n.len()
                    && name.starts_with(n.as_str())
                    && name[n.len()..].starts_with(|c: char| c.is_ascii_uppercase())
            })
            .max_by_key(|(n, _)| n.len())
            .map(|(_, o)| o)
    }

    /// What a function name comes from: a client method or a mock method of an operation.
    fn fn_origin(&self, name: &str) -> Option<&Origin> {
        self.methods.get(name).or_else(|| {
            name.strip_suffix("_async")
                .and_then(|n| self.methods.get(n))
        })
    }
}

// ----- the items of a generated file -----------------------------------------------------

/// One item of a generated file with its lines.
#[derive(Debug, Clone)]
struct Node {
    first: usize,
    last: usize,
    /// How the item reads (`impl Foo`, `struct Foo`, `fn foo`).
    label: String,
    /// The name to look up, and whether it is a function's.
    name: Option<(String, bool)>,
    /// Whether it is inside `mod types`.
    in_types: bool,
}

/// The items of a generated file, nested ones included, with their line ranges.
#[derive(Debug, Clone, Default)]
pub struct FileItems {
    nodes: Vec<Node>,
}

impl FileItems {
    /// Parse a generated file's text. A text that does not parse has no items.
    pub fn parse(text: &str) -> Self {
        let mut out = Self::default();
        if let Ok(file) = syn::parse_file(text) {
            out.items(&file.items, false);
        }
        out
    }

    fn push(
        &mut self,
        span: proc_macro2::Span,
        label: String,
        name: Option<(String, bool)>,
        in_types: bool,
    ) {
        self.nodes.push(Node {
            first: span.start().line,
            last: span.end().line,
            label,
            name,
            in_types,
        });
    }

    fn items(&mut self, items: &[syn::Item], in_types: bool) {
        for item in items {
            let span = item.span();
            let ty = |kind: &str, ident: &syn::Ident| {
                (format!("{kind} {ident}"), Some((ident.to_string(), false)))
            };
            let (label, name) = match item {
                syn::Item::Struct(s) => ty("struct", &s.ident),
                syn::Item::Enum(e) => ty("enum", &e.ident),
                syn::Item::Type(t) => ty("type", &t.ident),
                syn::Item::Trait(t) => ty("trait", &t.ident),
                syn::Item::Union(u) => ty("union", &u.ident),
                syn::Item::Const(c) => ty("const", &c.ident),
                syn::Item::Static(s) => ty("static", &s.ident),
                syn::Item::Fn(f) => (
                    format!("fn {}", f.sig.ident),
                    Some((f.sig.ident.to_string(), true)),
                ),
                syn::Item::Mod(m) => {
                    self.push(span, format!("mod {}", m.ident), None, in_types);
                    if let Some((_, inner)) = &m.content {
                        self.items(inner, in_types || m.ident == "types");
                    }
                    continue;
                }
                syn::Item::Impl(i) => {
                    let self_name = last_ident(&i.self_ty);
                    let label = match (&i.trait_, &self_name) {
                        (Some((t, _)), Some(s)) => match t.segments.last() {
                            Some(trait_name) => format!("impl {} for {s}", trait_name.ident),
                            None => format!("impl for {s}"),
                        },
                        (_, Some(s)) => format!("impl {s}"),
                        _ => "impl".to_string(),
                    };
                    self.push(span, label, self_name.map(|s| (s, false)), in_types);
                    for inner in &i.items {
                        if let syn::ImplItem::Fn(f) = inner {
                            self.push(
                                inner.span(),
                                format!("fn {}", f.sig.ident),
                                Some((f.sig.ident.to_string(), true)),
                                in_types,
                            );
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            self.push(span, label, name, in_types);
        }
    }

    /// The items around `line`, innermost first.
    fn around(&self, line: usize) -> Vec<&Node> {
        let mut found: Vec<&Node> = self
            .nodes
            .iter()
            .filter(|n| n.first <= line && line <= n.last)
            .collect();
        found.sort_by_key(|n| n.last - n.first);
        found
    }

    /// The innermost item around `line` that maps to the spec, with that item's label;
    /// else the innermost item's label alone.
    pub fn origin<'a>(
        &self,
        line: usize,
        index: &'a SpecIndex,
    ) -> (Option<&'a Origin>, Option<String>) {
        let around = self.around(line);
        for node in &around {
            let origin = match &node.name {
                Some((name, true)) => index.fn_origin(name),
                Some((name, false)) => index.type_origin(name, node.in_types),
                None => None,
            };
            if let Some(o) = origin {
                return (Some(o), Some(node.label.clone()));
            }
        }
        (None, around.first().map(|n| n.label.clone()))
    }
}

fn last_ident(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        syn::Type::Reference(r) => last_ident(&r.elem),
        syn::Type::Paren(p) => last_ident(&p.elem),
        syn::Type::Group(g) => last_ident(&g.elem),
        _ => None,
    }
}

// ----- compiler messages ---------------------------------------------------------------

/// One compiler error, placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// The schema or operation whose generated code failed, when the error is in an item
    /// that maps to one.
    pub origin: Option<Origin>,
    /// `file:line` of the error (relative to the scratch workspace, as in the checkout).
    pub at: String,
    /// The generated item the error is in (`impl Deserialize for Foo`), when in a
    /// generated file.
    pub item: Option<String>,
    /// Whether `at` is in a generated file.
    pub generated: bool,
    /// rustc's message, as rendered.
    pub rendered: String,
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.origin, &self.item) {
            (Some(o), Some(item)) => write!(
                f,
                "{} ({} {}: `{item}`, {})",
                o.pointer, o.kind, o.name, self.at
            )?,
            (Some(o), None) => write!(f, "{} ({} {}, {})", o.pointer, o.kind, o.name, self.at)?,
            (None, Some(item)) => write!(f, "{} (`{item}`, from no schema or operation)", self.at)?,
            (None, None) if self.generated => {
                write!(f, "{} (generated, outside any item)", self.at)?
            }
            (None, None) => write!(f, "{} (hand-written code)", self.at)?,
        }
        writeln!(f, ":")?;
        for line in self.rendered.trim_end().lines() {
            writeln!(f, "    {line}")?;
        }
        Ok(())
    }
}

/// The generated files of a check: path relative to the workspace root, and items.
pub struct GeneratedFiles {
    files: Vec<(String, FileItems)>,
}

impl GeneratedFiles {
    /// Index `(relative path, text)` pairs.
    pub fn new<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self {
            files: files
                .into_iter()
                .map(|(path, text)| (path.to_string(), FileItems::parse(text)))
                .collect(),
        }
    }

    fn get(&self, file: &str) -> Option<&FileItems> {
        let file = normalize(file);
        self.files
            .iter()
            .find(|(path, _)| file == *path || file.ends_with(&format!("/{path}")))
            .map(|(_, items)| items)
    }
}

/// A path with `\\` as `/` and `dir/..` removed: rustc names a module file by the path it
/// was reached through (`src/blocking/../generated/blocking.rs`, a `#[path]` module).
fn normalize(file: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let file = file.replace('\\', "/");
    for part in file.split('/') {
        match part {
            "." => {}
            ".." if parts.last().is_some_and(|p| *p != ".." && !p.is_empty()) => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

/// `(file, line)` of a span, following macro expansions out to a generated file when the
/// span is inside a macro's code.
fn place_of(span: &Value, generated: &GeneratedFiles) -> Option<(String, usize)> {
    let first = |s: &Value| {
        Some((
            normalize(s.get("file_name")?.as_str()?),
            s.get("line_start")?.as_u64()? as usize,
        ))
    };
    let original = first(span)?;
    let mut current = span;
    for _ in 0..32 {
        if let Some((file, line)) = first(current)
            && generated.get(&file).is_some()
        {
            return Some((file, line));
        }
        match current.pointer("/expansion/span") {
            Some(next) => current = next,
            None => break,
        }
    }
    Some(original)
}

/// The errors of `cargo check --message-format=json` output, each placed; duplicates (one
/// error seen by two targets) once.
pub fn errors(
    json_lines: &str,
    generated: &GeneratedFiles,
    index: &SpecIndex,
) -> Vec<CompileError> {
    let mut out: Vec<CompileError> = Vec::new();
    for line in json_lines.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if v.get("reason").and_then(Value::as_str) != Some("compiler-message") {
            continue;
        }
        let Some(message) = v.get("message") else {
            continue;
        };
        let level = message.get("level").and_then(Value::as_str).unwrap_or("");
        if !level.starts_with("error") {
            continue;
        }
        let spans = message
            .get("spans")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let primary = spans
            .iter()
            .find(|s| s.get("is_primary") == Some(&Value::Bool(true)))
            .or(spans.first());
        // "aborting due to 3 previous errors" and the like: no span, nothing to place.
        let Some(span) = primary else {
            continue;
        };
        let Some((file, line)) = place_of(span, generated) else {
            continue;
        };
        let rendered = message
            .get("rendered")
            .and_then(Value::as_str)
            .or_else(|| message.get("message").and_then(Value::as_str))
            .unwrap_or("")
            .to_string();
        let in_generated = generated.get(&file);
        let (origin, item) = match in_generated {
            Some(items) => {
                let (origin, item) = items.origin(line, index);
                (origin.cloned(), item)
            }
            None => (None, None),
        };
        let error = CompileError {
            origin,
            at: format!("{file}:{line}"),
            item,
            generated: in_generated.is_some(),
            rendered,
        };
        if !out.contains(&error) {
            out.push(error);
        }
    }
    out
}

// ----- the scratch copy ------------------------------------------------------------------

/// A scratch workspace with the SDK crate and the new generated files; removed on drop.
pub struct Scratch {
    /// Its root.
    pub root: PathBuf,
    /// The target directory it builds into (the checkout's).
    pub target: PathBuf,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name == "target" {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        if entry.file_type()?.is_dir() {
            copy_dir(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}

/// The workspace manifest with only the SDK as member (the other members are not copied).
fn one_member(manifest: &str) -> Result<String> {
    let start = manifest
        .find("\nmembers = [")
        .ok_or_else(|| XtaskError::msg("no `members = [...]` in the workspace manifest"))?
        + 1;
    let end = manifest[start..]
        .find(']')
        .map(|i| start + i + 1)
        .ok_or_else(|| XtaskError::msg("unclosed `members = [` in the workspace manifest"))?;
    Ok(format!(
        "{}members = [\"{CRATE_DIR}\"]{}",
        &manifest[..start],
        &manifest[end..]
    ))
}

impl Scratch {
    /// Copy the workspace at `root` (its manifest, lock file and the SDK crate) to a
    /// scratch directory under `target` and write the generated files into it
    /// (`(path relative to root, text)`). The directory is the same for one checkout on
    /// every run, so the crate's incremental state is reused.
    pub fn create(root: &Path, target: &Path, generated: &[(&str, &str)]) -> Result<Scratch> {
        let crate_dir = root.join(CRATE_DIR);
        if !crate_dir.join("src/lib.rs").exists() {
            return Err(XtaskError::msg(format!(
                "cannot check that the generated code builds: no {CRATE_DIR}/src/lib.rs in {} \
                 (pass --no-build-check to write it unchecked)",
                root.display()
            )));
        }
        let canonical = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let id = crate::regen::hex(&Sha256::digest(canonical.to_string_lossy().as_bytes()));
        let scratch = Scratch {
            root: target.join("xtask-regen-check").join(&id[..16]),
            target: target.to_path_buf(),
        };
        let io = |what: &str, e: std::io::Error| {
            XtaskError::msg(format!("cannot prepare the build check ({what}): {e}"))
        };
        let _ = std::fs::remove_dir_all(&scratch.root);
        std::fs::create_dir_all(&scratch.root).map_err(|e| io("create", e))?;
        let manifest = std::fs::read_to_string(root.join("Cargo.toml"))
            .map_err(|e| io("read Cargo.toml", e))?;
        std::fs::write(scratch.root.join("Cargo.toml"), one_member(&manifest)?)
            .map_err(|e| io("Cargo.toml", e))?;
        for optional in [
            "Cargo.lock",
            "rust-toolchain.toml",
            "rust-toolchain",
            ".cargo/config.toml",
        ] {
            let from = root.join(optional);
            if from.exists() {
                let to = scratch.root.join(optional);
                if let Some(dir) = to.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| io(optional, e))?;
                }
                std::fs::copy(&from, &to).map_err(|e| io(optional, e))?;
            }
        }
        copy_dir(&crate_dir, &scratch.root.join(CRATE_DIR)).map_err(|e| io(CRATE_DIR, e))?;
        for (rel, text) in generated {
            let to = scratch.root.join(rel);
            if let Some(dir) = to.parent() {
                std::fs::create_dir_all(dir).map_err(|e| io(rel, e))?;
            }
            std::fs::write(&to, text).map_err(|e| io(rel, e))?;
        }
        Ok(scratch)
    }

    /// `cargo check` the SDK with every feature, its library and its examples. An error
    /// lists every compiler error, placed in the spec where it can be.
    pub fn check(&self, generated: &GeneratedFiles, index: &SpecIndex) -> Result<()> {
        let output = cargo()
            .current_dir(&self.root)
            .env("CARGO_TARGET_DIR", &self.target)
            .args([
                "check",
                "--offline",
                "--quiet",
                "--message-format=json",
                "--manifest-path",
                "Cargo.toml",
                "-p",
                "asteroid-sdk",
                "--all-features",
                "--lib",
                "--examples",
            ])
            .output()
            .map_err(|e| XtaskError::msg(format!("cannot run cargo check: {e}")))?;
        if output.status.success() {
            return Ok(());
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let found = errors(&stdout, generated, index);
        if found.is_empty() {
            return Err(XtaskError::msg(format!(
                "cargo check of the generated code failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        let mut message = format!(
            "the generated code does not compile (`cargo check --all-features --lib --examples` \
             of {CRATE_DIR} with the new files, in a scratch copy): {} error{}\n",
            found.len(),
            if found.len() == 1 { "" } else { "s" }
        );
        for e in &found {
            message.push('\n');
            message.push_str(&e.to_string());
        }
        Err(XtaskError::msg(message.trim_end().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn index() -> SpecIndex {
        SpecIndex::from_doc(&json!({
            "paths": {
                "/executions/{executionId}": {"get": {"operationId": "ExecutionGet"}},
                "/executions/{executionId}/cancel": {"post": {"operationId": "ExecutionCancel"}}
            },
            "components": {"schemas": {
                "Agents.Execution.ListItem": {},
                "Agents.Execution.Status": {},
                "Common.Helper": {}
            }}
        }))
    }

    const CLIENT: &str = "// @generated header\n\
pub mod types {
    pub struct Execution {
        pub id: u8,
    }
    impl<'de> ::serde::Deserialize<'de> for Execution {
        fn deserialize<D>(d: D) -> Result<Self, D::Error> {
            todo!()
        }
    }
    pub struct ExecutionStatusSource;
    pub struct ExecutionBuilder {
        id: u8,
    }
    pub struct PresentMembers(u8);
}
pub struct Client;
impl Client {
    pub fn execution_get(&self) -> u8 {
        0
    }
}
pub mod builder {
    pub struct ExecutionCancelBody;
    impl<'a> ExecutionGet<'a> {
        pub fn send(self) -> u8 {
            0
        }
    }
}
";

    /// A compiler message as cargo prints it, with its primary span at `line` of `file`.
    fn message(file: &str, line: usize, text: &str) -> String {
        json!({
            "reason": "compiler-message",
            "package_id": "asteroid-sdk",
            "message": {
                "level": "error",
                "message": text,
                "rendered": format!("error[E0308]: {text}\n --> {file}:{line}:9\n"),
                "spans": [
                    {"file_name": "asteroid-sdk/src/lib.rs", "line_start": 1, "is_primary": false},
                    {"file_name": file, "line_start": line, "line_end": line, "is_primary": true}
                ]
            }
        })
        .to_string()
    }

    fn line_of(needle: &str) -> usize {
        CLIENT.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    fn place(line: usize) -> (Option<String>, Option<String>) {
        let generated = GeneratedFiles::new([("asteroid-sdk/src/generated/client.rs", CLIENT)]);
        let out = errors(
            &message(
                "asteroid-sdk/src/generated/client.rs",
                line,
                "mismatched types",
            ),
            &generated,
            &index(),
        );
        assert_eq!(out.len(), 1, "{out:?}");
        let e = &out[0];
        assert_eq!(e.at, format!("asteroid-sdk/src/generated/client.rs:{line}"));
        assert!(e.rendered.contains("mismatched types"));
        (e.origin.as_ref().map(|o| o.pointer.clone()), e.item.clone())
    }

    #[test]
    fn an_error_in_a_schema_impl_names_the_schema() {
        let (pointer, item) = place(line_of("todo!()"));
        assert_eq!(
            pointer.as_deref(),
            Some("#/components/schemas/Agents.Execution.ListItem")
        );
        assert_eq!(item.as_deref(), Some("impl Deserialize for Execution"));
        // The struct itself, its builder, a type hoisted out of another schema.
        assert_eq!(
            place(line_of("pub id: u8")).0.as_deref(),
            Some("#/components/schemas/Agents.Execution.ListItem")
        );
        assert_eq!(
            place(line_of("pub struct ExecutionBuilder")).0.as_deref(),
            Some("#/components/schemas/Agents.Execution.ListItem")
        );
        assert_eq!(
            place(line_of("pub struct ExecutionStatusSource"))
                .0
                .as_deref(),
            Some("#/components/schemas/Agents.Execution.Status")
        );
    }

    #[test]
    fn an_error_in_an_operation_names_the_operation() {
        // The builder's `send`, inside `impl ExecutionGet`: the operation, not `send`.
        let (pointer, item) = place(line_of("pub fn send"));
        assert_eq!(
            pointer.as_deref(),
            Some("#/paths/~1executions~1{executionId}/get")
        );
        assert_eq!(item.as_deref(), Some("impl ExecutionGet"));
        // The client method.
        let (pointer, item) = place(line_of("pub fn execution_get"));
        assert_eq!(
            pointer.as_deref(),
            Some("#/paths/~1executions~1{executionId}/get")
        );
        assert_eq!(item.as_deref(), Some("fn execution_get"));
        // A body type hoisted out of an operation.
        assert_eq!(
            place(line_of("pub struct ExecutionCancelBody"))
                .0
                .as_deref(),
            Some("#/paths/~1executions~1{executionId}~1cancel/post")
        );
    }

    #[test]
    fn an_error_that_maps_to_nothing_names_file_and_line() {
        let line = line_of("pub struct PresentMembers");
        let (pointer, item) = place(line);
        assert_eq!(pointer, None);
        assert_eq!(item.as_deref(), Some("struct PresentMembers"));
        // In a hand-written file: file and line only; the summary line says so.
        let generated = GeneratedFiles::new([("asteroid-sdk/src/generated/client.rs", CLIENT)]);
        let out = errors(
            &message("asteroid-sdk/src/transport.rs", 12, "cannot find type"),
            &generated,
            &index(),
        );
        assert_eq!(out[0].origin, None);
        let text = out[0].to_string();
        assert!(
            text.starts_with("asteroid-sdk/src/transport.rs:12 (hand-written code):\n"),
            "{text}"
        );
    }

    #[test]
    fn a_span_inside_a_macro_is_placed_at_its_invocation() {
        let line = line_of("todo!()");
        let text = json!({
            "reason": "compiler-message",
            "message": {
                "level": "error",
                "message": "boom",
                "rendered": "error: boom\n",
                "spans": [{
                    "file_name": "/rustc/library/core/src/macros/mod.rs",
                    "line_start": 10,
                    "is_primary": true,
                    "expansion": {"span": {
                        "file_name": "asteroid-sdk/src/generated/client.rs",
                        "line_start": line,
                        "is_primary": false
                    }}
                }]
            }
        })
        .to_string();
        // Another message without a span, and a warning: both ignored; duplicates once.
        let noise = json!({"reason": "compiler-message", "message": {"level": "error",
            "message": "aborting due to 1 previous error", "spans": []}});
        let warning = json!({"reason": "compiler-message", "message": {"level": "warning",
            "message": "unused", "spans": [{"file_name": "x.rs", "line_start": 1}]}});
        let lines = format!("{text}\n{noise}\n{warning}\n{text}\nnot json\n");
        let generated = GeneratedFiles::new([("asteroid-sdk/src/generated/client.rs", CLIENT)]);
        let out = errors(&lines, &generated, &index());
        assert_eq!(out.len(), 1, "{out:?}");
        let shown = out[0].to_string();
        assert_eq!(
            shown.lines().next().unwrap(),
            format!(
                "#/components/schemas/Agents.Execution.ListItem (schema Agents.Execution.ListItem: \
                 `impl Deserialize for Execution`, asteroid-sdk/src/generated/client.rs:{line}):"
            )
        );
        assert!(shown.contains("    error: boom"), "{shown}");
    }

    #[test]
    fn a_module_reached_through_a_path_attribute_is_the_generated_file() {
        assert_eq!(
            normalize("asteroid-sdk/src/blocking/../generated/blocking.rs"),
            "asteroid-sdk/src/generated/blocking.rs"
        );
        assert_eq!(normalize("../x/./y.rs"), "../x/y.rs");
        let generated = GeneratedFiles::new([("asteroid-sdk/src/generated/client.rs", CLIENT)]);
        let out = errors(
            &message(
                "asteroid-sdk/src/x/../generated/client.rs",
                line_of("pub fn execution_get"),
                "boom",
            ),
            &generated,
            &index(),
        );
        assert_eq!(
            out[0].origin.as_ref().map(|o| o.name.as_str()),
            Some("ExecutionGet")
        );
    }

    #[test]
    fn the_scratch_manifest_has_only_the_sdk() {
        let m = "[workspace]\nresolver = \"3\"\nmembers = [\"asteroid-sdk\", \"xtask\", \"tests\"]\n\n[workspace.package]\n";
        assert_eq!(
            one_member(m).unwrap(),
            "[workspace]\nresolver = \"3\"\nmembers = [\"asteroid-sdk\"]\n\n[workspace.package]\n"
        );
        assert!(one_member("[workspace]\n").is_err());
    }
}
