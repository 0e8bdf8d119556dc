//! Component schemas get the names users read (see [`crate::names::rust_type_name`]).
//!
//! Every schema under `components/schemas` is renamed to its Rust type name, and every
//! reference to it (`$ref`, discriminator mappings) follows. Two schemas that would get
//! the same name are an error naming both pointers: add a row to
//! [`crate::names::RENAMES`] for one of them.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::{Result, XtaskError, child, escape_segment};
use crate::names::rust_type_name;

const PREFIX: &str = "#/components/schemas/";

/// Rename every component schema and the references to it.
pub fn apply(doc: &mut Value) -> Result<()> {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return Ok(());
    };
    let mut by_new: BTreeMap<String, String> = BTreeMap::new();
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    for name in schemas.keys() {
        let new = rust_type_name(name);
        if let Some(first) = by_new.insert(new.clone(), name.clone()) {
            return Err(XtaskError::at(
                child("/components/schemas", name),
                format!(
                    "this schema and {} would both be named `{new}` in Rust; add a row for \
                     one of them to RENAMES in xtask/src/names.rs",
                    child("/components/schemas", &first)
                ),
            ));
        }
        if new != *name {
            renames.insert(name.clone(), new);
        }
    }
    if renames.is_empty() {
        return Ok(());
    }
    let old = std::mem::take(schemas);
    *schemas = old
        .into_iter()
        .map(|(k, mut v)| match renames.get(&k) {
            Some(new) => {
                note_spec_name(&mut v, &k);
                (new.clone(), v)
            }
            None => (k, v),
        })
        .collect::<Map<String, Value>>();
    let refs: BTreeMap<String, String> = renames
        .iter()
        .map(|(o, n)| {
            (
                format!("{PREFIX}{}", escape_segment(o)),
                format!("{PREFIX}{}", escape_segment(n)),
            )
        })
        .collect();
    rewrite_refs(doc, &refs);
    Ok(())
}

/// Say in the schema's docs what the spec calls it, so users can find it in the API's own
/// reference (a hoisted inline schema, named `Parent-member`, has no name of its own).
fn note_spec_name(schema: &mut Value, spec_name: &str) {
    if spec_name.contains('-') {
        return;
    }
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if obj.contains_key(super::error_responses::MERGED) {
        return;
    }
    let note = format!("The spec's `{spec_name}`.");
    let text = match obj.get("description").and_then(Value::as_str) {
        Some(d) if !d.trim().is_empty() => format!("{}\n\n{note}", d.trim_end()),
        _ => note,
    };
    obj.insert("description".into(), Value::String(text));
}

/// Replace every string that is a reference to a renamed schema (or to a place inside it).
fn rewrite_refs(value: &mut Value, refs: &BTreeMap<String, String>) {
    match value {
        Value::String(s) if s.starts_with(PREFIX) => {
            let (target, rest) = match s[PREFIX.len()..].find('/') {
                Some(i) => s.split_at(PREFIX.len() + i),
                None => (s.as_str(), ""),
            };
            if let Some(new) = refs.get(target) {
                *s = format!("{new}{rest}");
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, refs)),
        Value::Object(map) => map.values_mut().for_each(|v| rewrite_refs(v, refs)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renames_schemas_and_references() {
        let mut doc = json!({
            "paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Agents.Execution.ListItem"}}}}}}}},
            "components": {"schemas": {
                "Agents.Execution.ListItem": {"properties": {
                    "status": {"$ref": "#/components/schemas/Agents.Execution.Status"},
                    "ctx": {"discriminator": {"mapping": {
                        "a": "#/components/schemas/Agents.Execution.Status/x"}}}}},
                "Agents.Execution.Status": {"enum": ["a"]},
                "Pet": {}
            }}
        });
        apply(&mut doc).unwrap();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        assert_eq!(
            schemas.keys().collect::<Vec<_>>(),
            ["Execution", "ExecutionStatus", "Pet"]
        );
        assert_eq!(
            doc.pointer("/paths/~1a/get/responses/200/content/application~1json/schema/$ref")
                .unwrap(),
            "#/components/schemas/Execution"
        );
        assert_eq!(
            schemas["Execution"]["properties"]["status"]["$ref"],
            "#/components/schemas/ExecutionStatus"
        );
        assert_eq!(
            schemas["Execution"]["properties"]["ctx"]["discriminator"]["mapping"]["a"],
            "#/components/schemas/ExecutionStatus/x"
        );
        assert_eq!(
            schemas["ExecutionStatus"]["description"],
            "The spec's `Agents.Execution.Status`."
        );
    }

    #[test]
    fn two_schemas_with_one_name_are_an_error_naming_both() {
        let mut doc = json!({"components": {"schemas": {
            "Agents.Label": {}, "Common.Label": {}
        }}});
        let e = apply(&mut doc).unwrap_err();
        assert_eq!(
            e.location.pointer.as_deref(),
            Some("/components/schemas/Common.Label")
        );
        assert!(
            e.message.contains("/components/schemas/Agents.Label"),
            "{e}"
        );
        assert!(e.message.contains("`Label`"), "{e}");
    }
}
