//! `allOf` with a single inline schema is folded into its parent.
//!
//! After aliases are inlined, `{allOf: [{type: string, format: uuid}], description: ..}` is
//! common; typify would make a new named type for it. Folding gives the plain type with
//! the description as its docs. An `allOf: [{$ref}]` is left alone (typify already treats
//! it as the referenced type).

use serde_json::Value;

use super::walk::walk_document;
use crate::error::Result;

/// Fold `allOf: [inline]` into the parent when no keyword is set on both.
pub fn apply(doc: &mut Value) -> Result<()> {
    walk_document(doc, &mut |_, schema| {
        let Some(Value::Array(all)) = schema.get("allOf") else {
            return Ok(());
        };
        if all.len() != 1 {
            return Ok(());
        }
        let Some(inner) = all[0].as_object() else {
            return Ok(());
        };
        if inner.contains_key("$ref") {
            return Ok(());
        }
        if inner
            .keys()
            .any(|k| schema.contains_key(k) && !super::is_annotation(k))
        {
            return Ok(());
        }
        let inner = inner.clone();
        schema.remove("allOf");
        for (k, v) in inner {
            // The parent's own annotations (its description) win.
            schema.entry(k).or_insert(v);
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn single_inline_allof_is_folded() {
        let mut d = json!({"components": {"schemas": {"O": {"properties": {
            "a": {"allOf": [{"type": "string", "format": "uuid", "description": "inner"}],
                  "description": "outer"},
            "b": {"allOf": [{"$ref": "#/components/schemas/X"}], "description": "kept"},
            "c": {"allOf": [{"type": "string"}, {"minLength": 1}]}
        }}}}});
        apply(&mut d).unwrap();
        let p = &d["components"]["schemas"]["O"]["properties"];
        assert_eq!(
            p["a"],
            json!({"type": "string", "format": "uuid", "description": "outer"})
        );
        assert_eq!(p["b"]["allOf"][0]["$ref"], "#/components/schemas/X");
        assert_eq!(p["c"]["allOf"].as_array().unwrap().len(), 2);
    }
}
