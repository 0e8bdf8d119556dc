//! Checking what the SDK sends against the spec's validation keywords.
//!
//! The spec's `minimum`, `maxLength`, `pattern`, ... are moved out of the generated types
//! (a response is never rejected for breaking them: the server is the authority). They are
//! checked here, on request bodies and parameters, before anything is sent: the generated
//! code calls [`check`] with the keywords of each constrained field and parameter, and
//! every generated object type implements [`Validate`].

// Which of these the generated code calls depends on the spec (a spec with no request
// body and no constrained parameter calls none), so unused items are expected.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::Value;

/// The validation keywords of one value (JSON Schema 2020-12 semantics; lengths count
/// characters).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    pub minimum: Option<f64>,
    pub exclusive_minimum: bool,
    pub maximum: Option<f64>,
    pub exclusive_maximum: bool,
    pub multiple_of: Option<f64>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<&'static str>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub unique_items: bool,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    /// The rules of every item of an array.
    pub items: Option<&'static Rules>,
}

impl Rules {
    /// No rule at all.
    pub const NONE: Rules = Rules {
        minimum: None,
        exclusive_minimum: false,
        maximum: None,
        exclusive_maximum: false,
        multiple_of: None,
        min_length: None,
        max_length: None,
        pattern: None,
        min_items: None,
        max_items: None,
        unique_items: false,
        min_properties: None,
        max_properties: None,
        items: None,
    };
}

/// A value the SDK sends whose parts may carry rules.
pub(crate) trait Validate {
    /// Check the value; `path` names it in the error (`reason`, `items[2].name`).
    fn validate(&self, path: &str) -> Result<(), String>;
}

impl<T: Validate> Validate for Option<T> {
    fn validate(&self, path: &str) -> Result<(), String> {
        match self {
            Some(v) => v.validate(path),
            None => Ok(()),
        }
    }
}

