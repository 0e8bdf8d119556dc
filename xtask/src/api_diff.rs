//! What changed between two [`ApiModel`]s, for a user of the Rust crate.
//!
//! Each change is breaking or compatible *for the crate*: the generated structs are
//! `#[non_exhaustive]` and built with builders, enums and unions are `#[non_exhaustive]`
//! with an `Unknown` variant, operations are builders with one setter per parameter, and
//! the typed mocks have one `then` method per documented status. So a new optional field
//! or parameter, a new enum value or a new status breaks nobody; anything removed, a type
//! that changes, or a field moving between required (`T`) and optional (`Option<T>`) does.

use std::collections::{BTreeMap, BTreeSet};

use crate::api_model::{ApiModel, Body, Field, Operation, Param, Schema, Shape};
use crate::names::snake_name;

/// How much a change (or a set of changes) matters to the version number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    /// Nothing a user sees changed.
    None,
    /// Compatible, and nothing new: a patch release.
    Fix,
    /// Compatible additions: a minor release from 1.0 on, a patch release before.
    Addition,
    /// Existing code may stop compiling or working.
    Breaking,
}

impl Impact {
    /// `none`, `compatible` or `breaking`.
    pub fn label(self) -> &'static str {
        match self {
            Impact::None => "none",
            Impact::Fix | Impact::Addition => "compatible",
            Impact::Breaking => "breaking",
        }
    }
}

/// Keep a Changelog's sections, which are also how changes are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Something new.
    Added,
    /// Something different.
    Changed,
    /// Something gone.
    Removed,
}

impl Kind {
    /// The changelog section's title.
    pub fn section(self) -> &'static str {
        match self {
            Kind::Added => "Added",
            Kind::Changed => "Changed",
            Kind::Removed => "Removed",
        }
    }
}

/// What a change is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    /// An operation, by `operationId`.
    Operation(String),
    /// A type, by Rust name.
    Type(String),
    /// The servers and the authentication.
    Service,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What it is about.
    pub subject: Subject,
    /// Added, changed or removed.
    pub kind: Kind,
    /// Whether existing code may break.
    pub breaking: bool,
    /// What changed, in a phrase (Markdown code spans for names).
    pub text: String,
}

impl Change {
    /// The change's weight for the version number.
    pub fn impact(&self) -> Impact {
        match (self.breaking, self.kind) {
            (true, _) => Impact::Breaking,
            (false, Kind::Added) => Impact::Addition,
            (false, _) => Impact::Fix,
        }
    }
}

/// The largest impact of a set of changes.
pub fn impact(changes: &[Change]) -> Impact {
    changes
        .iter()
        .map(Change::impact)
        .max()
        .unwrap_or(Impact::None)
}

struct Out {
    changes: Vec<Change>,
    subject: Subject,
}

impl Out {
    fn push(&mut self, kind: Kind, breaking: bool, text: String) {
        self.changes.push(Change {
            subject: self.subject.clone(),
            kind,
            breaking,
            text,
        });
    }
}

/// Every change from `old` to `new`, operations first (by id), then types (by name),
/// then servers and authentication.
pub fn diff(old: &ApiModel, new: &ApiModel) -> Vec<Change> {
    let mut out = Out {
        changes: Vec::new(),
        subject: Subject::Service,
    };
    let op_ids: BTreeSet<&String> = old.operations.keys().chain(new.operations.keys()).collect();
    for id in op_ids {
        out.subject = Subject::Operation(id.clone());
        match (old.operations.get(id), new.operations.get(id)) {
            (None, Some(_)) => out.push(Kind::Added, false, "new operation".into()),
            (Some(_), None) => out.push(
                Kind::Removed,
                true,
                "operation removed (its client method goes)".into(),
            ),
            (Some(a), Some(b)) => operation(&mut out, a, b),
            (None, None) => {}
        }
    }
    let names: BTreeSet<&String> = old.schemas.keys().chain(new.schemas.keys()).collect();
    for name in names {
        out.subject = Subject::Type(name.clone());
        match (old.schemas.get(name), new.schemas.get(name)) {
            (None, Some(s)) => out.push(Kind::Added, false, format!("new {}", describe(s))),
            (Some(_), None) => out.push(Kind::Removed, true, "type removed".into()),
            (Some(a), Some(b)) => schema(&mut out, a, b),
            (None, None) => {}
        }
    }
    out.subject = Subject::Service;
    service(&mut out, old, new);
    out.changes
}

