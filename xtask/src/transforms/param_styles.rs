//! Parameter styles: what progenitor takes, and the real one recorded beside it.
//!
//! progenitor 0.15 accepts only path `simple`, query `form` and header `simple`, ignores
//! `explode` and `allowReserved`, and rejects cookie parameters and every other style. The
//! SDK serializes parameters itself (`asteroid-sdk/src/params.rs`), so this transform:
//!
//! 1. works out every parameter's effective style (defaults: query and cookie `form`, path
//!    and header `simple`), `explode` (default `true` for `form`, else `false`) and
//!    `allowReserved` (query only; ignored elsewhere, as the spec says), and what its
//!    schema is: a primitive, an array of primitives or an object of primitives
//!    (following `$ref`s, `allOf`, and `oneOf`/`anyOf` whose branches agree);
//! 2. refuses, with the parameter's pointer and the reason, what the runtime cannot send
//!    exactly: a style not defined for the location, `spaceDelimited`/`pipeDelimited` on a
//!    primitive or with `explode: true`, `deepObject` on anything but an object or with
//!    `explode: false` (OpenAPI 3.1 "Style Examples": n/a), nested arrays or objects, a
//!    value of any type, cookie parameters, `content` instead of `schema`, and a path
//!    parameter that is not `required` (progenitor asserts on it);
//! 3. rewrites the parameter to the style progenitor takes (query `form`, path and header
//!    `simple`, no `explode` or `allowReserved`) and records the real one on the parameter
//!    object as `x-wire: {style, explode, allowReserved}`;
//! 4. gives a parameter whose type typify would make a struct (an object with named
//!    properties) a stand-in schema, a map of strings, and keeps the real one as
//!    `x-wire.schema`: progenitor's builder interface panics on struct-typed parameters
//!    (`unreachable!()` for an optional one, `assert_eq!(param.name, "body")` for a
//!    required one, in `method.rs`). The map sends the same text on the wire; restoring the
//!    typed struct in the generated code is up to its post-processing.
//!
//! [`collect`] reads the result back for the code generator: per operation, every
//! parameter with its Rust name and wire settings. A parameter that already has `x-wire`
//! is checked with those settings and left as it is, so the transform is idempotent.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::HTTP_METHODS;
use crate::error::{Result, XtaskError, child};

/// The extension that records a parameter's real serialization.
pub const EXTENSION: &str = "x-wire";

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Location {
    /// A path template expression.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
}

/// A parameter style (OpenAPI 3.1 "Style Values").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Style {
    /// `form`
    Form,
    /// `spaceDelimited`
    SpaceDelimited,
    /// `pipeDelimited`
    PipeDelimited,
    /// `deepObject`
    DeepObject,
    /// `simple`
    Simple,
    /// `label`
    Label,
    /// `matrix`
    Matrix,
}

impl Style {
    const ALL: [Style; 7] = [
        Style::Form,
        Style::SpaceDelimited,
        Style::PipeDelimited,
        Style::DeepObject,
        Style::Simple,
        Style::Label,
        Style::Matrix,
    ];

    /// The spelling of the spec.
    pub fn as_str(self) -> &'static str {
        match self {
            Style::Form => "form",
            Style::SpaceDelimited => "spaceDelimited",
            Style::PipeDelimited => "pipeDelimited",
            Style::DeepObject => "deepObject",
            Style::Simple => "simple",
            Style::Label => "label",
            Style::Matrix => "matrix",
        }
    }

    /// The variant of the runtime's `params::Style` (`Form`, `SpaceDelimited`, ...).
    pub fn variant(self) -> &'static str {
        match self {
            Style::Form => "Form",
            Style::SpaceDelimited => "SpaceDelimited",
            Style::PipeDelimited => "PipeDelimited",
            Style::DeepObject => "DeepObject",
            Style::Simple => "Simple",
            Style::Label => "Label",
            Style::Matrix => "Matrix",
        }
    }

    /// The style a spec spells `s`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// One parameter of an operation as the SDK sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireParam {
    /// The name in the API (`executionId`, `X-Trace-Tags`).
    pub api_name: String,
    /// The Rust name (`crate::names::snake_name` of the API name).
    pub rust_name: String,
    /// Where it goes.
    pub location: Location,
    /// The real style.
    pub style: Style,
    /// The real `explode`.
    pub explode: bool,
    /// `allowReserved` (always `false` outside the query).
    pub allow_reserved: bool,
    /// Whether the parameter is required.
    pub required: bool,
    /// The parameter's real schema, when progenitor was given a stand-in for it (a map of
    /// strings instead of a struct, which progenitor's builders cannot take).
    pub replaced_schema: Option<Value>,
}

/// What a parameter's schema holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Primitive,
    Array,
    Object,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::Primitive => "a primitive",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }
}

