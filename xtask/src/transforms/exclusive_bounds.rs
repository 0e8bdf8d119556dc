//! Numeric `exclusiveMinimum: n` / `exclusiveMaximum: n` (3.1) to the 3.0 form
//! `minimum: n, exclusiveMinimum: true`; openapiv3 fails to parse the numeric form.

use serde_json::{Map, Value};

use super::walk::walk_document;
use crate::error::{Result, XtaskError, child};

/// Rewrite numeric exclusive bounds; when an inclusive bound is also given, the stricter
/// of the two is kept.
pub fn apply(doc: &mut Value) -> Result<()> {
    walk_document(doc, &mut |ptr, schema| {
        rewrite(ptr, schema, "exclusiveMinimum", "minimum", |excl, incl| {
            excl >= incl
        })?;
        rewrite(ptr, schema, "exclusiveMaximum", "maximum", |excl, incl| {
            excl <= incl
        })
    })
}

fn rewrite(
    ptr: &str,
    schema: &mut Map<String, Value>,
    exclusive: &str,
    inclusive: &str,
    exclusive_is_stricter: fn(f64, f64) -> bool,
) -> Result<()> {
    let Some(value) = schema.get(exclusive) else {
        return Ok(());
    };
    match value {
        Value::Bool(_) => Ok(()),
        Value::Number(n) => {
            let n = n.clone();
            let excl = n.as_f64().unwrap_or(f64::NAN);
            let keep_exclusive = match schema.get(inclusive).and_then(Value::as_f64) {
                Some(incl) => exclusive_is_stricter(excl, incl),
                None => true,
            };
            if keep_exclusive {
                schema.insert(inclusive.into(), Value::Number(n));
                schema.insert(exclusive.into(), Value::Bool(true));
            } else {
                schema.remove(exclusive);
            }
            Ok(())
        }
        _ => Err(XtaskError::at(
            child(ptr, exclusive),
            "must be a number or a boolean",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(schema: Value) -> Value {
        let mut d = json!({"components": {"schemas": {"N": schema}}});
        apply(&mut d).unwrap();
        d["components"]["schemas"]["N"].clone()
    }

    #[test]
    fn numeric_bounds_become_30_form() {
        assert_eq!(
            one(json!({"type": "number", "exclusiveMinimum": 5, "exclusiveMaximum": 9.5})),
            json!({"type": "number", "minimum": 5, "exclusiveMinimum": true,
                   "maximum": 9.5, "exclusiveMaximum": true})
        );
    }

    #[test]
    fn stricter_bound_wins_and_boolean_form_stays() {
        assert_eq!(
            one(json!({"type": "integer", "minimum": 10, "exclusiveMinimum": 5})),
            json!({"type": "integer", "minimum": 10})
        );
        assert_eq!(
            one(json!({"type": "integer", "minimum": 1, "exclusiveMinimum": true})),
            json!({"type": "integer", "minimum": 1, "exclusiveMinimum": true})
        );
    }

    #[test]
    fn bad_value_is_reported() {
        let mut d = json!({"components": {"schemas": {"N": {"exclusiveMinimum": "x"}}}});
        let e = apply(&mut d).unwrap_err();
        assert_eq!(
            e.location.pointer.as_deref(),
            Some("/components/schemas/N/exclusiveMinimum")
        );
    }
}
