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

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use syn::visit_mut::VisitMut;

use crate::error::{Result, XtaskError};

pub mod downloads;
pub mod lists;
pub mod multipart;
pub mod operations;
mod rebuild;
pub mod structs;
pub mod validation;

/// A `(type name, JSON property name)` pair.
pub type FieldKey = (String, String);

/// What to change in the generated file.
pub struct Rewrites {
    /// Items appended to `mod types`.
    pub extra_types: TokenStream,
    /// Fields to mark `#[deprecated]`.
    pub deprecated: BTreeMap<FieldKey, String>,
    /// Items added at the top level of the file.
    pub extra_items: TokenStream,
    /// The spec's validation keywords.
    pub validation: validation::Model,
    /// The spec's operations.
    pub operations: Vec<operations::Operation>,
    /// The API's title (`info.title`).
    pub title: String,
    /// String enum types and their first value (for examples).
    pub enums: std::collections::BTreeMap<String, String>,
    /// The body types sent as `multipart/form-data`.
    pub forms: Vec<multipart::Form>,
}

/// Apply the rewrites to the generated client; returns the Rust types of every
/// operation (by request builder name), for the generators that follow (mocks).
pub fn client(
    file: &mut syn::File,
    rewrites: &Rewrites,
) -> Result<std::collections::BTreeMap<String, operations::OpTypes>> {
    let types = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
            _ => None,
        })
        .ok_or_else(|| XtaskError::msg("progenitor's output has no `mod types`"))?;
    let form_impls = multipart::form_impls(&types.1, &rewrites.forms)?;
    let rewritten = structs::rewrite(&mut types.1, &rewrites.deprecated, &rewrites.validation)?;
    types.1.extend(form_impls);
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
        if let syn::Item::Enum(e) = item {
            document_variants(e);
        }
    }

    structs::rewrite_builder_paths(file, &rewritten.with_builders);

    let mut messages = MessageRewriter;
    messages.visit_file_mut(file);

    let op_types = operations::rewrite(
        file,
        &rewrites.operations,
        &rewrites.title,
        &operations::Types {
            enums: &rewrites.enums,
            structs: &rewritten.with_builders,
        },
    )?;
    let multipart_builders: BTreeSet<String> = rewrites
        .operations
        .iter()
        .filter(|op| op.multipart)
        .map(|op| op.builder.clone())
        .collect();
    multipart::send_as_form(file, &multipart_builders)?;
    let extra_items: syn::File = syn::parse2(rewrites.extra_items.clone())
        .map_err(|e| XtaskError::msg(format!("generated items do not parse: {e}")))?;
    file.items.extend(extra_items.items);
    Ok(op_types)
}

