//! Responses as real specs write them, in the one shape progenitor generates.
//!
//! progenitor 0.15 counts `default` as both a success and an error response, and asserts
//! (panics) when the success responses, or the error responses, of an operation have more
//! than one kind of body: a typed JSON body (one per distinct schema), no body ("none")
//! or another media type ("raw"). Its mock generator also panics on a status code without
//! a reason phrase and on ranges other than `1XX`..`5XX`. Per operation, this transform:
//!
//! 1. **`default` beside explicit success responses** (`2XX` or a 2xx code) is the
//!    operation's error body: it becomes `4XX` and `5XX` (where the operation does not
//!    define those ranges itself), so 4xx and 5xx statuses decode as the typed error.
//!    What `default` said about 1xx and 3xx statuses is dropped: they come back as
//!    unexpected responses (and reqwest follows redirects).
//! 2. **Only `default` and no success response**: left alone. `default` describes every
//!    status, success included (as in "default: successful operation"), so progenitor
//!    decodes a 2xx with its body and reports every other status as an error with it.
//! 3. **Several success responses** (200 and 201, ...) with the same body are fine; with
//!    different bodies (two schemas, or a body beside none, such as 200 with a body and
//!    204) they are refused: the generated method returns one success type.
//! 4. **An error status without a JSON body** (no body, or another media type) beside
//!    error statuses with a typed body is dropped from the error responses, so that it is
//!    reported as an unexpected response with its status and body. If a typed range (or
//!    a remaining `default`) covers that status, the range decodes it as the typed error
//!    instead, and an empty body comes back as a decode failure that still carries the
//!    status. Without any typed error, raw error bodies are dropped too (an error type
//!    of raw bytes is no use to match on): such statuses are unexpected responses.
//!    Error responses with two different schemas are refused (`error_responses` already
//!    merged those of one shape).
//! 5. **A code inside a range of the same body** (`404` beside `4XX`) is dropped: the
//!    range's arm of the generated `match` comes first and would make the code's arm
//!    unreachable (a rustc warning), and decodes it the same way. Its mock helper goes
//!    with it (`client_error(404, body)` instead of `not_found(body)`).
//!
//! Statuses outside 100..=599, codes without a reason phrase (`299`) and ranges other than
//! `1XX`..`5XX` are refused, as are JSON responses without a schema or with an `encoding`
//! (progenitor's `todo!` and `assert!`).

use serde_json::Value;

use super::HTTP_METHODS;
use crate::error::{Result, XtaskError, child};

/// A response key as progenitor reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Code(u16),
    Range(u16),
    Default,
}

impl Status {
    fn parse(key: &str) -> Option<Self> {
        if key == "default" {
            return Some(Status::Default);
        }
        let b = key.as_bytes();
        if b.len() == 3 && b[0].is_ascii_digit() && b[1..].eq_ignore_ascii_case(b"XX") {
            return Some(Status::Range(u16::from(b[0] - b'0')));
        }
        if b.len() == 3 && b.iter().all(u8::is_ascii_digit) {
            return key.parse().ok().map(Status::Code);
        }
        None
    }

    /// The hundreds digit of a code or range.
    fn class(self) -> Option<u16> {
        match self {
            Status::Code(c) => Some(c / 100),
            Status::Range(r) => Some(r),
            Status::Default => None,
        }
    }

    fn is_success(self) -> bool {
        matches!(
            self,
            Status::Default | Status::Code(101) | Status::Code(200..=299) | Status::Range(2)
        )
    }

    fn is_error(self) -> bool {
        matches!(
            self,
            Status::Default | Status::Code(400..=599) | Status::Range(4..=5)
        )
    }
}

/// What progenitor makes of a response's body.
#[derive(Debug, Clone, PartialEq)]
enum Body {
    /// `application/json` with this schema (one Rust type per distinct schema).
    Typed(Value),
    /// No content.
    None,
    /// Another media type: a byte stream.
    Raw,
    /// A 101 without JSON: a websocket upgrade.
    Upgrade,
}

