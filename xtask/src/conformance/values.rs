//! A valid JSON value for a schema of the spec: what a conformance call sends for a
//! parameter or a body. Deterministic; honours `$ref`, `allOf`/`oneOf`/`anyOf`, `const`,
//! `enum`, `default`, types (also `[T, "null"]`), string formats, lengths, `pattern`,
//! numeric bounds, `minItems`, required and optional properties, `additionalProperties`.

use fancy_regex::Regex;
use serde_json::{Map, Value, json};

/// How deep a value nests before only required members are filled in (a recursive
/// schema stops there).
const FULL_DEPTH: usize = 4;
/// How deep it nests at all.
const MAX_DEPTH: usize = 12;

/// Strings tried, in order, for a string schema with a `pattern`: the first that
/// matches it (and the length bounds) is used.
const CANDIDATES: &[&str] = &[
    "conformance",
    "Conformance",
    "CONFORMANCE",
    "CONFORMANCE_VALUE",
    "conformance-value",
    "conformance_value",
    "conformance value",
    "conformance.js",
    "scripts/conformance.js",
    "conformance.sh",
    "key:value",
    "0123456789abcdef01234567",
    "a",
    "A",
    "0",
    "",
];

/// A value valid against `schema` (a schema of `doc`), or what made it impossible.
pub fn value(doc: &Value, schema: &Value) -> Result<Value, String> {
    of(doc, schema, 0)
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> Result<&'a Value, String> {
    let mut current = schema;
    for _ in 0..32 {
        let Some(r) = current.get("$ref").and_then(Value::as_str) else {
            return Ok(current);
        };
        current = r
            .strip_prefix('#')
            .and_then(|p| doc.pointer(p))
            .ok_or_else(|| format!("unresolved $ref {r}"))?;
    }
    Err("a $ref chain that does not end".into())
}

fn of(doc: &Value, schema: &Value, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err("the schema nests deeper than a value can be built".into());
    }
    let schema = &with_constraints(resolve(doc, schema)?);
    if let Some(c) = schema.get("const") {
        return Ok(c.clone());
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values
            .iter()
            .find(|v| !v.is_null())
            .or(values.first())
            .cloned()
            .ok_or_else(|| "an empty enum".into());
    }
    if let Some(members) = schema.get("allOf").and_then(Value::as_array) {
        return all_of(doc, schema, members, depth);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(members) = schema.get(key).and_then(Value::as_array) {
            // The first alternative that is not `null` (a nullable union's value).
            let member = members
                .iter()
                .find(|m| resolve(doc, m).is_ok_and(|m| !is_null(m)))
                .or(members.first())
                .ok_or_else(|| format!("an empty {key}"))?;
            return of(doc, member, depth + 1);
        }
    }
    if let Some(d) = schema.get("default").filter(|d| !d.is_null()) {
        return Ok(d.clone());
    }
    match type_of(schema).as_deref() {
        Some("string") => string(schema),
        Some("integer") => Ok(json!(number(schema, true) as i64)),
        Some("number") => Ok(json!(number(schema, false))),
        Some("boolean") => Ok(json!(true)),
        Some("null") => Ok(Value::Null),
        Some("array") => {
            let items = schema.get("items").cloned().unwrap_or(json!({}));
            let item = of(doc, &items, depth + 1)?;
            // Two items where the schema allows them (a repeated query parameter or form
            // part is then really repeated on the wire), else as many as it needs.
            let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            let max = schema
                .get("maxItems")
                .and_then(Value::as_u64)
                .unwrap_or(u64::MAX);
            let unique = schema.get("uniqueItems") == Some(&Value::Bool(true));
            let count = if unique {
                min.max(1)
            } else {
                min.max(2).min(max).max(1)
            };
            Ok(Value::Array(vec![item; count as usize]))
        }
        Some("object") => object(doc, schema, depth),
        Some(other) => Err(format!("type {other:?} is not a JSON type")),
        None if schema.get("properties").is_some() => object(doc, schema, depth),
        // An unconstrained schema: any value is valid.
        None => Ok(json!("conformance")),
    }
}

