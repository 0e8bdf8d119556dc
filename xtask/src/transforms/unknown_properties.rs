//! Unknown object fields are tolerated.
//!
//! The live API adds fields to responses long before a new spec is vendored. typify emits
//! `#[serde(deny_unknown_fields)]` for `additionalProperties: false`, which would make a
//! whole response fail on one new field; the client drops that constraint.

use serde_json::Value;

use super::walk::walk_document;
use crate::error::Result;

/// Remove `additionalProperties: false` from every schema.
pub fn apply(doc: &mut Value) -> Result<()> {
    walk_document(doc, &mut |_, schema| {
        if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
            schema.remove("additionalProperties");
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn closed_objects_are_opened() {
        let mut d = json!({"components": {"schemas": {
            "C": {"type": "object", "additionalProperties": false},
            "M": {"type": "object", "additionalProperties": {"type": "string"}}
        }}});
        apply(&mut d).unwrap();
        assert_eq!(d["components"]["schemas"]["C"], json!({"type": "object"}));
        assert_eq!(
            d["components"]["schemas"]["M"]["additionalProperties"],
            json!({"type": "string"})
        );
    }
}