/// Check every parameter, record its real style as `x-wire`, and rewrite it to the style
/// progenitor takes (see the module docs).
pub fn apply(doc: &mut Value) -> Result<()> {
    let snapshot = doc.clone();
    for ptr in parameter_pointers(&snapshot)? {
        let Some(param) = snapshot.pointer(&ptr) else {
            continue;
        };
        let rewritten = rewrite(&snapshot, &ptr, param)?;
        if let Some(slot) = doc.pointer_mut(&ptr) {
            *slot = rewritten;
        }
    }
    Ok(())
}

/// Every operation's parameters as the SDK sends them, by `operationId`, read from a
/// document this transform has processed (a parameter without `x-wire` gets the spec's
/// defaults). Path-item parameters come first; an operation parameter with the same name
/// and location replaces one of the path item. Cookie parameters and parameters that
/// cannot be resolved are left out (`apply` refuses them).
pub fn collect(doc: &Value) -> BTreeMap<String, Vec<WireParam>> {
    let mut out = BTreeMap::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for item in paths.values() {
        let shared = item.get("parameters").and_then(Value::as_array);
        for method in HTTP_METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let own = op.get("parameters").and_then(Value::as_array);
            let mut params: Vec<WireParam> = Vec::new();
            for p in shared.into_iter().chain(own).flatten() {
                let Some(wire) = resolve_ref(doc, p).ok().and_then(wire_param) else {
                    continue;
                };
                match params
                    .iter_mut()
                    .find(|q| q.api_name == wire.api_name && q.location == wire.location)
                {
                    Some(slot) => *slot = wire,
                    None => params.push(wire),
                }
            }
            out.insert(id.to_string(), params);
        }
    }
    out
}

fn wire_param(param: &Value) -> Option<WireParam> {
    let rust_name = crate::names::snake_name(param.get("name")?.as_str()?);
    // `param_names` renamed a parameter whose name collides; its wire name is kept.
    let api_name = param
        .get(EXTENSION)
        .and_then(|w| w.get("name"))
        .or_else(|| param.get("name"))?
        .as_str()?
        .to_string();
    let location = match param.get("in")?.as_str()? {
        "path" => Location::Path,
        "query" => Location::Query,
        "header" => Location::Header,
        _ => return None,
    };
    let (style, explode, allow_reserved) = match param.get(EXTENSION) {
        Some(wire) => recorded(wire).ok()?,
        None => effective(param, location).ok()?,
    };
    Some(WireParam {
        rust_name,
        api_name,
        location,
        style,
        explode,
        allow_reserved: allow_reserved && location == Location::Query,
        required: param.get("required").and_then(Value::as_bool) == Some(true),
        replaced_schema: param.get(EXTENSION).and_then(|w| w.get("schema")).cloned(),
    })
}

/// The pointers of every parameter object an operation uses: inline ones where they are,
/// referenced ones at their target (once), so a shared component is checked once, with
/// its own pointer.
fn parameter_pointers(doc: &Value) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Ok(out);
    };
    for (path, item) in paths {
        let item_ptr = child("/paths", path);
        let mut lists = vec![(child(&item_ptr, "parameters"), item.get("parameters"))];
        for method in HTTP_METHODS {
            if let Some(op) = item.get(*method) {
                let op_ptr = child(&item_ptr, method);
                lists.push((child(&op_ptr, "parameters"), op.get("parameters")));
            }
        }
        for (list_ptr, list) in lists {
            let Some(list) = list else {
                continue;
            };
            let Some(list) = list.as_array() else {
                return Err(XtaskError::at(list_ptr, "parameters must be a list"));
            };
            for (i, p) in list.iter().enumerate() {
                let mut ptr = child(&list_ptr, &i.to_string());
                let mut current = p;
                for _ in 0..16 {
                    let Some(target) = current.get("$ref").and_then(Value::as_str) else {
                        break;
                    };
                    let Some(target_ptr) = target.strip_prefix('#') else {
                        return Err(XtaskError::at(
                            ptr,
                            format!("only local references are supported, not {target}"),
                        ));
                    };
                    current = doc.pointer(target_ptr).ok_or_else(|| {
                        XtaskError::at(&ptr, format!("unresolved parameter reference {target}"))
                    })?;
                    ptr = target_ptr.to_string();
                }
                if current.get("$ref").is_some() {
                    return Err(XtaskError::at(ptr, "parameter references form a cycle"));
                }
                if seen.insert(ptr.clone()) {
                    out.push(ptr);
                }
            }
        }
    }
    Ok(out)
}

fn resolve_ref<'a>(doc: &'a Value, mut value: &'a Value) -> std::result::Result<&'a Value, ()> {
    for _ in 0..16 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) => value = r.strip_prefix('#').and_then(|p| doc.pointer(p)).ok_or(())?,
            None => return Ok(value),
        }
    }
    Err(())
}

