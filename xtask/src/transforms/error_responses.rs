//! One error type per operation, and one name for the API's error body.
//!
//! progenitor asserts (panics) when the error responses of one operation use more than one
//! schema. Specs often give each status its own schema of the same shape (ours:
//! `Common.NotFoundErrorBody`, `Common.ForbiddenErrorBody`, ... each `{code, message}` with
//! a different one-value `code` enum). This transform merges such schemas into one and
//! points every error response of the operation at it. Schemas of different shapes cannot
//! be merged without losing information and are reported with the operation's pointer.
//!
//! # Groups
//!
//! The error schemas (JSON bodies of `4XX`, `5XX` and `default` responses) fall into
//! groups: two schemas are in one group when they have the same shape (annotations and
//! `enum` lists aside) or when one operation answers both. A group's members merge into
//! one object schema (members not in all of them optional, differing `enum`s widened).
//!
//! # Names
//!
//! A type's name never depends on which other schemas the spec has, so that a later spec
//! adding an error shape renames nothing:
//!
//! - **The error body** is named `ErrorBody` ([`ERROR_BODY`]), whether its group has one
//!   schema or many: `asteroid_sdk::ErrorBody` and the default of `Error<E = ErrorBody>`
//!   exist for every spec. It is the group whose merged schema has a string `message`
//!   (the `{code, message}` shape of the Asteroid API, petstore's `Error`); among several
//!   such, the one with a `code` too, then the one that the most operations answer, then
//!   the one whose first member name sorts first. A new error shape that joins it (a new
//!   `Common.TooManyRequestsErrorBody`, a `Common.Error` with more members) adds members
//!   to `ErrorBody`: optional fields of a `#[non_exhaustive]` struct, a compatible change.
//! - **Another group of several schemas** is named after its own members: what their
//!   names share (`Common.ValidationErrorA` and `Common.ValidationErrorB`:
//!   `Common.ValidationError`), or, when that is too short or would be `ErrorBody`, their
//!   Rust names joined by `Or` (`ConflictErrorBodyOrGoneErrorBody`).
//! - **Another group of one schema** keeps the schema's own name.
//! - **A spec without a JSON error body** gets the SDK's own `ErrorBody` (`code` and
//!   `message`, both optional), unless it has a schema named `ErrorBody` already.
//!
//! A spec schema named `ErrorBody` that is not the error body is refused (add a row to
//! `RENAMES`); the originals of a merged group go when nothing else refers to them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::{HTTP_METHODS, is_annotation, schema_ref_name};
use crate::error::{Result, XtaskError, child};

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// Marks a schema this transform made by merging others.
pub const MERGED: &str = "x-xtask-merged";

/// The name of the API's error body, whatever the spec calls its error schemas.
pub const ERROR_BODY: &str = "ErrorBody";

/// One error response of one operation.
struct Site {
    op_ptr: String,
    status: String,
    media: String,
    schema: Value,
}

