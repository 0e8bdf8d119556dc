//! Rewrites of progenitor's output (as a syntax tree) that no generator setting offers.
//!
//! - The forward-compatible types of [`crate::open_types`] are added to `mod types`.
//! - Responses decode through `crate::decode::from_response` (serde path and request id
//!   on failure) instead of `ResponseValue::from_response`.
//! - A field that defaults when absent (`Vec`, maps) also takes JSON `null`.
//! - A map of strings takes any JSON values (a non-string value is kept as its JSON text)
//!   instead of failing the whole response.
//! - Properties the spec marks `deprecated` get `#[deprecated]`.
//! - Every builder's `send` returns the SDK's `crate::Error` (converted once, in
//!   `crate::error::from_result`) instead of progenitor's error.
//! - A table of every operation's method and path template is added for tracing.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use syn::visit_mut::VisitMut;

use crate::error::{Result, XtaskError};

pub mod structs;

/// A `(type name, JSON property name)` pair.
pub type FieldKey = (String, String);

/// What to change in the generated file.
pub struct Rewrites {
    /// Items appended to `mod types`.
    pub extra_types: TokenStream,
    /// Fields to mark `#[deprecated]`.
    pub deprecated: BTreeSet<FieldKey>,
    /// Items added at the top level of the file.
    pub extra_items: TokenStream,
}

/// Apply the rewrites to the generated client.
pub fn client(file: &mut syn::File, rewrites: &Rewrites) -> Result<()> {
    let types = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
            _ => None,
        })
        .ok_or_else(|| XtaskError::msg("progenitor's output has no `mod types`"))?;
    let rewritten = structs::rewrite(&mut types.1, &rewrites.deprecated)?;
    let mut tokens = quote::quote! {
        /// Deserializes a field that has a default when absent so that JSON `null` also
        /// gives the default (the live API sends `null` for empty optional fields).
        #[allow(dead_code)]
        fn deserialize_null_default<'de, D, T>(deserializer: D) -> ::std::result::Result<T, D::Error>
        where
            D: ::serde::Deserializer<'de>,
            T: ::serde::Deserialize<'de> + ::std::default::Default,
        {
            let value = <::std::option::Option<T> as ::serde::Deserialize>::deserialize(deserializer)?;
            Ok(value.unwrap_or_default())
        }

        /// Deserializes a map of strings leniently: a value that is not a string is kept as
        /// its JSON text, a `null` value is dropped, and a `null` map is empty.
        #[allow(dead_code)]
        fn deserialize_lenient_string_map<'de, D, T>(deserializer: D) -> ::std::result::Result<T, D::Error>
        where
            D: ::serde::Deserializer<'de>,
            T: ::std::iter::FromIterator<(::std::string::String, ::std::string::String)>,
        {
            let raw = <::std::option::Option<
                ::serde_json::Map<::std::string::String, ::serde_json::Value>,
            > as ::serde::Deserialize>::deserialize(deserializer)?;
            Ok(raw
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| match v {
                    ::serde_json::Value::String(s) => Some((k, s)),
                    ::serde_json::Value::Null => None,
                    other => Some((k, other.to_string())),
                })
                .collect())
        }
    };
    tokens.extend(rewrites.extra_types.clone());
    let extra: syn::File = syn::parse2(tokens)
        .map_err(|e| XtaskError::msg(format!("generated open types do not parse: {e}")))?;
    types.1.extend(extra.items);

    let mut fields = FieldRewriter {
        deprecated: &rewrites.deprecated,
        current: String::new(),
        serde: true,
    };
    for item in types.1.iter_mut() {
        fields.visit_item_mut(item);
    }

    structs::rewrite_builder_paths(file, &rewritten.with_builders);

    let mut messages = MessageRewriter;
    messages.visit_file_mut(file);

    let mut sends = SendRewriter { count: 0 };
    for item in file.items.iter_mut() {
        if let syn::Item::Mod(m) = item
            && m.ident == "builder"
        {
            sends.visit_item_mod_mut(m);
        }
    }
    if sends.count == 0 && file_has_operations(file) {
        return Err(XtaskError::msg(
            "no builder `send` method found to return `crate::Error`; has progenitor's output changed?",
        ));
    }
    let extra_items: syn::File = syn::parse2(rewrites.extra_items.clone())
        .map_err(|e| XtaskError::msg(format!("generated items do not parse: {e}")))?;
    file.items.extend(extra_items.items);

    let mut decode = DecodeRewriter { count: 0 };
    decode.visit_file_mut(file);
    if decode.count == 0 && file_has_operations(file) {
        return Err(XtaskError::msg(
            "no `ResponseValue::from_response` call found to route through `crate::decode`; \
             has progenitor's output changed?",
        ));
    }
    Ok(())
}

