//! An `anyOf` of object schemas is one object type with every member's properties.
//!
//! typify turns `anyOf: [A, B]` of objects into a struct of `Option<A>` and `Option<B>`
//! flattened (`subtype_0`, `subtype_1`) that derives `Default` and has no builder. For a
//! body such as "send `name`, `itemKey`, or both", a user wants one type with the fields
//! `name` and `item_key`. So a component schema that is only an `anyOf` (annotations
//! aside) of two or more object schemas with properties (inline or `$ref`) becomes an object
//! schema:
//!
//! - its properties are the union of the members' (a property two members give must be
//!   the same schema up to annotations; the first member's docs are kept), in member order;
//! - its required properties are those every member requires (whichever member a value
//!   matches, they are present);
//! - which properties each member requires is said in its docs ("Set at least one of:
//!   `name`; `itemKey`."), and kept as [`MEMBERS`];
//! - it is open to unknown members unless every member is closed.
//!
//! A value of the merged type is a value of some member exactly when it has one member's
//! required properties; the server checks that. Members that disagree on a property are
//! not merged: when a one-value enum property tells them apart (a discriminator written as
//! `anyOf`), at most one matches and the `anyOf` is a `oneOf` (a union, one variant per
//! member); otherwise, and for members that are not objects, typify decides.

use serde_json::{Map, Value, json};

use super::is_annotation;
use crate::error::Result;

/// The required properties of each `anyOf` member, on the merged schema.
pub const MEMBERS: &str = "x-xtask-any-of";

/// Merge every `anyOf` of objects among the component schemas (see the module docs).
pub fn apply(doc: &mut Value) -> Result<()> {
    let snapshot = doc.clone();
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return Ok(());
    };
    for (_, schema) in schemas.iter_mut() {
        if let Some(merged) = merge(&snapshot, schema) {
            *schema = merged;
        } else if exclusive(&snapshot, schema)
            && let Some(obj) = schema.as_object_mut()
            && let Some(members) = obj.remove("anyOf")
        {
            obj.insert("oneOf".into(), members);
        }
    }
    Ok(())
}

/// Whether an `anyOf` of objects can match one member at most: every member has the same
/// property with a one-value enum, a different value in each (a discriminator written as
/// `anyOf`). Such an `anyOf` is a `oneOf`: a union, one variant per member (typify would
/// otherwise make a struct of every member flattened and optional).
fn exclusive(doc: &Value, schema: &Value) -> bool {
    let Some(obj) = schema.as_object() else {
        return false;
    };
    let Some(Value::Array(members)) = obj.get("anyOf") else {
        return false;
    };
    if members.len() < 2 || obj.keys().any(|k| k != "anyOf" && !is_annotation(k)) {
        return false;
    }
    let Some(objects) = members
        .iter()
        .map(|m| object_of(doc, m))
        .collect::<Option<Vec<_>>>()
    else {
        return false;
    };
    let tag_of = |o: &Map<String, Value>, name: &str| -> Option<Value> {
        let prop = o.get("properties")?.get(name)?;
        let values = prop.get("enum")?.as_array()?;
        (values.len() == 1).then(|| values[0].clone())
    };
    let Some(first) = objects[0].get("properties").and_then(Value::as_object) else {
        return false;
    };
    first.keys().any(|name| {
        let tags: Option<Vec<Value>> = objects.iter().map(|o| tag_of(o, name)).collect();
        tags.is_some_and(|tags| tags.iter().enumerate().all(|(i, t)| !tags[..i].contains(t)))
    })
}

/// The object schema a member stands for (following `$ref`s).
fn object_of<'a>(doc: &'a Value, schema: &'a Value) -> Option<&'a Map<String, Value>> {
    let mut current = schema;
    for _ in 0..16 {
        if let Some(target) = current.get("$ref").and_then(Value::as_str) {
            current = doc.pointer(target.strip_prefix('#')?)?;
            continue;
        }
        let obj = current.as_object()?;
        let typed = obj.get("type").is_none_or(|t| t == "object");
        let composed = ["anyOf", "oneOf", "allOf", "discriminator"]
            .iter()
            .any(|k| obj.contains_key(*k));
        return (typed && !composed && obj.get("properties").is_some_and(Value::is_object))
            .then_some(obj);
    }
    None
}