/// Check one parameter object and return it rewritten for progenitor.
fn rewrite(doc: &Value, ptr: &str, param: &Value) -> Result<Value> {
    let refuse = |reason: String| XtaskError::at(ptr, reason);
    let Some(obj) = param.as_object() else {
        return Err(refuse("a parameter must be a mapping".into()));
    };
    let name = obj
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| refuse("a parameter needs a `name`".into()))?;
    let location = match obj.get("in").and_then(Value::as_str) {
        Some("path") => Location::Path,
        Some("query") => Location::Query,
        Some("header") => Location::Header,
        Some("cookie") => {
            return Err(refuse(format!(
                "cookie parameter `{name}` is not supported: progenitor 0.15 rejects cookie \
                 parameters, and OpenAPI 3.1.1 (Appendix D) calls `form` style ambiguous for \
                 one cookie value and wrong for several"
            )));
        }
        Some(other) => {
            return Err(refuse(format!(
                "parameter `{name}`: unknown location `in: {other}` (path, query, header or \
                 cookie)"
            )));
        }
        None => return Err(refuse(format!("parameter `{name}` needs `in`"))),
    };
    if obj.contains_key("content") {
        return Err(refuse(format!(
            "parameter `{name}` is described with `content` (a media type) instead of \
             `schema`; the SDK serializes parameters by style only"
        )));
    }
    let Some(schema) = obj.get("schema") else {
        return Err(refuse(format!("parameter `{name}` has no `schema`")));
    };
    if location == Location::Path && obj.get("required") != Some(&Value::Bool(true)) {
        return Err(refuse(format!(
            "path parameter `{name}` must be `required: true` (OpenAPI requires it, and \
             progenitor asserts it)"
        )));
    }
    let (style, explode, allow_reserved) = match obj.get(EXTENSION) {
        Some(wire) => recorded(wire),
        None => effective(param, location),
    }
    .map_err(|reason| refuse(format!("parameter `{name}`: {reason}")))?;

    let allowed: &[Style] = match location {
        Location::Path => &[Style::Simple, Style::Label, Style::Matrix],
        Location::Query => &[
            Style::Form,
            Style::SpaceDelimited,
            Style::PipeDelimited,
            Style::DeepObject,
        ],
        Location::Header => &[Style::Simple],
    };
    if !allowed.contains(&style) {
        let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
        return Err(refuse(format!(
            "parameter `{name}`: style {} is not defined for {} parameters (OpenAPI 3.1 Style \
             Values allow {})",
            style.as_str(),
            location_name(location),
            names.join(", ")
        )));
    }
    // After a first run the real schema is in `x-wire` (see below).
    let schema = obj
        .get(EXTENSION)
        .and_then(|w| w.get("schema"))
        .unwrap_or(schema);
    let kind = kind_of(doc, schema, 0).and_then(|k| {
        k.ok_or_else(|| {
            "its schema does not say what the value is, so it may hold a nested array or \
             object"
                .to_string()
        })
    });
    let kind = kind.map_err(|reason| {
        refuse(format!(
            "parameter `{name}` cannot be serialized as a parameter: {reason} (only a \
             primitive, an array of primitives or an object of primitives can)"
        ))
    })?;
    let n_a = match style {
        Style::SpaceDelimited | Style::PipeDelimited => {
            if kind == Kind::Primitive {
                Some(format!("{} (only arrays and objects)", kind.describe()))
            } else if explode {
                Some("`explode: true` (only `explode: false`)".to_string())
            } else {
                None
            }
        }
        Style::DeepObject => {
            if kind != Kind::Object {
                Some(format!("{} (only objects)", kind.describe()))
            } else if !explode {
                Some("`explode: false` (only `explode: true`)".to_string())
            } else {
                None
            }
        }
        _ => None,
    };
    if let Some(what) = n_a {
        return Err(refuse(format!(
            "parameter `{name}`: style {} is not defined for {what}; OpenAPI 3.1 Style \
             Examples mark it n/a",
            style.as_str()
        )));
    }

    let mut out: Map<String, Value> = obj.clone();
    let mut wire = json!({
        "style": style.as_str(),
        "explode": explode,
        "allowReserved": allow_reserved,
    });
    if let Some(original) = obj.get(EXTENSION).and_then(|w| w.get("schema")) {
        wire["schema"] = original.clone();
    } else if kind == Kind::Object && is_struct(doc, schema, 0) {
        // progenitor's builder interface panics on a parameter whose type is a struct
        // (`unreachable!()` when optional, `assert_eq!(name, "body")` when required).
        // A map of strings sends the same text; the real schema stays in `x-wire`.
        wire["schema"] = schema.clone();
        let mut stand_in = json!({"type": "object", "additionalProperties": {"type": "string"}});
        if let Some(d) = resolve_schema(doc, schema).get("description") {
            stand_in["description"] = d.clone();
        }
        out.insert("schema".into(), stand_in);
    }
    let progenitor_style = match location {
        Location::Query => "form",
        Location::Path | Location::Header => "simple",
    };
    out.insert("style".into(), Value::from(progenitor_style));
    out.remove("explode");
    out.remove("allowReserved");
    out.insert(EXTENSION.into(), wire);
    Ok(Value::Object(out))
}

