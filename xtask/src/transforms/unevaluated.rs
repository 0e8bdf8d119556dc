//! `unevaluatedProperties` (3.1) to `additionalProperties` (3.0); openapiv3 drops the former
//! silently, which would turn `metadata: {unevaluatedProperties: {type: string}}` into an
//! untyped value.

use serde_json::Value;

use super::walk::walk_document;
use crate::error::Result;

/// `unevaluatedProperties: S` becomes `additionalProperties: S` unless the schema already
/// says `additionalProperties`; `unevaluatedItems` has no 3.0 form and is dropped.
pub fn apply(doc: &mut Value) -> Result<()> {
    walk_document(doc, &mut |_, schema| {
        if let Some(value) = schema.remove("unevaluatedProperties")
            && !schema.contains_key("additionalProperties")
        {
            schema.insert("additionalProperties".into(), value);
        }
        schema.remove("unevaluatedItems");
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn becomes_additional_properties() {
        let mut d = json!({"components": {"schemas": {
            "M": {"type": "object", "unevaluatedProperties": {"type": "string"}},
            "K": {"type": "object", "additionalProperties": true, "unevaluatedProperties": false}
        }}});
        apply(&mut d).unwrap();
        assert_eq!(
            d["components"]["schemas"]["M"],
            json!({"type": "object", "additionalProperties": {"type": "string"}})
        );
        assert_eq!(
            d["components"]["schemas"]["K"],
            json!({"type": "object", "additionalProperties": true})
        );
    }
}
