//! Redirect downloads: an operation that documents a redirect (`301`, `302`, `303`, `307`,
//! `308`) and answers no JSON body. Its request builder's `send()` follows the redirect
//! to the content (`asteroid_sdk::download`: to another origin without the API key) and
//! `send_for_location()` answers the redirect's target; progenitor's `send`, which takes
//! the redirect as the answer, becomes the private `exchange`.

use quote::quote;
use syn::visit_mut::VisitMut;

use super::operations::Operation;
use crate::error::{Result, XtaskError};
use crate::syntax::last_ident;

/// The redirect statuses the SDK follows to the content.
const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];

/// Whether the operation documents a redirect.
pub fn documents_redirect(op: &Operation) -> bool {
    op.responses.iter().any(|s| {
        s.status
            .parse::<u16>()
            .is_ok_and(|c| REDIRECTS.contains(&c))
    })
}

/// Whether the operation is a redirect download: it documents a redirect, and its
/// success (as `send` answers it) is the body's bytes.
pub fn is_download(op: &Operation, success: &syn::Type) -> bool {
    documents_redirect(op) && last_ident(success).as_deref() == Some("Bytes")
}

/// Make the rewritten `send` the private `exchange`, which also answers the redirect
/// itself, and return the public `send` and `send_for_location` that go through it.
pub fn rewrite(
    send: &mut syn::ImplItemFn,
    op: &Operation,
    error: &syn::Type,
) -> Result<Vec<syn::ImplItem>> {
    let mut arms = RedirectArm { added: 0 };
    arms.visit_block_mut(&mut send.block);
    if arms.added != 1 {
        return Err(XtaskError::msg(format!(
            "`{}::send` does not match on the response status as the xtask expects; the \
             redirect cannot be wired in",
            op.builder
        )));
    }
    let mut unfollowed = Unfollowed { replaced: 0 };
    unfollowed.visit_block_mut(&mut send.block);
    if unfollowed.replaced != 1 {
        return Err(XtaskError::msg(format!(
            "`{}::send` does not call `crate::transport::send` once as the xtask expects; \
             its redirect cannot be kept from being followed",
            op.builder
        )));
    }
    let docs: Vec<syn::Attribute> = send
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .cloned()
        .collect();
    send.attrs.retain(|a| !a.path().is_ident("doc"));
    send.attrs.push(
        syn::parse_quote!(#[doc = " The API's own answer: the content, or the redirect to it."]),
    );
    send.sig.ident = syn::parse_quote!(exchange);
    send.vis = syn::Visibility::Inherited;
    let operation_id = &op.method;
    let follow = " The content. When the API answers with a redirect (to file storage, on another \
         origin), the redirect's `Location` is fetched: without the API key, with the \
         client's timeout, retries and body limit. A redirect within the API's origin is \
         followed with the key. See [`send_for_location`](Self::send_for_location) \
         for the URL instead.\n\n \
         Fails as [`Error::Decode`](crate::Error::Decode) when the \
         redirect has no usable `Location`, and as \
         [`Error::UnexpectedStatus`](crate::Error::UnexpectedStatus) when its target does \
         not answer with a 2xx.";
    let location = " The redirect's target (its `Location`, resolved against the API's base \
                    URL), without following it: for handing the URL on. The API key is not \
                    part of it.\n\n Fails as \
                    [`Error::Decode`](crate::Error::Decode) when the API \
                    answers with the content itself, or without a usable `Location`.";
    let follow_docs = docs.iter().cloned().chain([
        syn::parse_quote!(#[doc = ""]),
        syn::parse_quote!(#[doc = #follow]),
    ]);
    let follow_docs: Vec<syn::Attribute> = follow_docs.collect();
    Ok(vec![
        syn::parse_quote! {
            #( #follow_docs )*
            pub async fn send(
                self,
            ) -> ::std::result::Result<crate::Response<::bytes::Bytes>, crate::Error<#error>> {
                let client = self.client;
                let first = self.exchange().await?;
                let info = OperationInfo { operation_id: #operation_id };
                crate::error::from_result(crate::download::content(client, &info, first).await)
            }
        },
        syn::parse_quote! {
            #[doc = #location]
            pub async fn send_for_location(
                self,
            ) -> ::std::result::Result<crate::Response<::url::Url>, crate::Error<#error>> {
                let client = self.client;
                let first = self.exchange().await?;
                crate::error::from_result(crate::download::location(client, first))
            }
        },
    ])
}

/// `crate::transport::send(..)` → `crate::transport::send_unfollowed(..)`: the first
/// request of a download comes back with its redirect, whatever its origin.
struct Unfollowed {
    replaced: usize,
}

impl VisitMut for Unfollowed {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        syn::visit_mut::visit_expr_call_mut(self, call);
        if let syn::Expr::Path(p) = &mut *call.func {
            let path = &p.path;
            if quote!(#path).to_string() == "crate :: transport :: send" {
                p.path = syn::parse_quote!(crate::transport::send_unfollowed);
                self.replaced += 1;
            }
        }
    }
}

/// Put a first arm into the `match response.status().as_u16()` of `send` that takes a
/// redirect as the answer (its bytes, with its headers), and drop any arm of progenitor's
/// for those statuses.
struct RedirectArm {
    added: usize,
}

impl VisitMut for RedirectArm {
    fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
        let scrutinee = &m.expr;
        if quote!(#scrutinee).to_string() == "response . status () . as_u16 ()" {
            m.arms.retain(|arm| match &arm.pat {
                syn::Pat::Lit(syn::PatLit {
                    lit: syn::Lit::Int(i),
                    ..
                }) => !i
                    .base10_parse::<u16>()
                    .is_ok_and(|c| REDIRECTS.contains(&c)),
                _ => true,
            });
            let codes = REDIRECTS.iter().map(|c| {
                let lit = syn::LitInt::new(&format!("{c}u16"), proc_macro2::Span::call_site());
                quote!(#lit)
            });
            m.arms.insert(
                0,
                syn::parse_quote!(#( #codes )|* => crate::decode::bytes(response),),
            );
            self.added += 1;
            return;
        }
        syn::visit_mut::visit_expr_match_mut(self, m);
    }
}
