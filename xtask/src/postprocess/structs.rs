//! Object types that a later spec can grow without breaking anyone.
//!
//! For every struct typify generates in `mod types` (named fields, no `flatten`):
//! - `#[non_exhaustive]`: no struct literal outside the crate, so a new field is a
//!   compatible change; values are built with a generated `XBuilder` (setters documented
//!   like the fields, `build()` naming the required fields not set) or decoded with serde;
//! - the JSON members the spec does not list are kept in a private map, readable with
//!   `extra(name)` / `extra_fields()` and written back when the value is serialized;
//! - `Deserialize` and `Serialize` are generated instead of derived: decoding is liberal
//!   (`null` for an optional or defaulted field is its absence, a map of strings takes any
//!   values) and as fast as the derive, with no intermediate buffering of the object.
//!
//! typify's own `types::builder` module is removed; progenitor's operation builders use
//! the generated builders instead.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;

use super::validation::{Model, holds_validated};
use crate::error::{Result, XtaskError};
use crate::syntax::{generic_arg, last_ident, path_idents, serde_rename};

/// What a struct's `Validate` impl and builder check.
struct Checks<'a> {
    validation: &'a Model,
    validated: &'a BTreeSet<String>,
    /// Whether requests carry the type: its builder checks the rules in `build()`.
    in_requests: bool,
}

/// The private field that holds the members the spec does not list.
const EXTRA: &str = "__extra";
/// The private field that remembers members that were sent as `null` or empty where the
/// Rust value cannot show it (`None`, an empty `Vec`), so that encoding gives them back.
const PRESENT: &str = "__present";

/// How a field decodes when its member is missing or `null`.
#[derive(Clone)]
enum Kind {
    /// A required member: missing is an error.
    Required,
    /// `Option<T>`: missing or `null` is `None`.
    Optional(syn::Type),
    /// Missing or `null` is the default (`Default::default()` or typify's default fn).
    Defaulted(Option<syn::Path>),
    /// A map of strings: missing or `null` is empty, non-string values are kept as JSON
    /// text, `null` values are dropped.
    LenientMap,
    /// `#[serde(flatten)]` map of the schema's `additionalProperties` (value type given):
    /// the members no field takes whose value has that type.
    Flatten(syn::Type),
}

#[derive(Clone)]
struct Field {
    ident: syn::Ident,
    json: String,
    ty: syn::Type,
    kind: Kind,
    skip_if: Option<syn::Path>,
    docs: Vec<syn::Attribute>,
    /// The note of its `#[deprecated]`, if the spec deprecates it.
    deprecated: Option<String>,
}

/// What the rewrite did, for the callers that wire other code to it.
pub struct Rewritten {
    /// The structs that got a builder (`X` has `XBuilder`).
    pub with_builders: BTreeSet<String>,
}

/// Rewrite every struct of `mod types` (the items of the module) and drop typify's
/// `builder` submodule.
/// Fields the spec marks `deprecated: true` get `#[deprecated]`; `deprecated` holds their
/// `(type name, JSON member name)`.
pub fn rewrite(
    items: &mut Vec<syn::Item>,
    deprecated: &std::collections::BTreeMap<super::FieldKey, String>,
    validation: &Model,
) -> Result<Rewritten> {
    let type_names: BTreeSet<String> = items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            syn::Item::Type(t) => Some(t.ident.to_string()),
            _ => None,
        })
        .collect();
    for item in items.iter_mut() {
        if let syn::Item::Struct(s) = item {
            dedupe_fields(s)?;
        }
    }
    let mut generated: Vec<syn::Item> = Vec::new();
    // Every struct we rewrite implements `Validate`: know them all first.
    let with_builders: BTreeSet<String> = items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Struct(s) if analyse(s).is_some() => Some(s.ident.to_string()),
            _ => None,
        })
        .collect();
    for item in items.iter_mut() {
        let syn::Item::Struct(s) = item else { continue };
        let Some(mut fields) = analyse(s) else {
            continue;
        };
        let name = s.ident.to_string();
        for f in fields.iter_mut() {
            f.deprecated = deprecated.get(&(name.clone(), f.json.clone())).cloned();
        }
        let builder_name = format!("{name}Builder");
        if type_names.contains(&builder_name) {
            return Err(XtaskError::msg(format!(
                "the schema `{builder_name}` takes the name of the builder of `{name}`; \
                 rename one of them in xtask/src/names.rs (RENAMES)"
            )));
        }
        rewrite_struct(s, &fields);
        let checks = Checks {
            validation,
            validated: &with_builders,
            in_requests: validation.request_types.contains(&name),
        };
        let tokens = impls(&s.ident, &fields, &checks);
        let file: syn::File = syn::parse2(tokens).map_err(|e| {
            XtaskError::msg(format!("generated impls of `{name}` do not parse: {e}"))
        })?;
        generated.extend(file.items);
    }
    // typify's builders and the `X::builder()` functions that return them, and its
    // `Default` impls of the structs we rewrite (see `rewrite_struct`).
    items.retain(|item| match item {
        syn::Item::Mod(m) => m.ident != "builder",
        syn::Item::Impl(i) => !is_typify_builder_fn(i) && !is_default_impl_of(i, &with_builders),
        _ => true,
    });
    complete_struct_literals(items, &with_builders);
    demote_support_modules(items);
    items.extend(generated);
    items.extend(
        syn::parse2::<syn::File>(helpers())
            .map_err(|e| XtaskError::msg(format!("generated helpers do not parse: {e}")))?
            .items,
    );
    Ok(Rewritten { with_builders })
}

