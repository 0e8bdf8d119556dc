//! The blocking client's operations (`asteroid_sdk::blocking`, feature `blocking`),
//! generated from the async client's: the same request builders and setters, with a
//! synchronous `send()` that runs the async one on the blocking client's runtime.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::error::{Result, XtaskError};

/// The generated part of the `blocking` module, from the post-processed async client.
pub fn generate(client: &syn::File) -> Result<TokenStream> {
    let builder_items = client
        .items
        .iter()
        .find_map(|i| match i {
            syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|c| &c.1),
            _ => None,
        })
        .ok_or_else(|| XtaskError::msg("the generated client has no `mod builder`"))?;

    let mut builders = Vec::new();
    let mut into_iters = Vec::new();
    for item in builder_items {
        let syn::Item::Impl(imp) = item else { continue };
        let syn::Type::Path(self_ty) = &*imp.self_ty else {
            continue;
        };
        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.clone()) else {
            continue;
        };
        if imp.trait_.is_some() {
            continue;
        }
        let mut methods = Vec::new();
        for it in &imp.items {
            let syn::ImplItem::Fn(f) = it else { continue };
            let fname = &f.sig.ident;
            if fname == "new" || !matches!(f.vis, syn::Visibility::Public(_)) {
                continue;
            }
            let docs: Vec<&syn::Attribute> = f
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("doc"))
                .collect();
            if fname == "send" {
                let output = &f.sig.output;
                let doc = " Sends the request and waits for the answer (blocking); see the async \
                           client's `send` for the errors.";
                methods.push(quote! {
                    #[doc = #doc]
                    pub fn send(self) #output {
                        self.client.block_on(self.inner.send())
                    }
                });
                continue;
            }
            if f.sig.asyncness.is_some() {
                // Another way to send it (`send_for_location`): the same, blocking.
                let output = &f.sig.output;
                let doc = format!(
                    " Blocking: see the async client's [`{fname}`](crate::builder::{name}::{fname})."
                );
                methods.push(quote! {
                    #( #docs )*
                    #[doc = ""]
                    #[doc = #doc]
                    pub fn #fname(self) #output {
                        self.client.block_on(self.inner.#fname())
                    }
                });
                continue;
            }
            if let Some(stream) = paginated(&f.sig.output) {
                // `pages()` / `into_stream()`: a blocking iterator of the same.
                let (page, error) = (&stream.page, &stream.error);
                let kind = &stream.kind;
                let doc = format!(
                    " Blocking: the same as the async client's \
                     [`{fname}`](crate::builder::{name}::{fname}), as an [`Iterator`]."
                );
                methods.push(quote! {
                    #[doc = #doc]
                    pub fn #fname(self) -> crate::blocking::#kind<'a, #page, #error> {
                        crate::blocking::#kind::new(self.client, self.inner.#fname())
                    }
                });
                if kind == "Items" {
                    into_iters.push(quote! {
                        /// The items of every page of the list, in order (blocking; see
                        /// [`into_stream`](Self::into_stream)): `for item in request`.
                        impl<'a> ::std::iter::IntoIterator for #name<'a> {
                            type Item = ::std::result::Result<
                                <#page as crate::paginate::Page>::Item,
                                crate::Error<#error>,
                            >;
                            type IntoIter = crate::blocking::Items<'a, #page, #error>;
                            fn into_iter(self) -> Self::IntoIter {
                                self.into_stream()
                            }
                        }
                    });
                }
                continue;
            }
            let generics = &f.sig.generics;
            let where_clause = &f.sig.generics.where_clause;
            let inputs: Vec<&syn::FnArg> = f.sig.inputs.iter().collect();
            let args: Vec<&syn::Ident> = f
                .sig
                .inputs
                .iter()
                .filter_map(|a| match a {
                    syn::FnArg::Typed(t) => match &*t.pat {
                        syn::Pat::Ident(i) => Some(&i.ident),
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            let inputs = inputs.iter().map(|a| match a {
                syn::FnArg::Receiver(_) => quote! { self },
                other => quote! { #other },
            });
            methods.push(quote! {
                #( #docs )*
                pub fn #fname #generics (#( #inputs ),*) -> Self #where_clause {
                    Self { client: self.client, inner: self.inner.#fname(#( #args ),*) }
                }
            });
        }
        let doc = format!(
            " The blocking request of [`Client::{}`](crate::blocking::Client::{0}): set its \
             parameters, then [`send`](Self::send) it.",
            crate::names::snake_name(&name.to_string())
        );
        // `Clone` when the async builder is (a raw body, `reqwest::Body`, is not).
        let async_is_clone = builder_items.iter().any(|i| match i {
            syn::Item::Struct(st) if st.ident == name => st
                .attrs
                .iter()
                .any(|a| a.path().is_ident("derive") && quote!(#a).to_string().contains("Clone")),
            _ => false,
        });
        let derives = if async_is_clone {
            quote!(#[derive(Debug, Clone)])
        } else {
            quote!(#[derive(Debug)])
        };
        builders.push(quote! {
            #[doc = #doc]
            #derives
            #[must_use = "a request does nothing until it is sent"]
            pub struct #name<'a> {
                pub(super) client: &'a super::super::Client,
                pub(super) inner: crate::builder::#name<'a>,
            }

            impl<'a> #name<'a> {
                #( #methods )*
            }
        });
    }

    let mut client_methods = Vec::new();
    for item in &client.items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let syn::Type::Path(p) = &*imp.self_ty else {
            continue;
        };
        if !p.path.is_ident("Client") {
            continue;
        }
        for it in &imp.items {
            let syn::ImplItem::Fn(f) = it else { continue };
            let syn::ReturnType::Type(_, ret) = &f.sig.output else {
                continue;
            };
            let ret_text = quote!(#ret).to_string();
            if !ret_text.starts_with("builder ::") {
                continue;
            }
            let name = &f.sig.ident;
            let Some(builder) = builder_name(ret) else {
                continue;
            };
            let docs = blocking_docs(&f.attrs);
            client_methods.push(quote! {
                #( #docs )*
                pub fn #name(&self) -> builder::#builder<'_> {
                    builder::#builder { client: self, inner: self.as_async().#name() }
                }
            });
        }
    }

    Ok(quote! {
        /// The blocking request builders, one per operation.
        pub mod builder {
            #[allow(unused_imports)]
            use crate::types;
            #( #builders )*
            #( #into_iters )*
        }

        impl super::Client {
            #( #client_methods )*
        }
    })
}

/// A paginator's return type (`crate::paginate::Pages<'a, P, E>` or `Items<..>`).
struct Paginated {
    kind: syn::Ident,
    page: syn::Type,
    error: syn::Type,
}

fn paginated(output: &syn::ReturnType) -> Option<Paginated> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let syn::Type::Path(p) = &**ty else {
        return None;
    };
    let names: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    if names.len() != 3 || names[0] != "crate" || names[1] != "paginate" {
        return None;
    }
    let last = p.path.segments.last()?;
    if !matches!(names[2].as_str(), "Pages" | "Items") {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let types: Vec<&syn::Type> = args
        .args
        .iter()
        .filter_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .collect();
    let [page, error] = types.as_slice() else {
        return None;
    };
    Some(Paginated {
        kind: last.ident.clone(),
        page: (*page).clone(),
        error: (*error).clone(),
    })
}

fn builder_name(ty: &syn::Type) -> Option<syn::Ident> {
    let syn::Type::Path(p) = ty else { return None };
    p.path.segments.last().map(|s| format_ident!("{}", s.ident))
}

/// An operation's doc (and deprecation), with its example made synchronous.
fn blocking_docs(attrs: &[syn::Attribute]) -> Vec<syn::Attribute> {
    let mut lines = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
        {
            lines.push(s.value());
        }
    }
    let text = lines
        .join("\n")
        .replace(
            "# async fn example(client: &asteroid_sdk::Client)",
            "# fn example(client: &asteroid_sdk::blocking::Client)",
        )
        .replace(".send()\n     .await?;", ".send()?;")
        .replace("`.send().await`", "`.send()`");
    let mut out: Vec<syn::Attribute> = text
        .split('\n')
        .map(|l| syn::parse_quote!(#[doc = #l]))
        .collect();
    out.extend(
        attrs
            .iter()
            .filter(|a| a.path().is_ident("deprecated"))
            .cloned(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_and_methods_delegate_to_the_async_client() {
        let file: syn::File = syn::parse_quote! {
            impl Client {
                /// Get it.
                /// # async fn example(client: &asteroid_sdk::Client) -> R {
                ///     .send()
                ///     .await?;
                pub fn thing_get(&self) -> builder::ThingGet<'_> { builder::ThingGet::new(self) }
            }
            pub mod builder {
                pub struct ThingGet<'a> { client: &'a super::Client }
                impl<'a> ThingGet<'a> {
                    pub(crate) fn new(client: &'a super::Client) -> Self { todo!() }
                    /// The id.
                    pub fn id<V>(mut self, value: V) -> Self where V: TryInto<u8> { self }
                    pub async fn send(self) -> Result<crate::Response<u8>, crate::Error<()>> { todo!() }
                }
            }
        };
        let tokens = generate(&file).unwrap();
        let text = prettyplease::unparse(&syn::parse2(tokens).unwrap());
        for want in [
            "pub fn id<V>(self, value: V) -> Self\n        where\n            V: TryInto<u8>,",
            "inner: self.inner.id(value)",
            "pub fn send(self) -> Result<crate::Response<u8>, crate::Error<()>>",
            "self.client.block_on(self.inner.send())",
            "inner: self.as_async().thing_get()",
            "# fn example(client: &asteroid_sdk::blocking::Client) -> R {",
            "///     .send()?;",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
        assert!(!text.contains("fn new"), "{text}");
    }
}
