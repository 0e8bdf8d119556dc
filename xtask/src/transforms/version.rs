//! OpenAPI 3.1 version string and top-level 3.1-only fields to their 3.0 form.

use serde_json::Value;

use crate::error::{Result, XtaskError};

/// `openapi: 3.1.x` becomes `3.0.3`; `webhooks` and `jsonSchemaDialect` (3.1 only, not
/// used by a client) are dropped. A 3.0 document is left as it is.
pub fn apply(doc: &mut Value) -> Result<()> {
    let Some(root) = doc.as_object_mut() else {
        return Err(XtaskError::at("", "the document is not a mapping"));
    };
    match root.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => {}
        Some(v) if v.starts_with("3.1.") => {
            root.insert("openapi".into(), Value::from("3.0.3"));
            root.remove("webhooks");
            root.remove("jsonSchemaDialect");
        }
        other => {
            return Err(XtaskError::at(
                "/openapi",
                format!("unsupported OpenAPI version {other:?}"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn downgrades_31_and_keeps_30() {
        let mut d = json!({"openapi": "3.1.0", "webhooks": {}, "jsonSchemaDialect": "x"});
        apply(&mut d).unwrap();
        assert_eq!(d, json!({"openapi": "3.0.3"}));
        let mut d = json!({"openapi": "3.0.1"});
        apply(&mut d).unwrap();
        assert_eq!(d, json!({"openapi": "3.0.1"}));
    }

    #[test]
    fn other_versions_are_errors() {
        let e = apply(&mut json!({"openapi": "4.0.0"})).unwrap_err();
        assert_eq!(e.location.pointer.as_deref(), Some("/openapi"));
    }
}