/// `schema` with the validation keywords the transforms moved into `x-constraints`
/// ([`crate::transforms::constraints`]) back in place.
fn with_constraints(schema: &Value) -> Value {
    let mut out = schema.clone();
    if let (Some(Value::Object(moved)), Value::Object(map)) = (
        schema
            .get(crate::transforms::constraints::EXTENSION)
            .cloned(),
        &mut out,
    ) {
        map.extend(moved);
    }
    out
}

fn is_null(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
}

/// The schema's type; of `[T, "null"]`, `T`.
fn type_of(schema: &Value) -> Option<String> {
    match schema.get("type")? {
        Value::String(t) => Some(t.clone()),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .or(ts.first().and_then(Value::as_str))
            .map(str::to_string),
        _ => None,
    }
}

fn all_of(doc: &Value, schema: &Value, members: &[Value], depth: usize) -> Result<Value, String> {
    let mut merged: Option<Value> = None;
    for member in members {
        let v = of(doc, member, depth + 1)?;
        merged = Some(match (merged, v) {
            (Some(Value::Object(mut a)), Value::Object(b)) => {
                a.extend(b);
                Value::Object(a)
            }
            (_, v) => v,
        });
    }
    // Properties beside the allOf belong to the value too.
    if schema.get("properties").is_some()
        && let (Some(Value::Object(a)), Value::Object(b)) =
            (merged.as_mut(), object(doc, schema, depth)?)
    {
        a.extend(b);
    }
    merged.ok_or_else(|| "an empty allOf".into())
}

fn object(doc: &Value, schema: &Value, depth: usize) -> Result<Value, String> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut out = Map::new();
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, prop) in props {
            let wanted = required.contains(&name.as_str());
            let resolved = resolve(doc, prop)?;
            if !wanted
                && (depth >= FULL_DEPTH
                    || resolved.get("deprecated") == Some(&Value::Bool(true))
                    || prop.get("deprecated") == Some(&Value::Bool(true))
                    || resolved.get("readOnly") == Some(&Value::Bool(true)))
            {
                continue;
            }
            match of(doc, prop, depth + 1) {
                Ok(v) => {
                    out.insert(name.clone(), v);
                }
                Err(e) if wanted => return Err(format!("property {name}: {e}")),
                // An optional member whose value cannot be built is left out.
                Err(_) => {}
            }
        }
    }
    if out.is_empty()
        && let Some(extra) = schema.get("additionalProperties").filter(|a| a.is_object())
    {
        out.insert("conformance".into(), of(doc, extra, depth + 1)?);
    }
    Ok(Value::Object(out))
}

fn number(schema: &Value, integer: bool) -> f64 {
    let get = |k: &str| schema.get(k).and_then(Value::as_f64);
    let step = if integer { 1.0 } else { 0.5 };
    let low = get("minimum").or(get("exclusiveMinimum").map(|m| m + step));
    let high = get("maximum").or(get("exclusiveMaximum").map(|m| m - step));
    match (low, high) {
        (Some(l), _) => l,
        (None, Some(h)) => h.min(1.0),
        (None, None) => 1.0,
    }
}

