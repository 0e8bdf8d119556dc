//! Multipart bodies on the wire.
//!
//! `transforms::multipart` hands progenitor a multipart body as a JSON body type whose file
//! members are `crate::multipart::FilePart`. Here:
//! - every such body type gets `to_form(&self)`, which writes one part per member (named
//!   by its JSON name, with the spec's `encoding` content type): files through
//!   `FormWriter::files`, other members through `FormWriter::value`;
//! - the `send` of each multipart operation sends `body.to_form()` as `multipart/form-data`
//!   (reqwest writes the boundary) instead of `.json(&body)`. A form that cannot be built
//!   (a stream already sent, a bad content type) is `Error::InvalidRequest`.

use std::collections::{BTreeMap, BTreeSet};

use quote::{format_ident, quote};
use serde_json::Value;
use syn::visit_mut::VisitMut;

use crate::error::{Result, XtaskError, escape_segment};
use crate::names::type_name;
use crate::syntax::{last_ident, serde_rename};
use crate::transforms::multipart::{FILE_PART, FORM, OPERATION};

/// A multipart body type: its Rust name and each member's part content type.
pub struct Form {
    /// The Rust type name.
    pub type_name: String,
    /// JSON member name to the spec's part content type.
    pub parts: BTreeMap<String, Option<String>>,
}

/// Every multipart body type of a transformed document: the body schemas of operations
/// marked multipart. The marker stays where the body was written when `hoist_inline`
/// moved the schema into the components, so both places are read.
pub fn forms(doc: &Value) -> Vec<Form> {
    let mut out: Vec<Form> = Vec::new();
    let ops = doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .filter(|op| op.get(OPERATION) == Some(&Value::Bool(true)));
    for op in ops {
        let Some(mut body) = op.get("requestBody") else {
            continue;
        };
        if let Some(target) = body.get("$ref").and_then(Value::as_str) {
            match target.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                Some(b) => body = b,
                None => continue,
            }
        }
        let Some(site) = body.pointer("/content/application~1json/schema") else {
            continue;
        };
        let target = site
            .get("$ref")
            .or_else(|| site.pointer("/allOf/0/$ref"))
            .and_then(Value::as_str)
            .and_then(|t| t.strip_prefix("#/components/schemas/"));
        let Some(target) = target else { continue };
        let component = doc.pointer(&format!("/components/schemas/{}", escape_segment(target)));
        let parts = site
            .get(FORM)
            .or_else(|| component.and_then(|c| c.get(FORM)))
            .and_then(Value::as_object);
        let Some(parts) = parts else { continue };
        let type_name = type_name(target);
        if out.iter().any(|f| f.type_name == type_name) {
            continue;
        }
        out.push(Form {
            type_name,
            parts: parts
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string)))
                .collect(),
        });
    }
    out
}

