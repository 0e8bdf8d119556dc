//! Inline string enums and inline objects become named component schemas.
//!
//! The client makes every string enum forward compatible (an unknown value is kept, not
//! rejected) by replacing typify's enum with a generated open enum, and gives every object
//! type a builder, unknown-member keeping and request validation; all of that works on
//! *named* schemas. So an enum or object written inline, such as a `source: {enum: [api]}`
//! property, is moved to `components/schemas/<Parent>-<property>` and referenced from
//! where it was, with the property's own docs kept there. The `-` keeps the parent's
//! namespace rule intact: `Pet-status` is `PetStatus`, `Agents.Ctx-source` is `CtxSource`.
//! Inline bodies are named as progenitor names their types (`<operationId>-body`,
//! `<operationId>-response`), parameters `<operationId>-<parameter>`.

use serde_json::{Map, Value};

use super::{HTTP_METHODS, is_annotation};
use crate::error::Result;

/// Whether a schema is an inline string enum (and nothing more).
pub fn is_string_enum(schema: &Map<String, Value>) -> bool {
    let Some(Value::Array(values)) = schema.get("enum") else {
        return false;
    };
    let typed = match schema.get("type") {
        None => true,
        Some(t) => t == "string",
    };
    typed
        && !values.is_empty()
        && values.iter().all(|v| v.is_string() || v.is_null())
        && values.iter().any(Value::is_string)
        && !schema.contains_key("$ref")
        && !schema.contains_key("properties")
}

/// Whether a schema is an inline object with properties (and no composition).
pub fn is_inline_object(schema: &Map<String, Value>) -> bool {
    let typed = match schema.get("type") {
        None => true,
        Some(t) => t == "object",
    };
    typed
        && schema.get("properties").is_some_and(Value::is_object)
        && !["$ref", "allOf", "oneOf", "anyOf", "enum", "const"]
            .iter()
            .any(|k| schema.contains_key(*k))
}

/// Move every inline string enum of the components and of operation parameters into
/// `components/schemas`.
pub fn apply(doc: &mut Value) -> Result<()> {
    let mut hoisted: Vec<(String, Value)> = Vec::new();
    let mut taken: Vec<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();

    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            hoist_within(name, schema, &mut hoisted, &mut taken, true);
        }
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for method in HTTP_METHODS {
                let Some(op) = item.get_mut(*method).and_then(Value::as_object_mut) else {
                    continue;
                };
                let op_id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or("Op")
                    .to_string();
                // Inline request and response bodies: named as progenitor names their types
                // (`<operationId>-body`, `<operationId>-response`).
                for (key, suffix) in [("requestBody", "body"), ("responses", "response")] {
                    let Some(holder) = op.get_mut(key) else {
                        continue;
                    };
                    let mut schemas: Vec<&mut Value> = Vec::new();
                    collect_body_schemas(holder, key == "responses", &mut schemas);
                    for schema in schemas {
                        if schema.get("$ref").is_none() {
                            let base = format!("{op_id}-{suffix}");
                            // A whole body that is an enum stays inline: typify names it
                            // after the operation. An object is hoisted.
                            let object = schema.as_object().is_some_and(is_inline_object);
                            hoist_within(&base, schema, &mut hoisted, &mut taken, !object);
                        }
                    }
                }
                let Some(Value::Array(params)) = op.get_mut("parameters") else {
                    continue;
                };
                for param in params {
                    let pname = param
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("param")
                        .to_string();
                    if let Some(schema) = param.get_mut("schema") {
                        let base = format!("{op_id}-{pname}");
                        hoist_within(&base, schema, &mut hoisted, &mut taken, false);
                    }
                }
            }
        }
    }
    if hoisted.is_empty() {
        return Ok(());
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in hoisted {
            schemas.insert(name, schema);
        }
    } else if let Some(root) = doc.as_object_mut() {
        let components = root
            .entry("components")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(c) = components.as_object_mut() {
            c.insert(
                "schemas".into(),
                Value::Object(hoisted.into_iter().collect()),
            );
        }
    }
    Ok(())
}

/// The `content/*/schema` values of a request body, or of every response.
fn collect_body_schemas<'a>(holder: &'a mut Value, many: bool, out: &mut Vec<&'a mut Value>) {
    let bodies: Vec<&'a mut Value> = if many {
        holder
            .as_object_mut()
            .map(|m| m.values_mut().collect())
            .unwrap_or_default()
    } else {
        vec![holder]
    };
    for body in bodies {
        if let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) {
            for media in content.values_mut() {
                if let Some(schema) = media.get_mut("schema") {
                    out.push(schema);
                }
            }
        }
    }
}

/// Hoist enums found in `schema` (named `name`); the schema itself is hoisted only when it
/// is not already a component (`is_component == false`).
fn hoist_within(
    name: &str,
    schema: &mut Value,
    out: &mut Vec<(String, Value)>,
    taken: &mut Vec<String>,
    is_component: bool,
) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if !is_component && is_inline_object(obj) {
        // Its own inline members first, named after it.
        let unique = unique_name(name, taken);
        hoist_within(&unique, schema, out, taken, true);
        let Some(obj) = schema.as_object_mut() else {
            return;
        };
        move_to_components(obj, unique, out);
        return;
    }
    if !is_component && is_string_enum(obj) {
        let unique = unique_name(name, taken);
        move_to_components(obj, unique, out);
        return;
    }
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        for (prop, sub) in props.iter_mut() {
            hoist_within(&format!("{name}-{prop}"), sub, out, taken, false);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(sub) = obj.get_mut(key) {
            hoist_within(&format!("{name}-item"), sub, out, taken, false);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(subs)) = obj.get_mut(key) {
            for (i, sub) in subs.iter_mut().enumerate() {
                hoist_within(&format!("{name}-variant{i}"), sub, out, taken, false);
            }
        }
    }
}