fn describe(s: &Schema) -> String {
    match &s.shape {
        Shape::Struct { fields } => {
            let names: Vec<String> = fields.keys().map(|f| format!("`{f}`")).collect();
            if names.is_empty() {
                "struct".into()
            } else {
                format!("struct with fields {}", names.join(", "))
            }
        }
        Shape::Enum { values } => {
            let v: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
            format!("enum of {}", v.join(", "))
        }
        Shape::Union {
            tag: Some(tag),
            variants,
        } => {
            let v: Vec<String> = variants.keys().map(|v| format!("`{v}`")).collect();
            format!("union tagged by `{tag}`: {}", v.join(", "))
        }
        Shape::Union {
            tag: None,
            variants,
        } => {
            let v: Vec<String> = variants.values().map(|v| format!("`{v}`")).collect();
            format!("untagged union of {}", v.join(", "))
        }
        Shape::Other { ty } => format!("type `{ty}`"),
    }
}

fn operation(out: &mut Out, a: &Operation, b: &Operation) {
    if a.method != b.method || a.path != b.path {
        out.push(
            Kind::Changed,
            false,
            format!(
                "now `{} {}` (was `{} {}`); the client method keeps its name",
                b.method, b.path, a.method, a.path
            ),
        );
    }
    let names: BTreeSet<&String> = a.params.keys().chain(b.params.keys()).collect();
    for name in names {
        param(out, name, a.params.get(name), b.params.get(name));
    }
    body(out, a.body.as_ref(), b.body.as_ref());
    let (ea, eb) = (error_type(a), error_type(b));
    if ea != eb {
        out.push(
            Kind::Changed,
            true,
            format!("its calls now fail with `Error<{eb}>` (was `Error<{ea}>`)"),
        );
    }
    let statuses: BTreeSet<&String> = a.responses.keys().chain(b.responses.keys()).collect();
    for status in statuses {
        let shown = |t: &Option<String>| match t {
            Some(t) => format!("`{t}`"),
            None => "no body".to_string(),
        };
        match (a.responses.get(status), b.responses.get(status)) {
            (None, Some(t)) => out.push(
                Kind::Added,
                false,
                format!("documented status {status} added ({})", shown(t)),
            ),
            (Some(t), None) => out.push(
                Kind::Removed,
                true,
                format!("documented status {status} removed (was {})", shown(t)),
            ),
            (Some(x), Some(y)) if x != y => out.push(
                Kind::Changed,
                true,
                format!(
                    "status {status} body type is now {} (was {})",
                    shown(y),
                    shown(x)
                ),
            ),
            _ => {}
        }
    }
}

/// The body type of an operation's error statuses, as the `E` of its `Error<E>`: the
/// typed body when there is one (the transforms leave at most one), `ByteStream` for
/// another media type, `()` without a body or without error statuses.
fn error_type(op: &Operation) -> String {
    let errors: Vec<&Option<String>> = op
        .responses
        .iter()
        .filter(|(status, _)| {
            *status == "default" || status.starts_with('4') || status.starts_with('5')
        })
        .map(|(_, ty)| ty)
        .collect();
    let typed = errors.iter().filter_map(|t| t.as_deref());
    match typed.clone().find(|t| *t != "bytes") {
        Some(t) => t.to_string(),
        None if typed.count() > 0 => "ByteStream".into(),
        None => "()".into(),
    }
}

