//! Validation keywords constrain what the SDK sends, never what it decodes.
//!
//! typify turns `integer` + `minimum: 1` into `NonZeroU64`, a `pattern` into a newtype that
//! rejects other strings, `uniqueItems` into a set and `minItems == maxItems` into an
//! array: one value the server sends outside the bounds would fail a whole response. This
//! transform moves every validation keyword of every schema into an `x-constraints`
//! object, which typify ignores (so the types stay plain: `i64`, `String`, `Vec`), and
//! which the code generator reads to check request bodies and parameters before anything
//! is sent.

use serde_json::{Map, Value};

use super::walk::walk_document;
use crate::error::Result;

/// The extension that holds a schema's validation keywords.
pub const EXTENSION: &str = "x-constraints";

/// The keywords moved: they only restrict values, they never change a value's type.
pub const KEYWORDS: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
];

/// Move the validation keywords of every schema into [`EXTENSION`].
pub fn apply(doc: &mut Value) -> Result<()> {
    walk_document(doc, &mut |_, schema| {
        let mut moved = Map::new();
        for key in KEYWORDS {
            if let Some(v) = schema.remove(*key) {
                moved.insert((*key).to_string(), v);
            }
        }
        if !moved.is_empty() {
            schema.insert(EXTENSION.into(), Value::Object(moved));
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keywords_move_to_the_extension_and_types_stay() {
        let mut d = json!({"components": {"schemas": {"O": {"type": "object", "properties": {
            "n": {"type": "integer", "minimum": 1, "description": "d"},
            "s": {"type": "string", "pattern": "^a", "maxLength": 3, "format": "uuid"},
            "v": {"type": "array", "uniqueItems": true, "minItems": 2, "maxItems": 2,
                  "items": {"type": "number", "exclusiveMaximum": 5}},
            "minimum": {"type": "boolean"}
        }}}}});
        apply(&mut d).unwrap();
        let p = &d["components"]["schemas"]["O"]["properties"];
        assert_eq!(
            p["n"],
            json!({"type": "integer", "description": "d", "x-constraints": {"minimum": 1}})
        );
        assert_eq!(
            p["s"],
            json!({"type": "string", "format": "uuid",
                   "x-constraints": {"maxLength": 3, "pattern": "^a"}})
        );
        assert_eq!(
            p["v"]["x-constraints"],
            json!({"minItems": 2, "maxItems": 2, "uniqueItems": true})
        );
        assert_eq!(
            p["v"]["items"],
            json!({"type": "number", "x-constraints": {"exclusiveMaximum": 5}})
        );
        // A property *named* like a keyword is not a keyword.
        assert_eq!(p["minimum"], json!({"type": "boolean"}));
    }
}