fn location_name(location: Location) -> &'static str {
    match location {
        Location::Path => "path",
        Location::Query => "query",
        Location::Header => "header",
    }
}

/// Style, explode and allowReserved as the parameter object says, with the defaults.
fn effective(
    param: &Value,
    location: Location,
) -> std::result::Result<(Style, bool, bool), String> {
    let style = match param.get("style") {
        None => match location {
            Location::Query => Style::Form,
            Location::Path | Location::Header => Style::Simple,
        },
        Some(Value::String(s)) => Style::parse(s).ok_or_else(|| format!("unknown style `{s}`"))?,
        Some(other) => return Err(format!("`style` must be a string, not {other}")),
    };
    let explode = match param.get("explode") {
        None => style == Style::Form,
        Some(Value::Bool(b)) => *b,
        Some(other) => return Err(format!("`explode` must be a boolean, not {other}")),
    };
    let allow_reserved = match param.get("allowReserved") {
        None => false,
        // Only meaningful for the query; the spec says it is ignored elsewhere.
        Some(Value::Bool(b)) => *b && location == Location::Query,
        Some(other) => return Err(format!("`allowReserved` must be a boolean, not {other}")),
    };
    Ok((style, explode, allow_reserved))
}

/// Style, explode and allowReserved as an `x-wire` extension records them.
fn recorded(wire: &Value) -> std::result::Result<(Style, bool, bool), String> {
    let bad = || format!("`{EXTENSION}` must be {{style, explode, allowReserved}}, found {wire}");
    let style = wire
        .get("style")
        .and_then(Value::as_str)
        .and_then(Style::parse)
        .ok_or_else(bad)?;
    let explode = wire
        .get("explode")
        .and_then(Value::as_bool)
        .ok_or_else(bad)?;
    let allow_reserved = wire
        .get("allowReserved")
        .and_then(Value::as_bool)
        .ok_or_else(bad)?;
    Ok((style, explode, allow_reserved))
}

/// What a schema holds: `Ok(None)` when it does not constrain the type (any value).
fn kind_of(doc: &Value, schema: &Value, depth: usize) -> std::result::Result<Option<Kind>, String> {
    if depth > 32 {
        return Err("its schema is recursive".into());
    }
    let Some(obj) = schema.as_object() else {
        return match schema {
            // `true` allows anything; `false` nothing.
            Value::Bool(true) => Ok(None),
            _ => Err(format!("its schema is not a schema object: {schema}")),
        };
    };
    if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
        let target = r
            .strip_prefix('#')
            .and_then(|p| doc.pointer(p))
            .ok_or_else(|| format!("unresolved schema reference {r}"))?;
        return kind_of(doc, target, depth + 1);
    }
    // What `allOf`, `oneOf`/`anyOf` and the schema's own keywords say.
    let mut kinds: Vec<Kind> = Vec::new();
    if let Some(all) = obj.get("allOf").and_then(Value::as_array) {
        for sub in all {
            if let Some(k) = kind_of(doc, sub, depth + 1)? {
                kinds.push(k);
            }
        }
    }
    for key in ["oneOf", "anyOf"] {
        let Some(branches) = obj.get(key).and_then(Value::as_array) else {
            continue;
        };
        let mut branch_kinds = Vec::new();
        for sub in branches {
            if is_null_schema(sub) {
                continue;
            }
            match kind_of(doc, sub, depth + 1)? {
                Some(k) => branch_kinds.push(k),
                None => return Err(format!("a branch of its `{key}` allows any value")),
            }
        }
        if let Some(first) = branch_kinds.first() {
            if branch_kinds.iter().any(|k| k != first) {
                return Err(format!(
                    "the branches of its `{key}` are of different kinds"
                ));
            }
            kinds.push(*first);
        }
    }
    if let Some(own) = own_kind(doc, obj, depth)? {
        kinds.push(own);
    }
    match kinds.first() {
        None => Ok(None),
        Some(first) if kinds.iter().all(|k| k == first) => Ok(Some(*first)),
        Some(_) => Err("its `allOf` combines schemas of different kinds".into()),
    }
}

/// Follow `$ref`s to the schema they name (the schema itself if one does not resolve).
fn resolve_schema<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| doc.pointer(p))
        {
            Some(target) => schema = target,
            None => break,
        }
    }
    schema
}

