//! JSON Schema's ways of allowing `null` to OpenAPI 3.0's `nullable: true`:
//! `type: [T, "null"]` (openapiv3 fails to parse it) and a `{type: "null"}` branch of
//! `oneOf`/`anyOf` (progenitor panics on it).

use serde_json::{Map, Value};

use super::walk::walk_document;
use crate::error::{Result, XtaskError, child};

/// Rewrite type lists and null branches. A list of several non-null types, or a schema
/// that only allows `null`, has no 3.0 form and is reported with its pointer.
pub fn apply(doc: &mut Value) -> Result<()> {
    walk_document(doc, &mut |ptr, schema| {
        null_branches(ptr, schema)?;
        type_list(ptr, schema)
    })
}

fn is_null_schema(schema: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.len() == 1 && ts[0] == "null",
        _ => schema.get("enum") == Some(&Value::Array(vec![Value::Null])),
    }
}

fn type_list(ptr: &str, schema: &mut Map<String, Value>) -> Result<()> {
    let Some(Value::Array(types)) = schema.get("type") else {
        return Ok(());
    };
    let had_null = types.iter().any(|t| t == "null");
    let rest: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
    match rest.len() {
        0 => {
            return Err(XtaskError::at(
                child(ptr, "type"),
                "a schema that only allows null has no OpenAPI 3.0 form",
            ));
        }
        1 => {
            schema.insert("type".into(), rest[0].clone());
        }
        _ => {
            return Err(XtaskError::at(
                child(ptr, "type"),
                format!("a list of several types ({rest:?}) is not supported; use oneOf"),
            ));
        }
    }
    if had_null {
        schema.insert("nullable".into(), Value::Bool(true));
    }
    Ok(())
}

fn null_branches(ptr: &str, schema: &mut Map<String, Value>) -> Result<()> {
    if let Some(Value::String(t)) = schema.get("type")
        && t == "null"
    {
        return Err(XtaskError::at(
            child(ptr, "type"),
            "`type: null` outside oneOf/anyOf has no OpenAPI 3.0 form",
        ));
    }
    for key in ["oneOf", "anyOf"] {
        let Some(Value::Array(branches)) = schema.get(key) else {
            continue;
        };
        if !branches.iter().any(is_null_schema) {
            continue;
        }
        let rest: Vec<Value> = branches
            .iter()
            .filter(|b| !is_null_schema(b))
            .cloned()
            .collect();
        schema.insert("nullable".into(), Value::Bool(true));
        match rest.len() {
            0 => {
                return Err(XtaskError::at(
                    child(ptr, key),
                    "a schema that only allows null has no OpenAPI 3.0 form",
                ));
            }
            1 => {
                schema.remove(key);
                let only = rest.into_iter().next().unwrap_or_default();
                if only.get("$ref").is_some() || schema.contains_key("allOf") {
                    let mut all = match schema.remove("allOf") {
                        Some(Value::Array(a)) => a,
                        _ => Vec::new(),
                    };
                    all.push(only);
                    schema.insert("allOf".into(), Value::Array(all));
                } else if let Value::Object(fields) = only {
                    for (k, v) in fields {
                        if schema.contains_key(&k) && k != "nullable" {
                            return Err(XtaskError::at(
                                child(ptr, key),
                                format!("cannot merge the non-null branch: `{k}` is set on both"),
                            ));
                        }
                        schema.insert(k, v);
                    }
                }
            }
            _ => {
                schema.insert(key.into(), Value::Array(rest));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(schema: Value) -> Result<Value> {
        let mut d = json!({"components": {"schemas": {"N": schema}}});
        apply(&mut d)?;
        Ok(d["components"]["schemas"]["N"].clone())
    }

    #[test]
    fn type_list_with_null_becomes_nullable() {
        assert_eq!(
            one(json!({"type": ["string", "null"], "format": "date-time"})).unwrap(),
            json!({"type": "string", "format": "date-time", "nullable": true})
        );
        assert_eq!(
            one(json!({"type": ["integer"]})).unwrap(),
            json!({"type": "integer"})
        );
    }

    #[test]
    fn null_branch_of_ref_becomes_nullable_allof() {
        assert_eq!(
            one(json!({"anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]})).unwrap(),
            json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/A"}]})
        );
        assert_eq!(
            one(json!({"oneOf": [{"type": "string"}, {"type": "null"}], "description": "d"}))
                .unwrap(),
            json!({"description": "d", "nullable": true, "type": "string"})
        );
        assert_eq!(
            one(json!({"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}))
                .unwrap(),
            json!({"nullable": true, "oneOf": [{"type": "string"}, {"type": "integer"}]})
        );
    }

    #[test]
    fn unsupported_forms_name_their_pointer() {
        let e = one(json!({"type": ["string", "integer"]})).unwrap_err();
        assert_eq!(
            e.location.pointer.as_deref(),
            Some("/components/schemas/N/type")
        );
        let e = one(json!({"properties": {"x": {"type": "null"}}})).unwrap_err();
        assert_eq!(
            e.location.pointer.as_deref(),
            Some("/components/schemas/N/properties/x/type")
        );
    }
}