fn param(out: &mut Out, name: &str, a: Option<&Param>, b: Option<&Param>) {
    let setter = snake_name(name);
    match (a, b) {
        (None, Some(p)) if p.required => out.push(
            Kind::Added,
            true,
            format!(
                "new required {} parameter `{name}` (`{}`): calls without `.{setter}(..)` now fail",
                p.location, p.ty
            ),
        ),
        (None, Some(p)) => out.push(
            Kind::Added,
            false,
            format!(
                "new optional {} parameter `{name}` (`{}`, setter `.{setter}(..)`)",
                p.location, p.ty
            ),
        ),
        (Some(p), None) => out.push(
            Kind::Removed,
            true,
            format!(
                "{} parameter `{name}` removed (the setter `.{setter}(..)` goes)",
                p.location
            ),
        ),
        (Some(x), Some(y)) => {
            if x.ty != y.ty {
                out.push(
                    Kind::Changed,
                    true,
                    format!("parameter `{name}` is now `{}` (was `{}`)", y.ty, x.ty),
                );
            }
            if x.location != y.location {
                out.push(
                    Kind::Changed,
                    false,
                    format!(
                        "parameter `{name}` moves from the {} to the {} (same setter)",
                        x.location, y.location
                    ),
                );
            }
            match (x.required, y.required) {
                (false, true) => out.push(
                    Kind::Changed,
                    true,
                    format!(
                        "parameter `{name}` is now required: calls without `.{setter}(..)` now fail"
                    ),
                ),
                (true, false) => out.push(
                    Kind::Changed,
                    false,
                    format!("parameter `{name}` is now optional"),
                ),
                _ => {}
            }
        }
        (None, None) => {}
    }
}

fn body(out: &mut Out, a: Option<&Body>, b: Option<&Body>) {
    match (a, b) {
        (None, Some(b)) if b.required => out.push(
            Kind::Added,
            true,
            format!(
                "new required request body (`{}`): calls without `.body(..)` now fail",
                b.ty
            ),
        ),
        (None, Some(b)) => out.push(
            Kind::Added,
            false,
            format!("new optional request body (`{}`)", b.ty),
        ),
        (Some(a), None) => out.push(
            Kind::Removed,
            true,
            format!("request body removed (was `{}`)", a.ty),
        ),
        (Some(a), Some(b)) => {
            if a.ty != b.ty {
                out.push(
                    Kind::Changed,
                    true,
                    format!("request body is now `{}` (was `{}`)", b.ty, a.ty),
                );
            }
            match (a.required, b.required) {
                (false, true) => out.push(
                    Kind::Changed,
                    true,
                    "request body is now required: calls without `.body(..)` now fail".into(),
                ),
                (true, false) => {
                    out.push(Kind::Changed, false, "request body is now optional".into())
                }
                _ => {}
            }
        }
        (None, None) => {}
    }
}

fn schema(out: &mut Out, a: &Schema, b: &Schema) {
    match (&a.shape, &b.shape) {
        (Shape::Struct { fields: fa }, Shape::Struct { fields: fb }) => {
            let in_requests = a.requests || b.requests;
            let names: BTreeSet<&String> = fa.keys().chain(fb.keys()).collect();
            for name in names {
                field(out, name, fa.get(name), fb.get(name), in_requests);
            }
        }
        (Shape::Enum { values: va }, Shape::Enum { values: vb }) => {
            for v in vb.iter().filter(|v| !va.contains(v)) {
                out.push(Kind::Added, false, format!("new value `{v}`"));
            }
            for v in va.iter().filter(|v| !vb.contains(v)) {
                out.push(Kind::Removed, true, format!("value `{v}` removed"));
            }
        }
        (
            Shape::Union {
                tag: ta,
                variants: va,
            },
            Shape::Union {
                tag: tb,
                variants: vb,
            },
        ) => {
            if ta != tb {
                let shown = |t: &Option<String>| match t {
                    Some(t) => format!("`{t}`"),
                    None => "nothing (untagged)".into(),
                };
                out.push(
                    Kind::Changed,
                    true,
                    format!("now tagged by {} (was {})", shown(tb), shown(ta)),
                );
            }
            variants(out, va, vb);
        }
        (Shape::Other { ty: x }, Shape::Other { ty: y }) => {
            if x != y {
                out.push(Kind::Changed, true, format!("now `{y}` (was `{x}`)"));
            }
        }
        (x, y) => out.push(
            Kind::Changed,
            true,
            format!("now a {} (was a {})", y.kind(), x.kind()),
        ),
    }
}

