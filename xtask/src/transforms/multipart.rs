//! `multipart/form-data` request bodies as typed bodies with file members.
//!
//! progenitor rejects `multipart/form-data`. A body offered only as multipart (or as
//! multipart and other non-JSON types) becomes a JSON body in the document progenitor
//! reads, so that it gets a generated body type (builder, validation, no `Default`) like
//! every other body; the SDK sends it as multipart (`postprocess/multipart.rs` gives the
//! type a `to_form` and the operation sends its result):
//!
//! - the body's schema must be an object with `properties` (inline or a `$ref`); it is
//!   copied inline (a component used elsewhere as JSON is left alone) and marked
//!   [`FORM`] with each member's part content type from the spec's `encoding`;
//! - a member that is a binary string (`format: binary`, or `contentMediaType` without
//!   `contentEncoding`), directly, through a `$ref` or as array items, becomes a reference
//!   to [`FILE_PART`], a schema the generator replaces by `crate::multipart::FilePart`;
//! - the operation is marked [`OPERATION`].
//!
//! A body offered as JSON too stays JSON (a client may send any listed type). A multipart
//! body whose schema is not an object with properties is refused with its pointer.

use serde_json::{Map, Value, json};

use super::HTTP_METHODS;
use crate::error::{Result, XtaskError, child};

/// The media type.
const MULTIPART: &str = "multipart/form-data";

/// The component schema every file member refers to; `generate` replaces its type with
/// `crate::multipart::FilePart`.
pub const FILE_PART: &str = "AsteroidSdkFilePart";

/// Marks a body schema sent as multipart: an object of member name to the part's content
/// type from the spec's `encoding` (`null` when the spec gives none).
pub const FORM: &str = "x-xtask-multipart";

/// Marks an operation whose body is sent as multipart.
pub const OPERATION: &str = "x-xtask-multipart";

/// Marks the [`FILE_PART`] schema.
pub const FILE_MARK: &str = "x-xtask-file-part";

/// Rewrite every multipart request body (see the module docs).
pub fn apply(doc: &mut Value) -> Result<()> {
    let snapshot = doc.clone();
    let mut used = false;
    if let Some(bodies) = doc
        .pointer_mut("/components/requestBodies")
        .and_then(Value::as_object_mut)
    {
        for (name, body) in bodies.iter_mut() {
            used |= rewrite_body(&snapshot, &child("/components/requestBodies", name), body)?;
        }
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let item_ptr = child("/paths", path);
            for method in HTTP_METHODS {
                let Some(op) = item.get_mut(*method).and_then(Value::as_object_mut) else {
                    continue;
                };
                let op_ptr = child(&item_ptr, method);
                let Some(body) = op.get_mut("requestBody") else {
                    continue;
                };
                let multipart = match body.get("$ref").and_then(Value::as_str) {
                    // A shared request body: rewritten above; the operation is marked if it is.
                    Some(target) => target
                        .strip_prefix('#')
                        .and_then(|p| snapshot.pointer(p))
                        .is_some_and(is_multipart_only),
                    None => rewrite_body(&snapshot, &child(&op_ptr, "requestBody"), body)?,
                };
                if multipart {
                    op.insert(OPERATION.into(), Value::Bool(true));
                    used = true;
                }
            }
        }
    }
    if used {
        let schemas = doc
            .as_object_mut()
            .ok_or_else(|| XtaskError::msg("the spec is not an object"))?
            .entry("components")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .ok_or_else(|| XtaskError::at("/components", "not an object"))?
            .entry("schemas")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .ok_or_else(|| XtaskError::at("/components/schemas", "not an object"))?;
        if schemas.contains_key(FILE_PART) {
            return Err(XtaskError::at(
                child("/components/schemas", FILE_PART),
                "this schema's name is the one the generator gives to file parts of \
                 multipart bodies",
            ));
        }
        schemas.insert(
            FILE_PART.into(),
            json!({
                "type": "string",
                "format": "binary",
                "description": "A file of a multipart body.",
                FILE_MARK: true,
            }),
        );
    }
    Ok(())
}

/// Whether a request body is offered as multipart and not as JSON.
fn is_multipart_only(body: &Value) -> bool {
    let Some(content) = body.get("content").and_then(Value::as_object) else {
        return false;
    };
    content.keys().any(|m| essence(m) == MULTIPART)
        && !content.keys().any(|m| {
            let e = essence(m);
            e == "application/json" || (e.starts_with("application/") && e.ends_with("+json"))
        })
}

