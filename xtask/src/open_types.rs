//! Forward-compatible types, generated for every string enum and discriminated union of
//! the spec.
//!
//! typify's enums reject a value the spec does not list, and its `oneOf` enums are
//! untagged (they guess). The live API adds statuses and trigger sources before a new spec
//! is vendored, so the client replaces (typify's `with_replacement`) each of these types
//! with one emitted here:
//! - a string enum gets an `Unknown(String)` variant that keeps the raw value and writes it
//!   back unchanged, with `Display`, `FromStr`, `as_str()`, equality and hashing on the
//!   string;
//! - a `oneOf` with a `discriminator` becomes an enum tagged by the discriminator property,
//!   with an `Unknown(Map)` variant that keeps the whole JSON object.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Map, Value};

use crate::error::{Result, XtaskError, child};
use crate::names::{snake_name, type_name};
use crate::transforms::hoist_inline::is_string_enum;

/// One type to replace, and the code that replaces it.
pub struct OpenType {
    /// The type name typify would give the schema.
    pub type_name: String,
    /// Items appended to the generated `types` module.
    pub items: TokenStream,
}

/// Find the string enums and discriminated unions among the component schemas.
pub fn collect(doc: &Value) -> Result<Vec<OpenType>> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (name, schema) in schemas {
        let Some(obj) = schema.as_object() else {
            continue;
        };
        let ptr = child("/components/schemas", name);
        if is_string_enum(obj) {
            out.push(open_enum(name, obj));
        } else if let Some(union) = open_union(doc, &ptr, name, obj)? {
            out.push(union);
        }
    }
    Ok(out)
}

fn doc_attr(text: Option<&str>) -> TokenStream {
    match text {
        Some(t) if !t.trim().is_empty() => {
            let lines = t.lines().map(|l| format!(" {l}"));
            quote! { #( #[doc = #lines] )* }
        }
        _ => quote! {},
    }
}

/// Distinct variant identifiers for the values, and a name for the fallback variant
/// (`Unknown`, or `Unknown_` if a value already took it).
fn variant_names<'a>(values: impl Iterator<Item = &'a str>) -> (Vec<proc_macro2::Ident>, String) {
    let mut used = BTreeSet::new();
    let idents = values
        .map(|v| {
            let mut n = type_name(v);
            while !used.insert(n.clone()) {
                n.push('_');
            }
            format_ident!("{}", n)
        })
        .collect();
    let mut unknown_name = "Unknown".to_string();
    while used.contains(&unknown_name) {
        unknown_name.push('_');
    }
    (idents, unknown_name)
}

fn open_enum(name: &str, schema: &Map<String, Value>) -> OpenType {
    let ty = type_name(name);
    let ident = format_ident!("{}", ty);
    let values: Vec<String> = schema
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let (variants, unknown_name) = variant_names(values.iter().map(String::as_str));
    let unknown = format_ident!("{}", unknown_name);
    let docs = doc_attr(schema.get("description").and_then(Value::as_str));
    let variant_docs: Vec<String> = values.iter().map(|v| format!(" `{v}`")).collect();
    let listed = values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let summary =
        format!(" Known values: {listed}; any other value is kept in [`{ty}::{unknown_name}`].");
    let items = quote! {
        #docs
        #[doc = ""]
        #[doc = #summary]
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub enum #ident {
            #( #[doc = #variant_docs] #variants, )*
            /// A value this version of the SDK does not know; the raw string is kept and
            /// serialized back unchanged.
            #unknown(::std::string::String),
        }

        impl #ident {
            /// The values the spec lists, in its order.
            pub const KNOWN: &'static [Self] = &[ #( Self::#variants, )* ];

            /// The value as it appears in JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #values, )*
                    Self::#unknown(raw) => raw.as_str(),
                }
            }

            /// Whether the value is one the spec does not list.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::#unknown(raw) if !Self::KNOWN.iter().any(|k| k.as_str() == raw))
            }
        }

        impl ::std::convert::From<&str> for #ident {
            fn from(value: &str) -> Self {
                match value {
                    #( #values => Self::#variants, )*
                    other => Self::#unknown(other.to_string()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for #ident {
            fn from(value: ::std::string::String) -> Self {
                match Self::from(value.as_str()) {
                    Self::#unknown(_) => Self::#unknown(value),
                    known => known,
                }
            }
        }

        impl ::std::str::FromStr for #ident {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, ::std::convert::Infallible> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for #ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::cmp::PartialEq for #ident {
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl ::std::cmp::Eq for #ident {}

        impl ::std::cmp::PartialEq<str> for #ident {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl ::std::cmp::PartialEq<&str> for #ident {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl ::std::hash::Hash for #ident {
            fn hash<H: ::std::hash::Hasher>(&self, state: &mut H) {
                self.as_str().hash(state)
            }
        }

        impl ::std::cmp::PartialOrd for #ident {
            fn partial_cmp(&self, other: &Self) -> ::std::option::Option<::std::cmp::Ordering> {
                ::std::option::Option::Some(self.cmp(other))
            }
        }

        impl ::std::cmp::Ord for #ident {
            fn cmp(&self, other: &Self) -> ::std::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }

        impl ::serde::Serialize for #ident {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                ::std::string::String::deserialize(deserializer).map(Self::from)
            }
        }
    };
    OpenType {
        type_name: ty,
        items,
    }
}