/// The `to_form` impls of the multipart body types, read from typify's structs (before
/// `structs::rewrite` takes their serde attributes).
pub fn form_impls(items: &[syn::Item], forms: &[Form]) -> Result<Vec<syn::Item>> {
    let mut out = Vec::new();
    for form in forms {
        let s = items
            .iter()
            .find_map(|i| match i {
                syn::Item::Struct(s) if s.ident == form.type_name => Some(s),
                _ => None,
            })
            .ok_or_else(|| {
                XtaskError::msg(format!(
                    "the multipart body type `{}` was not generated",
                    form.type_name
                ))
            })?;
        let syn::Fields::Named(fields) = &s.fields else {
            return Err(XtaskError::msg(format!(
                "the multipart body type `{}` is not a struct with named fields",
                form.type_name
            )));
        };
        let mut writes = Vec::new();
        for f in &fields.named {
            let Some(ident) = &f.ident else { continue };
            let json = serde_rename(f).unwrap_or_else(|| ident.to_string());
            let Some(spec_type) = form.parts.get(&json) else {
                // Not a member of the spec (typify's own fields): no part.
                continue;
            };
            let spec_type = match spec_type {
                Some(t) => quote!(::std::option::Option::Some(#t)),
                None => quote!(::std::option::Option::None),
            };
            let call = if mentions_file_part(&f.ty) {
                format_ident!("files")
            } else {
                format_ident!("value")
            };
            writes.push(quote! {
                let __form = __form.#call(#json, &self.#ident, #spec_type)?;
            });
        }
        let name = format_ident!("{}", form.type_name);
        out.push(syn::parse_quote! {
            impl #name {
                /// The body as `multipart/form-data`: one part per member.
                pub(crate) fn to_form(
                    &self,
                ) -> ::std::result::Result<::reqwest::multipart::Form, ::std::string::String> {
                    let __form = crate::multipart::FormWriter::new();
                    #(#writes)*
                    ::std::result::Result::Ok(__form.finish())
                }
            }
        });
    }
    Ok(out)
}

/// Whether a field's type holds file parts (`FilePart`, `Vec<FilePart>`, `Option<..>`).
fn mentions_file_part(ty: &syn::Type) -> bool {
    let text = quote!(#ty).to_string().replace(' ', "");
    text.contains("multipart::FilePart") || text.contains(FILE_PART)
}

/// Make the `send` of every multipart operation's builder send its body as a form.
pub fn send_as_form(file: &mut syn::File, builders: &BTreeSet<String>) -> Result<()> {
    struct Rewriter<'a> {
        builders: &'a BTreeSet<String>,
        inside: bool,
        replaced: BTreeSet<String>,
        current: String,
    }
    impl VisitMut for Rewriter<'_> {
        fn visit_item_impl_mut(&mut self, i: &mut syn::ItemImpl) {
            let name = last_ident(&i.self_ty);
            let was = self.inside;
            self.inside = name.as_ref().is_some_and(|n| self.builders.contains(n));
            if let Some(n) = name {
                self.current = n;
            }
            syn::visit_mut::visit_item_impl_mut(self, i);
            self.inside = was;
        }
        fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
            syn::visit_mut::visit_expr_mut(self, e);
            if !self.inside {
                return;
            }
            let syn::Expr::MethodCall(call) = e else {
                return;
            };
            let is_json_body = call.method == "json"
                && call.args.len() == 1
                && quote!(#call).to_string().ends_with("json (& body)");
            if is_json_body {
                let receiver = &call.receiver;
                *e = syn::parse_quote! {
                    #receiver.multipart(body.to_form().map_err(Error::InvalidRequest)?)
                };
                self.replaced.insert(self.current.clone());
            }
        }
    }
    let mut r = Rewriter {
        builders,
        inside: false,
        replaced: BTreeSet::new(),
        current: String::new(),
    };
    r.visit_file_mut(file);
    if let Some(missing) = builders.difference(&r.replaced).next() {
        return Err(XtaskError::msg(format!(
            "the multipart operation `{missing}` has no JSON body call to send as a form"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_form_writes_every_member_by_its_json_name() {
        let items: syn::File = syn::parse_quote! {
            pub struct UploadBody {
                pub files: ::std::vec::Vec<crate::multipart::FilePart>,
                #[serde(rename = "noteText")]
                pub note_text: ::std::option::Option<::std::string::String>,
            }
        };
        let forms = [Form {
            type_name: "UploadBody".into(),
            parts: [
                ("files".to_string(), Some("text/plain".to_string())),
                ("noteText".to_string(), None),
            ]
            .into(),
        }];
        let out = form_impls(&items.items, &forms).unwrap();
        let text = quote!(#(#out)*).to_string();
        assert!(
            text.contains(
                "__form . files (\"files\" , & self . files , :: std :: option :: Option :: Some (\"text/plain\"))"
            ),
            "{text}"
        );
        assert!(
            text.contains("__form . value (\"noteText\" , & self . note_text , :: std :: option :: Option :: None)"),
            "{text}"
        );
        let missing = [Form {
            type_name: "Other".into(),
            parts: BTreeMap::new(),
        }];
        assert!(form_impls(&items.items, &missing).is_err());
    }

    #[test]
    fn the_send_of_a_multipart_operation_sends_a_form() {
        let mut file: syn::File = syn::parse_quote! {
            impl<'a> Upload<'a> {
                fn send(self) { let r = client.post(url).json(&body).build()?; }
            }
            impl<'a> Other<'a> {
                fn send(self) { let r = client.post(url).json(&body).build()?; }
            }
        };
        send_as_form(&mut file, &["Upload".to_string()].into()).unwrap();
        let text = quote!(#file).to_string();
        assert!(
            text.contains(". multipart (body . to_form () . map_err (Error :: InvalidRequest) ?)"),
            "{text}"
        );
        assert_eq!(text.matches(". json (& body)").count(), 1, "{text}");
        let e = send_as_form(&mut file, &["Missing".to_string()].into()).unwrap_err();
        assert!(e.message.contains("Missing"), "{}", e.message);
    }
}