/// Every variant of a generated enum is documented (the crate denies missing docs):
/// typify leaves the variants of an untagged union (`oneOf`/`anyOf` of `$ref`s) without
/// docs; each says which type it holds.
fn document_variants(e: &mut syn::ItemEnum) {
    for v in e.variants.iter_mut() {
        if v.attrs.iter().any(|a| a.path().is_ident("doc")) {
            continue;
        }
        let text = match &v.fields {
            syn::Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                let ty = &f.unnamed[0].ty;
                let ty = quote::quote!(#ty).to_string().replace(' ', "");
                let ty = ty.trim_start_matches("::").replace("std::string::", "");
                format!(" A value of the `{ty}` alternative.")
            }
            _ => format!(" The `{}` alternative.", v.ident),
        };
        v.attrs.push(syn::parse_quote!(#[doc = #text]));
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
        } else if let Some(name) = text.strip_suffix(" was not initialized")
            && !name.contains(' ')
        {
            // A required parameter the caller did not set: say which call sets it.
            let message = format!(
                "the required parameter `{name}` was not set: call `.{name}(..)` before `send()`"
            );
            *lit = syn::LitStr::new(&message, lit.span());
        }
    }
}

struct FieldRewriter<'a> {
    deprecated: &'a BTreeMap<FieldKey, String>,
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
        if let Some(note) = self.deprecated.get(&(self.current.clone(), json_name)) {
            field
                .attrs
                .push(syn::parse_quote!(#[deprecated(note = #note)]));
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

    fn op() -> operations::Operation {
        let doc = serde_json::json!({"paths": {"/items/{id}": {"get": {
            "operationId": "Op", "summary": "Get an item",
            "parameters": [{"name": "id", "in": "path", "required": true,
                            "description": "The item's id"}],
            "responses": {"200": {"description": "ok"}, "404": {"description": "gone"}}}}}});
        operations::model(&doc).remove(0)
    }

    fn rewrites() -> Rewrites {
        Rewrites {
            extra_items: quote::quote!(
                const OPS: usize = 1;
            ),
            extra_types: TokenStream::new(),
            deprecated: [(
                ("Item".to_string(), "oldUrl".to_string()),
                "Deprecated: use url.".to_string(),
            )]
            .into_iter()
            .collect(),
            validation: validation::Model::default(),
            operations: vec![op()],
            title: "Test API".into(),
            enums: Default::default(),
            forms: Vec::new(),
        }
    }

    #[test]
    fn undocumented_variants_say_what_they_hold() {
        let mut e: syn::ItemEnum = syn::parse_quote! {
            pub enum Config {
                Browser(BrowserConfig),
                /// Kept.
                Os(OsConfig),
                Other,
            }
        };
        document_variants(&mut e);
        let docs: Vec<String> = e
            .variants
            .iter()
            .map(|v| {
                let a = &v.attrs[0];
                quote::quote!(#a).to_string()
            })
            .collect();
        assert!(
            docs[0].contains("A value of the `BrowserConfig` alternative."),
            "{docs:?}"
        );
        assert!(docs[1].contains("Kept."), "{docs:?}");
        assert!(docs[2].contains("The `Other` alternative."), "{docs:?}");
    }

    #[test]
    fn structs_and_operations_are_rewritten() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Item {
                    #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub tags: Vec<String>,
                    #[serde(rename = "oldUrl", default, skip_serializing_if = "Option::is_none")]
                    pub old_url: Option<String>,
                }
                impl Item {
                    pub fn builder() -> builder::Item {
                        Default::default()
                    }
                }
                pub mod builder {
                    pub struct Item {}
                }
            }
            pub struct Client {}
            impl Client {
                pub fn new() -> Self { Client {} }
                /// progenitor's doc
                pub fn op(&self) -> builder::Op<'_> { builder::Op::new(self) }
            }
            pub mod builder {
                pub struct Op<'a> {
                    client: &'a super::Client,
                    id: Result<::uuid::Uuid, String>,
                }
                impl<'a> Op<'a> {
                    pub fn new(client: &'a super::Client) -> Self { todo!() }
                    pub fn id<V>(mut self, value: V) -> Self { self }
                    pub async fn send(self) -> Result<ResponseValue<types::Item>, Error<types::E>> {
                        let Self { client, id } = self;
                        let id = id.map_err(Error::InvalidRequest)?;
                        let url = format!("{}/items/{}", client.baseurl, encode_path(&id.to_string()),);
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                        header_map.append(::reqwest::header::HeaderName::from_static("api-version"), x);
                        let mut request = client.client.get(url).headers(header_map).build()?;
                        let info = OperationInfo { operation_id: "op" };
                        client.pre(&mut request, &info).await?;
                        let result = client.exec(request, &info).await;
                        client.post(&result, &info).await?;
                        let response = result?;
                        let _m = "conversion to `:: uuid :: Uuid` for id failed";
                        match 1 {
                            200u16 => ResponseValue::from_response(r).await,
                            404u16 => Err(Error::ErrorResponse(ResponseValue::from_response(r).await?)),
                            _ => Err(Error::UnexpectedResponse(response)),
                        }
                    }
                }
            }
        };
        client(&mut file, &rewrites()).unwrap();
        let text = prettyplease::unparse(&file);
        for want in [
            "#[non_exhaustive]\n    pub struct Item",
            "pub struct ItemBuilder",
            "impl<'de> ::serde::Deserialize<'de> for Item",
            "#[deprecated(note = \"Deprecated: use url.\")]\n        pub old_url",
            "200u16 => crate::decode::response(r),",
            "Error::ErrorResponse(crate::decode::from_response(r)?)",
            "let build_request = || -> ::std::result::Result<\n                    ::reqwest::Request,\n                    Error<types::E>,\n                > {\n                    let url = {",
            "let request = build_request()?;\n                let info = OperationInfo {",
            "&info,\n                        ::std::option::Option::Some(&|| build_request().ok()),\n                    )\n                    .await?;",
            "crate::Response<types::Item>,\n            crate::Error<types::E>,",
            "crate::error::from_result(result)",
            "const OPS: usize = 1;",
            "\"conversion to `uuid::Uuid` for id failed\"",
            "/// The item's id",
            "pub(crate) fn new(client",
            "/// Get an item.",
            "    ///     .id(asteroid_sdk::uuid::Uuid::nil())",
            "/// A client of the Test API.",
            "url.push_str(\"/items/\");",
            "crate::params::path_segment(&SPEC, &id)",
            "crate::params::check_path(",
            "Err(Error::UnexpectedResponse(response.into_reqwest()))",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
        assert!(
            !text.contains("pub mod builder {\n        pub struct Item"),
            "{text}"
        );
        assert!(
            !text.contains("fn new() -> Self"),
            "Client::new is gone: {text}"
        );
        assert!(!text.contains("progenitor's doc"), "{text}");
        assert!(
            !text.contains("api-version"),
            "not in the spec, not sent: {text}"
        );
    }

    #[test]
    fn an_operation_without_send_is_an_error() {
        let mut file: syn::File = syn::parse_quote! { pub mod types {} pub mod builder {} };
        assert!(client(&mut file, &rewrites()).is_err());
    }
}