/// Merge same-shape error schemas across the whole spec, then check that every operation
/// is left with one error type.
///
/// Grouping is global, not per operation, so that every operation whose errors have the
/// `{code, message}` shape returns the same Rust type, and a later spec that adds an error
/// schema of that shape (a new `Common.TooManyRequestsErrorBody`) keeps the type's name.
pub fn apply(doc: &mut Value) -> Result<()> {
    let snapshot = doc.clone();
    let sites = collect_sites(&snapshot)?;

    // Distinct schemas. Two belong to one error type when they have the same shape, or
    // when one operation answers both (progenitor needs one error type per operation).
    let mut distinct: Vec<&Value> = Vec::new();
    for site in &sites {
        if !distinct.contains(&&site.schema) {
            distinct.push(&site.schema);
        }
    }
    let index = |s: &Value| distinct.iter().position(|d| *d == s).unwrap_or(0);
    let mut parent: Vec<usize> = (0..distinct.len()).collect();
    fn find(parent: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while parent[r] != r {
            r = parent[r];
        }
        parent[i] = r;
        r
    }
    let shapes: Vec<Value> = distinct
        .iter()
        .map(|s| shape(resolve_schema(&snapshot, s)))
        .collect();
    for i in 0..distinct.len() {
        for j in 0..i {
            if shapes[i] == shapes[j] {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    for site in &sites {
        let first = sites
            .iter()
            .find(|s| s.op_ptr == site.op_ptr)
            .map_or(0, |s| index(&s.schema));
        let (a, b) = (
            find(&mut parent, index(&site.schema)),
            find(&mut parent, first),
        );
        parent[a] = b;
    }
    // The first operation that uses each group: where a refusal points.
    let mut op_of_group: BTreeMap<usize, String> = BTreeMap::new();
    for site in &sites {
        let root = find(&mut parent, index(&site.schema));
        op_of_group
            .entry(root)
            .or_insert_with(|| site.op_ptr.clone());
    }
    let mut groups: BTreeMap<usize, Vec<&Value>> = BTreeMap::new();
    for (i, schema) in distinct.iter().enumerate() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(schema);
    }

    // The merged schema of every group (a group of one: its schema), and which group is
    // the API's error body (see the module docs).
    let mut merged_groups: Vec<(Vec<&Value>, Value, Vec<String>, usize)> = Vec::new();
    for (root, members) in &groups {
        let op_ptr = op_of_group.get(root).cloned().unwrap_or_default();
        let merged_schema = if members.len() > 1 {
            merge_all(&snapshot, members, &child(&op_ptr, "responses"))?
        } else {
            resolve_schema(&snapshot, members[0]).clone()
        };
        let mut names: Vec<String> = members
            .iter()
            .filter_map(|s| schema_ref_name(s).map(str::to_string))
            .collect();
        names.sort();
        let ops: BTreeSet<&str> = sites
            .iter()
            .filter(|s| find(&mut parent, index(&s.schema)) == *root)
            .map(|s| s.op_ptr.as_str())
            .collect();
        merged_groups.push((members.clone(), merged_schema, names, ops.len()));
    }
    let primary = merged_groups
        .iter()
        .enumerate()
        .max_by(|(_, a), (_, b)| {
            primary_rank(&a.1, a.3)
                .cmp(&primary_rank(&b.1, b.3))
                // Ties: the group whose first member name sorts first.
                .then_with(|| b.2.first().cmp(&a.2.first()))
        })
        .map(|(i, _)| i);

    let mut replacements: Vec<(Value, Value)> = Vec::new();
    let mut new_schemas: Vec<(String, Value)> = Vec::new();
    let mut merged_away: Vec<String> = Vec::new();
    for (i, (members, merged_schema, names, _)) in merged_groups.into_iter().enumerate() {
        let is_primary = Some(i) == primary;
        if members.len() < 2 && !is_primary {
            continue;
        }
        let name = if is_primary {
            ERROR_BODY.to_string()
        } else {
            secondary_name(&names)
        };
        if is_primary
            && snapshot
                .pointer(&child("/components/schemas", ERROR_BODY))
                .is_some()
            && !names.iter().any(|n| n == ERROR_BODY)
        {
            return Err(XtaskError::at(
                child("/components/schemas", ERROR_BODY),
                "the SDK names the API's error body `ErrorBody`, and this schema is not it; \
                 add a row for it to RENAMES in xtask/src/names.rs",
            ));
        }
        let mut schema = merged_schema;
        if let Some(obj) = schema.as_object_mut() {
            // Made here, not in the spec (`type_names` does not cite it as a spec name).
            obj.insert(MERGED.into(), Value::Bool(true));
            if members.len() > 1 && !names.is_empty() {
                obj.insert(
                    "description".into(),
                    Value::from(format!(
                        "An error body: one shape shared by {}.",
                        names.join(", ")
                    )),
                );
            } else if let [only] = names.as_slice() {
                let said = format!("The spec's `{only}`.");
                let desc = match obj.get("description").and_then(Value::as_str) {
                    Some(d) => format!("{d}\n\n{said}"),
                    None => format!("An error body. {said}"),
                };
                obj.insert("description".into(), Value::from(desc));
            }
        }
        if names.len() == 1 && names[0] == name {
            // A group of one that already has the name: nothing to do.
            continue;
        }
        new_schemas.push((name.clone(), schema));
        merged_away.extend(names.into_iter().filter(|n| *n != name));
        let reference = serde_json::json!({ "$ref": format!("{SCHEMA_PREFIX}{name}") });
        for m in members {
            replacements.push(((*m).clone(), reference.clone()));
        }
    }
    if primary.is_none() && !has_error_body(&snapshot) {
        new_schemas.push((ERROR_BODY.to_string(), fallback_error_body()));
    }

    // Point every error response at its replacement; each operation must be left with
    // one error schema.
    let mut per_op: BTreeMap<String, Vec<(Value, &Value)>> = BTreeMap::new();
    for site in &sites {
        let effective = replacements
            .iter()
            .find(|(from, _)| *from == site.schema)
            .map_or(&site.schema, |(_, to)| to);
        per_op
            .entry(site.op_ptr.clone())
            .or_default()
            .push((effective.clone(), &site.schema));
    }
    for (op_ptr, schemas) in &per_op {
        let mut seen: Vec<&(Value, &Value)> = Vec::new();
        for entry in schemas {
            if !seen.iter().any(|s| s.0 == entry.0) {
                seen.push(entry);
            }
        }
        if seen.len() > 1 {
            return Err(XtaskError::at(
                child(op_ptr, "responses"),
                format!(
                    "the error responses use schemas of different shapes ({} and {}); \
                     progenitor needs one error type per operation",
                    describe(seen[0].1),
                    describe(seen[1].1)
                ),
            ));
        }
    }
    if replacements.is_empty() && new_schemas.is_empty() {
        return Ok(());
    }
    for site in &sites {
        let Some((_, to)) = replacements.iter().find(|(from, _)| *from == site.schema) else {
            continue;
        };
        let Some(responses) = doc
            .pointer_mut(&child(&site.op_ptr, "responses"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        let Some(response) = responses.get_mut(&site.status) else {
            continue;
        };
        // A shared response component is copied into the operation before it changes.
        if response.get("$ref").is_some() {
            *response = resolve_response(&snapshot, response, &site.op_ptr)?;
        }
        if let Some(slot) = response
            .get_mut("content")
            .and_then(|c| c.get_mut(&site.media))
            .and_then(Value::as_object_mut)
        {
            slot.insert("schema".into(), to.clone());
        }
    }

    let schemas = doc
        .as_object_mut()
        .and_then(|r| {
            r.entry("components")
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
        })
        .and_then(|c| {
            c.entry("schemas")
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
        })
        .ok_or_else(|| XtaskError::at("/components", "must be a mapping"))?;
    for (name, schema) in new_schemas {
        schemas.insert(name, schema);
    }
    // The merged originals go when nothing refers to them any more.
    let text = serde_json::to_string(doc).unwrap_or_default();
    let schemas = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut);
    if let Some(schemas) = schemas {
        for name in merged_away {
            let needle = format!("\"{SCHEMA_PREFIX}{name}\"");
            if !text.contains(&needle) {
                schemas.remove(&name);
            }
        }
    }
    Ok(())
}

/// Every error response with a JSON body, operation by operation.
fn collect_sites(doc: &Value) -> Result<Vec<Site>> {
    let mut sites = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Ok(sites);
    };
    for (path, item) in paths {
        let item_ptr = child("/paths", path);
        let Some(item) = item.as_object() else {
            continue;
        };
        for method in HTTP_METHODS {
            let Some(op) = item.get(*method).and_then(Value::as_object) else {
                continue;
            };
            let op_ptr = child(&item_ptr, method);
            let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                continue;
            };
            for (status, response) in responses {
                if !is_error_status(status) {
                    continue;
                }
                let resolved = resolve_response(doc, response, &child(&op_ptr, "responses"))?;
                if let Some((media, schema)) = json_schema(&resolved) {
                    sites.push(Site {
                        op_ptr: op_ptr.clone(),
                        status: status.clone(),
                        media,
                        schema,
                    });
                }
            }
        }
    }
    Ok(sites)
}

/// `4XX`, `5XX`, `404`, ... and `default` are error responses for progenitor.
fn is_error_status(status: &str) -> bool {
    status == "default" || status.starts_with('4') || status.starts_with('5')
}

fn resolve_response(doc: &Value, response: &Value, ptr: &str) -> Result<Value> {
    let mut current = response.clone();
    for _ in 0..16 {
        let Some(r) = current.get("$ref").and_then(Value::as_str) else {
            return Ok(current);
        };
        let target = r
            .strip_prefix('#')
            .and_then(|p| doc.pointer(p))
            .ok_or_else(|| XtaskError::at(ptr, format!("unresolved response reference {r}")))?;
        current = target.clone();
    }
    Err(XtaskError::at(ptr, "response references form a cycle"))
}

/// The media type and schema of a response's JSON body.
fn json_schema(response: &Value) -> Option<(String, Value)> {
    let content = response.get("content")?.as_object()?;
    content
        .iter()
        .find(|(media, _)| media.contains("json"))
        .and_then(|(media, m)| Some((media.clone(), m.get("schema")?.clone())))
}

fn resolve_schema<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let mut current = schema;
    for _ in 0..16 {
        match schema_ref_name(current).and_then(|n| {
            doc.pointer(&format!(
                "/components/schemas/{}",
                crate::error::escape_segment(n)
            ))
        }) {
            Some(target) => current = target,
            None => break,
        }
    }
    current
}