impl Body {
    fn describe(&self) -> String {
        match self {
            Body::Typed(schema) => match schema.get("$ref").and_then(Value::as_str) {
                Some(r) => format!("body {r}"),
                None => format!("inline body {schema}"),
            },
            Body::None => "no body".into(),
            Body::Raw => "a non-JSON body".into(),
            Body::Upgrade => "an upgrade".into(),
        }
    }
}

/// Rewrite every operation's responses (see the module docs).
pub fn apply(doc: &mut Value) -> Result<()> {
    let snapshot = doc.clone();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        let item_ptr = child("/paths", path);
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for method in HTTP_METHODS {
            let Some(op) = item.get_mut(*method).and_then(Value::as_object_mut) else {
                continue;
            };
            let ptr = child(&child(&item_ptr, method), "responses");
            if let Some(responses) = op.get_mut("responses") {
                let Some(responses) = responses.as_object_mut() else {
                    return Err(XtaskError::at(ptr, "responses must be a mapping"));
                };
                operation(&snapshot, &ptr, responses)?;
            }
        }
    }
    Ok(())
}

type Responses = serde_json::Map<String, Value>;

fn operation(doc: &Value, ptr: &str, responses: &mut Responses) -> Result<()> {
    // Check every key, and read every body.
    let mut entries: Vec<(String, Status, Body)> = Vec::new();
    for (key, response) in responses.iter() {
        let at = child(ptr, key);
        let status = Status::parse(key).ok_or_else(|| {
            XtaskError::at(
                &at,
                format!("`{key}` is not a status code, a range such as 4XX, or default"),
            )
        })?;
        check_status(&at, status)?;
        entries.push((key.clone(), status, body(doc, &at, status, response)?));
    }

    // 1. `default` beside explicit success responses is the error body.
    let explicit_success = entries
        .iter()
        .any(|(_, s, _)| s.is_success() && *s != Status::Default);
    if explicit_success && let Some(default) = responses.shift_remove("default") {
        let kind = take(&mut entries, Status::Default);
        for class in [4u16, 5] {
            if !entries.iter().any(|(_, s, _)| *s == Status::Range(class)) {
                let key = format!("{class}XX");
                responses.insert(key.clone(), default.clone());
                if let Some(kind) = &kind {
                    entries.push((key, Status::Range(class), kind.clone()));
                }
            }
        }
    }

    // 3. One success body.
    let success: Vec<&(String, Status, Body)> =
        entries.iter().filter(|(_, s, _)| s.is_success()).collect();
    if distinct(success.iter().map(|(_, _, b)| b)).len() > 1 {
        let listed: Vec<String> = success
            .iter()
            .map(|(k, _, b)| format!("{k} ({})", b.describe()))
            .collect();
        return Err(XtaskError::at(
            ptr,
            format!(
                "the success responses have different bodies: {}; the generated method \
                 returns one success type (progenitor would panic). Give them one schema, \
                 or describe the operation with one success response",
                listed.join(", ")
            ),
        ));
    }

    // 4. One error body: typed if there is one. Without a typed one, a non-JSON error
    //    body would make the error type a byte stream: those statuses are dropped, and
    //    come back as unexpected statuses with their status and a snippet of the body.
    let any_typed_error = entries
        .iter()
        .any(|(_, s, b)| s.is_error() && matches!(b, Body::Typed(_)));
    if !any_typed_error {
        for (key, status, body) in entries.clone() {
            if !status.is_error() || body != Body::Raw {
                continue;
            }
            if status == Status::Default {
                return Err(XtaskError::at(
                    child(ptr, &key),
                    "`default` with a non-JSON body and no explicit success response is \
                     both the success and the error body; the SDK types error bodies as \
                     JSON",
                ));
            }
            responses.shift_remove(&key);
            entries.retain(|(k, _, _)| *k != key);
        }
    }
    let errors: Vec<(String, Status, Body)> = entries
        .iter()
        .filter(|(_, s, _)| s.is_error())
        .cloned()
        .collect();
    let error_bodies = distinct(errors.iter().map(|(_, _, b)| b));
    if error_bodies.len() > 1 {
        let typed: Vec<&Body> = error_bodies
            .iter()
            .copied()
            .filter(|b| matches!(b, Body::Typed(_)))
            .collect();
        if typed.len() > 1 {
            let listed: Vec<String> = errors
                .iter()
                .filter(|(_, _, b)| matches!(b, Body::Typed(_)))
                .map(|(k, _, b)| format!("{k} ({})", b.describe()))
                .collect();
            return Err(XtaskError::at(
                ptr,
                format!(
                    "the error responses have different schemas: {}; progenitor needs one \
                     error type per operation",
                    listed.join(", ")
                ),
            ));
        }
        let kept = typed.first().map_or(Body::Raw, |b| (*b).clone());
        for (key, status, body) in &errors {
            if *body == kept {
                continue;
            }
            if *status == Status::Default {
                return Err(XtaskError::at(
                    child(ptr, key),
                    format!(
                        "`default` has {} but other error responses have {}; with no \
                         explicit success response `default` is also the success body, so \
                         it cannot be dropped",
                        body.describe(),
                        kept.describe()
                    ),
                ));
            }
            responses.shift_remove(key);
            entries.retain(|(k, _, _)| k != key);
        }
    }

    // 5. A code inside a range with the same body is covered by the range.
    let ranges: Vec<(u16, Body)> = entries
        .iter()
        .filter_map(|(_, s, b)| match s {
            Status::Range(r) => Some((*r, b.clone())),
            _ => None,
        })
        .collect();
    for (key, status, body) in entries.clone() {
        if let Status::Code(_) = status
            && ranges
                .iter()
                .any(|(r, b)| Some(*r) == status.class() && *b == body)
        {
            responses.shift_remove(&key);
            entries.retain(|(k, _, _)| *k != key);
        }
    }
    Ok(())
}