fn essence(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Rewrite one request body if it is multipart only; whether it was.
fn rewrite_body(doc: &Value, ptr: &str, body: &mut Value) -> Result<bool> {
    if !is_multipart_only(body) {
        return Ok(false);
    }
    let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) else {
        return Ok(false);
    };
    let Some(media) = content.keys().find(|m| essence(m) == MULTIPART).cloned() else {
        return Ok(false);
    };
    let media_ptr = child(&child(ptr, "content"), &media);
    let entry = content.get(&media).cloned().unwrap_or_default();
    let schema_ptr = child(&media_ptr, "schema");
    let schema = entry
        .get("schema")
        .ok_or_else(|| XtaskError::at(&media_ptr, "a multipart body without a schema"))?;
    let (mut object, description) = resolve_object(doc, schema).ok_or_else(|| {
        XtaskError::at(
            &schema_ptr,
            "a multipart body whose schema is not an object with properties: its parts \
                 have no names",
        )
    })?;
    let encoding = entry.get("encoding").and_then(Value::as_object);
    let mut parts = Map::new();
    if let Some(props) = object.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, prop) in props.iter_mut() {
            let spec_type = encoding
                .and_then(|e| e.get(name))
                .and_then(|e| e.get("contentType"))
                .and_then(Value::as_str)
                .and_then(single_type);
            parts.insert(
                name.clone(),
                spec_type.map_or(Value::Null, |t| Value::String(t.to_string())),
            );
            filesify(doc, prop);
        }
    }
    if let (Some(d), false) = (description, object.contains_key("description")) {
        object.insert("description".into(), Value::String(d));
    }
    object.insert(FORM.into(), Value::Object(parts));
    // The body progenitor reads: JSON, one media type.
    content.clear();
    content.insert(
        "application/json".into(),
        json!({ "schema": Value::Object(object) }),
    );
    Ok(true)
}

/// An encoding's `contentType` as one media type: the first of a list, none for a
/// wildcard (`image/*`: the caller's file says which).
fn single_type(list: &str) -> Option<&str> {
    let first = list.split(',').next()?.trim();
    (!first.is_empty() && !first.contains('*')).then_some(first)
}

/// The object schema of a body (following `$ref`s), copied, and the description of the
/// referenced component if there was one.
fn resolve_object(doc: &Value, schema: &Value) -> Option<(Map<String, Value>, Option<String>)> {
    let mut current = schema;
    let mut description = None;
    for _ in 0..16 {
        if let Some(target) = current.get("$ref").and_then(Value::as_str) {
            current = doc.pointer(target.strip_prefix('#')?)?;
            if description.is_none() {
                description = current
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
            continue;
        }
        let object = current.as_object()?;
        let typed = object.get("type").is_none_or(|t| t == "object");
        return (typed && object.get("properties").is_some_and(Value::is_object))
            .then(|| (object.clone(), description));
    }
    None
}

/// Whether a schema (following `$ref`s) is a binary string.
fn is_binary(doc: &Value, schema: &Value) -> bool {
    let mut current = schema;
    for _ in 0..16 {
        if let Some(target) = current.get("$ref").and_then(Value::as_str) {
            match target.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                Some(next) => {
                    current = next;
                    continue;
                }
                None => return false,
            }
        }
        if let Some(Value::Array(all)) = current.get("allOf")
            && all.len() == 1
        {
            current = &all[0];
            continue;
        }
        let string = current.get("type").is_some_and(|t| t == "string");
        let binary = current.get("format").is_some_and(|f| f == "binary")
            || (current.get("contentMediaType").is_some()
                && current.get("contentEncoding").is_none());
        return string && binary;
    }
    false
}