/// A schema with annotations and `enum` lists removed: what "the same shape" compares.
fn shape(schema: &Value) -> Value {
    match schema {
        Value::Object(obj) => Value::Object(
            obj.iter()
                .filter(|(k, _)| !is_annotation(k) && *k != "enum")
                .map(|(k, v)| {
                    let v = if k == "type" {
                        normalize_type(v)
                    } else {
                        shape(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        other => other.clone(),
    }
}

fn normalize_type(t: &Value) -> Value {
    // An integer is a number: `code: {type: integer, enum: [400]}` and `{type: number,
    // enum: [404]}` have the same shape.
    if t == "integer" {
        Value::from("number")
    } else {
        t.clone()
    }
}

/// Merge error schemas into one type: the same shape merges their `enum`s (see
/// [`merge`]); objects of different shapes merge into one with every member (those not in
/// all of them optional), as long as a member they share has one shape. Anything else is
/// refused at `ptr`.
fn merge_all(doc: &Value, schemas: &[&Value], ptr: &str) -> Result<Value> {
    let resolved: Vec<&Value> = schemas.iter().map(|s| resolve_schema(doc, s)).collect();
    let mut merged = resolved[0].clone();
    for (i, s) in resolved.iter().enumerate().skip(1) {
        merged = superset(&merged, s).ok_or_else(|| {
            XtaskError::at(
                ptr,
                format!(
                    "the error responses use schemas of different shapes ({} and {}) that \
                     cannot be one type (not both objects, or a member with two shapes); \
                     progenitor needs one error type per operation",
                    describe(schemas[0]),
                    describe(schemas[i])
                ),
            )
        })?;
    }
    widen(&mut merged);
    Ok(merged)
}

/// One object schema with the members of both, or `None` when they cannot be one.
fn superset(a: &Value, b: &Value) -> Option<Value> {
    if shape(a) == shape(b) {
        return Some(merge(a, b));
    }
    let (Value::Object(x), Value::Object(y)) = (a, b) else {
        return None;
    };
    let is_object = |o: &Map<String, Value>| {
        o.get("type").is_none_or(|t| t == "object")
            && o.get("properties").is_some_and(Value::is_object)
            && !["allOf", "oneOf", "anyOf", "enum", "$ref"]
                .iter()
                .any(|k| o.contains_key(*k))
    };
    if !is_object(x) || !is_object(y) {
        return None;
    }
    let (px, py) = (x["properties"].as_object()?, y["properties"].as_object()?);
    let mut props = px.clone();
    for (name, pb) in py {
        let merged = match px.get(name) {
            Some(pa) if shape(pa) == shape(pb) => merge(pa, pb),
            Some(_) => return None,
            None => pb.clone(),
        };
        props.insert(name.clone(), merged);
    }
    let required = |o: &Map<String, Value>| -> Vec<Value> {
        o.get("required")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (rx, ry) = (required(x), required(y));
    let both: Vec<Value> = rx.into_iter().filter(|r| ry.contains(r)).collect();
    let mut out = x.clone();
    out.insert("properties".into(), Value::Object(props));
    if both.is_empty() {
        out.remove("required");
    } else {
        out.insert("required".into(), Value::Array(both));
    }
    Some(Value::Object(out))
}

fn describe(schema: &Value) -> String {
    schema_ref_name(schema).map_or_else(|| "an inline schema".to_string(), str::to_string)
}

/// Marks an `enum` that is the union of differing lists, for [`widen`].
const UNIONED: &str = "x-xtask-unioned-enum";

/// Merge two schemas of the same shape: where their `enum`s differ, the merged schema
/// lists the union and is marked for [`widen`].
fn merge(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut out = Map::new();
            for (k, va) in x {
                if k == "enum" || is_annotation(k) {
                    out.insert(k.clone(), va.clone());
                    continue;
                }
                let v = match y.get(k) {
                    Some(vb) => merge(va, vb),
                    None => va.clone(),
                };
                out.insert(k.clone(), v);
            }
            if x.get("enum") != y.get("enum") {
                let mut values: Vec<Value> = Vec::new();
                for v in [x.get("enum"), y.get("enum")]
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_array)
                    .flatten()
                {
                    if !values.contains(v) {
                        values.push(v.clone());
                    }
                }
                out.insert("enum".into(), Value::Array(values));
                out.remove("x-enum-varnames");
                out.insert(UNIONED.into(), Value::Bool(true));
            }
            Value::Object(out)
        }
        (a, _) => a.clone(),
    }
}

/// Where `enum`s were unioned, widen the schema to its base type (a value none of the
/// originals lists still decodes) and list the known values in the docs; a number whose
/// values are all integers becomes an integer.
fn widen(schema: &mut Value) {
    match schema {
        Value::Object(out) => {
            if out.remove(UNIONED).is_some() {
                let mut values = match out.remove("enum") {
                    Some(Value::Array(v)) => v,
                    _ => Vec::new(),
                };
                values.sort_by(|a, b| match (a.as_f64(), b.as_f64()) {
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    _ => a.to_string().cmp(&b.to_string()),
                });
                let integral =
                    !values.is_empty() && values.iter().all(|v| v.is_i64() || v.is_u64());
                if integral
                    && out
                        .get("type")
                        .is_some_and(|t| t == "number" || t == "integer")
                {
                    out.insert("type".into(), Value::from("integer"));
                    out.remove("format");
                }
                let listed: Vec<String> = values.iter().map(Value::to_string).collect();
                if !listed.is_empty() {
                    let known = format!("Known values: {}.", listed.join(", "));
                    let desc = match out.get("description").and_then(Value::as_str) {
                        Some(d) => format!("{d}\n\n{known}"),
                        None => known,
                    };
                    out.insert("description".into(), Value::from(desc));
                }
            }
            for v in out.values_mut() {
                widen(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(widen),
        _ => {}
    }
}

/// How much a group looks like the API's error body: an object with a string `message`
/// first, then one with a `code` too, then the number of operations that answer it.
fn primary_rank(schema: &Value, operations: usize) -> (bool, bool, usize) {
    let prop = |name: &str| schema.get("properties").and_then(|p| p.get(name));
    let message = prop("message").is_some_and(|m| m.get("type").is_some_and(|t| t == "string"));
    (message, prop("code").is_some(), operations)
}

/// The name of a merged group that is not the error body: what its members' names share
/// (`Common.ValidationErrorA` and `Common.ValidationErrorB`: `Common.ValidationError`),
/// or, when they share too little or only `ErrorBody`, their Rust names joined by `Or`.
/// A function of the group's own members, never of the other schemas of the spec.
fn secondary_name(names: &[String]) -> String {
    if names.is_empty() {
        return "OtherErrorBody".into();
    }
    let prefix = common_prefix(names);
    let suffix = common_suffix(names, prefix.len());
    let candidate = format!("{prefix}{suffix}");
    let readable = candidate.trim_matches(|c: char| !c.is_alphanumeric()).len() >= 3;
    if readable && crate::names::rust_type_name(&candidate) != ERROR_BODY {
        return candidate;
    }
    names
        .iter()
        .map(|n| crate::names::rust_type_name(n))
        .collect::<Vec<_>>()
        .join("Or")
}

/// Whether the spec has a schema whose Rust name is `ErrorBody` of its own.
fn has_error_body(doc: &Value) -> bool {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .is_some_and(|s| {
            s.keys()
                .any(|k| crate::names::rust_type_name(k) == ERROR_BODY)
        })
}

/// The SDK's own `ErrorBody` for a spec that documents no JSON error body: the default
/// type parameter of `asteroid_sdk::Error`. Both members are optional; the server's
/// members are kept (like every object type's).
fn fallback_error_body() -> Value {
    serde_json::json!({
        "type": "object",
        "description": "An error body. The spec documents no JSON error body; this is the \
            SDK's own, with the members error bodies usually have.",
        "properties": {
            "code": {"type": "integer", "description": "The error's code, when the server sends one."},
            "message": {"type": "string", "description": "What went wrong, when the server says."}
        },
        MERGED: true
    })
}

fn common_prefix(names: &[String]) -> String {
    let first = &names[0];
    let mut len = first.len();
    for n in &names[1..] {
        len = len.min(
            first
                .bytes()
                .zip(n.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    while !first.is_char_boundary(len) {
        len -= 1;
    }
    first[..len].to_string()
}

fn common_suffix(names: &[String], prefix_len: usize) -> String {
    let first = &names[0];
    let mut len = first.len() - prefix_len;
    for n in &names[1..] {
        let shared = first
            .bytes()
            .rev()
            .zip(n.bytes().rev())
            .take_while(|(a, b)| a == b)
            .count();
        len = len.min(shared).min(n.len() - prefix_len);
    }
    let start = first.len() - len;
    let mut start = start;
    while !first.is_char_boundary(start) {
        start += 1;
    }
    first[start..].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(code: u32) -> Value {
        json!({"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "number", "enum": [code]}, "message": {"type": "string"}}})
    }

    fn resp(name: &str) -> Value {
        json!({"description": "e", "content": {"application/json": {"schema":
            {"$ref": format!("#/components/schemas/{name}")}}}})
    }

    fn doc() -> Value {
        let mut d = doc2();
        d["paths"]["/a"]["get"]["responses"]["400"] = resp("Common.BadErrorBody");
        d["paths"]["/b"]["get"]["responses"]["400"] = resp("Common.BadErrorBody");
        d["components"]["schemas"]["Common.BadErrorBody"] = body(400);
        d
    }

    fn doc2() -> Value {
        json!({
            "paths": {
                "/a": {"get": {"operationId": "A", "responses": {
                    "200": {"description": "ok"},
                    "404": resp("Common.NotFoundErrorBody"),
                    "500": resp("Common.InternalErrorBody")}}},
                "/b": {"get": {"operationId": "B", "responses": {
                    "404": resp("Common.NotFoundErrorBody"),
                    "500": resp("Common.InternalErrorBody")}}}
            },
            "components": {"schemas": {
                "Common.NotFoundErrorBody": body(404),
                "Common.InternalErrorBody": body(500)
            }}
        })
    }

    #[test]
    fn same_shape_schemas_merge_into_one_shared_schema() {
        let mut d = doc();
        apply(&mut d).unwrap();
        let r = "#/components/schemas/ErrorBody";
        for p in ["/paths/~1a/get/responses", "/paths/~1b/get/responses"] {
            for s in ["400", "404", "500"] {
                let ptr = format!("{p}/{s}/content/application~1json/schema/$ref");
                assert_eq!(d.pointer(&ptr).unwrap(), r, "{ptr}");
            }
        }
        let merged = &d["components"]["schemas"]["ErrorBody"];
        assert_eq!(merged["properties"]["code"]["type"], "integer");
        assert!(merged["properties"]["code"].get("enum").is_none());
        assert!(
            merged["properties"]["code"]["description"]
                .as_str()
                .unwrap()
                .contains("Known values: 400, 404, 500.")
        );
        // The originals are no longer referenced and are gone.
        assert!(
            d["components"]["schemas"]
                .get("Common.NotFoundErrorBody")
                .is_none()
        );
    }

    #[test]
    fn grouping_is_global_so_one_shape_is_one_type_everywhere() {
        // B uses only the 404 schema: it still gets the shared type, and a later spec
        // that adds a same-shape schema keeps the shared type's name.
        let mut d = doc2();
        d["paths"]["/b"]["get"]["responses"]
            .as_object_mut()
            .unwrap()
            .remove("500");
        d["paths"]["/c"] = json!({"get": {"operationId": "C", "responses": {
            "429": resp("Common.TooManyErrorBody")}}});
        d["components"]["schemas"]["Common.TooManyErrorBody"] = body(429);
        apply(&mut d).unwrap();
        let r = "#/components/schemas/ErrorBody";
        for ptr in [
            "/paths/~1a/get/responses/404",
            "/paths/~1b/get/responses/404",
            "/paths/~1c/get/responses/429",
        ] {
            let p = format!("{ptr}/content/application~1json/schema/$ref");
            assert_eq!(d.pointer(&p).unwrap(), r, "{p}");
        }
    }

    #[test]
    fn one_error_schema_is_the_error_body_and_goes_when_nothing_else_uses_it() {
        let mut d = json!({"paths": {"/a": {"get": {"operationId": "A", "responses": {
            "404": resp("E"), "500": resp("E")}}}}, "components": {"schemas": {"E": body(1)}}});
        apply(&mut d).unwrap();
        let p = "/paths/~1a/get/responses/404/content/application~1json/schema/$ref";
        assert_eq!(d.pointer(p).unwrap(), "#/components/schemas/ErrorBody");
        let eb = &d["components"]["schemas"]["ErrorBody"];
        assert_eq!(eb["properties"]["code"]["enum"], json!([1]));
        assert!(
            eb["description"]
                .as_str()
                .unwrap()
                .contains("The spec's `E`.")
        );
        assert!(d["components"]["schemas"].get("E").is_none());
        // Used elsewhere too: kept, as its own type.
        let mut d = json!({"paths": {"/a": {"get": {"operationId": "A", "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"last": {"$ref": "#/components/schemas/E"}}}}}},
            "404": resp("E")}}}}, "components": {"schemas": {"E": body(1)}}});
        apply(&mut d).unwrap();
        assert!(d["components"]["schemas"].get("E").is_some());
        assert!(d["components"]["schemas"].get("ErrorBody").is_some());
    }

    #[test]
    fn a_schema_already_named_error_body_is_kept() {
        let mut d = json!({"paths": {"/a": {"get": {"operationId": "A", "responses": {
            "404": resp("ErrorBody")}}}}, "components": {"schemas": {"ErrorBody": body(1)}}});
        let before = d.clone();
        apply(&mut d).unwrap();
        assert_eq!(d, before);
    }

    #[test]
    fn a_new_error_shape_joining_the_group_keeps_the_name() {
        // The whole API: a `Common.Error` with no `code` enum and more members, answered
        // beside the `*ErrorBody` schemas. The members share only `Common.`: the name
        // stays `ErrorBody`, and the new members are optional.
        let mut d = doc();
        let mut general = body(0);
        general["properties"]["code"] = json!({"type": "integer"});
        general["properties"]["detail"] = json!({"type": "string"});
        d["components"]["schemas"]["Common.Error"] = general;
        d["paths"]["/a"]["get"]["responses"]["default"] = resp("Common.Error");
        apply(&mut d).unwrap();
        let schemas = d["components"]["schemas"].as_object().unwrap();
        let eb = &schemas["ErrorBody"];
        assert_eq!(eb["properties"]["detail"]["type"], "string");
        assert_eq!(eb["required"], json!(["code", "message"]));
        assert!(
            !schemas.keys().any(|k| k.starts_with("Common")),
            "{schemas:?}"
        );
    }

    #[test]
    fn disjoint_groups_the_message_shape_is_the_error_body_others_are_named_by_members() {
        // Two problem schemas of another shape answered together by C; the
        // `{code, message}` group stays `ErrorBody` though C's group is as large.
        let mut d = doc();
        let problem = |t: &str| {
            json!({"type": "object", "properties": {"title": {"type": "string"},
                "kind": {"type": "string", "enum": [t]}}})
        };
        d["components"]["schemas"]["Common.ProblemA"] = problem("a");
        d["components"]["schemas"]["Common.ProblemB"] = problem("b");
        d["paths"]["/c"] = json!({"get": {"operationId": "C", "responses": {
            "409": resp("Common.ProblemA"), "410": resp("Common.ProblemB")}}});
        d["paths"]["/d"] = json!({"get": {"operationId": "D", "responses": {
            "409": resp("Common.ProblemA")}}});
        d["paths"]["/e"] = json!({"get": {"operationId": "E", "responses": {
            "409": resp("Common.ProblemA")}}});
        apply(&mut d).unwrap();
        let at = |p: &str, s: &str| {
            d.pointer(&format!(
                "/paths/~1{p}/get/responses/{s}/content/application~1json/schema/$ref"
            ))
            .unwrap()
            .clone()
        };
        assert_eq!(at("a", "404"), "#/components/schemas/ErrorBody");
        assert_eq!(at("c", "410"), "#/components/schemas/Common.Problem");
        assert_eq!(at("e", "409"), "#/components/schemas/Common.Problem");
        // Members that share only `ErrorBody` are joined.
        assert_eq!(
            secondary_name(&[
                "Common.ConflictErrorBody".into(),
                "Common.GoneErrorBody".into()
            ]),
            "ConflictErrorBodyOrGoneErrorBody"
        );
    }

    #[test]
    fn a_spec_without_error_bodies_gets_the_sdks_own() {
        let mut d = json!({"paths": {"/a": {"get": {"operationId": "A", "responses": {
            "200": {"description": "ok"}, "404": {"description": "gone"}}}}}});
        apply(&mut d).unwrap();
        let eb = &d["components"]["schemas"]["ErrorBody"];
        assert_eq!(eb["properties"]["message"]["type"], "string");
        assert!(eb.get("required").is_none());
    }

    #[test]
    fn another_schema_named_error_body_is_refused() {
        let mut d = doc();
        d["components"]["schemas"]["ErrorBody"] = json!({"type": "string"});
        let e = apply(&mut d).unwrap_err();
        assert_eq!(
            e.location.pointer.as_deref(),
            Some("/components/schemas/ErrorBody")
        );
    }

    #[test]
    fn an_error_schema_with_more_members_merges_into_one_type() {
        // A later spec adds an error with a `details` member: one type, `details` optional.
        let mut d = doc();
        d["components"]["schemas"]["Common.InternalErrorBody"]["properties"]["details"] =
            json!({"type": "string"});
        d["components"]["schemas"]["Common.InternalErrorBody"]["required"] =
            json!(["code", "message", "details"]);
        apply(&mut d).unwrap();
        let merged = &d["components"]["schemas"]["ErrorBody"];
        assert_eq!(merged["properties"]["details"]["type"], "string");
        assert_eq!(merged["required"], json!(["code", "message"]));
    }

    #[test]
    fn members_with_two_shapes_are_reported_with_pointer() {
        let mut d = doc();
        d["components"]["schemas"]["Common.InternalErrorBody"]["properties"]["message"] =
            json!({"type": "integer"});
        let e = apply(&mut d).unwrap_err();
        assert_eq!(
            e.location.pointer.as_deref(),
            Some("/paths/~1a/get/responses")
        );
        assert!(e.message.contains("different shapes"), "{e}");
    }

    #[test]
    fn the_name_does_not_depend_on_the_members_names() {
        assert_eq!(common_prefix(&["Ab".into(), "Xy".into()]), "");
        let text = serde_json::to_string(&doc())
            .unwrap()
            .replace("Common.NotFoundErrorBody", "Nf")
            .replace("Common.InternalErrorBody", "Ie");
        let mut d: Value = serde_json::from_str(&text).unwrap();
        apply(&mut d).unwrap();
        assert!(
            d["components"]["schemas"].get("ErrorBody").is_some(),
            "{d:#}"
        );
    }
}
