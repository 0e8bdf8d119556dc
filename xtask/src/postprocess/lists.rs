//! Paginated lists: an operation that takes `page` and `pageSize` query parameters and
//! answers an object with an `items` array and an integer `total` (the shape, whatever
//! the operation is called) gets, on its request builder, `pages()` and `into_stream()`
//! (`asteroid_sdk::paginate`), and its answer's type implements `paginate::Page`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::operations::{Operation, Param};
use crate::names::snake_name;
use crate::syntax::{generic_arg, last_ident};

/// How an operation pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    /// The setter of the page number parameter.
    pub page_setter: String,
}

/// The operation's paging, if it answers one page of a list.
pub fn shape(doc: &Value, op: &Value, params: &[Param]) -> Option<List> {
    let query = |name: &str| {
        params
            .iter()
            .find(|p| p.location == "query" && snake_name(&p.api) == name)
    };
    let page = query("page")?;
    query("page_size")?;
    let integer = |schema: Option<&Value>| {
        schema
            .map(|s| resolve(doc, s))
            .is_some_and(|s| s.get("type").and_then(Value::as_str) == Some("integer"))
    };
    let page_schema = op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| resolve(doc, p))
        .find(|p| p.get("name").and_then(Value::as_str) == Some(page.api.as_str()))
        .and_then(|p| p.get("schema").cloned());
    if !integer(page_schema.as_ref()) {
        return None;
    }
    let (_, success) = op
        .get("responses")?
        .as_object()?
        .iter()
        .find(|(status, _)| status.starts_with('2'))?;
    let success = resolve(doc, success);
    let schema = success
        .get("content")?
        .as_object()?
        .iter()
        .find(|(media, _)| media.contains("json"))?
        .1
        .get("schema")?;
    let schema = resolve(doc, schema);
    let props = schema.get("properties")?.as_object()?;
    let items = resolve(doc, props.get("items")?);
    if items.get("type").and_then(Value::as_str) != Some("array") || !integer(props.get("total")) {
        return None;
    }
    Some(List {
        page_setter: page.rust.clone(),
    })
}

/// `v` with its `$ref`s followed, and a one-member `allOf` (the form a named schema takes
/// where the transforms give it a description of its own) taken as its member.
pub(crate) fn resolve(doc: &Value, v: &Value) -> Value {
    let mut current = v.clone();
    for _ in 0..16 {
        if let Some([only]) = current
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            current = only.clone();
            continue;
        }
        let Some(r) = current.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match r.strip_prefix('#').and_then(|p| doc.pointer(p)) {
            Some(target) => current = target.clone(),
            None => break,
        }
    }
    current
}

/// `pages()` and `into_stream()` for the request builder of a list operation whose
/// answer is `page` and error body `error` (as the builder module names them).
pub fn builder_methods(
    op: &Operation,
    list: &List,
    page: &syn::Type,
    error: &syn::Type,
) -> Vec<syn::ImplItem> {
    let setter = format_ident!("{}", list.page_setter);
    let pages_doc = format!(
        " Every page of the list, in order: one request a page, sent when the one before \
         is used up, from the `page` set here (or the first) on, with the other \
         parameters as set. Ends after the last page (see [`crate::paginate`]).\n\n \
         ```no_run\n \
         # async fn example(client: &asteroid_sdk::Client) -> Result<(), Box<dyn std::error::Error>> {{\n \
         let mut pages = client.{m}().pages();\n \
         while let Some(page) = pages.next().await {{\n \
         \x20   let page = page?;\n \
         \x20   println!(\"{{}} items\", page.items.len());\n \
         }}\n \
         # Ok(())\n \
         # }}\n \
         ```",
        m = op.method
    );
    let stream_doc = format!(
        " The items of every page of the list, in order (see [`pages`](Self::pages) and \
         [`crate::paginate`]): `while let Some(item) = items.next().await`, no import \
         needed; also a `futures::Stream`.\n\n \
         ```no_run\n \
         # async fn example(client: &asteroid_sdk::Client) -> Result<(), Box<dyn std::error::Error>> {{\n \
         let mut items = client.{m}().into_stream();\n \
         while let Some(item) = items.next().await {{\n \
         \x20   println!(\"{{:?}}\", item?);\n \
         }}\n \
         # Ok(())\n \
         # }}\n \
         ```",
        m = op.method
    );
    let pages_docs = doc_attrs(&pages_doc);
    let stream_docs = doc_attrs(&stream_doc);
    vec![
        syn::parse_quote! {
            #( #pages_docs )*
            pub fn pages(self) -> crate::paginate::Pages<'a, #page, #error> {
                crate::paginate::Pages::new(move |page: ::std::option::Option<i64>| {
                    let request = match page {
                        ::std::option::Option::None => self.clone(),
                        ::std::option::Option::Some(n) => self.clone().#setter(n),
                    };
                    request.send()
                })
            }
        },
        syn::parse_quote! {
            #( #stream_docs )*
            pub fn into_stream(self) -> crate::paginate::Items<'a, #page, #error> {
                crate::paginate::Items::new(self.pages())
            }
        },
    ]
}