impl<T: Validate> Validate for Box<T> {
    fn validate(&self, path: &str) -> Result<(), String> {
        (**self).validate(path)
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate(&self, path: &str) -> Result<(), String> {
        self.iter()
            .enumerate()
            .try_for_each(|(i, v)| v.validate(&format!("{path}[{i}]")))
    }
}

impl<T: Validate, S> Validate for HashMap<String, T, S> {
    fn validate(&self, path: &str) -> Result<(), String> {
        self.iter()
            .try_for_each(|(k, v)| v.validate(&member(path, k)))
    }
}

impl<T: Validate> Validate for BTreeMap<String, T> {
    fn validate(&self, path: &str) -> Result<(), String> {
        self.iter()
            .try_for_each(|(k, v)| v.validate(&member(path, k)))
    }
}

/// The path of member `name` of the value at `path`.
pub(crate) fn member(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// Check one value (any serializable type; `None` passes) against its rules.
pub(crate) fn check<T: Serialize + ?Sized>(
    path: &str,
    value: &T,
    rules: &Rules,
) -> Result<(), String> {
    let value =
        serde_json::to_value(value).map_err(|e| format!("`{path}` cannot be serialized: {e}"))?;
    check_value(path, &value, rules)
}

fn check_value(path: &str, value: &Value, rules: &Rules) -> Result<(), String> {
    match value {
        Value::Null | Value::Bool(_) => Ok(()),
        Value::Number(n) => {
            let Some(x) = n.as_f64() else { return Ok(()) };
            check_number(path, x, n, rules)
        }
        Value::String(s) => check_string(path, s, rules),
        Value::Array(items) => {
            let len = items.len() as u64;
            if let Some(min) = rules.min_items
                && len < min
            {
                return Err(format!(
                    "`{path}` must have at least {min} item{} (has {len})",
                    plural(min)
                ));
            }
            if let Some(max) = rules.max_items
                && len > max
            {
                return Err(format!(
                    "`{path}` must have at most {max} item{} (has {len})",
                    plural(max)
                ));
            }
            if rules.unique_items {
                for (i, a) in items.iter().enumerate() {
                    if let Some(j) = items[..i].iter().position(|b| b == a) {
                        return Err(format!(
                            "`{path}` must not repeat items ({path}[{j}] and {path}[{i}] are equal)"
                        ));
                    }
                }
            }
            if let Some(item_rules) = rules.items {
                for (i, item) in items.iter().enumerate() {
                    check_value(&format!("{path}[{i}]"), item, item_rules)?;
                }
            }
            Ok(())
        }
        Value::Object(map) => {
            let len = map.len() as u64;
            if let Some(min) = rules.min_properties
                && len < min
            {
                return Err(format!(
                    "`{path}` must have at least {min} member{} (has {len})",
                    plural(min)
                ));
            }
            if let Some(max) = rules.max_properties
                && len > max
            {
                return Err(format!(
                    "`{path}` must have at most {max} member{} (has {len})",
                    plural(max)
                ));
            }
            Ok(())
        }
    }
}

fn check_number(
    path: &str,
    x: f64,
    shown: &serde_json::Number,
    rules: &Rules,
) -> Result<(), String> {
    if let Some(min) = rules.minimum {
        if rules.exclusive_minimum && x <= min {
            return Err(format!(
                "`{path}` must be greater than {} (is {shown})",
                number(min)
            ));
        }
        if x < min {
            return Err(format!(
                "`{path}` must be at least {} (is {shown})",
                number(min)
            ));
        }
    }
    if let Some(max) = rules.maximum {
        if rules.exclusive_maximum && x >= max {
            return Err(format!(
                "`{path}` must be less than {} (is {shown})",
                number(max)
            ));
        }
        if x > max {
            return Err(format!(
                "`{path}` must be at most {} (is {shown})",
                number(max)
            ));
        }
    }
    if let Some(m) = rules.multiple_of
        && m > 0.0
    {
        let q = x / m;
        if (q - q.round()).abs() > 1e-9 * q.abs().max(1.0) {
            return Err(format!(
                "`{path}` must be a multiple of {} (is {shown})",
                number(m)
            ));
        }
    }
    Ok(())
}

fn check_string(path: &str, s: &str, rules: &Rules) -> Result<(), String> {
    let len = s.chars().count() as u64;
    if let Some(min) = rules.min_length
        && len < min
    {
        return Err(format!(
            "`{path}` must be at least {min} character{} long (is {len})",
            plural(min)
        ));
    }
    if let Some(max) = rules.max_length
        && len > max
    {
        return Err(format!(
            "`{path}` must be at most {max} character{} long (is {len})",
            plural(max)
        ));
    }
    if let Some(pattern) = rules.pattern {
        match regex_lite::Regex::new(pattern) {
            Ok(re) if !re.is_match(s) => {
                return Err(format!("`{path}` must match the pattern `{pattern}`"));
            }
            // A pattern this engine cannot read is the server's to check.
            _ => {}
        }
    }
    Ok(())
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(value: Value, rules: Rules) -> String {
        check_value("f", &value, &rules).unwrap_err()
    }

    #[test]
    fn numbers() {
        let r = Rules {
            minimum: Some(1.0),
            maximum: Some(100.0),
            ..Rules::NONE
        };
        assert!(check_value("f", &json!(1), &r).is_ok());
        assert!(check_value("f", &json!(100), &r).is_ok());
        assert_eq!(err(json!(0), r), "`f` must be at least 1 (is 0)");
        assert_eq!(err(json!(101), r), "`f` must be at most 100 (is 101)");
        let x = Rules {
            minimum: Some(0.0),
            exclusive_minimum: true,
            multiple_of: Some(0.5),
            ..Rules::NONE
        };
        assert_eq!(err(json!(0), x), "`f` must be greater than 0 (is 0)");
        assert!(check_value("f", &json!(1.5), &x).is_ok());
        assert_eq!(err(json!(1.2), x), "`f` must be a multiple of 0.5 (is 1.2)");
    }

    #[test]
    fn strings_arrays_and_objects() {
        let s = Rules {
            min_length: Some(2),
            max_length: Some(3),
            pattern: Some("^[a-zé]+$"),
            ..Rules::NONE
        };
        assert!(
            check_value("f", &json!("éé"), &s).is_ok(),
            "characters, not bytes"
        );
        assert_eq!(
            err(json!("abcd"), s),
            "`f` must be at most 3 characters long (is 4)"
        );
        assert_eq!(
            err(json!("A1"), s),
            "`f` must match the pattern `^[a-zé]+$`"
        );
        static ITEM: Rules = Rules {
            max_length: Some(1),
            ..Rules::NONE
        };
        let a = Rules {
            max_items: Some(2),
            unique_items: true,
            items: Some(&ITEM),
            ..Rules::NONE
        };
        assert_eq!(
            err(json!(["a", "b", "c"]), a),
            "`f` must have at most 2 items (has 3)"
        );
        assert!(err(json!(["a", "a"]), a).contains("must not repeat items"));
        assert_eq!(
            err(json!(["a", "bb"]), a),
            "`f[1]` must be at most 1 character long (is 2)"
        );
        let o = Rules {
            min_properties: Some(1),
            ..Rules::NONE
        };
        assert_eq!(err(json!({}), o), "`f` must have at least 1 member (has 0)");
        // `null` (an unset optional value) passes every rule.
        assert!(check("f", &None::<i64>, &a).is_ok());
    }
}