/// Whether typify makes a struct of this object schema (named properties or an `allOf`),
/// rather than a map (only `additionalProperties`) or an enum (`oneOf`/`anyOf`).
fn is_struct(doc: &Value, schema: &Value, depth: usize) -> bool {
    let schema = resolve_schema(doc, schema);
    if depth > 32 {
        return false;
    }
    let branches = ["oneOf", "anyOf"].iter().any(|k| {
        schema
            .get(*k)
            .and_then(Value::as_array)
            .is_some_and(|b| b.iter().filter(|s| !is_null_schema(s)).count() > 1)
    });
    if branches {
        return false;
    }
    let named = schema
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty());
    named
        || ["allOf", "oneOf", "anyOf"].iter().any(|k| {
            schema
                .get(*k)
                .and_then(Value::as_array)
                .is_some_and(|parts| parts.iter().any(|p| is_struct(doc, p, depth + 1)))
        })
}

fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
        || schema.get("enum") == Some(&json!([null]))
}

/// The kind the schema's own `type` (or `enum`, `const`, `items`, `properties`) gives.
fn own_kind(
    doc: &Value,
    obj: &Map<String, Value>,
    depth: usize,
) -> std::result::Result<Option<Kind>, String> {
    let types: Vec<&str> = match obj.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let types: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
    let primitive = |t: &str| matches!(t, "string" | "integer" | "number" | "boolean");
    if !types.is_empty() {
        if types.iter().all(|t| primitive(t)) {
            return Ok(Some(Kind::Primitive));
        }
        if types.len() > 1 {
            return Err(format!(
                "its schema allows several types ({})",
                types.join(", ")
            ));
        }
    }
    let structured = |v: &Value| v.is_array() || v.is_object();
    match types.first().copied() {
        Some("array") => array_kind(doc, obj, depth).map(Some),
        Some("object") => object_kind(doc, obj, depth).map(Some),
        Some(other) => Err(format!("unknown type `{other}`")),
        None => {
            if let Some(values) = obj.get("enum").and_then(Value::as_array) {
                if values.iter().any(structured) {
                    return Err("its `enum` lists arrays or objects".into());
                }
                return Ok(Some(Kind::Primitive));
            }
            if let Some(c) = obj.get("const") {
                if structured(c) {
                    return Err("its `const` is an array or an object".into());
                }
                return Ok(Some(Kind::Primitive));
            }
            if obj.contains_key("items") {
                return array_kind(doc, obj, depth).map(Some);
            }
            if obj.contains_key("properties") || obj.contains_key("additionalProperties") {
                return object_kind(doc, obj, depth).map(Some);
            }
            Ok(None)
        }
    }
}

fn array_kind(
    doc: &Value,
    obj: &Map<String, Value>,
    depth: usize,
) -> std::result::Result<Kind, String> {
    let Some(items) = obj.get("items") else {
        return Err("its array items may be of any type".into());
    };
    match kind_of(doc, items, depth + 1)? {
        Some(Kind::Primitive) => Ok(Kind::Array),
        Some(Kind::Array) => Err("it is an array of arrays (nested)".into()),
        Some(Kind::Object) => Err("it is an array of objects (nested)".into()),
        None => Err("its array items may be of any type".into()),
    }
}