fn file_has_operations(file: &syn::File) -> bool {
    file.items
        .iter()
        .any(|i| matches!(i, syn::Item::Mod(m) if m.ident == "builder"))
}

struct DecodeRewriter {
    count: usize,
}

impl VisitMut for DecodeRewriter {
    fn visit_expr_path_mut(&mut self, node: &mut syn::ExprPath) {
        let segs: Vec<String> = node
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if segs == ["ResponseValue", "from_response"] {
            *node = syn::parse_quote!(crate::decode::from_response);
            self.count += 1;
        }
        syn::visit_mut::visit_expr_path_mut(self, node);
    }
}

/// progenitor writes types into messages as token streams (`:: uuid :: Uuid`); the
/// messages users read say `uuid::Uuid`.
struct MessageRewriter;

impl VisitMut for MessageRewriter {
    fn visit_lit_str_mut(&mut self, lit: &mut syn::LitStr) {
        let text = lit.value();
        if text.starts_with("conversion to `") {
            let tidy = text
                .replace(" :: ", "::")
                .replace("`:: ", "`")
                .replace(":: ", "::")
                .replace(" < ", "<")
                .replace(" <", "<")
                .replace("< ", "<")
                .replace(" >", ">")
                .replace(" ,", ",");
            *lit = syn::LitStr::new(&tidy, lit.span());
        }
    }
}

struct SendRewriter {
    count: usize,
}

impl VisitMut for SendRewriter {
    fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
        if f.sig.ident != "send" || f.sig.asyncness.is_none() {
            return;
        }
        let syn::ReturnType::Type(_, ty) = &f.sig.output else {
            return;
        };
        let Some((ok, err_body)) = result_types(ty) else {
            return;
        };
        let original = ty.clone();
        let block = f.block.clone();
        f.sig.output = syn::parse_quote!(-> ::std::result::Result<#ok, crate::Error<#err_body>>);
        f.block = syn::parse_quote!({
            let result: #original = async move #block.await;
            crate::error::from_result(result).await
        });
        self.count += 1;
    }
}

/// `Result<A, Error<B>>` to `(A, B)`.
fn result_types(ty: &syn::Type) -> Option<(syn::Type, syn::Type)> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    });
    let ok = types.next()?.clone();
    let syn::Type::Path(err) = types.next()? else {
        return None;
    };
    let err_last = err.path.segments.last()?;
    if err_last.ident != "Error" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(eargs) = &err_last.arguments else {
        return Some((ok, syn::parse_quote!(())));
    };
    match eargs.args.first()? {
        syn::GenericArgument::Type(t) => Some((ok, t.clone())),
        _ => None,
    }
}

struct FieldRewriter<'a> {
    deprecated: &'a BTreeSet<FieldKey>,
    current: String,
    /// Whether the current struct still derives serde (its fields' serde attributes
    /// matter); the rewritten ones have generated impls.
    serde: bool,
}

