//! Media types as progenitor reads them.
//!
//! - **Responses**: progenitor decodes a body only when its media type is exactly
//!   `application/json` (parameters allowed); any other is a raw byte stream, which the
//!   SDK's typed errors and mocks cannot take. A JSON media type by its structured syntax
//!   suffix (RFC 6839: `application/problem+json`, `application/vnd.api+json`) is JSON:
//!   it is renamed `application/json`, unless the response lists `application/json` too
//!   (then that one is decoded and the other dropped). The SDK decodes a body as JSON
//!   whatever `Content-Type` the server sends, so nothing changes on the wire.
//! - **Request bodies**: progenitor takes one media type and panics on more. A body that
//!   offers several is sent as `application/json` when that is one of them (a client may
//!   send any listed type), else the list is refused. A body whose only JSON type is a
//!   `+json` one is refused: progenitor would send it as `application/json`, which is not
//!   what the spec says.

use serde_json::{Map, Value};

use super::HTTP_METHODS;
use crate::error::{Result, XtaskError, child};

/// Whether a media type (parameters allowed) is `application/json`.
fn is_plain_json(media: &str) -> bool {
    essence(media) == "application/json"
}

/// Whether a media type is JSON by its `+json` suffix (`application/problem+json`).
fn is_suffixed_json(media: &str) -> bool {
    let e = essence(media);
    e.starts_with("application/") && e.ends_with("+json")
}

/// The type and subtype, lower-case, without parameters.
fn essence(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Rewrite every response's and request body's media types (see the module docs).
pub fn apply(doc: &mut Value) -> Result<()> {
    if let Some(responses) = doc
        .pointer_mut("/components/responses")
        .and_then(Value::as_object_mut)
    {
        for (_, response) in responses.iter_mut() {
            response_content(response);
        }
    }
    if let Some(bodies) = doc
        .pointer_mut("/components/requestBodies")
        .and_then(Value::as_object_mut)
    {
        for (name, body) in bodies.iter_mut() {
            request_content(&child("/components/requestBodies", name), body)?;
        }
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        let item_ptr = child("/paths", path);
        for method in HTTP_METHODS {
            let Some(op) = item.get_mut(*method).and_then(Value::as_object_mut) else {
                continue;
            };
            let op_ptr = child(&item_ptr, method);
            if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                for (_, response) in responses.iter_mut() {
                    response_content(response);
                }
            }
            if let Some(body) = op.get_mut("requestBody") {
                request_content(&child(&op_ptr, "requestBody"), body)?;
            }
        }
    }
    Ok(())
}

fn content_of(holder: &mut Value) -> Option<&mut Map<String, Value>> {
    if holder.get("$ref").is_some() {
        return None;
    }
    holder.get_mut("content").and_then(Value::as_object_mut)
}

fn response_content(response: &mut Value) {
    let Some(content) = content_of(response) else {
        return;
    };
    let has_plain = content.keys().any(|m| is_plain_json(m));
    let suffixed: Vec<String> = content
        .keys()
        .filter(|m| is_suffixed_json(m))
        .cloned()
        .collect();
    if suffixed.is_empty() {
        return;
    }
    // Keep the order of the other entries: rebuild the map.
    let old = std::mem::take(content);
    let mut renamed = has_plain;
    for (media, value) in old {
        if suffixed.contains(&media) {
            if !renamed {
                content.insert("application/json".into(), value);
                renamed = true;
            }
        } else {
            content.insert(media, value);
        }
    }
}

fn request_content(ptr: &str, body: &mut Value) -> Result<()> {
    let Some(content) = content_of(body) else {
        return Ok(());
    };
    let content_ptr = child(ptr, "content");
    if content.len() > 1 {
        let Some(json) = content.keys().find(|m| is_plain_json(m)).cloned() else {
            let listed: Vec<&str> = content.keys().map(String::as_str).collect();
            return Err(XtaskError::at(
                content_ptr,
                format!(
                    "a request body offered as {} and not as application/json: progenitor \
                     takes one media type",
                    listed.join(", ")
                ),
            ));
        };
        content.retain(|m, _| *m == json);
    }
    if let Some(media) = content.keys().find(|m| is_suffixed_json(m)) {
        return Err(XtaskError::at(
            child(&content_ptr, media),
            format!(
                "a request body of media type {media}: progenitor would send it as \
                 application/json"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(responses: Value, body: Option<Value>) -> Value {
        let mut op = json!({"responses": responses});
        if let Some(b) = body {
            op["requestBody"] = b;
        }
        json!({"paths": {"/x": {"post": op}}})
    }

    #[test]
    fn suffixed_json_responses_are_json() {
        let mut d = op(
            json!({
                "200": {"description": "ok", "content": {"application/vnd.api+json; charset=utf-8": {"schema": {"type": "object"}}}},
                "default": {"description": "e", "content": {
                    "text/html": {"schema": {"type": "string"}},
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/P"}}
                }},
                "404": {"description": "e", "content": {
                    "application/json": {"schema": {"type": "string"}},
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/P"}}
                }}
            }),
            None,
        );
        d["components"] = json!({"responses": {"E": {"description": "e", "content": {"application/problem+json": {"schema": {}}}}}});
        apply(&mut d).unwrap();
        let r = &d["paths"]["/x"]["post"]["responses"];
        assert_eq!(
            r["200"]["content"],
            json!({"application/json": {"schema": {"type": "object"}}})
        );
        let keys: Vec<&String> = r["default"]["content"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(keys, ["text/html", "application/json"]);
        assert_eq!(
            r["default"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/P"
        );
        // application/json listed as well: it wins.
        assert_eq!(
            r["404"]["content"],
            json!({"application/json": {"schema": {"type": "string"}}})
        );
        assert!(d["components"]["responses"]["E"]["content"]["application/json"].is_object());
    }

    #[test]
    fn other_media_types_are_left_alone() {
        let mut d = op(
            json!({"200": {"description": "ok", "content": {"text/csv": {"schema": {"type": "string"}}}}}),
            Some(json!({"content": {"application/octet-stream": {"schema": {"type": "string"}}}})),
        );
        let before = d.clone();
        apply(&mut d).unwrap();
        assert_eq!(d, before);
    }

    #[test]
    fn a_body_offered_as_several_types_is_sent_as_json() {
        let mut d = op(
            json!({}),
            Some(json!({"content": {
                "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}}
            }})),
        );
        apply(&mut d).unwrap();
        let keys: Vec<&String> = d["paths"]["/x"]["post"]["requestBody"]["content"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(keys, ["application/json"]);
    }

    #[test]
    fn bodies_that_cannot_be_sent_as_written_are_refused_with_their_pointer() {
        let mut d = op(
            json!({}),
            Some(
                json!({"content": {"application/merge-patch+json": {"schema": {"type": "object"}}}}),
            ),
        );
        let e = apply(&mut d).unwrap_err();
        assert_eq!(
            e.location.pointer.as_deref(),
            Some("/paths/~1x/post/requestBody/content/application~1merge-patch+json")
        );
        assert!(e.message.contains("application/json"), "{}", e.message);
        let mut d = op(
            json!({}),
            Some(json!({"content": {
                "multipart/form-data": {"schema": {"type": "object"}},
                "application/x-www-form-urlencoded": {"schema": {"type": "object"}}
            }})),
        );
        let e = apply(&mut d).unwrap_err();
        assert_eq!(
            e.location.pointer.as_deref(),
            Some("/paths/~1x/post/requestBody/content")
        );
        assert!(e.message.contains("multipart/form-data"), "{}", e.message);
    }
}