/// Move a schema to `components/schemas/<name>`, leaving a reference with the site's own
/// annotations (its description, deprecation, nullability) where it was.
fn move_to_components(obj: &mut Map<String, Value>, name: String, out: &mut Vec<(String, Value)>) {
    let mut site = Map::new();
    let mut moved = Map::new();
    for (k, v) in std::mem::take(obj) {
        if (is_annotation(&k) && k != "example" && k != "default") || k == "nullable" {
            site.insert(k, v);
        } else {
            moved.insert(k, v);
        }
    }
    if let Some(d) = site.get("description") {
        moved.insert("description".into(), d.clone());
    }
    site.insert(
        "allOf".into(),
        Value::Array(vec![
            serde_json::json!({"$ref": format!("#/components/schemas/{name}")}),
        ]),
    );
    *obj = site;
    out.push((name, Value::Object(moved)));
}

fn unique_name(base: &str, taken: &mut Vec<String>) -> String {
    let mut name = base.to_string();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}{n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inline_enums_move_to_components_with_docs_kept() {
        let mut d = json!({
            "paths": {"/x": {"get": {"operationId": "List", "parameters": [
                {"name": "order", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}}
            ]}}},
            "components": {"schemas": {
                "Top": {"type": "string", "enum": ["a", "b"]},
                "Ctx": {"type": "object", "properties": {
                    "source": {"type": "string", "enum": ["api"], "description": "tag", "deprecated": true},
                    "tags": {"type": "array", "items": {"enum": ["x"]}}
                }}
            }}
        });
        apply(&mut d).unwrap();
        let s = &d["components"]["schemas"];
        assert_eq!(s["Top"], json!({"type": "string", "enum": ["a", "b"]}));
        assert_eq!(
            s["Ctx-source"],
            json!({"type": "string", "enum": ["api"], "description": "tag"})
        );
        assert_eq!(
            s["Ctx"]["properties"]["source"],
            json!({"description": "tag", "deprecated": true,
                   "allOf": [{"$ref": "#/components/schemas/Ctx-source"}]})
        );
        assert_eq!(s["Ctx-tags-item"], json!({"enum": ["x"]}));
        assert_eq!(
            s["List-order"],
            json!({"type": "string", "enum": ["asc", "desc"]})
        );
        assert_eq!(
            d.pointer("/paths/~1x/get/parameters/0/schema/allOf/0/$ref")
                .unwrap(),
            "#/components/schemas/List-order"
        );
    }

    #[test]
    fn enums_in_inline_bodies_are_hoisted_with_progenitors_names() {
        let mut d = json!({"paths": {"/x": {"post": {"operationId": "Cancel",
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "properties": {"mode": {"type": "string", "enum": ["a", "b"]}}}}}},
            "responses": {"200": {"content": {"application/json": {"schema": {"type": "string", "enum": ["ok"]}}}}}
        }}}});
        apply(&mut d).unwrap();
        let s = &d["components"]["schemas"];
        assert_eq!(
            s["Cancel-body-mode"],
            json!({"type": "string", "enum": ["a", "b"]})
        );
        // A whole body that is an enum stays inline: typify names it after the operation.
        assert!(s.get("Cancel-response").is_none());
        // An inline object body is hoisted under progenitor's name for it.
        assert_eq!(
            s["Cancel-body"]["properties"]["mode"]["allOf"][0]["$ref"],
            "#/components/schemas/Cancel-body-mode"
        );
        assert_eq!(
            d.pointer("/paths/~1x/post/requestBody/content/application~1json/schema/allOf/0/$ref")
                .unwrap(),
            "#/components/schemas/Cancel-body"
        );
    }

    #[test]
    fn inline_objects_are_hoisted_with_their_own_members() {
        let mut d = json!({"components": {"schemas": {
            "Pet": {"type": "object", "properties": {
                "owner": {"description": "who", "type": "object", "properties": {
                    "kind": {"type": "string", "enum": ["person", "org"]},
                    "name": {"type": "string"}}},
                "free": {"type": "object", "additionalProperties": {"type": "string"}}
            }}
        }}});
        apply(&mut d).unwrap();
        let s = &d["components"]["schemas"];
        assert_eq!(
            s["Pet"]["properties"]["owner"],
            json!({"description": "who", "allOf": [{"$ref": "#/components/schemas/Pet-owner"}]})
        );
        assert_eq!(
            s["Pet-owner"]["properties"]["kind"]["allOf"][0]["$ref"],
            "#/components/schemas/Pet-owner-kind"
        );
        assert_eq!(s["Pet-owner-kind"]["enum"], json!(["person", "org"]));
        // A map without properties stays inline.
        assert!(s.get("Pet-free").is_none());
    }

    #[test]
    fn names_do_not_collide() {
        let mut d = json!({"components": {"schemas": {
            "A-b": {"type": "object"},
            "A": {"type": "object", "properties": {"b": {"enum": ["x"]}}}
        }}});
        apply(&mut d).unwrap();
        assert!(d["components"]["schemas"].get("A-b2").is_some());
    }
}