/// Rewrite paths to typify's builders (`types::builder::X` anywhere, `builder::X` inside
/// `mod types`) to ours. Outside `mod types`, `builder::X` is progenitor's request builder
/// of an operation, which may share its name with a schema (an operation
/// `ExecutionCommentCreate` and a schema `Execution.CommentCreate`): left alone.
pub fn rewrite_builder_paths(file: &mut syn::File, with_builders: &BTreeSet<String>) {
    struct Paths<'a> {
        with_builders: &'a BTreeSet<String>,
        in_types: bool,
    }
    impl VisitMut for Paths<'_> {
        fn visit_item_mod_mut(&mut self, m: &mut syn::ItemMod) {
            let outer = self.in_types;
            self.in_types = outer || m.ident == "types";
            syn::visit_mut::visit_item_mod_mut(self, m);
            self.in_types = outer;
        }
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            let segs = path_idents(path);
            let n = segs.len();
            let typify_builder = n >= 2
                && segs[n - 2] == "builder"
                && self.with_builders.contains(&segs[n - 1])
                && (self.in_types || (n >= 3 && segs[n - 3] == "types"));
            if typify_builder {
                let last = format_ident!("{}Builder", segs[n - 1]);
                let mut kept: syn::punctuated::Punctuated<syn::PathSegment, syn::Token![::]> =
                    path.segments.iter().take(n - 2).cloned().collect();
                kept.push(syn::PathSegment::from(last));
                path.segments = kept;
            }
            syn::visit_mut::visit_path_mut(self, path);
        }
    }
    Paths {
        with_builders,
        in_types: false,
    }
    .visit_file_mut(file);
}

