//! Discriminator `mapping` values written as `{$ref: ...}` objects become the strings that
//! OpenAPI (3.0 and 3.1) requires; openapiv3 fails to parse the object form.

use serde_json::Value;

use super::walk::walk_document;
use crate::error::{Result, XtaskError, child};

/// Rewrite every `discriminator.mapping` value of the form `{"$ref": "..."}` to the string.
pub fn apply(doc: &mut Value) -> Result<()> {
    walk_document(doc, &mut |ptr, schema| {
        let Some(mapping) = schema
            .get_mut("discriminator")
            .and_then(|d| d.get_mut("mapping"))
            .and_then(Value::as_object_mut)
        else {
            return Ok(());
        };
        for (key, value) in mapping.iter_mut() {
            match value {
                Value::String(_) => {}
                Value::Object(obj) => match obj.get("$ref").and_then(Value::as_str) {
                    Some(r) => *value = Value::from(r.to_string()),
                    None => {
                        let at = child(&child(&child(ptr, "discriminator"), "mapping"), key);
                        return Err(XtaskError::at(
                            at,
                            "a discriminator mapping value must be a string or a {$ref} object",
                        ));
                    }
                },
                _ => {
                    let at = child(&child(&child(ptr, "discriminator"), "mapping"), key);
                    return Err(XtaskError::at(
                        at,
                        "a discriminator mapping value must be a string",
                    ));
                }
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(mapping: Value) -> Value {
        json!({"components": {"schemas": {"U": {
            "oneOf": [{"$ref": "#/components/schemas/A"}],
            "discriminator": {"propertyName": "kind", "mapping": mapping}
        }}}})
    }

    #[test]
    fn ref_objects_become_strings_and_strings_stay() {
        let mut d =
            doc(json!({"a": {"$ref": "#/components/schemas/A"}, "b": "#/components/schemas/B"}));
        apply(&mut d).unwrap();
        assert_eq!(
            d["components"]["schemas"]["U"]["discriminator"]["mapping"],
            json!({"a": "#/components/schemas/A", "b": "#/components/schemas/B"})
        );
    }

    #[test]
    fn other_values_are_reported_with_pointer() {
        let e = apply(&mut doc(json!({"a": 5}))).unwrap_err();
        assert_eq!(
            e.location.pointer.as_deref(),
            Some("/components/schemas/U/discriminator/mapping/a")
        );
    }
}
