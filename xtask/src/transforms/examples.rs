//! Schema `examples: [..]` (JSON Schema, 3.1) to the 3.0 `example`; openapiv3 drops it.

use serde_json::Value;

use super::walk::walk_document;
use crate::error::Result;

/// In a schema, `examples` as a list becomes `example` (its first item) unless `example`
/// is already there. (`examples` of a media type or parameter is a map in both versions
/// and is not a schema keyword, so it is not touched.)
pub fn apply(doc: &mut Value) -> Result<()> {
    walk_document(doc, &mut |_, schema| {
        if let Some(Value::Array(_)) = schema.get("examples")
            && let Some(Value::Array(mut list)) = schema.remove("examples")
            && !schema.contains_key("example")
            && !list.is_empty()
        {
            schema.insert("example".into(), list.swap_remove(0));
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn first_example_is_kept() {
        let mut d = json!({"components": {"schemas": {
            "S": {"type": "string", "examples": ["a", "b"]},
            "E": {"type": "string", "examples": []}
        }}});
        apply(&mut d).unwrap();
        assert_eq!(
            d["components"]["schemas"]["S"],
            json!({"type": "string", "example": "a"})
        );
        assert_eq!(d["components"]["schemas"]["E"], json!({"type": "string"}));
    }

    #[test]
    fn media_type_examples_map_is_untouched() {
        let mut d = json!({"paths": {"/x": {"get": {"responses": {"200": {"content": {
            "application/json": {"schema": {"type": "string"}, "examples": {"one": {"value": "a"}}}
        }}}}}}});
        let before = d.clone();
        apply(&mut d).unwrap();
        assert_eq!(d, before);
    }
}