/// typify's `defaults` module (functions for serde) and its `error` module (the error type
/// of its `TryFrom` impls) are support code, not API: crate-private, unless a public item
/// names `ConversionError` (then `error` stays public).
fn demote_support_modules(items: &mut [syn::Item]) {
    let uses_conversion_error = items.iter().any(|item| match item {
        syn::Item::Mod(m) if m.ident == "error" => false,
        other => quote!(#other).to_string().contains("ConversionError"),
    });
    for item in items.iter_mut() {
        let syn::Item::Mod(m) = item else { continue };
        let demote = m.ident == "defaults" || (m.ident == "error" && !uses_conversion_error);
        if demote {
            m.vis = syn::parse_quote!(pub(crate));
            m.attrs.push(syn::parse_quote!(#[allow(dead_code)]));
        }
    }
}

/// typify writes struct literals of the structs we rewrite (default values of fields in its
/// `defaults` module): they get the members we add, empty.
fn complete_struct_literals(items: &mut [syn::Item], structs: &BTreeSet<String>) {
    struct Literals<'a>(&'a BTreeSet<String>);
    impl VisitMut for Literals<'_> {
        fn visit_expr_struct_mut(&mut self, e: &mut syn::ExprStruct) {
            syn::visit_mut::visit_expr_struct_mut(self, e);
            let ours = e
                .path
                .segments
                .last()
                .is_some_and(|s| self.0.contains(&s.ident.to_string()));
            if !ours || e.rest.is_some() {
                return;
            }
            for name in [EXTRA, PRESENT] {
                let ident = format_ident!("{name}");
                let named =
                    |f: &syn::FieldValue| matches!(&f.member, syn::Member::Named(m) if *m == ident);
                if !e.fields.iter().any(named) {
                    e.fields
                        .push(syn::parse_quote!(#ident: ::std::default::Default::default()));
                }
            }
        }
    }
    let mut visitor = Literals(structs);
    for item in items.iter_mut() {
        visitor.visit_item_mut(item);
    }
}

/// `impl Default for X` of a struct we rewrite.
fn is_default_impl_of(item: &syn::ItemImpl, structs: &BTreeSet<String>) -> bool {
    let is_default = item
        .trait_
        .as_ref()
        .and_then(|(path, _)| path.segments.last())
        .is_some_and(|s| s.ident == "Default");
    is_default && last_ident(&item.self_ty).is_some_and(|n| structs.contains(&n))
}

fn is_typify_builder_fn(item: &syn::ItemImpl) -> bool {
    item.trait_.is_none()
        && item.items.len() == 1
        && matches!(&item.items[0], syn::ImplItem::Fn(f) if f.sig.ident == "builder")
}

/// typify names a field by its member's snake_case name, so members that differ only in
/// case or separators (`fooBar`, `foo_bar`, `FooBar`; `self`, `Self`) give one field name
/// twice. The rule: of the fields with one name, the one whose member is written exactly
/// like it keeps it (else the first), the others get `_2`, `_3`, ... (skipping names
/// another field has), in the struct's order. Only structs this pass rewrites (their serde
/// impls name each member) can be renamed; any other is an error.
fn dedupe_fields(s: &mut syn::ItemStruct) -> Result<()> {
    let syn::Fields::Named(named) = &s.fields else {
        return Ok(());
    };
    let names: Vec<String> = named
        .named
        .iter()
        .filter_map(|f| f.ident.as_ref().map(|i| i.to_string()))
        .collect();
    let unique: BTreeSet<&String> = names.iter().collect();
    if unique.len() == names.len() {
        return Ok(());
    }
    if analyse(s).is_none() {
        return Err(XtaskError::msg(format!(
            "the members of `{}` give one Rust field name twice ({}), and its serde \
             attributes are not ones the SDK rewrites",
            s.ident,
            names.join(", ")
        )));
    }
    let syn::Fields::Named(named) = &mut s.fields else {
        return Ok(());
    };
    let json_of = serde_rename;
    let mut taken: BTreeSet<String> = names.iter().cloned().collect();
    let mut keeper: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for (i, f) in named.named.iter().enumerate() {
        let name = names[i].clone();
        let exact = json_of(f).is_none_or(|j| j == name.trim_start_matches("r#"));
        match keeper.get(&name) {
            None => {
                keeper.insert(name, i);
            }
            Some(&k) if exact && json_of(&named.named[k]).is_some() => {
                keeper.insert(name, i);
            }
            Some(_) => {}
        }
    }
    for (i, f) in named.named.iter_mut().enumerate() {
        let name = &names[i];
        if keeper.get(name) == Some(&i) {
            continue;
        }
        let base = name.trim_start_matches("r#").trim_end_matches('_');
        let mut n = 2;
        let mut candidate = format!("{base}_{n}");
        while taken.contains(&candidate) {
            n += 1;
            candidate = format!("{base}_{n}");
        }
        taken.insert(candidate.clone());
        if json_of(f).is_none() {
            let json = name.trim_start_matches("r#").to_string();
            f.attrs.push(syn::parse_quote!(#[serde(rename = #json)]));
        }
        f.ident = Some(format_ident!("{}", candidate));
    }
    Ok(())
}

/// The fields of a struct we can rewrite, or `None` to leave it as typify made it.
fn analyse(s: &syn::ItemStruct) -> Option<Vec<Field>> {
    let syn::Fields::Named(named) = &s.fields else {
        return None;
    };
    let derives_serde = s
        .attrs
        .iter()
        .any(|a| a.path().is_ident("derive") && quote!(#a).to_string().contains("Deserialize"));
    if !derives_serde || s.attrs.iter().any(|a| a.path().is_ident("serde")) {
        // Container attributes (tagging, transparent, ...) are typify's to keep.
        return None;
    }
    let mut fields = Vec::new();
    for f in &named.named {
        let ident = f.ident.clone()?;
        let mut json = None;
        let mut default: Option<Option<syn::Path>> = None;
        let mut skip_if = None;
        let mut flatten = false;
        let mut unsupported = false;
        for attr in f.attrs.iter().filter(|a| a.path().is_ident("serde")) {
            let parsed = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    json = Some(meta.value()?.parse::<syn::LitStr>()?.value());
                } else if meta.path.is_ident("default") {
                    if meta.input.peek(syn::Token![=]) {
                        let lit: syn::LitStr = meta.value()?.parse()?;
                        default = Some(Some(lit.parse()?));
                    } else {
                        default = Some(None);
                    }
                } else if meta.path.is_ident("skip_serializing_if") {
                    let lit: syn::LitStr = meta.value()?.parse()?;
                    skip_if = Some(lit.parse::<syn::Path>()?);
                } else if meta.path.is_ident("flatten") {
                    flatten = true;
                } else {
                    unsupported = true;
                    if meta.input.peek(syn::Token![=]) {
                        let _: syn::Expr = meta.value()?.parse()?;
                    }
                }
                Ok(())
            });
            if parsed.is_err() {
                return None;
            }
        }
        if unsupported {
            return None;
        }
        let json = json.unwrap_or_else(|| ident.to_string().trim_start_matches("r#").to_string());
        let kind = if flatten {
            match map_value(&f.ty) {
                Some(v) => Kind::Flatten(v),
                None => return None,
            }
        } else if let Some(inner) = option_inner(&f.ty) {
            Kind::Optional(inner)
        } else if is_string_map(&f.ty) {
            Kind::LenientMap
        } else if let Some(d) = default {
            Kind::Defaulted(d)
        } else {
            Kind::Required
        };
        let docs = f
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .cloned()
            .collect();
        fields.push(Field {
            ident,
            json,
            ty: f.ty.clone(),
            kind,
            skip_if,
            docs,
            deprecated: None,
        });
    }
    if fields
        .iter()
        .filter(|f| matches!(f.kind, Kind::Flatten(_)))
        .count()
        > 1
    {
        return None;
    }
    Some(fields)
}

/// `#[non_exhaustive]`, no serde derive or serde attributes, and the private map of
/// unknown members.
fn rewrite_struct(s: &mut syn::ItemStruct, fields: &[Field]) {
    if !s.attrs.iter().any(|a| a.path().is_ident("doc")) {
        let doc = format!(" The `{}` object of the API.", s.ident);
        s.attrs.insert(0, syn::parse_quote!(#[doc = #doc]));
    }
    let last_doc = s
        .attrs
        .iter()
        .rposition(|a| a.path().is_ident("doc"))
        .map_or(0, |i| i + 1);
    let usage = format!(
        " Read its fields directly. Build one with [`{0}::builder`] (it is `#[non_exhaustive]`, \
         so a later API can add fields), or decode it from JSON; members the spec does not \
         list are kept ([`{0}::extra`]) and written back.",
        s.ident
    );
    s.attrs.insert(last_doc, syn::parse_quote!(#[doc = #usage]));
    s.attrs.insert(last_doc, syn::parse_quote!(#[doc = ""]));
    for attr in s.attrs.iter_mut() {
        if !attr.path().is_ident("derive") {
            continue;
        }
        if let Ok(list) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) {
            let kept: Vec<&syn::Path> = list
                .iter()
                .filter(|p| {
                    let last = p.segments.last().map(|s| s.ident.to_string());
                    // No `Default`: typify derives it only while every field is optional,
                    // so a later spec's required field would take it away (a breaking
                    // change for a compatible spec change). The builder builds values.
                    !matches!(
                        last.as_deref(),
                        Some("Serialize" | "Deserialize" | "Default")
                    )
                })
                .collect();
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
    }
    s.attrs.push(syn::parse_quote!(#[non_exhaustive]));
    if let syn::Fields::Named(named) = &mut s.fields {
        for (f, info) in named.named.iter_mut().zip(fields) {
            f.attrs.retain(|a| !a.path().is_ident("serde"));
            if info.docs.is_empty() {
                // The spec gives no description: say what the field holds at least.
                let doc = match info.kind {
                    Kind::Flatten(_) => " The members the spec does not name but gives a \
                                         type for (`additionalProperties`), by name."
                        .to_string(),
                    _ => format!(" The `{}` member.", info.json),
                };
                f.attrs.insert(0, syn::parse_quote!(#[doc = #doc]));
            }
            if let Some(note) = &info.deprecated {
                f.attrs.push(syn::parse_quote!(#[deprecated(note = #note)]));
            }
        }
        let extra = format_ident!("{}", EXTRA);
        let present = format_ident!("{}", PRESENT);
        named.named.push(syn::parse_quote! {
            /// Members of the JSON object that the spec does not list, kept as sent.
            #extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>
        });
        named.named.push(syn::parse_quote! {
            /// Members sent as `null` or empty that the fields cannot show.
            #present: PresentMembers
        });
    }
}

fn option_inner(ty: &syn::Type) -> Option<syn::Type> {
    generic_arg(ty, "Option", 0)
}

/// The value type of a string-keyed map (`HashMap`, `BTreeMap`, `serde_json::Map`).
fn map_value(ty: &syn::Type) -> Option<syn::Type> {
    let outer = last_ident(ty)?;
    if !matches!(outer.as_str(), "HashMap" | "BTreeMap" | "Map") {
        return None;
    }
    let key = generic_arg(ty, &outer, 0)?;
    quote!(#key)
        .to_string()
        .ends_with("String")
        .then(|| generic_arg(ty, &outer, 1))
        .flatten()
}

/// `HashMap<String, String>` or `BTreeMap<String, String>`.
pub fn is_string_map(ty: &syn::Type) -> bool {
    let text = quote!(#ty).to_string().replace(' ', "");
    (text.contains("HashMap<") || text.contains("BTreeMap<"))
        && text.ends_with("String,::std::string::String>")
        && text.matches('<').count() == 1
}

/// The serde impls, the accessors of unknown members, and the builder of one struct.
fn impls(ident: &syn::Ident, fields: &[Field], checks: &Checks<'_>) -> TokenStream {
    let name = ident.to_string();
    // --- Validate ---
    let rule_checks: Vec<TokenStream> = fields
        .iter()
        .filter_map(|f| {
            let c = checks.validation.fields.get(&(name.clone(), f.json.clone()))?;
            let rules = c.tokens();
            let id = &f.ident;
            let json = &f.json;
            Some(quote! {
                {
                    const RULES: crate::validate::Rules = #rules;
                    crate::validate::check(&crate::validate::member(path, #json), &self.#id, &RULES)?;
                }
            })
        })
        .collect();
    let nested_checks: Vec<TokenStream> = fields
        .iter()
        .filter(|f| holds_validated(&f.ty, checks.validated))
        .map(|f| {
            let id = &f.ident;
            let json = &f.json;
            quote! {
                crate::validate::Validate::validate(&self.#id, &crate::validate::member(path, #json))?;
            }
        })
        .collect();
    let validate_in_build = checks.in_requests.then(|| {
        quote! {
            crate::validate::Validate::validate(&__value, "")
                .map_err(|__problem| crate::BuildError::invalid(#name, __problem))?;
        }
    });
    let extra = format_ident!("{}", EXTRA);
    let present = format_ident!("{}", PRESENT);
    let builder = format_ident!("{}Builder", ident);
    let idents: Vec<&syn::Ident> = fields.iter().map(|f| &f.ident).collect();
    // The flattened map (if any) is not a member: it takes the members no field takes.
    let flat = fields.iter().find_map(|f| match &f.kind {
        Kind::Flatten(v) => Some((f.ident.clone(), v.clone())),
        _ => None,
    });
    let all_fields = fields;
    let members: Vec<Field> = fields
        .iter()
        .filter(|f| !matches!(f.kind, Kind::Flatten(_)))
        .cloned()
        .collect();
    let fields = members.as_slice();
    let jsons: Vec<&str> = fields.iter().map(|f| f.json.as_str()).collect();
    let variants: Vec<syn::Ident> = (0..fields.len()).map(|i| format_ident!("__F{i}")).collect();
    let expecting = format!("an object ({name})");

    // --- Deserialize ---
    let slots: Vec<TokenStream> = fields
        .iter()
        .map(|f| {
            let id = &f.ident;
            let ty = &f.ty;
            match &f.kind {
                Kind::Optional(_) => quote! { let mut #id: #ty = ::std::option::Option::None; },
                _ => quote! { let mut #id: ::std::option::Option<#ty> = ::std::option::Option::None; },
            }
        })
        .collect();
    let decodes: Vec<TokenStream> = fields
        .iter()
        .zip(&variants)
        .map(|(f, v)| {
            let id = &f.ident;
            let ty = &f.ty;
            let json = &f.json;
            let value = match &f.kind {
                Kind::Required => quote! {
                    #id = ::std::option::Option::Some(__map.next_value::<#ty>()?);
                },
                // `ty` is `Option<T>`: `null` and absence are both `None`.
                Kind::Optional(_) => quote! {
                    #id = __map.next_value::<#ty>()?;
                    #present.seen(#json, #id.is_none());
                },
                Kind::Defaulted(_) => quote! {
                    #id = __map.next_value::<::std::option::Option<#ty>>()?;
                    #present.seen(#json, #id.is_none());
                },
                Kind::LenientMap => quote! {
                    #id = __map.next_value::<::std::option::Option<LenientStringMap<#ty>>>()?
                        .map(|__m| __m.0);
                    #present.seen(#json, #id.is_none());
                },
                Kind::Flatten(_) => quote! {},
            };
            quote! { __Field::#v => { #value } }
        })
        .collect();
    let finishes: Vec<TokenStream> = fields
        .iter()
        .map(|f| {
            let id = &f.ident;
            let json = &f.json;
            match &f.kind {
                Kind::Required => quote! {
                    #id: match #id {
                        ::std::option::Option::Some(__v) => __v,
                        ::std::option::Option::None => {
                            return ::std::result::Result::Err(
                                <__A::Error as ::serde::de::Error>::missing_field(#json),
                            );
                        }
                    }
                },
                Kind::Optional(_) => quote! { #id },
                Kind::Defaulted(Some(path)) => quote! { #id: #id.unwrap_or_else(#path) },
                Kind::Defaulted(None) | Kind::LenientMap | Kind::Flatten(_) => {
                    quote! { #id: #id.unwrap_or_default() }
                }
            }
        })
        .collect();

    // --- Serialize ---
    let sers: Vec<TokenStream> = fields
        .iter()
        .map(|f| {
            let id = &f.ident;
            let json = &f.json;
            match &f.skip_if {
                Some(path) => quote! {
                    if !#path(&self.#id) {
                        __map.serialize_entry(#json, &self.#id)?;
                    } else {
                        match self.#present.get(#json) {
                            ::std::option::Option::Some(true) => __map.serialize_entry(#json, &())?,
                            ::std::option::Option::Some(false) => __map.serialize_entry(#json, &self.#id)?,
                            ::std::option::Option::None => {}
                        }
                    }
                },
                None => quote! { __map.serialize_entry(#json, &self.#id)?; },
            }
        })
        .collect();
    let skip_arms: Vec<TokenStream> = fields
        .iter()
        .filter_map(|f| {
            let id = &f.ident;
            let json = &f.json;
            f.skip_if
                .as_ref()
                .map(|path| quote! { #json => #path(&self.#id), })
        })
        .collect();
    let known_check = if jsons.is_empty() {
        quote! { true }
    } else {
        quote! { !matches!(__key.as_str(), #( #jsons )|*) }
    };

    // The flattened map: members no field takes go there when their value has its type.
    let (flat_slot, flat_take, flat_finish, flat_ser, flat_not_in) = match &flat {
        Some((id, value_ty)) => (
            quote! {
                let mut #id = ::std::vec::Vec::<(::std::string::String, #value_ty)>::new();
            },
            quote! {
                if let ::std::result::Result::Ok(__v) = <#value_ty as ::serde::Deserialize>::deserialize(&__value) {
                    #id.push((__name.into_owned(), __v));
                    continue;
                }
            },
            quote! { #id: #id.into_iter().collect(), },
            quote! {
                for (__key, __value) in &self.#id {
                    if #known_check {
                        __map.serialize_entry(__key, __value)?;
                    }
                }
            },
            quote! { && !self.#id.contains_key(__key.as_str()) },
        ),
        None => (quote! {}, quote! {}, quote! {}, quote! {}, quote! {}),
    };

    // --- Builder ---
    // A setter is named like its field, except where the builder's own methods (`build`,
    // `extra`) or an earlier setter took the name: then `_` is appended until it is free.
    let mut taken: BTreeSet<String> = ["build", "extra"].iter().map(|s| s.to_string()).collect();
    let field_names: BTreeSet<String> = all_fields.iter().map(|f| f.ident.to_string()).collect();
    let setter_names: Vec<syn::Ident> = all_fields
        .iter()
        .map(|f| {
            let mut s = f.ident.to_string();
            if taken.contains(&s) {
                s.push('_');
                while taken.contains(&s) || field_names.contains(&s) {
                    s.push('_');
                }
            }
            taken.insert(s.clone());
            syn::parse_str::<syn::Ident>(&s).unwrap_or_else(|_| f.ident.clone())
        })
        .collect();
    let set_types: Vec<&syn::Type> = all_fields
        .iter()
        .map(|f| match &f.kind {
            Kind::Optional(inner) => inner,
            _ => &f.ty,
        })
        .collect();
    let setter_docs: Vec<TokenStream> = all_fields
        .iter()
        .map(|f| {
            let docs = &f.docs;
            let json = &f.json;
            let req = match f.kind {
                Kind::Required => format!(" Sets `{json}` (required)."),
                _ => format!(" Sets `{json}`."),
            };
            let deprecated = f
                .deprecated
                .as_ref()
                .map(|note| quote! { #[deprecated(note = #note)] });
            if docs.is_empty() {
                quote! { #[doc = #req] #deprecated }
            } else {
                quote! { #(#docs)* #[doc = ""] #[doc = #req] #deprecated }
            }
        })
        .collect();
    let required: Vec<&Field> = fields
        .iter()
        .filter(|f| matches!(f.kind, Kind::Required))
        .collect();
    let req_idents: Vec<&syn::Ident> = required.iter().map(|f| &f.ident).collect();
    let req_jsons: Vec<&str> = required.iter().map(|f| f.json.as_str()).collect();
    let build_fields: Vec<TokenStream> = all_fields
        .iter()
        .map(|f| {
            let id = &f.ident;
            match &f.kind {
                Kind::Required => quote! { #id },
                Kind::Optional(_) => quote! { #id: self.#id },
                Kind::Defaulted(Some(path)) => quote! { #id: self.#id.unwrap_or_else(#path) },
                Kind::Defaulted(None) | Kind::LenientMap | Kind::Flatten(_) => {
                    quote! { #id: self.#id.unwrap_or_default() }
                }
            }
        })
        .collect();
    let build_body = if required.is_empty() {
        quote! {
            let __value = #ident {
                #( #build_fields, )* #extra: self.#extra, #present: PresentMembers::default()
            };
            #validate_in_build
            ::std::result::Result::Ok(__value)
        }
    } else {
        quote! {
            match ( #( self.#req_idents, )* ) {
                ( #( ::std::option::Option::Some(#req_idents), )* ) => {
                    let __value = #ident {
                        #( #build_fields, )* #extra: self.#extra, #present: PresentMembers::default()
                    };
                    #validate_in_build
                    ::std::result::Result::Ok(__value)
                }
                ( #( #req_idents, )* ) => {
                    let mut __missing = ::std::vec::Vec::new();
                    #( if #req_idents.is_none() { __missing.push(#req_jsons); } )*
                    ::std::result::Result::Err(crate::BuildError::missing(#name, __missing))
                }
            }
        }
    };
    let from_fields: Vec<TokenStream> = all_fields
        .iter()
        .map(|f| {
            let id = &f.ident;
            match &f.kind {
                Kind::Optional(_) => quote! { #id: value.#id },
                _ => quote! { #id: ::std::option::Option::Some(value.#id) },
            }
        })
        .collect();
    let required_list = if required.is_empty() {
        " Every field is optional.".to_string()
    } else {
        format!(
            " Required: {}.",
            req_jsons
                .iter()
                .map(|j| format!("`{j}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let builder_doc = format!(
        " A builder for [`{name}`]: start from [`{name}::builder`] (or from an existing \
         value with `From`), set fields, then [`build`]({name}Builder::build).",
    );
    let builder_fn_doc = format!(" A builder for a [`{name}`], with no field set.");
    let build_doc = format!(
        " Builds the [`{name}`]; fails with a [`BuildError`](crate::BuildError) naming \
         every required field that was not set."
    );

    quote! {
        impl crate::validate::Validate for #ident {
            fn validate(&self, path: &str) -> ::std::result::Result<(), ::std::string::String> {
                let _ = path;
                #( #rule_checks )*
                #( #nested_checks )*
                ::std::result::Result::Ok(())
            }
        }

        impl #ident {
            #[doc = #builder_fn_doc]
            pub fn builder() -> #builder {
                ::std::default::Default::default()
            }

            /// Whether encoding would leave out member `name` (its value is `None` or empty).
            #[allow(unused)]
            fn skipped(&self, name: &str) -> bool {
                match name {
                    #( #skip_arms )*
                    _ => false,
                }
            }

            /// A member of the JSON object that the spec does not list (yet), by name, as
            /// the server sent it.
            pub fn extra(&self, name: &str) -> ::std::option::Option<&::serde_json::Value> {
                self.#extra.get(name)
            }

            /// Every member of the JSON object that the spec does not list, as sent.
            /// They are written back when the value is serialized.
            pub fn extra_fields(&self) -> &::serde_json::Map<::std::string::String, ::serde_json::Value> {
                &self.#extra
            }

            /// The members the spec does not list, to change before the value is sent.
            pub fn extra_fields_mut(&mut self) -> &mut ::serde_json::Map<::std::string::String, ::serde_json::Value> {
                &mut self.#extra
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<__D>(__deserializer: __D) -> ::std::result::Result<Self, __D::Error>
            where
                __D: ::serde::Deserializer<'de>,
            {
                enum __Field<'a> {
                    #( #variants, )*
                    __Other(::std::borrow::Cow<'a, str>),
                }
                struct __FieldVisitor;
                impl<'de> ::serde::de::Visitor<'de> for __FieldVisitor {
                    type Value = __Field<'de>;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str("a member name")
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> ::std::result::Result<__Field<'de>, E> {
                        ::std::result::Result::Ok(match v {
                            #( #jsons => __Field::#variants, )*
                            _ => __Field::__Other(::std::borrow::Cow::Owned(v.to_owned())),
                        })
                    }
                    fn visit_borrowed_str<E: ::serde::de::Error>(self, v: &'de str) -> ::std::result::Result<__Field<'de>, E> {
                        ::std::result::Result::Ok(match v {
                            #( #jsons => __Field::#variants, )*
                            _ => __Field::__Other(::std::borrow::Cow::Borrowed(v)),
                        })
                    }
                    fn visit_string<E: ::serde::de::Error>(self, v: ::std::string::String) -> ::std::result::Result<__Field<'de>, E> {
                        ::std::result::Result::Ok(match v.as_str() {
                            #( #jsons => __Field::#variants, )*
                            _ => __Field::__Other(::std::borrow::Cow::Owned(v)),
                        })
                    }
                }
                impl<'de> ::serde::Deserialize<'de> for __Field<'de> {
                    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                        deserializer.deserialize_identifier(__FieldVisitor)
                    }
                }
                struct __Visitor;
                impl<'de> ::serde::de::Visitor<'de> for __Visitor {
                    type Value = #ident;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<__A: ::serde::de::MapAccess<'de>>(self, mut __map: __A) -> ::std::result::Result<#ident, __A::Error> {
                        #( #slots )*
                        #flat_slot
                        let mut #extra = ::serde_json::Map::new();
                        let mut #present = PresentMembers::default();
                        while let ::std::option::Option::Some(__key) = __map.next_key::<__Field<'de>>()? {
                            match __key {
                                #( #decodes )*
                                __Field::__Other(__name) => {
                                    let __value = __map.next_value::<::serde_json::Value>()?;
                                    #flat_take
                                    #extra.insert(__name.into_owned(), __value);
                                }
                            }
                        }
                        let __value = #ident { #( #finishes, )* #flat_finish #extra, #present: PresentMembers::default() };
                        ::std::result::Result::Ok(#ident { #present: #present.keep_skipped(|__name| __value.skipped(__name)), ..__value })
                    }
                }
                __deserializer.deserialize_map(__Visitor)
            }
        }

        impl ::serde::Serialize for #ident {
            fn serialize<__S: ::serde::Serializer>(&self, __serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error> {
                use ::serde::ser::SerializeMap as _;
                let mut __map = __serializer.serialize_map(::std::option::Option::None)?;
                #( #sers )*
                #flat_ser
                for (__key, __value) in &self.#extra {
                    if #known_check #flat_not_in {
                        __map.serialize_entry(__key, __value)?;
                    }
                }
                __map.end()
            }
        }

        #[doc = #builder_doc]
        #[doc = ""]
        #[doc = #required_list]
        #[derive(Clone, Debug, Default)]
        #[must_use]
        pub struct #builder {
            #( #idents: ::std::option::Option<#set_types>, )*
            #extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
        }

        impl #builder {
            #(
                #setter_docs
                pub fn #setter_names(mut self, value: impl ::std::convert::Into<#set_types>) -> Self {
                    self.#idents = ::std::option::Option::Some(value.into());
                    self
                }
            )*

            /// Adds a member the spec does not list; it is sent as is.
            pub fn extra(
                mut self,
                name: impl ::std::convert::Into<::std::string::String>,
                value: impl ::std::convert::Into<::serde_json::Value>,
            ) -> Self {
                self.#extra.insert(name.into(), value.into());
                self
            }

            #[doc = #build_doc]
            pub fn build(self) -> ::std::result::Result<#ident, crate::BuildError> {
                #build_body
            }
        }

        impl ::std::convert::From<#ident> for #builder {
            fn from(value: #ident) -> Self {
                Self { #( #from_fields, )* #extra: value.#extra }
            }
        }

        impl ::std::convert::TryFrom<#builder> for #ident {
            type Error = crate::BuildError;
            fn try_from(value: #builder) -> ::std::result::Result<Self, crate::BuildError> {
                value.build()
            }
        }
    }
}

/// Items the generated impls share.
fn helpers() -> TokenStream {
    quote! {
        /// The members of a decoded object that were present as `null` (`true`) or empty
        /// (`false`) where the field's value (`None`, an empty list) would be left out when
        /// encoding; encoding writes them back as they came. Two values compare equal
        /// whatever it holds.
        #[derive(Clone, Default)]
        struct PresentMembers(::std::vec::Vec<(&'static str, bool)>);

        impl PresentMembers {
            fn seen(&mut self, name: &'static str, null: bool) {
                self.0.retain(|(n, _)| *n != name);
                self.0.push((name, null));
            }

            /// Keep only the members whose value would be left out.
            fn keep_skipped(mut self, skipped: impl Fn(&str) -> bool) -> Self {
                self.0.retain(|(n, _)| skipped(n));
                self
            }

            fn get(&self, name: &str) -> ::std::option::Option<bool> {
                self.0.iter().find(|(n, _)| *n == name).map(|(_, null)| *null)
            }
        }

        impl ::std::cmp::PartialEq for PresentMembers {
            fn eq(&self, _: &Self) -> bool {
                true
            }
        }

        impl ::std::fmt::Debug for PresentMembers {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_list().entries(self.0.iter().map(|(n, _)| n)).finish()
            }
        }

        /// A map of strings decoded leniently: a value that is not a string is kept as its
        /// JSON text, a `null` value is dropped, and a `null` map is empty.
        struct LenientStringMap<T>(T);

        impl<'de, T> ::serde::Deserialize<'de> for LenientStringMap<T>
        where
            T: ::std::iter::FromIterator<(::std::string::String, ::std::string::String)>,
        {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let raw = <::std::option::Option<
                    ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                > as ::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(LenientStringMap(
                    raw.into_iter()
                        .flatten()
                        .filter_map(|(k, v)| match v {
                            ::serde_json::Value::String(s) => ::std::option::Option::Some((k, s)),
                            ::serde_json::Value::Null => ::std::option::Option::None,
                            other => ::std::option::Option::Some((k, other.to_string())),
                        })
                        .collect(),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(item: syn::ItemStruct) -> String {
        let mut items = vec![syn::Item::Struct(item)];
        rewrite(
            &mut items,
            &std::collections::BTreeMap::new(),
            &Model::default(),
        )
        .unwrap();
        let mut file: syn::File = syn::parse_quote! {};
        file.items = items;
        prettyplease::unparse(&file)
    }

    #[test]
    fn a_flattened_map_takes_the_members_of_its_type() {
        let text = rewritten(syn::parse_quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            pub struct Thing {
                pub name: String,
                #[serde(flatten)]
                pub extra: ::std::collections::HashMap<::std::string::String, i64>,
            }
        });
        for want in [
            "#[non_exhaustive]",
            // Members no field takes: into the map when they have its value type ...
            "<i64 as ::serde::Deserialize>::deserialize(",
            "extra.push((__name.into_owned(), __v));",
            // ... else kept with the other unknown members.
            "__extra.insert(__name.into_owned(), __value);",
            "extra: extra.into_iter().collect(),",
            // The builder's setter for the field does not take the name of `extra(..)`.
            "pub fn extra_(",
            "The members the spec does not name but gives a type for",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
    }

    #[test]
    fn only_typify_builder_paths_are_rewritten() {
        // An operation `ThingCreate` and a schema `ThingCreate`: progenitor's request
        // builder `builder::ThingCreate` (outside `mod types`) keeps its path.
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct ThingCreate {}
                impl ThingCreate { pub fn b() -> builder::ThingCreate { todo!() } }
            }
            impl Client {
                pub fn thing_create(&self) -> builder::ThingCreate<'_> { builder::ThingCreate::new(self) }
            }
            pub mod builder {
                fn body(b: types::builder::ThingCreate) -> super::types::builder::ThingCreate { b }
            }
        };
        let with: BTreeSet<String> = ["ThingCreate".to_string()].into_iter().collect();
        rewrite_builder_paths(&mut file, &with);
        let text = prettyplease::unparse(&file);
        for want in [
            "pub fn b() -> ThingCreateBuilder",
            "-> builder::ThingCreate<'_>",
            "builder::ThingCreate::new(self)",
            "fn body(b: types::ThingCreateBuilder) -> super::types::ThingCreateBuilder",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
    }

    #[test]
    fn structs_with_container_attributes_are_left_to_typify() {
        let text = rewritten(syn::parse_quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            #[serde(transparent)]
            pub struct Wrapper { pub inner: String }
        });
        assert!(!text.contains("non_exhaustive"), "{text}");
        assert!(text.contains("#[serde(transparent)]"), "{text}");
    }
}