fn doc_attrs(text: &str) -> Vec<syn::Attribute> {
    text.lines()
        .map(|l| {
            let l = if l.is_empty() || l.starts_with(' ') {
                l.to_string()
            } else {
                format!(" {l}")
            };
            syn::parse_quote!(#[doc = #l])
        })
        .collect()
}

/// `paginate::Page` for the struct `page` (in `mod types`), from its fields.
pub fn page_impl(page: &syn::ItemStruct) -> Option<TokenStream> {
    let syn::Fields::Named(fields) = &page.fields else {
        return None;
    };
    let field = |rust: &str| {
        fields
            .named
            .iter()
            .find(|f| f.ident.as_ref().is_some_and(|i| i == rust))
    };
    let items = field("items")?;
    let (item, optional) = match generic_arg(&items.ty, "Vec", 0) {
        Some(t) => (t, false),
        None => (
            generic_arg(&generic_arg(&items.ty, "Option", 0)?, "Vec", 0)?,
            true,
        ),
    };
    let (into_items, len) = if optional {
        (
            quote!(self.items.unwrap_or_default()),
            quote!(self.items.as_ref().map_or(0, ::std::vec::Vec::len)),
        )
    } else {
        (quote!(self.items), quote!(self.items.len()))
    };
    let number = |rust: &str| -> TokenStream {
        let Some(f) = field(rust) else {
            return quote!(::std::option::Option::None);
        };
        let Some(ident) = f.ident.as_ref() else {
            return quote!(::std::option::Option::None);
        };
        let is_int = |t: &syn::Type| {
            last_ident(t).is_some_and(|t| {
                matches!(
                    t.as_str(),
                    "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "NonZeroU64"
                )
            })
        };
        match generic_arg(&f.ty, "Option", 0) {
            Some(inner) if is_int(&inner) => {
                quote!(self.#ident.and_then(|v| ::std::convert::TryFrom::try_from(v).ok()))
            }
            None if is_int(&f.ty) => quote!(::std::convert::TryFrom::try_from(self.#ident).ok()),
            _ => quote!(::std::option::Option::None),
        }
    };
    let (page_no, size, total) = (number("page"), number("page_size"), number("total"));
    let name = &page.ident;
    Some(quote! {
        impl crate::paginate::sealed::Sealed for #name {}
        impl crate::paginate::Page for #name {
            type Item = #item;
            fn into_items(self) -> ::std::vec::Vec<#item> { #into_items }
            fn len(&self) -> usize { #len }
            fn page(&self) -> ::std::option::Option<i64> { #page_no }
            fn page_size(&self) -> ::std::option::Option<i64> { #size }
            fn total(&self) -> ::std::option::Option<i64> { #total }
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::postprocess::operations::model;

    fn list_doc(answer: serde_json::Value, page_type: &str) -> serde_json::Value {
        json!({
            "paths": {"/things": {"get": {
                "operationId": "ThingsList",
                "parameters": [
                    {"name": "page", "in": "query", "schema": {"type": page_type}},
                    {"name": "pageSize", "in": "query", "schema": {"type": "integer"}}
                ],
                "responses": {"200": {"content": {"application/json": {"schema": answer}}}}
            }}},
            "components": {"schemas": {"ThingsPage": {
                "type": "object",
                "properties": {
                    "items": {"type": "array", "items": {"type": "string"}},
                    "page": {"type": "integer"},
                    "pageSize": {"type": "integer"},
                    "total": {"$ref": "#/components/schemas/Count"}
                }
            }, "Count": {"type": "integer"}}}
        })
    }

    fn pages(doc: &serde_json::Value) -> bool {
        model(doc)[0].list.is_some()
    }

    #[test]
    fn a_list_is_recognised_by_its_shape_through_refs_and_one_member_all_ofs() {
        let by_ref = json!({"$ref": "#/components/schemas/ThingsPage"});
        assert!(pages(&list_doc(by_ref.clone(), "integer")));
        assert!(pages(&list_doc(json!({"allOf": [by_ref]}), "integer")));
    }

    #[test]
    fn a_page_that_is_not_a_number_or_an_answer_without_items_is_not_a_list() {
        let by_ref = json!({"$ref": "#/components/schemas/ThingsPage"});
        assert!(!pages(&list_doc(by_ref, "string")));
        let no_items = json!({"type": "object", "properties": {"total": {"type": "integer"}}});
        assert!(!pages(&list_doc(no_items, "integer")));
    }
}