fn variants(out: &mut Out, a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) {
    let tags: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for tag in tags {
        match (a.get(tag), b.get(tag)) {
            (None, Some(t)) => out.push(Kind::Added, false, format!("new variant `{tag}` (`{t}`)")),
            (Some(t), None) => out.push(
                Kind::Removed,
                true,
                format!("variant `{tag}` removed (was `{t}`)"),
            ),
            (Some(x), Some(y)) if x != y => out.push(
                Kind::Changed,
                true,
                format!("variant `{tag}` is now `{y}` (was `{x}`)"),
            ),
            _ => {}
        }
    }
}

fn field(out: &mut Out, name: &str, a: Option<&Field>, b: Option<&Field>, in_requests: bool) {
    let rust = snake_name(name);
    let shown_name = if rust == name {
        format!("`{name}`")
    } else {
        format!("`{name}` (Rust `{rust}`)")
    };
    match (a, b) {
        (None, Some(f)) if f.required && in_requests => out.push(
            Kind::Added,
            true,
            format!(
                "new required field {shown_name}: `{}`; the type is sent in requests, and \
                 building it without the field now fails",
                f.shown_type()
            ),
        ),
        (None, Some(f)) if f.required => out.push(
            Kind::Added,
            false,
            format!(
                "new field {shown_name}: `{}`, required (the type is only received)",
                f.shown_type()
            ),
        ),
        (None, Some(f)) => out.push(
            Kind::Added,
            false,
            format!("new field {shown_name}: `{}`, optional", f.shown_type()),
        ),
        (Some(f), None) => out.push(
            Kind::Removed,
            true,
            format!(
                "field {shown_name} removed (was `{}`, {})",
                f.shown_type(),
                if f.required { "required" } else { "optional" }
            ),
        ),
        (Some(x), Some(y)) => {
            // What a Rust user sees is the field's type, `Option` or not: compare that,
            // then what the spec says beyond it.
            let wrap = |f: &Field| {
                if f.rust_option() {
                    format!("Option<{}>", f.ty)
                } else {
                    f.ty.clone()
                }
            };
            if x.ty != y.ty {
                out.push(
                    Kind::Changed,
                    true,
                    format!(
                        "field {shown_name} is now `{}` (was `{}`)",
                        y.shown_type(),
                        x.shown_type()
                    ),
                );
            } else if x.rust_option() != y.rust_option() {
                let (now, what) = if y.rust_option() {
                    ("becomes an `Option`", "may now be absent or null")
                } else {
                    ("is no longer an `Option`", "is now always present")
                };
                out.push(
                    Kind::Changed,
                    true,
                    format!(
                        "field {shown_name} {what}: its Rust type {now} (`{}`, was `{}`)",
                        wrap(y),
                        wrap(x)
                    ),
                );
            } else if x.required != y.required || x.nullable != y.nullable {
                // The Rust type stays; only building a value in a request can change.
                let now_required = !x.required && y.required;
                let breaking = now_required && in_requests;
                let text = if now_required && in_requests {
                    format!(
                        "field {shown_name} is now required (Rust type `{}` unchanged); the type \
                         is sent in requests, and building it without the field now fails",
                        wrap(y)
                    )
                } else {
                    let mut what = Vec::new();
                    if x.required != y.required {
                        what.push(if y.required {
                            "is now required"
                        } else {
                            "is now optional"
                        });
                    }
                    if x.nullable != y.nullable {
                        what.push(if y.nullable {
                            "now accepts null"
                        } else {
                            "no longer accepts null"
                        });
                    }
                    format!(
                        "field {shown_name} {} (Rust type `{}` unchanged)",
                        what.join(" and "),
                        wrap(y)
                    )
                };
                out.push(Kind::Changed, breaking, text);
            }
        }
        (None, None) => {}
    }
}

