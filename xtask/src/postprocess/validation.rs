//! Request validation, generated from the spec's validation keywords.
//!
//! The `constraints` transform moved every `minimum`, `maxLength`, `pattern`, ... into an
//! `x-constraints` extension. Here they become `crate::validate::Rules` constants: every
//! generated object type implements `crate::validate::Validate` (its constrained fields
//! checked, its object-typed fields recursed into), the builders of types that requests
//! carry check them in `build()`, and each operation checks its parameters and body before
//! anything is sent.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{Map, Value};

use crate::syntax::{generic_arg, last_ident};
use crate::transforms::constraints::EXTENSION;
use crate::transforms::{HTTP_METHODS, schema_ref_name};

/// The keywords of one field: its own, and those of its items (recursively).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraint {
    own: Map<String, Value>,
    items: Option<Box<Constraint>>,
}

impl Constraint {
    fn is_empty(&self) -> bool {
        self.own.is_empty() && self.items.as_ref().is_none_or(|i| i.is_empty())
    }

    /// The constraint of a schema (following a single-`$ref` `allOf` wrapper's own
    /// keywords, not the target's: a named object's keywords are its own type's).
    pub fn of(schema: &Value) -> Option<Constraint> {
        let obj = schema.as_object()?;
        let own = obj
            .get(EXTENSION)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let items = obj.get("items").and_then(Constraint::of).map(Box::new);
        let c = Constraint { own, items };
        (!c.is_empty()).then_some(c)
    }