fn string(schema: &Value) -> Result<Value, String> {
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .map_or(usize::MAX, |m| m as usize);
    let by_format = match schema.get("format").and_then(Value::as_str) {
        Some("uuid") => Some("3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        Some("date-time") => Some("2026-12-04T10:00:00Z"),
        Some("date") => Some("2026-12-04"),
        Some("time") => Some("10:00:00Z"),
        Some("email") => Some("conformance@example.com"),
        Some("uri" | "url") => Some("https://example.com/conformance"),
        Some("hostname") => Some("example.com"),
        Some("ipv4") => Some("192.0.2.1"),
        Some("byte") => Some("Y29uZm9ybWFuY2U="),
        _ => None,
    };
    if let Some(v) = by_format {
        return Ok(json!(v));
    }
    let fits = |s: &str| (min..=max).contains(&s.chars().count());
    match schema.get("pattern").and_then(Value::as_str) {
        Some(pattern) => {
            let re = Regex::new(pattern).map_err(|e| format!("pattern {pattern:?}: {e}"))?;
            CANDIDATES
                .iter()
                .map(|c| padded(c, min))
                .find(|c| fits(c) && re.is_match(c).unwrap_or(false))
                .map(Value::String)
                .ok_or_else(|| format!("no value matches the pattern {pattern:?}"))
        }
        None => {
            let mut s = padded("conformance", min);
            s.truncate(max.min(s.len()));
            Ok(Value::String(s))
        }
    }
}

/// `s`, repeated up to `min` characters.
fn padded(s: &str, min: usize) -> String {
    let mut out = s.to_string();
    while !s.is_empty() && out.chars().count() < min {
        out.push_str(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(schema: Value) -> Value {
        value(&json!({}), &schema).unwrap()
    }

    #[test]
    fn strings_follow_formats_lengths_and_patterns() {
        assert_eq!(
            v(json!({"type": "string", "format": "uuid"})),
            json!("3fa85f64-5717-4562-b3fc-2c963f66afa6")
        );
        assert_eq!(
            v(json!({"type": "string", "minLength": 20}))
                .as_str()
                .unwrap()
                .len(),
            22
        );
        assert_eq!(v(json!({"type": "string", "maxLength": 3})), json!("con"));
        assert_eq!(
            v(json!({"type": "string", "pattern": "^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$"})),
            json!("CONFORMANCE")
        );
        assert_eq!(
            v(json!({"type": "string", "pattern": "^(?!\\/)[^\\/].*\\.js$"})),
            json!("conformance.js")
        );
        let err = value(&json!({}), &json!({"type": "string", "pattern": "^x{40}$"})).unwrap_err();
        assert!(err.contains("no value matches"), "{err}");
    }

    #[test]
    fn objects_have_their_members_and_unions_their_first_non_null_alternative() {
        let doc = json!({"components": {"schemas": {
            "Kind": {"type": "string", "enum": ["a", "b"]},
            "Node": {"type": "object", "required": ["kind"], "properties": {
                "kind": {"$ref": "#/components/schemas/Kind"},
                "child": {"$ref": "#/components/schemas/Node"},
                "old": {"type": "string", "deprecated": true},
                "size": {"type": "integer", "minimum": 5}
            }}
        }}});
        let node = value(&doc, &json!({"$ref": "#/components/schemas/Node"})).unwrap();
        assert_eq!(node["kind"], "a");
        assert_eq!(node["size"], 5);
        assert!(node.get("old").is_none(), "deprecated members are left out");
        assert!(
            node["child"]["child"]["child"]["child"]
                .get("child")
                .is_none(),
            "recursion stops"
        );
        let nullable = json!({"anyOf": [{"type": "null"}, {"type": "integer", "maximum": 0}]});
        assert_eq!(value(&doc, &nullable).unwrap(), json!(0));
        let merged = json!({"allOf": [
            {"type": "object", "properties": {"a": {"type": "boolean"}}},
            {"type": "object", "properties": {"b": {"const": "x"}}}
        ]});
        assert_eq!(value(&doc, &merged).unwrap(), json!({"a": true, "b": "x"}));
        assert_eq!(
            v(json!({"type": "array", "items": {"type": "number"}})),
            json!([1.0, 1.0])
        );
        assert_eq!(
            v(json!({"type": "array", "items": {"type": "number"}, "maxItems": 1})),
            json!([1.0])
        );
        let moved = json!({"type": "string", "x-constraints": {"pattern": "^[A-Z]+$"}});
        assert_eq!(v(moved), json!("CONFORMANCE"));
    }
}