fn service(out: &mut Out, old: &ApiModel, new: &ApiModel) {
    match (old.servers.first(), new.servers.first()) {
        (Some(a), Some(b)) if a != b => out.push(
            Kind::Changed,
            false,
            format!("the default base URL is now `{b}` (was `{a}`)"),
        ),
        (None, Some(b)) => out.push(
            Kind::Added,
            false,
            format!("the default base URL is now `{b}` (there was none)"),
        ),
        (Some(a), None) => out.push(
            Kind::Changed,
            false,
            format!("the spec names no server any more (the default base URL was `{a}`)"),
        ),
        _ => {}
    }
    let rest = |m: &ApiModel| -> BTreeSet<String> { m.servers.iter().skip(1).cloned().collect() };
    let (ra, rb) = (rest(old), rest(new));
    for s in rb.difference(&ra) {
        out.push(Kind::Added, false, format!("another server listed: `{s}`"));
    }
    for s in ra.difference(&rb) {
        out.push(
            Kind::Removed,
            false,
            format!("server `{s}` no longer listed"),
        );
    }
    let names: BTreeSet<&String> = old.auth.keys().chain(new.auth.keys()).collect();
    for name in names {
        match (old.auth.get(name), new.auth.get(name)) {
            (None, Some(d)) => {
                out.push(Kind::Added, true, format!("new auth scheme `{name}`: {d}"))
            }
            (Some(d), None) => out.push(
                Kind::Removed,
                true,
                format!("auth scheme `{name}` removed (was {d})"),
            ),
            (Some(x), Some(y)) if x != y => out.push(
                Kind::Changed,
                true,
                format!("auth scheme `{name}` is now {y} (was {x})"),
            ),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_model::SpecInfo;

    fn empty() -> ApiModel {
        ApiModel {
            format: crate::api_model::FORMAT,
            spec: SpecInfo {
                title: "T".into(),
                version: "1".into(),
                sha256: "0".into(),
            },
            servers: vec!["https://a".into()],
            auth: BTreeMap::from([("Key".into(), "apiKey in header `X-Key`".into())]),
            operations: BTreeMap::new(),
            schemas: BTreeMap::new(),
        }
    }

    fn op() -> Operation {
        Operation {
            method: "GET".into(),
            path: "/x".into(),
            rust: "get_x".into(),
            params: BTreeMap::new(),
            body: None,
            responses: BTreeMap::from([("200".into(), Some("Thing".into()))]),
        }
    }

    fn param(location: &str, required: bool, ty: &str) -> Param {
        Param {
            location: location.into(),
            required,
            ty: ty.into(),
        }
    }

    fn with_op(o: Operation) -> ApiModel {
        let mut m = empty();
        m.operations.insert("GetX".into(), o);
        m
    }

    fn structure(fields: &[(&str, &str, bool, bool)], requests: bool) -> Schema {
        Schema {
            shape: Shape::Struct {
                fields: fields
                    .iter()
                    .map(|(n, t, required, nullable)| {
                        (
                            n.to_string(),
                            Field {
                                ty: t.to_string(),
                                required: *required,
                                nullable: *nullable,
                                defaulted: false,
                            },
                        )
                    })
                    .collect(),
            },
            requests,
            responses: true,
        }
    }

    fn with_type(name: &str, s: Schema) -> ApiModel {
        let mut m = empty();
        m.schemas.insert(name.into(), s);
        m
    }

    /// The one change between two models: (breaking, kind, text).
    fn one(a: &ApiModel, b: &ApiModel) -> (bool, Kind, String) {
        let changes = diff(a, b);
        assert_eq!(changes.len(), 1, "{changes:#?}");
        let c = &changes[0];
        (c.breaking, c.kind, c.text.clone())
    }

    #[test]
    fn nothing_changed() {
        assert!(diff(&empty(), &empty()).is_empty());
        assert_eq!(impact(&[]), Impact::None);
        let mut other_sha = empty();
        other_sha.spec.sha256 = "1".into();
        other_sha.spec.version = "2".into();
        assert!(diff(&empty(), &other_sha).is_empty());
    }

    #[test]
    fn operations_added_and_removed() {
        let (breaking, kind, _) = one(&empty(), &with_op(op()));
        assert_eq!((breaking, kind), (false, Kind::Added));
        let (breaking, kind, _) = one(&with_op(op()), &empty());
        assert_eq!((breaking, kind), (true, Kind::Removed));
    }

    #[test]
    fn parameter_rules() {
        let mut a = op();
        a.params
            .insert("page".into(), param("query", false, "integer"));
        let mut b = a.clone();
        // Optional added: compatible. Required added: breaking.
        b.params.insert("q".into(), param("query", false, "string"));
        let (breaking, kind, text) = one(&with_op(a.clone()), &with_op(b.clone()));
        assert_eq!((breaking, kind), (false, Kind::Added));
        assert!(text.contains("optional query parameter `q`"), "{text}");
        b.params.insert("q".into(), param("query", true, "string"));
        let (breaking, _, text) = one(&with_op(a.clone()), &with_op(b.clone()));
        assert!(breaking && text.contains(".q(..)"), "{text}");
        // Removed: breaking.
        let (breaking, kind, _) = one(&with_op(b.clone()), &with_op(a.clone()));
        assert_eq!((breaking, kind), (true, Kind::Removed));
        // Type: breaking. Location: compatible.
        let mut c = a.clone();
        c.params
            .insert("page".into(), param("query", false, "string"));
        assert!(one(&with_op(a.clone()), &with_op(c)).0);
        let mut d = a.clone();
        d.params
            .insert("page".into(), param("header", false, "integer"));
        let (breaking, kind, text) = one(&with_op(a.clone()), &with_op(d));
        assert_eq!((breaking, kind), (false, Kind::Changed));
        assert!(text.contains("from the query to the header"), "{text}");
        // Optional to required: breaking; back: compatible.
        let mut e = a.clone();
        e.params
            .insert("page".into(), param("query", true, "integer"));
        assert!(one(&with_op(a.clone()), &with_op(e.clone())).0);
        assert!(!one(&with_op(e), &with_op(a)).0);
    }

    #[test]
    fn body_rules() {
        let a = op();
        let mut optional = a.clone();
        optional.body = Some(Body {
            ty: "B".into(),
            required: false,
        });
        let mut required = a.clone();
        required.body = Some(Body {
            ty: "B".into(),
            required: true,
        });
        assert!(!one(&with_op(a.clone()), &with_op(optional.clone())).0);
        assert!(one(&with_op(a.clone()), &with_op(required.clone())).0);
        assert!(one(&with_op(optional.clone()), &with_op(a.clone())).0);
        assert!(one(&with_op(optional.clone()), &with_op(required.clone())).0);
        assert!(!one(&with_op(required.clone()), &with_op(optional.clone())).0);
        let mut other = required.clone();
        other.body = Some(Body {
            ty: "C".into(),
            required: true,
        });
        assert!(one(&with_op(required), &with_op(other)).0);
    }

    #[test]
    fn status_rules() {
        let mut a = op();
        a.responses.insert("404".into(), Some("ErrorBody".into()));
        let mut b = a.clone();
        b.responses.insert("429".into(), Some("ErrorBody".into()));
        let (breaking, kind, text) = one(&with_op(a.clone()), &with_op(b.clone()));
        assert_eq!((breaking, kind), (false, Kind::Added));
        assert!(text.contains("429"), "{text}");
        assert!(one(&with_op(b), &with_op(a.clone())).0);
        let mut c = a.clone();
        c.responses.insert("200".into(), Some("Other".into()));
        let (breaking, kind, _) = one(&with_op(a.clone()), &with_op(c));
        assert_eq!((breaking, kind), (true, Kind::Changed));
        let mut d = a.clone();
        d.responses.insert("200".into(), None);
        assert!(one(&with_op(a.clone()), &with_op(d)).0);
        // A moved path keeps the method: compatible.
        let mut e = a.clone();
        e.path = "/y".into();
        assert!(!one(&with_op(a), &with_op(e)).0);
    }

    #[test]
    fn field_rules() {
        let base = [("id", "uuid", true, false)];
        // Optional field added: compatible, in requests or not.
        for requests in [false, true] {
            let a = with_type("T", structure(&base, requests));
            let b = with_type(
                "T",
                structure(
                    &[base[0], ("tags", "array<string>", false, false)],
                    requests,
                ),
            );
            let (breaking, kind, _) = one(&a, &b);
            assert_eq!((breaking, kind), (false, Kind::Added));
        }
        // Required field added: breaking only if the struct is sent in requests.
        let added = [base[0], ("name", "string", true, false)];
        let (breaking, _, text) = one(
            &with_type("T", structure(&base, false)),
            &with_type("T", structure(&added, false)),
        );
        assert!(!breaking, "{text}");
        let (breaking, _, text) = one(
            &with_type("T", structure(&base, true)),
            &with_type("T", structure(&added, true)),
        );
        assert!(breaking && text.contains("requests"), "{text}");
        // Removed: breaking.
        let (breaking, kind, _) = one(
            &with_type("T", structure(&added, false)),
            &with_type("T", structure(&base, false)),
        );
        assert_eq!((breaking, kind), (true, Kind::Removed));
        // Type changed, or nullable (`T` to `Option<T>`): breaking.
        for other in [("id", "string", true, false), ("id", "uuid", true, true)] {
            let (breaking, kind, _) = one(
                &with_type("T", structure(&base, false)),
                &with_type("T", structure(&[other], false)),
            );
            assert_eq!((breaking, kind), (true, Kind::Changed));
        }
        // Required <-> optional: breaking both ways (T vs Option<T>).
        let optional = [("id", "uuid", false, false)];
        for (a, b) in [(&base, &optional), (&optional, &base)] {
            let (breaking, _, text) = one(
                &with_type("T", structure(a, false)),
                &with_type("T", structure(b, false)),
            );
            assert!(breaking && text.contains("Option"), "{text}");
        }
    }

    #[test]
    fn field_rules_follow_the_rust_type() {
        let changed = |a: &[(&str, &str, bool, bool)], b: &[(&str, &str, bool, bool)], requests| {
            one(
                &with_type("T", structure(a, requests)),
                &with_type("T", structure(b, requests)),
            )
        };
        // An array or map is `Vec`/`Map` whether required or not: compatible in responses,
        // breaking when a request value must now have it.
        let required = [("tags", "array<string>", true, false)];
        let optional = [("tags", "array<string>", false, false)];
        for (a, b) in [(&required, &optional), (&optional, &required)] {
            let (breaking, kind, text) = changed(a, b, false);
            assert_eq!((breaking, kind), (false, Kind::Changed), "{text}");
            assert!(text.contains("unchanged"), "{text}");
        }
        assert!(changed(&optional, &required, true).0);
        assert!(!changed(&required, &optional, true).0);
        // An optional field that becomes nullable stays `Option<T>`: compatible.
        let (breaking, _, text) = changed(
            &[("name", "string", false, false)],
            &[("name", "string", false, true)],
            false,
        );
        assert!(!breaking, "{text}");
        // A required nullable field that becomes optional stays `Option<T>` too.
        assert!(
            !changed(
                &[("name", "string", true, true)],
                &[("name", "string", false, true)],
                false
            )
            .0
        );
        // A default makes an optional field `T`: adding or removing one is breaking.
        let plain = with_type(
            "T",
            structure(&[("public", "boolean", false, false)], false),
        );
        let mut defaulted = plain.clone();
        if let Shape::Struct { fields } = &mut defaulted.schemas.get_mut("T").unwrap().shape {
            fields.get_mut("public").unwrap().defaulted = true;
        }
        for (a, b) in [(&plain, &defaulted), (&defaulted, &plain)] {
            let (breaking, _, text) = one(a, b);
            assert!(breaking && text.contains("Option<boolean>"), "{text}");
        }
    }

    #[test]
    fn a_changed_error_type_is_breaking() {
        // No typed error before: `Error<()>`; a documented 404 with a body changes it.
        let mut bare = op();
        bare.responses.insert("404".into(), None);
        let mut typed = op();
        typed.responses.insert("404".into(), Some("Error".into()));
        let changes = diff(&with_op(bare.clone()), &with_op(typed.clone()));
        assert!(
            changes
                .iter()
                .any(|c| c.breaking && c.text.contains("`Error<Error>` (was `Error<()>`)")),
            "{changes:?}"
        );
        // Another status with the same body keeps the error type: compatible.
        let mut more = typed.clone();
        more.responses.insert("429".into(), Some("Error".into()));
        let changes = diff(&with_op(typed), &with_op(more));
        assert!(changes.iter().all(|c| !c.breaking), "{changes:?}");
    }

    #[test]
    fn rust_field_names_are_shown() {
        let a = with_type("T", structure(&[], false));
        let b = with_type(
            "T",
            structure(&[("platformUrl", "string", false, false)], false),
        );
        let (_, _, text) = one(&a, &b);
        assert!(
            text.contains("`platformUrl` (Rust `platform_url`): `string`, optional"),
            "{text}"
        );
    }

    #[test]
    fn enum_union_and_schema_rules() {
        let e = |values: &[&str]| Schema {
            shape: Shape::Enum {
                values: values.iter().map(|v| v.to_string()).collect(),
            },
            requests: false,
            responses: true,
        };
        let (breaking, kind, text) =
            one(&with_type("S", e(&["a"])), &with_type("S", e(&["a", "b"])));
        assert_eq!((breaking, kind), (false, Kind::Added));
        assert!(text.contains("`b`"), "{text}");
        let (breaking, kind, _) = one(&with_type("S", e(&["a", "b"])), &with_type("S", e(&["a"])));
        assert_eq!((breaking, kind), (true, Kind::Removed));

        let u = |variants: &[(&str, &str)]| Schema {
            shape: Shape::Union {
                tag: Some("source".into()),
                variants: variants
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            },
            requests: false,
            responses: true,
        };
        let one_v = u(&[("api", "Api")]);
        let two_v = u(&[("api", "Api"), ("webhook", "Webhook")]);
        let (breaking, kind, text) = one(
            &with_type("U", one_v.clone()),
            &with_type("U", two_v.clone()),
        );
        assert_eq!((breaking, kind), (false, Kind::Added));
        assert!(text.contains("`webhook`"), "{text}");
        assert!(one(&with_type("U", two_v), &with_type("U", one_v.clone())).0);
        assert!(one(&with_type("U", one_v.clone()), &with_type("U", e(&["api"]))).0);

        assert!(!one(&empty(), &with_type("U", one_v.clone())).0);
        assert!(one(&with_type("U", one_v), &empty()).0);
    }

    #[test]
    fn server_and_auth_rules() {
        let mut b = empty();
        b.servers = vec!["https://b".into()];
        let (breaking, _, text) = one(&empty(), &b);
        assert!(!breaking && text.contains("default base URL"), "{text}");
        let mut c = empty();
        c.auth.insert("Key".into(), "http bearer".into());
        assert!(one(&empty(), &c).0);
        let mut d = empty();
        d.auth.clear();
        assert!(one(&empty(), &d).0);
    }

    #[test]
    fn impact_is_the_largest() {
        let c = |breaking, kind| Change {
            subject: Subject::Service,
            kind,
            breaking,
            text: String::new(),
        };
        assert_eq!(impact(&[c(false, Kind::Changed)]), Impact::Fix);
        assert_eq!(
            impact(&[c(false, Kind::Changed), c(false, Kind::Added)]),
            Impact::Addition
        );
        assert_eq!(
            impact(&[c(true, Kind::Removed), c(false, Kind::Added)]),
            Impact::Breaking
        );
        assert_eq!(Impact::Addition.label(), "compatible");
    }
}