/// A schema without its annotations, to compare two members' properties.
fn without_annotations(schema: &Value) -> Value {
    match schema {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !is_annotation(k))
                .map(|(k, v)| (k.clone(), without_annotations(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn merge(doc: &Value, schema: &Value) -> Option<Value> {
    let obj = schema.as_object()?;
    let Some(Value::Array(members)) = obj.get("anyOf") else {
        return None;
    };
    if members.len() < 2 || obj.keys().any(|k| k != "anyOf" && !is_annotation(k)) {
        return None;
    }
    let objects: Vec<&Map<String, Value>> = members
        .iter()
        .map(|m| object_of(doc, m))
        .collect::<Option<_>>()?;
    let mut properties = Map::new();
    let mut required_sets: Vec<Vec<String>> = Vec::new();
    let mut closed = true;
    for o in &objects {
        for (name, prop) in o.get("properties")?.as_object()? {
            match properties.get(name) {
                Some(seen) if without_annotations(seen) != without_annotations(prop) => {
                    return None;
                }
                Some(_) => {}
                None => {
                    properties.insert(name.clone(), prop.clone());
                }
            }
        }
        let required: Vec<String> = o
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        required_sets.push(required);
        let member_closed = ["additionalProperties", "unevaluatedProperties"]
            .iter()
            .any(|k| o.get(*k) == Some(&Value::Bool(false)));
        closed &= member_closed;
    }
    let required: Vec<String> = required_sets[0]
        .iter()
        .filter(|r| required_sets.iter().all(|set| set.contains(r)))
        .cloned()
        .collect();
    let mut out: Map<String, Value> = obj
        .iter()
        .filter(|(k, _)| *k != "anyOf")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    out.insert("type".into(), json!("object"));
    out.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        out.insert("required".into(), json!(required));
    }
    if closed {
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    let alternatives: Vec<String> = required_sets
        .iter()
        .filter(|set| !set.is_empty())
        .map(|set| {
            set.iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect();
    // A member that requires only what all require is matched by any value with those:
    // no rule beyond `required`.
    let sorted = |v: &[String]| {
        let mut v = v.to_vec();
        v.sort_unstable();
        v
    };
    let no_rule = required_sets
        .iter()
        .any(|set| sorted(set) == sorted(&required));
    if alternatives.len() == required_sets.len() && !no_rule {
        let rule = format!("Set at least one of: {}.", alternatives.join("; "));
        let description = match out.get("description").and_then(Value::as_str) {
            Some(d) => format!("{d}\n\n{rule}"),
            None => rule,
        };
        out.insert("description".into(), Value::String(description));
    }
    out.insert(MEMBERS.into(), json!(required_sets));
    Some(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({"components": {"schemas": {
            "Vault.Name": {"type": "object", "required": ["name"], "properties": {
                "itemKey": {"type": "string", "maxLength": 64, "description": "Optional key."},
                "name": {"type": "string", "maxLength": 200}
            }},
            "Vault.Key": {"type": "object", "required": ["itemKey"], "properties": {
                "itemKey": {"type": "string", "maxLength": 64, "description": "The key."},
                "name": {"type": "string", "maxLength": 200}
            }},
            "Vault.Update": {
                "description": "Send name, itemKey, or both.",
                "anyOf": [{"$ref": "#/components/schemas/Vault.Name"}, {"$ref": "#/components/schemas/Vault.Key"}]
            }
        }}})
    }

    #[test]
    fn an_any_of_of_objects_is_one_object_with_every_property() {
        let mut d = doc();
        apply(&mut d).unwrap();
        let s = &d["components"]["schemas"]["Vault.Update"];
        assert_eq!(s["type"], "object");
        assert!(s.get("anyOf").is_none());
        let props: Vec<&String> = s["properties"].as_object().unwrap().keys().collect();
        assert_eq!(props, ["itemKey", "name"]);
        // The first member's docs.
        assert_eq!(s["properties"]["itemKey"]["description"], "Optional key.");
        // Neither property is required by every member.
        assert!(s.get("required").is_none());
        assert_eq!(s[MEMBERS], json!([["name"], ["itemKey"]]));
        assert_eq!(
            s["description"],
            "Send name, itemKey, or both.\n\nSet at least one of: `name`; `itemKey`."
        );
        assert!(s.get("additionalProperties").is_none());
        // The members stay as they were.
        assert_eq!(
            d["components"]["schemas"]["Vault.Name"],
            doc()["components"]["schemas"]["Vault.Name"]
        );
    }

    #[test]
    fn a_property_every_member_requires_stays_required() {
        let mut d = json!({"components": {"schemas": {"U": {"anyOf": [
            {"type": "object", "required": ["id", "a"], "properties": {"id": {"type": "string"}, "a": {"type": "string"}}, "additionalProperties": false},
            {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "b": {"type": "integer"}}, "additionalProperties": false}
        ]}}}});
        apply(&mut d).unwrap();
        let s = &d["components"]["schemas"]["U"];
        assert_eq!(s["required"], json!(["id"]));
        assert_eq!(s["additionalProperties"], false);
        // A value with `id` matches the second member: no rule to state.
        assert!(s.get("description").is_none());
        assert_eq!(s[MEMBERS], json!([["id", "a"], ["id"]]));
    }

    #[test]
    fn an_any_of_told_apart_by_a_one_value_enum_is_a_one_of() {
        let member = |tag: &str, extra: &str| {
            json!({"type": "object", "properties": {
                "environmentType": {"type": "string", "enum": [tag]},
                "provider": {"type": "string", "enum": [extra, "other"]}
            }})
        };
        let mut d = json!({"components": {"schemas": {
            "Browser": member("browser", "a"),
            "Os": member("os", "b"),
            "State": {"description": "d", "anyOf": [
                {"$ref": "#/components/schemas/Browser"}, {"$ref": "#/components/schemas/Os"}
            ]},
            "Same": {"anyOf": [
                {"$ref": "#/components/schemas/Browser"}, {"$ref": "#/components/schemas/Browser"}
            ]}
        }}});
        apply(&mut d).unwrap();
        let s = &d["components"]["schemas"]["State"];
        assert!(s.get("anyOf").is_none());
        assert_eq!(s["oneOf"].as_array().unwrap().len(), 2);
        assert_eq!(s["description"], "d");
        // The same tag twice: both members may match, it stays an anyOf (merged: they agree).
        assert!(d["components"]["schemas"]["Same"].get("oneOf").is_none());
    }

    #[test]
    fn unions_of_other_shapes_are_left_alone() {
        for schema in [
            // A member that is not an object.
            json!({"anyOf": [{"type": "object", "properties": {"a": {"type": "string"}}}, {"type": "string"}]}),
            // Members that disagree on a property.
            json!({"anyOf": [
                {"type": "object", "properties": {"a": {"type": "string"}}},
                {"type": "object", "properties": {"a": {"type": "integer"}}}
            ]}),
            // An anyOf beside other keywords.
            json!({"type": "object", "properties": {"x": {}}, "anyOf": [
                {"type": "object", "properties": {"a": {"type": "string"}}},
                {"type": "object", "properties": {"b": {"type": "string"}}}
            ]}),
            // One member.
            json!({"anyOf": [{"type": "object", "properties": {"a": {"type": "string"}}}]}),
        ] {
            let mut d = json!({"components": {"schemas": {"U": schema.clone()}}});
            apply(&mut d).unwrap();
            assert_eq!(d["components"]["schemas"]["U"], schema);
        }
    }
}