impl VisitMut for FieldRewriter<'_> {
    fn visit_item_struct_mut(&mut self, node: &mut syn::ItemStruct) {
        self.current = node.ident.to_string();
        self.serde = node.attrs.iter().any(|a| {
            a.path().is_ident("derive") && quote::quote!(#a).to_string().contains("Deserialize")
        });
        syn::visit_mut::visit_item_struct_mut(self, node);
    }

    fn visit_item_mod_mut(&mut self, _node: &mut syn::ItemMod) {
        // The `builder` and `defaults` submodules of `types` are typify's helpers: their
        // fields are not the model's.
    }

    fn visit_field_mut(&mut self, field: &mut syn::Field) {
        let Some(ident) = &field.ident else { return };
        let json_name = serde_rename(field).unwrap_or_else(|| ident.to_string());
        if !self.serde {
            // A rewritten struct: `structs` marked its deprecated fields.
            return;
        }
        if self.deprecated.contains(&(self.current.clone(), json_name)) {
            field.attrs.push(syn::parse_quote!(#[deprecated]));
        }
        if structs::is_string_map(&field.ty) {
            field.attrs.push(
                syn::parse_quote!(#[serde(deserialize_with = "deserialize_lenient_string_map")]),
            );
        } else if !is_option(&field.ty) {
            for attr in field.attrs.iter_mut() {
                add_null_default(attr);
            }
        }
    }
}

fn serde_rename(field: &syn::Field) -> Option<String> {
    let mut found = None;
    for attr in &field.attrs {
        if !attr.path().is_ident("serde") {
            continue;
        }
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let s: syn::LitStr = meta.value()?.parse()?;
                found = Some(s.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    found
}

fn is_option(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Option"),
        _ => false,
    }
}

/// `#[serde(default, ...)]` (the plain `default`, not `default = "path"`) gets
/// `deserialize_with = "deserialize_null_default"` unless it already has a deserializer.
fn add_null_default(attr: &mut syn::Attribute) {
    if !attr.path().is_ident("serde") {
        return;
    }
    let syn::Meta::List(list) = &attr.meta else {
        return;
    };
    let text = list.tokens.to_string();
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let plain_default = parts.contains(&"default");
    let has_deserializer = parts
        .iter()
        .any(|p| p.starts_with("deserialize_with") || p.starts_with("with"));
    if plain_default && !has_deserializer {
        let tokens = &list.tokens;
        *attr = syn::parse_quote!(#[serde(#tokens, deserialize_with = "deserialize_null_default")]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_get_null_default_and_deprecated() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Item {
                    #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub tags: Vec<String>,
                    #[serde(rename = "oldUrl", default, skip_serializing_if = "Option::is_none")]
                    pub old_url: Option<String>,
                    #[serde(default = "defaults::x")]
                    pub x: u32,
                    #[serde(default, skip_serializing_if = "HashMap::is_empty")]
                    pub m: ::std::collections::HashMap<::std::string::String, ::std::string::String>,
                }
            }
            pub mod builder {
                impl<'a> Op<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Item>, Error<types::E>> {
                        let _m = "conversion to `:: uuid :: Uuid` for id failed";
                        let x = ResponseValue::from_response(r).await?;
                        Ok(x)
                    }
                }
            }
        };
        let rewrites = Rewrites {
            extra_items: quote::quote!(
                const OPS: usize = 1;
            ),
            extra_types: TokenStream::new(),
            deprecated: [("Item".to_string(), "oldUrl".to_string())]
                .into_iter()
                .collect(),
        };
        client(&mut file, &rewrites).unwrap();
        let text = prettyplease::unparse(&file);
        assert!(
            text.contains("deserialize_with = \"deserialize_null_default\""),
            "{text}"
        );
        assert_eq!(
            text.matches("deserialize_with = \"deserialize_null_default\"")
                .count(),
            1,
            "{text}"
        );
        assert!(
            text.contains("deserialize_with = \"deserialize_lenient_string_map\""),
            "{text}"
        );
        assert!(
            text.contains("#[deprecated]\n        pub old_url"),
            "{text}"
        );
        assert!(text.contains("crate::decode::from_response(r)"), "{text}");
        assert!(text.contains("fn deserialize_null_default"), "{text}");
        assert!(
            text.contains(
                "::std::result::Result<ResponseValue<types::Item>, crate::Error<types::E>>"
            ),
            "{text}"
        );
        assert!(
            text.contains("crate::error::from_result(result).await"),
            "{text}"
        );
        assert!(text.contains("const OPS: usize = 1;"), "{text}");
        assert!(
            text.contains("\"conversion to `uuid::Uuid` for id failed\""),
            "{text}"
        );
    }

    #[test]
    fn missing_decode_call_is_an_error() {
        let mut file: syn::File = syn::parse_quote! { pub mod types {} pub mod builder {} };
        let rewrites = Rewrites {
            extra_items: TokenStream::new(),
            extra_types: TokenStream::new(),
            deprecated: BTreeSet::new(),
        };
        assert!(client(&mut file, &rewrites).is_err());
    }
}