/// Remove the entry with this status and return its body.
fn take(entries: &mut Vec<(String, Status, Body)>, status: Status) -> Option<Body> {
    let i = entries.iter().position(|(_, s, _)| *s == status)?;
    Some(entries.remove(i).2)
}

fn distinct<'a>(bodies: impl Iterator<Item = &'a Body>) -> Vec<&'a Body> {
    let mut out: Vec<&Body> = Vec::new();
    for b in bodies {
        if !out.contains(&b) {
            out.push(b);
        }
    }
    out
}

/// Refuse what progenitor's generators panic on.
fn check_status(ptr: &str, status: Status) -> Result<()> {
    match status {
        Status::Code(code) => {
            let reason = http::StatusCode::from_u16(code)
                .ok()
                .filter(|_| (100..=599).contains(&code))
                .and_then(|c| c.canonical_reason());
            if reason.is_none() {
                return Err(XtaskError::at(
                    ptr,
                    format!(
                        "status {code} is not a registered HTTP status (100..=599 with a \
                         reason phrase); progenitor names mock helpers after the reason \
                         phrase and panics without one. Use a range such as {}XX",
                        code / 100
                    ),
                ));
            }
        }
        Status::Range(r) if !(1..=5).contains(&r) => {
            return Err(XtaskError::at(
                ptr,
                format!("{r}XX is not an HTTP status range (1XX to 5XX)"),
            ));
        }
        _ => {}
    }
    Ok(())
}

