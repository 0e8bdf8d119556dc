//! Named aliases of primitive types are inlined where they are used.
//!
//! typify turns a named `{type: string, format: uuid}` schema into a newtype
//! (`CommonUuid(Uuid)`), so every id in the model would be a wrapper. Inlining the alias
//! gives `uuid::Uuid` (or `String`, `i64`, ...) everywhere, which is what users expect.

use serde_json::{Map, Value};

use super::is_annotation;
use crate::error::Result;

/// Keywords a primitive alias may have (besides annotations).
const PRIMITIVE_KEYS: &[&str] = &[
    "type",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "nullable",
];

fn is_primitive_alias(schema: &Value) -> bool {
    let Some(obj) = schema.as_object() else {
        return false;
    };
    // The file part of multipart bodies is replaced by the SDK's own type: keep its name.
    if obj.contains_key(super::multipart::FILE_MARK) {
        return false;
    }
    let primitive = matches!(
        obj.get("type").and_then(Value::as_str),
        Some("string" | "integer" | "number" | "boolean")
    );
    primitive
        && obj
            .keys()
            .all(|k| PRIMITIVE_KEYS.contains(&k.as_str()) || is_annotation(k))
}

/// Replace every `$ref` to a primitive alias with the alias's constraints, then drop the
/// aliases that nothing refers to any more.
pub fn apply(doc: &mut Value) -> Result<()> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Ok(());
    };
    let aliases: Map<String, Value> = schemas
        .iter()
        .filter(|(_, s)| is_primitive_alias(s))
        .map(|(name, s)| {
            let constraints: Map<String, Value> = s
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, _)| !is_annotation(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            (
                format!("#/components/schemas/{name}"),
                Value::Object(constraints),
            )
        })
        .collect();
    if aliases.is_empty() {
        return Ok(());
    }
    // Aliases of aliases resolve in a few rounds.
    for _ in 0..8 {
        if !inline(doc, &aliases) {
            break;
        }
    }
    let text = serde_json::to_string(doc).unwrap_or_default();
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for reference in aliases.keys() {
            if !text.contains(&format!("\"{reference}\""))
                && let Some(name) = reference.strip_prefix("#/components/schemas/")
            {
                schemas.remove(name);
            }
        }
    }
    Ok(())
}

/// Replace `{$ref: alias, ...}` objects anywhere; returns whether anything changed.
fn inline(value: &mut Value, aliases: &Map<String, Value>) -> bool {
    match value {
        Value::Object(obj) => {
            let mut changed = false;
            if let Some(target) = obj.get("$ref").and_then(Value::as_str)
                && let Some(Value::Object(constraints)) = aliases.get(target)
            {
                obj.remove("$ref");
                for (k, v) in constraints {
                    obj.entry(k.clone()).or_insert_with(|| v.clone());
                }
                changed = true;
            }
            for v in obj.values_mut() {
                changed |= inline(v, aliases);
            }
            changed
        }
        Value::Array(items) => {
            let mut changed = false;
            for v in items.iter_mut() {
                changed |= inline(v, aliases);
            }
            changed
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn uuid_alias_is_inlined_and_removed() {
        let mut d = json!({
            "paths": {"/x/{id}": {"get": {"parameters": [
                {"name": "id", "in": "path", "schema": {"$ref": "#/components/schemas/Id"}}]}}},
            "components": {"schemas": {
                "Id": {"type": "string", "format": "uuid", "description": "an id"},
                "Obj": {"type": "object", "properties": {
                    "id": {"allOf": [{"$ref": "#/components/schemas/Id"}], "description": "d"}}}
            }}
        });
        apply(&mut d).unwrap();
        assert_eq!(
            d.pointer("/paths/~1x~1{id}/get/parameters/0/schema")
                .unwrap(),
            &json!({"type": "string", "format": "uuid"})
        );
        assert_eq!(
            d["components"]["schemas"]["Obj"]["properties"]["id"],
            json!({"allOf": [{"type": "string", "format": "uuid"}], "description": "d"})
        );
        assert!(d["components"]["schemas"].get("Id").is_none());
    }

    #[test]
    fn enums_and_objects_are_not_aliases() {
        assert!(!is_primitive_alias(
            &json!({"type": "string", "enum": ["a"]})
        ));
        assert!(!is_primitive_alias(&json!({"type": "object"})));
        assert!(is_primitive_alias(
            &json!({"type": "integer", "minimum": 1, "x-a": 1})
        ));
    }
}
