//! Parameter names that the generated code can hold side by side.
//!
//! progenitor keys an operation's parameters by their name alone (a query `key` replaces a
//! path `key`, and then panics on the path template), names each one by its snake_case
//! Rust name (`fooBar` and `foo_bar` are the same field twice), and the request builder it
//! writes, with the SDK's rewrites of it (`postprocess/operations.rs`, `rebuild.rs`), binds
//! its own locals next to the parameters (`client`, `url`, `request`, `body`, ...).
//!
//! The rule: within one operation, every parameter gets a distinct Rust name outside
//! [`RESERVED`]. Path parameters are taken first, then query, then header parameters, each
//! in the spec's order; a parameter whose Rust name is reserved or already taken gets its
//! location appended (`key_query`, `body_query`, `client_path`), then `_2`, `_3`, ... until
//! it is free. A renamed parameter's `name` is the new Rust name (for a path parameter the
//! template follows: its name is not sent); a query or header parameter keeps its name on
//! the wire in `x-wire.name` (see [`super::param_styles::collect`]).
//!
//! An operation that renames anything gets its path item's shared parameters copied into
//! its own list (they are merged by name, which a rename would break), and referenced
//! parameters it renames are copied in place of the `$ref`.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::HTTP_METHODS;
use super::param_styles::EXTENSION;
use crate::error::{Result, XtaskError, child};
use crate::names::snake_name;

/// Rust names a parameter cannot have: the request builder's own fields and methods
/// (`new`, `send`, `send_for_location`, `exchange`, `pages`, `into_stream`, the body's
/// setters), the mock `When`'s (`into_inner`), and the locals of the `send` function that
/// the parameters sit beside.
pub const RESERVED: &[&str] = &[
    "body",
    "body_map",
    "build_request",
    "client",
    "exchange",
    "header_map",
    "info",
    "into_inner",
    "into_stream",
    "pages",
    "query",
    "request",
    "response",
    "result",
    "send",
    "send_for_location",
    "new",
    "url",
];

/// Rename the parameters that collide (see the module docs).
pub fn apply(doc: &mut Value) -> Result<()> {
    let snapshot = doc.clone();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    let mut moved: Vec<(String, String)> = Vec::new();
    for (path, item) in paths.iter_mut() {
        let item_ptr = child("/paths", path);
        let Some(item_obj) = item.as_object_mut() else {
            continue;
        };
        let shared: Vec<Value> = item_obj
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        // Per operation: the effective list (shared first, own ones replacing them) and the
        // renames it needs.
        let mut plans: Vec<(String, Vec<Value>, Vec<Option<String>>)> = Vec::new();
        for method in HTTP_METHODS {
            let Some(op) = item_obj.get(*method) else {
                continue;
            };
            let own: Vec<Value> = op
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut list: Vec<Value> = Vec::new();
            for p in shared.iter().chain(own.iter()) {
                let resolved = resolve(&snapshot, p);
                let key = |v: &Value| {
                    let r = resolve(&snapshot, v);
                    (r.get("name").cloned(), r.get("in").cloned())
                };
                let k = (resolved.get("name").cloned(), resolved.get("in").cloned());
                match list.iter().position(|q| key(q) == k) {
                    Some(i) => list[i] = p.clone(),
                    None => list.push(p.clone()),
                }
            }
            let renames = plan(&snapshot, &list);
            plans.push(((*method).to_string(), list, renames));
        }
        if plans.iter().all(|(_, _, r)| r.iter().all(Option::is_none)) {
            continue;
        }
        let mut template_renames: Vec<(String, String)> = Vec::new();
        for (method, list, renames) in plans {
            let mut out = Vec::with_capacity(list.len());
            for (p, rename) in list.into_iter().zip(renames) {
                let Some(new) = rename else {
                    out.push(p);
                    continue;
                };
                let Some(mut obj) = resolve(&snapshot, &p).as_object().cloned() else {
                    return Err(XtaskError::at(
                        child(&item_ptr, &method),
                        "a parameter must be a mapping",
                    ));
                };
                let old = obj
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                if obj.get("in").and_then(Value::as_str) == Some("path") {
                    if !template_renames.iter().any(|(o, _)| *o == old) {
                        template_renames.push((old, new.clone()));
                    }
                } else {
                    let wire = obj
                        .entry(EXTENSION)
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Some(w) = wire.as_object_mut() {
                        w.entry("name").or_insert(Value::String(old));
                    }
                }
                obj.insert("name".into(), Value::String(new));
                out.push(Value::Object(obj));
            }
            if let Some(op) = item_obj.get_mut(&method).and_then(Value::as_object_mut) {
                op.insert("parameters".into(), Value::Array(out));
            }
        }
        item_obj.remove("parameters");
        let mut template = path.clone();
        for (old, new) in &template_renames {
            template = template.replace(&format!("{{{old}}}"), &format!("{{{new}}}"));
        }
        if template != *path {
            moved.push((path.clone(), template));
        }
    }
    for (old, new) in moved {
        if paths.contains_key(&new) {
            return Err(XtaskError::at(
                child("/paths", &old),
                format!("renaming its parameters would give the path `{new}`, which the spec has"),
            ));
        }
        if let Some(item) = paths.remove(&old) {
            paths.insert(new, item);
        }
    }
    Ok(())
}

fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..16 {
        match value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| doc.pointer(p))
        {
            Some(target) => value = target,
            None => return value,
        }
    }
    value
}

/// The new name of each parameter of the list, `None` for those that keep theirs.
fn plan(doc: &Value, list: &[Value]) -> Vec<Option<String>> {
    let mut order: Vec<usize> = (0..list.len()).collect();
    let rank = |i: &usize| match resolve(doc, &list[*i]).get("in").and_then(Value::as_str) {
        Some("path") => 0,
        Some("query") => 1,
        Some("header") => 2,
        _ => 3,
    };
    order.sort_by_key(rank);
    let mut taken: BTreeSet<String> = RESERVED.iter().map(|s| s.to_string()).collect();
    let mut out = vec![None; list.len()];
    for i in order {
        let p = resolve(doc, &list[i]);
        let (Some(name), Some(location)) = (
            p.get("name").and_then(Value::as_str),
            p.get("in").and_then(Value::as_str),
        ) else {
            continue;
        };
        let rust = snake_name(name);
        // The mock's `When` has a `{name}_missing` matcher beside each parameter's.
        let twin = |n: &str| format!("{}_missing", n.trim_end_matches('_'));
        if !taken.contains(&rust) && !taken.contains(&twin(&rust)) {
            // Free (progenitor snake-cases `fooBar` itself).
            taken.insert(twin(&rust));
            taken.insert(rust);
            continue;
        }
        let base = snake_name(&format!("{rust}_{location}"));
        let mut candidate = base.clone();
        let mut n = 2;
        while taken.contains(&candidate) || taken.contains(&twin(&candidate)) {
            candidate = format!("{base}_{n}");
            n += 1;
        }
        taken.insert(twin(&candidate));
        taken.insert(candidate.clone());
        out[i] = Some(candidate);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn q(name: &str) -> Value {
        json!({"name": name, "in": "query", "schema": {"type": "string"},
               "x-wire": {"style": "form", "explode": true, "allowReserved": false}})
    }

    #[test]
    fn colliding_names_get_their_location_and_keep_the_wire_name() {
        let mut doc = json!({"paths": {"/a/{key}": {
        "parameters": [{"name": "key", "in": "path", "required": true,
                        "schema": {"type": "string"}}],
        "get": {"operationId": "A", "parameters": [
            q("key"), q("body"), q("fooBar"), q("foo_bar"), q("value"), q("value_missing")
        ]}}}});
        apply(&mut doc).unwrap();
        let item = &doc["paths"]["/a/{key}"];
        assert!(
            item.get("parameters").is_none(),
            "shared parameters moved: {item}"
        );
        let names: Vec<&str> = item["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "key",
                "key_query",
                "body_query",
                "fooBar",
                "foo_bar_query",
                "value",
                "value_missing_query"
            ]
        );
        let params = &item["get"]["parameters"];
        assert_eq!(params[1]["x-wire"]["name"], "key");
        assert_eq!(params[4]["x-wire"]["name"], "foo_bar");
        assert!(params[3]["x-wire"].get("name").is_none());
        let wire = crate::transforms::param_styles::collect(&doc);
        let api: Vec<(&str, &str)> = wire["A"]
            .iter()
            .map(|w| (w.api_name.as_str(), w.rust_name.as_str()))
            .collect();
        assert!(api.contains(&("key", "key_query")), "{api:?}");
        assert!(api.contains(&("body", "body_query")), "{api:?}");
    }

    #[test]
    fn a_reserved_path_parameter_is_renamed_with_its_template() {
        let mut doc = json!({"paths": {"/c/{client}": {"get": {"operationId": "C",
            "parameters": [{"name": "client", "in": "path", "required": true,
                            "schema": {"type": "string"}}]}}}});
        apply(&mut doc).unwrap();
        let item = &doc["paths"]["/c/{client_path}"];
        assert_eq!(item["get"]["parameters"][0]["name"], "client_path");
    }

    #[test]
    fn names_that_collide_with_nothing_are_left_alone() {
        let mut doc = json!({"paths": {"/x/{id}": {"get": {"operationId": "X",
            "parameters": [{"name": "id", "in": "path", "required": true}, q("limit")]}}}});
        let before = doc.clone();
        apply(&mut doc).unwrap();
        assert_eq!(doc, before);
    }
}