fn open_union(
    doc: &Value,
    ptr: &str,
    name: &str,
    schema: &Map<String, Value>,
) -> Result<Option<OpenType>> {
    let Some(disc) = schema.get("discriminator").and_then(Value::as_object) else {
        return Ok(None);
    };
    let branches = match schema.get("oneOf").or_else(|| schema.get("anyOf")) {
        Some(Value::Array(b)) => b,
        _ => return Ok(None),
    };
    let Some(property) = disc.get("propertyName").and_then(Value::as_str) else {
        return Err(XtaskError::at(
            child(&child(ptr, "discriminator"), "propertyName"),
            "missing",
        ));
    };
    // (tag value, schema name) pairs: the explicit mapping, then the implicit one (a
    // branch's schema name is its tag) for branches the mapping does not name.
    let mut pairs: Vec<(String, String)> = Vec::new();
    if let Some(mapping) = disc.get("mapping").and_then(Value::as_object) {
        for (tag, target) in mapping {
            let Some(target) = target.as_str() else {
                continue;
            };
            let schema_name = target.rsplit('/').next().unwrap_or(target).to_string();
            pairs.push((tag.clone(), schema_name));
        }
    }
    for (i, branch) in branches.iter().enumerate() {
        let Some(schema_name) = crate::transforms::schema_ref_name(branch) else {
            // An inline branch cannot be named; leave the union to typify.
            let _ = i;
            return Ok(None);
        };
        if !pairs.iter().any(|(_, n)| n == schema_name) {
            pairs.push((schema_name.to_string(), schema_name.to_string()));
        }
    }
    for (_, schema_name) in &pairs {
        let exists = doc
            .pointer(&child("/components/schemas", schema_name))
            .is_some();
        if !exists {
            return Err(XtaskError::at(
                child(ptr, "discriminator"),
                format!("mapping names schema {schema_name:?}, which does not exist"),
            ));
        }
    }

    let ty = type_name(name);
    let ident = format_ident!("{}", ty);
    let (variant_idents, unknown_name) = variant_names(pairs.iter().map(|(t, _)| t.as_str()));
    let unknown = format_ident!("{}", unknown_name);
    let tags: Vec<&String> = pairs.iter().map(|(t, _)| t).collect();
    let inner_types: Vec<_> = pairs
        .iter()
        .map(|(_, n)| format_ident!("{}", type_name(n)))
        .collect();
    let docs = doc_attr(schema.get("description").and_then(Value::as_str));
    let variant_docs: Vec<String> = pairs
        .iter()
        .map(|(t, _)| format!(" `{property}: \"{t}\"`"))
        .collect();
    let accessor = format_ident!("{}", snake_name(property));
    let accessor_doc = format!(
        " The `{property}` value: the variant's tag, or the raw one of an unknown variant."
    );
    let summary = format!(
        " Tagged by `{property}`; an object with another `{property}`, or with a known \
         `{property}` but not the shape the spec gives it, is kept whole in \
         [`{ty}::{unknown_name}`]."
    );
    let items = quote! {
        #docs
        #[doc = ""]
        #[doc = #summary]
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum #ident {
            #( #[doc = #variant_docs] #variant_idents(#inner_types), )*
            /// A variant this version of the SDK does not know (or whose object does not
            /// have the shape the spec gives it): the whole JSON object.
            #unknown(::serde_json::Map<::std::string::String, ::serde_json::Value>),
        }

        impl #ident {
            #[doc = #accessor_doc]
            pub fn #accessor(&self) -> ::std::option::Option<&str> {
                match self {
                    #( Self::#variant_idents(_) => ::std::option::Option::Some(#tags), )*
                    Self::#unknown(raw) => raw.get(#property).and_then(::serde_json::Value::as_str),
                }
            }

            /// Whether the object's tag is one this version of the SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::#unknown(_))
            }
        }

        #(
            impl ::std::convert::From<#inner_types> for #ident {
                fn from(value: #inner_types) -> Self {
                    Self::#variant_idents(value)
                }
            }
        )*

        impl ::serde::Serialize for #ident {
            fn serialize<__S: ::serde::Serializer>(&self, __serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error> {
                match self {
                    #( Self::#variant_idents(v) => v.serialize(__serializer), )*
                    Self::#unknown(raw) => raw.serialize(__serializer),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<__D: ::serde::Deserializer<'de>>(__deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                let map = <::serde_json::Map<::std::string::String, ::serde_json::Value>
                    as ::serde::Deserialize>::deserialize(__deserializer)?;
                let value = ::serde_json::Value::Object(map);
                let tag = value.get(#property).and_then(::serde_json::Value::as_str);
                // A known tag whose object is not what the spec says (the live API ahead
                // of the spec) is kept whole, like an unknown tag: the rest of the
                // response still decodes.
                let known = match tag {
                    #(
                        ::std::option::Option::Some(#tags) => <#inner_types as ::serde::Deserialize>::deserialize(&value)
                            .ok()
                            .map(Self::#variant_idents),
                    )*
                    _ => ::std::option::Option::None,
                };
                match (known, value) {
                    (::std::option::Option::Some(known), _) => ::std::result::Result::Ok(known),
                    (::std::option::Option::None, ::serde_json::Value::Object(map)) => ::std::result::Result::Ok(Self::#unknown(map)),
                    (::std::option::Option::None, _) => ::std::result::Result::Ok(Self::#unknown(::serde_json::Map::new())),
                }
            }
        }
    };
    Ok(Some(OpenType {
        type_name: ty,
        items,
    }))
}
