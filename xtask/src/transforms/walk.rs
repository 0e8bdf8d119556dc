//! Visiting every schema object of an OpenAPI document, with its JSON pointer.
//!
//! Keyword transforms must only touch schema objects: a property *named* `const` or `type`
//! is not a keyword. This walker knows where OpenAPI and JSON Schema put schemas.

use serde_json::{Map, Value};

use crate::error::{Result, child};

/// A callback run on every schema object, before its subschemas are visited.
pub type SchemaFn<'a> = dyn FnMut(&str, &mut Map<String, Value>) -> Result<()> + 'a;

/// Subschema keywords whose value is one schema.
const SINGLE: &[&str] = &[
    "items",
    "additionalProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "additionalItems",
];
/// Subschema keywords whose value is a list of schemas.
const LIST: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];
/// Subschema keywords whose value is a map of name to schema.
const MAP: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

/// Visit every schema in the document (components, parameters, bodies, responses, headers).
pub fn walk_document(doc: &mut Value, f: &mut SchemaFn<'_>) -> Result<()> {
    let Some(root) = doc.as_object_mut() else {
        return Ok(());
    };
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
        if let Some(schemas) = components.get_mut("schemas").and_then(Value::as_object_mut) {
            for (name, schema) in schemas.iter_mut() {
                walk_schema(&child("/components/schemas", name), schema, f)?;
            }
        }
        for (kind, holder) in [
            ("parameters", Holder::Parameter),
            ("responses", Holder::Response),
            ("requestBodies", Holder::Body),
            ("headers", Holder::Parameter),
        ] {
            if let Some(items) = components.get_mut(kind).and_then(Value::as_object_mut) {
                for (name, item) in items.iter_mut() {
                    let ptr = child(&child("/components", kind), name);
                    walk_holder(&ptr, item, holder, f)?;
                }
            }
        }
    }
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let item_ptr = child("/paths", path);
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (key, value) in item.iter_mut() {
                let ptr = child(&item_ptr, key);
                if key == "parameters" {
                    walk_list(&ptr, value, Holder::Parameter, f)?;
                } else if super::HTTP_METHODS.contains(&key.as_str()) {
                    walk_operation(&ptr, value, f)?;
                }
            }
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Holder {
    Parameter,
    Response,
    Body,
}

fn walk_operation(ptr: &str, op: &mut Value, f: &mut SchemaFn<'_>) -> Result<()> {
    let Some(op) = op.as_object_mut() else {
        return Ok(());
    };
    if let Some(params) = op.get_mut("parameters") {
        walk_list(&child(ptr, "parameters"), params, Holder::Parameter, f)?;
    }
    if let Some(body) = op.get_mut("requestBody") {
        walk_holder(&child(ptr, "requestBody"), body, Holder::Body, f)?;
    }
    if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
        for (status, response) in responses.iter_mut() {
            let rptr = child(&child(ptr, "responses"), status);
            walk_holder(&rptr, response, Holder::Response, f)?;
        }
    }
    Ok(())
}

fn walk_list(ptr: &str, list: &mut Value, holder: Holder, f: &mut SchemaFn<'_>) -> Result<()> {
    if let Some(items) = list.as_array_mut() {
        for (i, item) in items.iter_mut().enumerate() {
            walk_holder(&child(ptr, &i.to_string()), item, holder, f)?;
        }
    }
    Ok(())
}

/// A parameter, header, request body or response: schemas sit under `schema`,
/// `content/*/schema` and `headers/*/schema`.
fn walk_holder(ptr: &str, item: &mut Value, holder: Holder, f: &mut SchemaFn<'_>) -> Result<()> {
    let Some(obj) = item.as_object_mut() else {
        return Ok(());
    };
    if let Some(schema) = obj.get_mut("schema") {
        walk_schema(&child(ptr, "schema"), schema, f)?;
    }
    if let Some(content) = obj.get_mut("content").and_then(Value::as_object_mut) {
        for (media, media_obj) in content.iter_mut() {
            let mptr = child(&child(ptr, "content"), media);
            if let Some(schema) = media_obj.as_object_mut().and_then(|m| m.get_mut("schema")) {
                walk_schema(&child(&mptr, "schema"), schema, f)?;
            }
        }
    }
    if matches!(holder, Holder::Response | Holder::Body)
        && let Some(headers) = obj.get_mut("headers").and_then(Value::as_object_mut)
    {
        for (name, header) in headers.iter_mut() {
            let hptr = child(&child(ptr, "headers"), name);
            walk_holder(&hptr, header, Holder::Parameter, f)?;
        }
    }
    Ok(())
}

/// Visit one schema and, after the callback, all its subschemas.
pub fn walk_schema(ptr: &str, schema: &mut Value, f: &mut SchemaFn<'_>) -> Result<()> {
    let Some(obj) = schema.as_object_mut() else {
        return Ok(());
    };
    f(ptr, obj)?;
    for key in SINGLE {
        if let Some(sub) = obj.get_mut(*key) {
            walk_schema(&child(ptr, key), sub, f)?;
        }
    }
    for key in LIST {
        if let Some(Value::Array(items)) = obj.get_mut(*key) {
            for (i, sub) in items.iter_mut().enumerate() {
                walk_schema(&child(&child(ptr, key), &i.to_string()), sub, f)?;
            }
        }
    }
    for key in MAP {
        if let Some(Value::Object(map)) = obj.get_mut(*key) {
            for (name, sub) in map.iter_mut() {
                walk_schema(&child(&child(ptr, key), name), sub, f)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn visits_schemas_everywhere_but_not_property_names() {
        let mut doc = json!({
            "paths": {"/x": {
                "parameters": [{"name": "p", "in": "query", "schema": {"type": "string"}}],
                "get": {"responses": {"200": {
                    "content": {"application/json": {"schema": {
                        "properties": {"const": {"type": "integer"}},
                        "items": {"type": "number"}
                    }}},
                    "headers": {"X-R": {"schema": {"type": "string"}}}
                }}}
            }},
            "components": {"schemas": {"A": {"oneOf": [{"type": "null"}]}}}
        });
        let mut seen = Vec::new();
        walk_document(&mut doc, &mut |p, _| {
            seen.push(p.to_string());
            Ok(())
        })
        .unwrap();
        assert_eq!(
            seen,
            [
                "/components/schemas/A",
                "/components/schemas/A/oneOf/0",
                "/paths/~1x/parameters/0/schema",
                "/paths/~1x/get/responses/200/content/application~1json/schema",
                "/paths/~1x/get/responses/200/content/application~1json/schema/items",
                "/paths/~1x/get/responses/200/content/application~1json/schema/properties/const",
                "/paths/~1x/get/responses/200/headers/X-R/schema",
            ]
        );
    }
}