    /// A `crate::validate::Rules` expression.
    pub fn tokens(&self) -> TokenStream {
        let num = |k: &str| -> TokenStream {
            match self.own.get(k).and_then(Value::as_f64) {
                Some(v) => quote! { ::std::option::Option::Some(#v) },
                None => quote! { ::std::option::Option::None },
            }
        };
        let count = |k: &str| -> TokenStream {
            match self.own.get(k).and_then(Value::as_u64) {
                Some(v) => quote! { ::std::option::Option::Some(#v) },
                None => quote! { ::std::option::Option::None },
            }
        };
        let flag = |k: &str| self.own.get(k) == Some(&Value::Bool(true));
        // OpenAPI 3.1 writes exclusive bounds as numbers; the 3.0 form (a boolean beside
        // `minimum`) is what the `exclusive_bounds` transform left.
        let (minimum, exclusive_minimum) = match self.own.get("exclusiveMinimum") {
            Some(Value::Number(n)) => {
                let v = n.as_f64().unwrap_or_default();
                (quote! { ::std::option::Option::Some(#v) }, true)
            }
            _ => (num("minimum"), flag("exclusiveMinimum")),
        };
        let (maximum, exclusive_maximum) = match self.own.get("exclusiveMaximum") {
            Some(Value::Number(n)) => {
                let v = n.as_f64().unwrap_or_default();
                (quote! { ::std::option::Option::Some(#v) }, true)
            }
            _ => (num("maximum"), flag("exclusiveMaximum")),
        };
        let multiple_of = num("multipleOf");
        let min_length = count("minLength");
        let max_length = count("maxLength");
        let pattern = match self.own.get("pattern").and_then(Value::as_str) {
            Some(p) => quote! { ::std::option::Option::Some(#p) },
            None => quote! { ::std::option::Option::None },
        };
        let min_items = count("minItems");
        let max_items = count("maxItems");
        let unique_items = flag("uniqueItems");
        let min_properties = count("minProperties");
        let max_properties = count("maxProperties");
        let items = match &self.items {
            Some(i) => {
                let t = i.tokens();
                quote! { ::std::option::Option::Some(&#t) }
            }
            None => quote! { ::std::option::Option::None },
        };
        quote! {
            crate::validate::Rules {
                minimum: #minimum,
                exclusive_minimum: #exclusive_minimum,
                maximum: #maximum,
                exclusive_maximum: #exclusive_maximum,
                multiple_of: #multiple_of,
                min_length: #min_length,
                max_length: #max_length,
                pattern: #pattern,
                min_items: #min_items,
                max_items: #max_items,
                unique_items: #unique_items,
                min_properties: #min_properties,
                max_properties: #max_properties,
                items: #items,
            }
        }
    }
}

/// What the generator knows of validation in the spec.
#[derive(Debug, Default)]
pub struct Model {
    /// `(type name, JSON member)` of every constrained field.
    pub fields: BTreeMap<(String, String), Constraint>,
    /// The types a request carries (bodies and parameters, and what they hold).
    pub request_types: BTreeSet<String>,
}

impl Model {
    /// Read the transformed document (component keys are the Rust type names).
    pub fn from_doc(doc: &Value) -> Self {
        let mut model = Model::default();
        let schemas = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (name, schema) in &schemas {
            let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                continue;
            };
            for (prop, sub) in props {
                if let Some(c) = Constraint::of(sub) {
                    model.fields.insert((name.clone(), prop.clone()), c);
                }
            }
        }
        // Request roots: request bodies and parameters, then everything they refer to.
        let mut roots: Vec<String> = Vec::new();
        if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
            for item in paths.values() {
                let mut params: Vec<&Value> = item
                    .get("parameters")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().collect())
                    .unwrap_or_default();
                for method in HTTP_METHODS {
                    let Some(op) = item.get(*method) else {
                        continue;
                    };
                    if let Some(ps) = op.get("parameters").and_then(Value::as_array) {
                        params.extend(ps);
                    }
                    if let Some(content) = op
                        .pointer("/requestBody/content")
                        .and_then(Value::as_object)
                    {
                        for media in content.values() {
                            if let Some(s) = media.get("schema") {
                                collect_refs(s, &mut roots);
                            }
                        }
                    }
                }
                for p in params {
                    if let Some(s) = p.get("schema") {
                        collect_refs(s, &mut roots);
                    }
                }
            }
        }
        while let Some(name) = roots.pop() {
            if !model.request_types.insert(name.clone()) {
                continue;
            }
            if let Some(s) = schemas.get(&name) {
                collect_refs(s, &mut roots);
            }
        }
        model
    }
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    if let Some(name) = schema_ref_name(value) {
        out.push(name.to_string());
    }
    match value {
        Value::Object(map) => map.values().for_each(|v| collect_refs(v, out)),
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// Whether a field type holds (through `Option`, `Vec`, `Box` and string-keyed maps) a
/// type that implements `Validate`.
pub fn holds_validated(ty: &syn::Type, validated: &BTreeSet<String>) -> bool {
    let Some(name) = last_ident(ty) else {
        return false;
    };
    // A spec type may be named like a std one (`Option`, `Result`): it is written as a bare
    // name (or `types::X`) without generic arguments, std's as `::std::option::Option<T>`.
    let syn::Type::Path(p) = ty else {
        return false;
    };
    let generic = p
        .path
        .segments
        .last()
        .is_some_and(|s| !matches!(s.arguments, syn::PathArguments::None));
    let foreign = p.path.leading_colon.is_some()
        && p.path
            .segments
            .first()
            .is_some_and(|s| s.ident != "crate" && s.ident != "super");
    if !generic && !foreign && validated.contains(&name) {
        return true;
    }
    if !generic {
        return false;
    }
    match name.as_str() {
        "Option" | "Vec" | "Box" => {
            generic_arg(ty, &name, 0).is_some_and(|t| holds_validated(&t, validated))
        }
        "HashMap" | "BTreeMap" => {
            let key = generic_arg(ty, &name, 0);
            key.is_some_and(|k| quote!(#k).to_string().ends_with("String"))
                && generic_arg(ty, &name, 1).is_some_and(|v| holds_validated(&v, validated))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_field_constraints_and_request_types() {
        let doc = json!({
            "paths": {"/x": {"post": {
                "parameters": [{"name": "w", "in": "query", "schema": {"$ref": "#/components/schemas/Window"}}],
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Body"}}}}
            }}},
            "components": {"schemas": {
                "Body": {"properties": {
                    "reason": {"type": "string", "x-constraints": {"maxLength": 5}},
                    "tags": {"type": "array", "items": {"type": "string", "x-constraints": {"minLength": 1}}},
                    "inner": {"allOf": [{"$ref": "#/components/schemas/Inner"}]}
                }},
                "Inner": {"properties": {"n": {"type": "integer"}}},
                "Window": {"properties": {}},
                "Response": {"properties": {"n": {"type": "integer", "x-constraints": {"minimum": 1}}}}
            }}
        });
        let m = Model::from_doc(&doc);
        assert_eq!(
            m.request_types.iter().collect::<Vec<_>>(),
            ["Body", "Inner", "Window"]
        );
        assert!(m.fields.contains_key(&("Body".into(), "reason".into())));
        let tags = &m.fields[&("Body".into(), "tags".into())];
        assert!(tags.own.is_empty() && tags.items.is_some());
        assert!(m.fields.contains_key(&("Response".into(), "n".into())));
        let text = m.fields[&("Body".into(), "reason".into())]
            .tokens()
            .to_string();
        assert!(
            text.contains("max_length : :: std :: option :: Option :: Some (5u64)"),
            "{text}"
        );
    }

    #[test]
    fn finds_validated_types_through_wrappers() {
        let set: BTreeSet<String> = ["Inner".to_string()].into();
        let t = |s: &str| syn::parse_str::<syn::Type>(s).unwrap();
        assert!(holds_validated(&t("Option<Vec<Inner>>"), &set));
        assert!(holds_validated(
            &t("::std::collections::HashMap<::std::string::String, Inner>"),
            &set
        ));
        assert!(!holds_validated(&t("Option<String>"), &set));
        assert!(!holds_validated(&t("(Inner, u8)"), &set));
    }
}