/// Make a member a file part (or an array of them) if it is binary.
fn filesify(doc: &Value, prop: &mut Value) {
    let file = || json!({ "$ref": format!("#/components/schemas/{FILE_PART}") });
    let docs = |p: &Value| {
        p.get("description")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    if is_binary(doc, prop) {
        *prop = match docs(prop) {
            Some(d) => json!({ "allOf": [file()], "description": d }),
            None => file(),
        };
        return;
    }
    let is_array = prop.get("type").is_some_and(|t| t == "array");
    if let (true, Some(items)) = (is_array, prop.get("items").cloned())
        && is_binary(doc, &items)
    {
        prop["items"] = file();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(body: Value) -> Value {
        json!({
            "paths": {"/files": {"post": {"operationId": "Upload", "requestBody": body, "responses": {}}}},
            "components": {"schemas": {
                "Agents.Files.FilePart": {"type": "string", "format": "binary"},
                "Meta": {"type": "object", "properties": {"a": {"type": "string"}}}
            }}
        })
    }

    #[test]
    fn a_multipart_body_becomes_a_typed_json_body_with_file_members() {
        let mut d = spec(json!({
            "required": true,
            "content": {"multipart/form-data": {
                "encoding": {"files": {"contentType": "text/plain"}, "pic": {"contentType": "image/*"}},
                "schema": {"type": "object", "required": ["files"], "properties": {
                    "files": {"type": "array", "items": {"$ref": "#/components/schemas/Agents.Files.FilePart"}},
                    "pic": {"type": "string", "contentMediaType": "image/png", "description": "A picture."},
                    "note": {"type": "string"},
                    "meta": {"$ref": "#/components/schemas/Meta"}
                }}
            }}
        }));
        apply(&mut d).unwrap();
        let op = &d["paths"]["/files"]["post"];
        assert_eq!(op[OPERATION], true);
        let content = op["requestBody"]["content"].as_object().unwrap();
        assert_eq!(content.keys().collect::<Vec<_>>(), ["application/json"]);
        let schema = &content["application/json"]["schema"];
        let file_ref = format!("#/components/schemas/{FILE_PART}");
        assert_eq!(schema["properties"]["files"]["items"]["$ref"], file_ref);
        assert_eq!(schema["properties"]["pic"]["allOf"][0]["$ref"], file_ref);
        assert_eq!(schema["properties"]["pic"]["description"], "A picture.");
        assert_eq!(schema["properties"]["note"], json!({"type": "string"}));
        assert_eq!(
            schema["properties"]["meta"]["$ref"],
            "#/components/schemas/Meta"
        );
        assert_eq!(schema["required"], json!(["files"]));
        assert_eq!(
            schema[FORM],
            json!({"files": "text/plain", "pic": null, "note": null, "meta": null})
        );
        assert_eq!(d["components"]["schemas"][FILE_PART][FILE_MARK], true);
    }

    #[test]
    fn a_referenced_form_schema_is_copied_not_changed() {
        let mut d = spec(json!({
            "content": {"multipart/form-data": {"schema": {"$ref": "#/components/schemas/Form"}}}
        }));
        d["components"]["schemas"]["Form"] = json!({
            "type": "object", "description": "The form.",
            "properties": {"f": {"$ref": "#/components/schemas/Agents.Files.FilePart"}}
        });
        apply(&mut d).unwrap();
        assert_eq!(
            d["components"]["schemas"]["Form"]["properties"]["f"]["$ref"],
            "#/components/schemas/Agents.Files.FilePart"
        );
        let schema =
            &d["paths"]["/files"]["post"]["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(schema["description"], "The form.");
        assert_eq!(
            schema["properties"]["f"]["$ref"],
            format!("#/components/schemas/{FILE_PART}")
        );
    }

    #[test]
    fn a_body_offered_as_json_too_stays_json() {
        let body = json!({"content": {
            "multipart/form-data": {"schema": {"type": "object", "properties": {"a": {"type": "string"}}}},
            "application/json": {"schema": {"type": "object"}}
        }});
        let mut d = spec(body.clone());
        apply(&mut d).unwrap();
        assert_eq!(d["paths"]["/files"]["post"]["requestBody"], body);
        assert!(d["components"]["schemas"].get(FILE_PART).is_none());
    }

    #[test]
    fn a_form_without_named_parts_is_refused_with_its_pointer() {
        let mut d = spec(json!({
            "content": {"multipart/form-data": {"schema": {"type": "string", "format": "binary"}}}
        }));
        let e = apply(&mut d).unwrap_err();
        assert_eq!(
            e.location.pointer.as_deref(),
            Some("/paths/~1files/post/requestBody/content/multipart~1form-data/schema")
        );
        assert!(
            e.message.contains("not an object with properties"),
            "{}",
            e.message
        );
    }

    #[test]
    fn shared_request_bodies_mark_their_operations() {
        let mut d = spec(json!({"$ref": "#/components/requestBodies/Up"}));
        d["components"]["requestBodies"] = json!({"Up": {"content": {"multipart/form-data": {
            "schema": {"type": "object", "properties": {"f": {"type": "string", "format": "binary"}}}
        }}}});
        apply(&mut d).unwrap();
        assert_eq!(d["paths"]["/files"]["post"][OPERATION], true);
        assert!(
            d["components"]["requestBodies"]["Up"]["content"]["application/json"]["schema"][FORM]
                .is_object()
        );
    }

    #[test]
    fn wildcard_and_listed_encodings() {
        assert_eq!(single_type("image/png, image/jpeg"), Some("image/png"));
        assert_eq!(single_type("image/*"), None);
        assert_eq!(single_type(""), None);
    }
}
