//! JSON Schema `const` (3.1) to a one-value `enum` (3.0); openapiv3 drops `const` silently.

use serde_json::Value;

use super::walk::walk_document;
use crate::error::Result;

/// `const: v` becomes `enum: [v]`; when an `enum` is also present it already constrains the
/// value, so `const` is dropped.
pub fn apply(doc: &mut Value) -> Result<()> {
    walk_document(doc, &mut |_, schema| {
        if let Some(value) = schema.remove("const")
            && !schema.contains_key("enum")
        {
            schema.insert("enum".into(), Value::Array(vec![value]));
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn const_becomes_enum_but_property_named_const_stays() {
        let mut d = json!({"components": {"schemas": {"S": {
            "type": "object",
            "properties": {"const": {"type": "string", "const": "x"}}
        }}}});
        apply(&mut d).unwrap();
        assert_eq!(
            d["components"]["schemas"]["S"]["properties"]["const"],
            json!({"type": "string", "enum": ["x"]})
        );
    }
}
