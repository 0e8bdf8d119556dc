//! Reading the vendored spec: the file, its YAML, and the checks that make it an OpenAPI
//! document we can generate from. Every failure names the file and where it is.

use serde_json::Value;
use std::collections::BTreeMap;

use crate::error::{Location, Result, XtaskError, child};

/// Parse YAML text into a JSON value; a syntax error carries its line and column.
pub fn parse_yaml(text: &str) -> Result<Value> {
    let value: Value = serde_norway::from_str(text).map_err(|e| {
        let line_column = e.location().map(|l| (l.line(), l.column()));
        XtaskError {
            location: Location {
                line_column,
                ..Location::default()
            },
            message: format!("invalid YAML: {e}"),
        }
    })?;
    Ok(value)
}

/// Check that the value is an OpenAPI 3.x document we can work on: an object with an
/// `openapi: 3.x` version, an `info` object, a `paths` object, and unique operation ids.
pub fn validate(doc: &Value) -> Result<()> {
    let Some(root) = doc.as_object() else {
        return Err(XtaskError::at(
            "",
            "not an OpenAPI document: the top level is not a mapping",
        ));
    };
    match root.get("openapi") {
        Some(Value::String(v)) if v.starts_with("3.") => {}
        Some(Value::String(v)) => {
            return Err(XtaskError::at(
                "/openapi",
                format!("unsupported OpenAPI version {v:?}: expected 3.0.x or 3.1.x"),
            ));
        }
        Some(other) => {
            return Err(XtaskError::at(
                "/openapi",
                format!("the OpenAPI version must be a string such as \"3.1.0\", found {other}"),
            ));
        }
        None => {
            let hint = if root.contains_key("swagger") {
                " (this looks like Swagger 2.0; convert it to OpenAPI 3 first)"
            } else {
                ""
            };
            return Err(XtaskError::at(
                "",
                format!("not an OpenAPI document: no `openapi` version field{hint}"),
            ));
        }
    }
    if !root.get("info").is_some_and(Value::is_object) {
        return Err(XtaskError::at("/info", "missing or not a mapping"));
    }
    let Some(paths) = root.get("paths").and_then(Value::as_object) else {
        return Err(XtaskError::at("/paths", "missing or not a mapping"));
    };
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (path, item) in paths {
        let item_ptr = child("/paths", path);
        let Some(item) = item.as_object() else {
            return Err(XtaskError::at(item_ptr, "a path item must be a mapping"));
        };
        for method in crate::transforms::HTTP_METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let op_ptr = child(&item_ptr, method);
            let Some(op) = op.as_object() else {
                return Err(XtaskError::at(op_ptr, "an operation must be a mapping"));
            };
            match op.get("operationId") {
                Some(Value::String(id)) => {
                    if let Some(first) = seen.insert(id.clone(), op_ptr.clone()) {
                        return Err(XtaskError::at(
                            child(&op_ptr, "operationId"),
                            format!("duplicate operationId {id:?}, first used at {first}"),
                        ));
                    }
                }
                _ => {
                    return Err(XtaskError::at(
                        op_ptr,
                        "operation has no operationId (the generator names methods after it)",
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Turn the (transformed) JSON document into an `openapiv3::OpenAPI`; a field that does not
/// fit names its JSON pointer.
pub fn to_openapiv3(doc: Value) -> Result<openapiv3::OpenAPI> {
    serde_path_to_error::deserialize(doc).map_err(|e| {
        let pointer = path_to_pointer(e.path());
        XtaskError::at(
            pointer,
            format!("not valid OpenAPI 3.0 after the transforms: {}", e.inner()),
        )
    })
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out = child(&out, &index.to_string()),
            Segment::Map { key } => out = child(&out, key),
            Segment::Enum { variant } => out = child(&out, variant),
            Segment::Unknown => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_syntax_error_has_line_and_column() {
        let err = parse_yaml("openapi: 3.1.0\ninfo:\n  title: [unclosed\n").unwrap_err();
        let (line, _col) = err.location.line_column.expect("line and column");
        assert!(line >= 3, "{err}");
        assert!(err.message.contains("invalid YAML"));
    }

    #[test]
    fn rejects_documents_that_are_not_openapi() {
        assert!(validate(&json!([1, 2])).is_err());
        let e = validate(&json!({"swagger": "2.0"})).unwrap_err();
        assert!(e.message.contains("Swagger"), "{e}");
        let e = validate(&json!({"openapi": "2.0", "info": {}, "paths": {}})).unwrap_err();
        assert_eq!(e.location.pointer.as_deref(), Some("/openapi"));
    }

    #[test]
    fn rejects_duplicate_operation_ids_with_pointer() {
        let doc = json!({
            "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {
                "/a": {"get": {"operationId": "Same", "responses": {}}},
                "/b": {"post": {"operationId": "Same", "responses": {}}}
            }
        });
        let e = validate(&doc).unwrap_err();
        assert_eq!(
            e.location.pointer.as_deref(),
            Some("/paths/~1b/post/operationId")
        );
        assert!(e.message.contains("duplicate operationId"), "{e}");
    }

    #[test]
    fn openapiv3_errors_name_the_pointer() {
        let doc = json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"description": 5}}}}}
        });
        let e = to_openapiv3(doc).unwrap_err();
        // openapiv3 deserializes `paths` by hand, so the pointer stops there; the message
        // says what is wrong.
        let p = e.location.pointer.clone().unwrap();
        assert!(p.starts_with("/paths"), "{p}");
        assert!(e.message.contains("invalid type"), "{e}");
    }
}