/// What progenitor makes of a response (following a `$ref` to a shared response).
fn body(doc: &Value, ptr: &str, status: Status, response: &Value) -> Result<Body> {
    let mut response = response;
    for _ in 0..16 {
        let Some(r) = response.get("$ref").and_then(Value::as_str) else {
            break;
        };
        response = r
            .strip_prefix('#')
            .and_then(|p| doc.pointer(p))
            .ok_or_else(|| XtaskError::at(ptr, format!("unresolved response reference {r}")))?;
    }
    if response.get("$ref").is_some() {
        return Err(XtaskError::at(ptr, "response references form a cycle"));
    }
    let content = response.get("content").and_then(Value::as_object);
    let json = content.and_then(|c| {
        c.iter().find(|(media, _)| {
            *media == "application/json" || media.starts_with("application/json;")
        })
    });
    if let Some((media, media_obj)) = json {
        let at = child(&child(ptr, "content"), media);
        if media_obj
            .get("encoding")
            .and_then(Value::as_object)
            .is_some_and(|e| !e.is_empty())
        {
            return Err(XtaskError::at(
                at,
                "a JSON response with an `encoding` is not supported (progenitor asserts)",
            ));
        }
        return match media_obj.get("schema") {
            Some(schema) => Ok(Body::Typed(schema.clone())),
            None => Err(XtaskError::at(
                at,
                "a JSON response needs a `schema` (progenitor has no code for one without)",
            )),
        };
    }
    Ok(match content {
        _ if status == Status::Code(101) => Body::Upgrade,
        Some(c) if !c.is_empty() => Body::Raw,
        _ => Body::None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PTR: &str = "/paths/~1pets/get/responses";

    fn typed(name: &str) -> Value {
        json!({"description": name, "content": {"application/json": {"schema":
            {"$ref": format!("#/components/schemas/{name}")}}}})
    }

    fn empty(description: &str) -> Value {
        json!({"description": description})
    }

    fn text() -> Value {
        json!({"description": "text", "content": {"text/plain": {"schema": {"type": "string"}}}})
    }

    fn doc(responses: Value) -> Value {
        json!({"paths": {"/pets": {"get": {"operationId": "findPets", "responses": responses}}},
            "components": {"responses": {"Shared": typed("Error")}}})
    }

    /// The response keys after the transform.
    fn run(responses: Value) -> Value {
        let mut d = doc(responses);
        apply(&mut d).unwrap_or_else(|e| panic!("{e}"));
        d.pointer(PTR).unwrap().clone()
    }

    fn keys(responses: &Value) -> Vec<&str> {
        responses
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect()
    }

    fn refused(responses: Value) -> XtaskError {
        let mut d = doc(responses);
        apply(&mut d).expect_err("refused")
    }

    #[test]
    fn default_beside_success_becomes_the_4xx_and_5xx_error_body() {
        let r = run(json!({"200": typed("Pet"), "default": typed("Error")}));
        assert_eq!(keys(&r), ["200", "4XX", "5XX"]);
        assert_eq!(r["4XX"], typed("Error"));
        assert_eq!(r["5XX"], typed("Error"));
        // A shared response stays a reference.
        let r = run(json!({"204": empty("deleted"),
            "default": {"$ref": "#/components/responses/Shared"}}));
        assert_eq!(keys(&r), ["204", "4XX", "5XX"]);
        assert_eq!(r["5XX"], json!({"$ref": "#/components/responses/Shared"}));
        // A range the operation defines itself is kept.
        let r = run(json!({"200": typed("Pet"), "5XX": typed("Error"), "default": typed("Error")}));
        assert_eq!(keys(&r), ["200", "5XX", "4XX"]);
    }

    #[test]
    fn default_beside_success_also_covers_explicit_error_codes_of_its_body() {
        // 404's arm would be unreachable behind 4XX's: it goes, 4XX decodes it the same.
        let r = run(json!({"200": typed("Pet"), "404": typed("Error"), "default": typed("Error")}));
        assert_eq!(keys(&r), ["200", "4XX", "5XX"]);
    }

    #[test]
    fn only_default_is_left_alone() {
        let input = json!({"default": typed("Pet")});
        assert_eq!(run(input.clone()), input);
        let input = json!({"default": empty("successful operation")});
        assert_eq!(run(input.clone()), input);
        // With typed errors beside it, a default without a body cannot be dropped.
        let e = refused(json!({"404": typed("Error"), "default": empty("ok")}));
        assert_eq!(
            e.location.pointer.as_deref(),
            Some("/paths/~1pets/get/responses/default")
        );
    }

    #[test]
    fn ranges_are_kept_and_cover_codes_with_the_same_body() {
        let r = run(json!({"2XX": typed("Pet"), "4XX": typed("Error"), "5XX": typed("Error")}));
        assert_eq!(keys(&r), ["2XX", "4XX", "5XX"]);
        let r = run(
            json!({"200": typed("Pet"), "2XX": typed("Pet"), "400": typed("Error"),
            "4XX": typed("Error"), "503": typed("Error")}),
        );
        assert_eq!(keys(&r), ["2XX", "4XX", "503"]);
    }

    #[test]
    fn success_codes_with_one_body_are_fine_with_different_bodies_refused() {
        let input = json!({"200": typed("Pet"), "201": typed("Pet")});
        assert_eq!(run(input.clone()), input);
        let e = refused(json!({"200": typed("Pet"), "201": typed("NewPet")}));
        assert_eq!(e.location.pointer.as_deref(), Some(PTR));
        assert!(
            e.message.contains("200 (body #/components/schemas/Pet)"),
            "{e}"
        );
        assert!(
            e.message.contains("201 (body #/components/schemas/NewPet)"),
            "{e}"
        );
        // A body and no body: 200 and 204.
        let e = refused(json!({"200": typed("Pet"), "204": empty("nothing")}));
        assert!(e.message.contains("204 (no body)"), "{e}");
        // 2XX and a code with another body.
        assert!(
            refused(json!({"2XX": typed("Pet"), "204": empty("x")}))
                .message
                .contains("different bodies")
        );
    }

    #[test]
    fn a_lone_204_is_fine() {
        let input = json!({"204": empty("deleted")});
        assert_eq!(run(input.clone()), input);
        let input = json!({"204": empty("deleted"), "404": empty("missing")});
        assert_eq!(run(input.clone()), input);
    }

    #[test]
    fn bodiless_and_raw_errors_beside_typed_errors_are_dropped() {
        let r = run(
            json!({"200": typed("Pet"), "400": typed("Error"), "404": empty("missing"),
            "503": text(), "500": typed("Error")}),
        );
        assert_eq!(keys(&r), ["200", "400", "500"]);
        // Without a typed error, raw error bodies are dropped (unexpected responses, with
        // a snippet) and bodiless statuses kept (`Error<()>`).
        let r = run(json!({"200": typed("Pet"), "404": empty("missing"), "503": text()}));
        assert_eq!(keys(&r), ["200", "404"]);
        let r = run(json!({"200": text(), "500": text()}));
        assert_eq!(keys(&r), ["200"]);
        // A raw `default` that is also the success body cannot be typed.
        let e = refused(json!({"default": text()}));
        assert_eq!(
            e.location.pointer.as_deref(),
            Some("/paths/~1pets/get/responses/default")
        );
        // Beside a default error body: the bodiless code goes; 4XX decodes it.
        let r =
            run(json!({"200": typed("Pet"), "404": empty("missing"), "default": typed("Error")}));
        assert_eq!(keys(&r), ["200", "4XX", "5XX"]);
    }

    #[test]
    fn two_error_schemas_are_refused() {
        let e = refused(json!({"200": typed("Pet"), "400": typed("Bad"), "500": typed("Error")}));
        assert_eq!(e.location.pointer.as_deref(), Some(PTR));
        assert!(e.message.contains("different schemas"), "{e}");
    }

    #[test]
    fn statuses_progenitor_panics_on_are_refused() {
        for key in ["299", "099", "600", "6XX", "0XX", "20X", "ok"] {
            let e = refused(json!({key: typed("Pet")}));
            assert_eq!(
                e.location.pointer.as_deref(),
                Some(format!("{PTR}/{key}").as_str()),
                "{key}: {e}"
            );
        }
        // Lowercase ranges are ranges.
        let r = run(json!({"200": typed("Pet"), "4xx": typed("Error"), "404": typed("Error")}));
        assert_eq!(keys(&r), ["200", "4xx"]);
        // 418 and 425 have reason phrases.
        run(json!({"200": typed("Pet"), "418": typed("Error"), "425": typed("Error")}));
    }

    #[test]
    fn json_without_schema_or_with_encoding_is_refused() {
        let e = refused(json!({"200": {"description": "x", "content": {"application/json": {}}}}));
        assert!(e.message.contains("needs a `schema`"), "{e}");
        let e = refused(
            json!({"200": {"description": "x", "content": {"application/json; charset=utf-8":
            {"schema": {"type": "string"}, "encoding": {"a": {}}}}}}),
        );
        assert!(e.message.contains("encoding"), "{e}");
    }

    #[test]
    fn identical_inline_success_bodies_are_one_type() {
        let body = json!({"description": "x", "content": {"application/json": {"schema":
            {"type": "object", "properties": {"x": {"type": "string"}}}}}});
        let input = json!({"200": body.clone(), "201": body});
        assert_eq!(run(input.clone()), input);
    }
}