fn object_kind(
    doc: &Value,
    obj: &Map<String, Value>,
    depth: usize,
) -> std::result::Result<Kind, String> {
    let properties = obj.get("properties").and_then(Value::as_object);
    for (prop, schema) in properties.into_iter().flatten() {
        match kind_of(doc, schema, depth + 1)? {
            Some(Kind::Primitive) => {}
            Some(k) => {
                return Err(format!(
                    "its property `{prop}` is {} (nested)",
                    k.describe()
                ));
            }
            None => return Err(format!("its property `{prop}` may hold any value")),
        }
    }
    match obj.get("additionalProperties") {
        // Other properties are not kept by the generated struct.
        Some(Value::Bool(false)) => Ok(Kind::Object),
        None | Some(Value::Bool(true)) if properties.is_some_and(|p| !p.is_empty()) => {
            Ok(Kind::Object)
        }
        None | Some(Value::Bool(true)) => {
            Err("it is a free-form object, whose values may be of any type".into())
        }
        Some(extra) => match kind_of(doc, extra, depth + 1)? {
            Some(Kind::Primitive) => Ok(Kind::Object),
            Some(k) => Err(format!(
                "its `additionalProperties` are {} (nested)",
                k.describe()
            )),
            None => Err("its `additionalProperties` may hold any value".into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document with one operation whose only parameter is `param`, and a `Window`
    /// object schema and `Tags` array schema to refer to.
    fn doc_with(param: Value) -> Value {
        json!({
            "paths": {"/items/{id}": {"get": {
                "operationId": "ListItems",
                "parameters": [param],
                "responses": {"200": {"description": "ok"}}
            }}},
            "components": {"schemas": {
                "Window": {"type": "object", "properties": {
                    "after": {"type": "string", "format": "date-time"},
                    "before": {"type": "string", "format": "date-time"}}},
                "Tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                "Tag": {"type": "string", "enum": ["a", "b"]},
                "Nested": {"type": "object", "properties": {"w": {"$ref": "#/components/schemas/Window"}}}
            }}
        })
    }

    const PTR: &str = "/paths/~1items~1{id}/get/parameters/0";

    fn accepted(param: Value) -> Value {
        let mut d = doc_with(param);
        apply(&mut d).unwrap_or_else(|e| panic!("{e}"));
        d.pointer(PTR).unwrap().clone()
    }

    fn refused(param: Value) -> String {
        let mut d = doc_with(param);
        let e = apply(&mut d).expect_err("refused");
        assert_eq!(e.location.pointer.as_deref(), Some(PTR), "{e}");
        e.message
    }

    fn q(style: &str, explode: Option<bool>, schema: Value) -> Value {
        let mut p = json!({"name": "p", "in": "query", "style": style, "schema": schema});
        if let Some(e) = explode {
            p["explode"] = Value::Bool(e);
        }
        p
    }

    /// The recorded style, explode and allowReserved (without a replaced `schema`).
    fn wire(p: &Value) -> Value {
        let mut w = p[EXTENSION].clone();
        if let Some(w) = w.as_object_mut() {
            w.remove("schema");
        }
        w
    }

    #[test]
    fn defaults_are_recorded_and_the_style_is_the_one_progenitor_takes() {
        let p = accepted(json!({"name": "p", "in": "query", "schema": {"type": "string"}}));
        assert_eq!(p["style"], "form");
        assert_eq!(
            wire(&p),
            json!({"style": "form", "explode": true, "allowReserved": false})
        );
        let p = accepted(
            json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}),
        );
        assert_eq!(p["style"], "simple");
        assert_eq!(
            wire(&p),
            json!({"style": "simple", "explode": false, "allowReserved": false})
        );
        let p = accepted(
            json!({"name": "X-T", "in": "header", "schema": {"$ref": "#/components/schemas/Tags"}}),
        );
        assert_eq!(p["style"], "simple");
        assert_eq!(wire(&p)["explode"], false);
    }

    #[test]
    fn every_defined_query_style_is_accepted_and_rewritten_to_form() {
        let array = json!({"type": "array", "items": {"type": "string"}});
        let object = json!({"$ref": "#/components/schemas/Window"});
        for (style, explode, schema) in [
            ("form", Some(false), array.clone()),
            (
                "form",
                Some(true),
                json!({"$ref": "#/components/schemas/Tags"}),
            ),
            ("form", None, object.clone()),
            ("spaceDelimited", Some(false), array.clone()),
            ("spaceDelimited", None, object.clone()),
            ("pipeDelimited", Some(false), array.clone()),
            ("pipeDelimited", None, object.clone()),
            ("deepObject", Some(true), object.clone()),
        ] {
            let mut param = q(style, explode, schema);
            param["allowReserved"] = Value::Bool(true);
            let p = accepted(param);
            assert_eq!(p["style"], "form", "{style}");
            assert!(p.get("explode").is_none() && p.get("allowReserved").is_none());
            let want_explode = explode.unwrap_or(style == "form");
            assert_eq!(
                wire(&p),
                json!({"style": style, "explode": want_explode, "allowReserved": true}),
                "{style}"
            );
        }
    }

    #[test]
    fn path_styles_are_accepted_and_rewritten_to_simple() {
        for style in ["simple", "label", "matrix"] {
            for schema in [
                json!({"type": "string"}),
                json!({"type": "array", "items": {"type": "integer"}}),
                json!({"$ref": "#/components/schemas/Window"}),
            ] {
                let p = accepted(json!({"name": "id", "in": "path", "required": true,
                    "style": style, "explode": true, "allowReserved": true, "schema": schema}));
                assert_eq!(p["style"], "simple");
                // allowReserved is ignored outside the query.
                assert_eq!(
                    wire(&p),
                    json!({"style": style, "explode": true, "allowReserved": false})
                );
            }
        }
    }

    #[test]
    fn schemas_are_resolved_through_refs_allof_and_agreeing_branches() {
        for schema in [
            json!({"allOf": [{"$ref": "#/components/schemas/Tag"}], "description": "d"}),
            json!({"oneOf": [{"type": "string"}, {"type": "integer"}]}),
            json!({"anyOf": [{"$ref": "#/components/schemas/Tag"}, {"type": "null"}]}),
            json!({"type": ["string", "null"]}),
            json!({"enum": ["x", 1]}),
            json!({"type": "string", "nullable": true}),
        ] {
            accepted(q("form", None, schema));
        }
        // An object merged from allOf parts is still an object of primitives.
        let p = accepted(q(
            "deepObject",
            Some(true),
            json!({"allOf": [{"$ref": "#/components/schemas/Window"},
                {"type": "object", "properties": {"n": {"type": "integer"}}}]}),
        ));
        assert_eq!(wire(&p)["style"], "deepObject");
        // A map of primitives (the spec's own "freeForm" example).
        accepted(q(
            "form",
            None,
            json!({"type": "object", "additionalProperties": {"type": "integer"}}),
        ));
    }

    #[test]
    fn a_referenced_component_parameter_is_rewritten_once_where_it_is_defined() {
        let mut d = doc_with(json!({"$ref": "#/components/parameters/Created"}));
        d["paths"]["/items/{id}"]["parameters"] =
            json!([{"$ref": "#/components/parameters/Created"}]);
        d["components"]["parameters"] = json!({"Created": q("deepObject", Some(true),
            json!({"$ref": "#/components/schemas/Window"}))});
        apply(&mut d).unwrap();
        let c = &d["components"]["parameters"]["Created"];
        assert_eq!(c["style"], "form");
        assert_eq!(c[EXTENSION]["style"], "deepObject");
        assert_eq!(
            d.pointer(PTR).unwrap(),
            &json!({"$ref": "#/components/parameters/Created"})
        );
        // A refused component is reported at its own pointer.
        d["components"]["parameters"]["Created"]["in"] = json!("cookie");
        d["components"]["parameters"]["Created"]
            .as_object_mut()
            .unwrap()
            .remove(EXTENSION);
        let e = apply(&mut d).unwrap_err();
        assert_eq!(
            e.location.pointer.as_deref(),
            Some("/components/parameters/Created")
        );
    }

    #[test]
    fn applying_twice_changes_nothing() {
        let mut d = doc_with(q(
            "pipeDelimited",
            Some(false),
            json!({"type": "array", "items": {"type": "string"}}),
        ));
        apply(&mut d).unwrap();
        let once = d.clone();
        apply(&mut d).unwrap();
        assert_eq!(d, once);
    }

    #[test]
    fn styles_outside_their_location_are_refused() {
        let m = refused(q("simple", None, json!({"type": "string"})));
        assert!(m.contains("style simple is not defined for query"), "{m}");
        let m = refused(q("matrix", None, json!({"type": "string"})));
        assert!(m.contains("matrix"), "{m}");
        let m = refused(
            json!({"name": "id", "in": "path", "required": true, "style": "form",
            "schema": {"type": "string"}}),
        );
        assert!(m.contains("not defined for path"), "{m}");
        let m = refused(json!({"name": "X", "in": "header", "style": "label",
            "schema": {"type": "string"}}));
        assert!(m.contains("not defined for header"), "{m}");
        let m = refused(q("tabDelimited", None, json!({"type": "string"})));
        assert!(m.contains("unknown style `tabDelimited`"), "{m}");
    }

    #[test]
    fn n_a_style_and_type_combinations_are_refused() {
        let array = json!({"type": "array", "items": {"type": "string"}});
        let window = json!({"$ref": "#/components/schemas/Window"});
        let cases = [
            (
                q("deepObject", Some(true), json!({"type": "string"})),
                "a primitive (only objects)",
            ),
            (
                q("deepObject", Some(true), array.clone()),
                "an array (only objects)",
            ),
            (
                q("deepObject", Some(false), window.clone()),
                "`explode: false`",
            ),
            (q("deepObject", None, window.clone()), "`explode: false`"),
            (
                q("spaceDelimited", Some(false), json!({"type": "integer"})),
                "a primitive",
            ),
            (
                q("pipeDelimited", None, json!({"type": "string"})),
                "a primitive",
            ),
            (
                q("spaceDelimited", Some(true), array.clone()),
                "`explode: true`",
            ),
            (
                q("pipeDelimited", Some(true), window.clone()),
                "`explode: true`",
            ),
        ];
        for (param, want) in cases {
            let m = refused(param.clone());
            assert!(m.contains(want) && m.contains("n/a"), "{param}: {m}");
        }
    }

    #[test]
    fn nested_and_untyped_values_are_refused() {
        let cases = [
            (
                json!({"type": "array", "items": {"type": "array", "items": {"type": "string"}}}),
                "nested",
            ),
            (
                json!({"$ref": "#/components/schemas/Nested"}),
                "property `w` is an object",
            ),
            (
                json!({"type": "object", "properties": {"l": {"$ref": "#/components/schemas/Tags"}}}),
                "property `l` is an array",
            ),
            (json!({"type": "object"}), "free-form object"),
            (
                json!({"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}),
                "`additionalProperties` are an array",
            ),
            (json!({"type": "array"}), "any type"),
            (json!({}), "does not say"),
            (
                json!({"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/Tags"}]}),
                "different kinds",
            ),
            (
                json!({"type": ["string", "array"], "items": {"type": "string"}}),
                "several types",
            ),
            (
                json!({"$ref": "#/components/schemas/Missing"}),
                "unresolved",
            ),
        ];
        for (schema, want) in cases {
            let m = refused(q("form", None, schema.clone()));
            assert!(m.contains(want), "{schema}: {m}");
        }
    }

    #[test]
    fn cookies_content_and_optional_path_parameters_are_refused() {
        let m = refused(json!({"name": "session", "in": "cookie", "schema": {"type": "string"}}));
        assert!(m.contains("cookie parameter `session`"), "{m}");
        let m = refused(json!({"name": "coords", "in": "query",
            "content": {"application/json": {"schema": {"type": "object"}}}}));
        assert!(m.contains("`content`"), "{m}");
        let m = refused(json!({"name": "id", "in": "path", "schema": {"type": "string"}}));
        assert!(m.contains("required: true"), "{m}");
        let m = refused(
            json!({"name": "p", "in": "query", "explode": "yes", "schema": {"type": "string"}}),
        );
        assert!(m.contains("`explode` must be a boolean"), "{m}");
    }

    #[test]
    fn a_struct_typed_parameter_gets_a_map_stand_in_and_keeps_its_schema_in_x_wire() {
        let window = json!({"$ref": "#/components/schemas/Window"});
        for param in [
            q("deepObject", Some(true), window.clone()),
            json!({"name": "id", "in": "path", "required": true, "schema": window.clone()}),
            json!({"name": "X-W", "in": "header", "schema": {"allOf": [window.clone()]}}),
        ] {
            let p = accepted(param.clone());
            assert_eq!(
                p["schema"],
                json!({"type": "object", "additionalProperties": {"type": "string"}}),
                "{param}"
            );
            assert_eq!(p[EXTENSION]["schema"], param["schema"]);
        }
        // Maps and unions are not structs: progenitor takes them as they are.
        for schema in [
            json!({"type": "object", "additionalProperties": {"type": "integer"}}),
            json!({"oneOf": [window.clone(), {"type": "object", "properties": {"n": {"type": "integer"}}}]}),
        ] {
            let p = accepted(q("form", None, schema.clone()));
            assert_eq!(p["schema"], schema);
            assert!(p[EXTENSION].get("schema").is_none());
        }
        // A second run checks the real schema and keeps the stand-in.
        let mut d = doc_with(q("deepObject", Some(true), window.clone()));
        apply(&mut d).unwrap();
        let once = d.clone();
        apply(&mut d).unwrap();
        assert_eq!(d, once);
        let wire = &collect(&d)["ListItems"][0];
        assert_eq!(wire.replaced_schema.as_ref(), Some(&window));
    }

    #[test]
    fn collect_lists_each_operations_parameters_with_overrides() {
        let mut d = doc_with(q(
            "deepObject",
            Some(true),
            json!({"$ref": "#/components/schemas/Window"}),
        ));
        let op = &mut d["paths"]["/items/{id}"];
        op["parameters"] = json!([
            {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "X-Trace-Tags", "in": "header", "schema": {"type": "string"}}
        ]);
        op["get"]["parameters"].as_array_mut().unwrap().push(json!(
            {"name": "X-Trace-Tags", "in": "header", "required": true,
             "schema": {"type": "array", "items": {"type": "string"}}}));
        op["get"]["parameters"].as_array_mut().unwrap().push(json!(
            {"name": "status", "in": "query", "style": "form", "explode": false, "allowReserved": true,
             "schema": {"type": "array", "items": {"type": "string"}}}));
        apply(&mut d).unwrap();
        let all = collect(&d);
        let params = &all["ListItems"];
        type Row<'a> = (&'a str, &'a str, Location, Style, bool, bool, bool);
        fn row(p: &WireParam) -> Row<'_> {
            (
                &p.api_name,
                &p.rust_name,
                p.location,
                p.style,
                p.explode,
                p.allow_reserved,
                p.required,
            )
        }
        let rows: Vec<_> = params.iter().map(row).collect();
        assert_eq!(
            rows,
            [
                (
                    "id",
                    "id",
                    Location::Path,
                    Style::Simple,
                    false,
                    false,
                    true
                ),
                (
                    "X-Trace-Tags",
                    "x_trace_tags",
                    Location::Header,
                    Style::Simple,
                    false,
                    false,
                    true
                ),
                (
                    "p",
                    "p",
                    Location::Query,
                    Style::DeepObject,
                    true,
                    false,
                    false
                ),
                (
                    "status",
                    "status",
                    Location::Query,
                    Style::Form,
                    false,
                    true,
                    false
                ),
            ]
        );
        assert_eq!(Style::DeepObject.variant(), "DeepObject");
    }
}
