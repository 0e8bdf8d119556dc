//! The operations users call: `client.op().param(..).send()`.
//!
//! progenitor emits, per operation, a method on `Client` and a request builder in
//! `mod builder`. This pass:
//! - documents them from the spec (summary, description, every parameter's description,
//!   the errors) with a compiled example on every operation method;
//! - makes `send` return the SDK's [`Response`](crate) and `crate::Error`, decoding through
//!   `crate::decode`, checking constrained parameters and the body (`crate::validate`)
//!   before anything is sent;
//! - keeps progenitor's plumbing out of the public surface (`Client::new`, the builders'
//!   `new`, the `ClientInfo` impl, the `prelude` module).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;
use syn::visit_mut::VisitMut;

use super::validation::Constraint;
use crate::error::{Result, XtaskError};
use crate::names::{snake_name, type_name};
use crate::syntax::{generic_arg, last_ident, path_idents, same_tokens};
use crate::transforms::HTTP_METHODS;
use crate::transforms::param_styles::{self, Location, WireParam};

/// A parameter of an operation, as the spec describes it.
#[derive(Debug, Clone)]
pub struct Param {
    /// The builder setter's name.
    pub rust: String,
    /// The name on the wire.
    pub api: String,
    /// `path`, `query` or `header`.
    pub location: String,
    /// Whether the spec requires it.
    pub required: bool,
    /// The spec's description.
    pub description: Option<String>,
    /// Its validation keywords.
    pub constraint: Option<Constraint>,
}

/// An operation, as the spec describes it.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The `operationId`.
    pub id: String,
    /// The request builder's name (`ExecutionGet`).
    pub builder: String,
    /// The `Client` method's name (`execution_get`).
    pub method: String,
    /// `GET`, `POST`, ...
    pub http_method: String,
    /// The path template.
    pub path: String,
    /// The spec's summary.
    pub summary: Option<String>,
    /// The spec's description.
    pub description: Option<String>,
    /// The note of its `#[deprecated]`, if the spec marks it deprecated.
    pub deprecated: Option<String>,
    /// Its parameters (path item and operation), in spec order.
    pub params: Vec<Param>,
    /// The request body's description and whether it is required, if there is one.
    pub body: Option<(Option<String>, bool)>,
    /// Whether the request body is JSON (a typed value the SDK checks before sending);
    /// otherwise it is raw (`reqwest::Body`).
    pub body_json: bool,
    /// Whether the request body is sent as `multipart/form-data` (a typed value whose file
    /// members are `FilePart`s).
    pub multipart: bool,
    /// Documented statuses.
    pub responses: Vec<Status>,
    /// How each parameter goes on the wire (`param_styles`), in spec order.
    pub wire: Vec<WireParam>,
    /// How it pages, if it answers one page of a list ([`super::lists`]).
    pub list: Option<super::lists::List>,
}

/// A documented status of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// `200`, `4XX`, `default`, ...
    pub status: String,
    /// The spec's description.
    pub description: String,
    /// Whether it has a JSON body.
    pub has_body: bool,
    /// The media type of a body that is not JSON (a file, text), if it has one.
    pub raw_media: Option<String>,
}

/// The Rust types of an operation, as the generated code has them.
#[derive(Debug, Clone)]
pub struct OpTypes {
    /// `(setter, value type)` of the request builder; optional parameters are `Option<T>`.
    pub setters: Vec<(String, syn::Type)>,
    /// The success body type (`()` when there is none).
    pub success: syn::Type,
    /// The error body type (`()` when there is none).
    pub error: syn::Type,
}

/// Every operation of the transformed document.
pub fn model(doc: &Value) -> Vec<Operation> {
    let mut wire = param_styles::collect(doc);
    let mut ops = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return ops;
    };
    for (path, item) in paths {
        let shared: Vec<Value> = item
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for method in HTTP_METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let mut params: Vec<Param> = Vec::new();
            let own = op
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for p in shared.iter().chain(own.iter()) {
                let p = resolve(doc, p);
                let (Some(name), Some(location)) = (
                    p.get("name").and_then(Value::as_str),
                    p.get("in").and_then(Value::as_str),
                ) else {
                    continue;
                };
                let param = Param {
                    rust: snake_name(name),
                    api: name.to_string(),
                    location: location.to_string(),
                    required: p.get("required") == Some(&Value::Bool(true)),
                    description: text(&p, "description"),
                    constraint: p.get("schema").and_then(Constraint::of),
                };
                // An operation parameter overrides the path item's of the same name.
                params.retain(|q| !(q.api == param.api && q.location == param.location));
                params.push(param);
            }
            let body_json = op.get("requestBody").is_some_and(|b| {
                resolve(doc, b)
                    .get("content")
                    .and_then(Value::as_object)
                    .is_some_and(|c| c.keys().any(|k| k.contains("json")))
            });
            let body = op.get("requestBody").map(|b| {
                let b = resolve(doc, b);
                (
                    text(&b, "description"),
                    b.get("required") == Some(&Value::Bool(true)),
                )
            });
            let responses = op
                .get("responses")
                .and_then(Value::as_object)
                .map(|r| {
                    r.iter()
                        .map(|(status, resp)| {
                            let resp = resolve(doc, resp);
                            Status {
                                status: status.clone(),
                                description: text(&resp, "description").unwrap_or_default(),
                                has_body: resp
                                    .get("content")
                                    .and_then(Value::as_object)
                                    .is_some_and(|c| c.keys().any(|k| k.contains("json"))),
                                raw_media: resp
                                    .get("content")
                                    .and_then(Value::as_object)
                                    .filter(|c| !c.keys().any(|k| k.contains("json")))
                                    .and_then(|c| c.keys().next().cloned()),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            let list = super::lists::shape(doc, op, &params);
            ops.push(Operation {
                list,
                id: id.to_string(),
                builder: type_name(id),
                method: snake_name(id),
                http_method: method.to_uppercase(),
                path: path.clone(),
                summary: text(op, "summary"),
                description: text(op, "description"),
                deprecated: (op.get("deprecated") == Some(&Value::Bool(true))).then(|| {
                    crate::deprecation::note(&[
                        op.get("description").and_then(Value::as_str),
                        op.get("summary").and_then(Value::as_str),
                    ])
                }),
                params,
                body,
                body_json,
                multipart: op.get(crate::transforms::multipart::OPERATION)
                    == Some(&Value::Bool(true)),
                responses,
                wire: wire.remove(id).unwrap_or_default(),
            });
        }
    }
    ops
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn resolve(doc: &Value, v: &Value) -> Value {
    let mut current = v.clone();
    for _ in 0..16 {
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

/// What the examples need to know of the types.
pub struct Types<'a> {
    /// String enums and their first value.
    pub enums: &'a BTreeMap<String, String>,
    /// The structs that have a generated builder.
    pub structs: &'a BTreeSet<String>,
}

/// Apply the pass to the generated client.
pub fn rewrite(
    file: &mut syn::File,
    ops: &[Operation],
    title: &str,
    types: &Types<'_>,
) -> Result<BTreeMap<String, OpTypes>> {
    let mut op_types: BTreeMap<String, OpTypes> = BTreeMap::new();
    let by_builder: BTreeMap<&str, &Operation> =
        ops.iter().map(|o| (o.builder.as_str(), o)).collect();
    let mut setters: BTreeMap<String, Vec<(String, syn::Type)>> = BTreeMap::new();
    let mut cloneable: BTreeSet<String> = BTreeSet::new();
    let mut sends = 0;
    // The answers of list operations, as the builder module names them (`types::X`).
    let mut pages: BTreeSet<String> = BTreeSet::new();

    for item in file.items.iter_mut() {
        let syn::Item::Mod(m) = item else { continue };
        if m.ident != "builder" {
            continue;
        }
        let Some((_, items)) = m.content.as_mut() else {
            continue;
        };
        for item in items.iter_mut() {
            match item {
                syn::Item::Struct(s) => {
                    let name = s.ident.to_string();
                    let Some(op) = by_builder.get(name.as_str()) else {
                        return Err(XtaskError::msg(format!(
                            "progenitor made a request builder `{name}` that matches no operation"
                        )));
                    };
                    restore_struct_params(s, op)?;
                    setters.insert(name.clone(), builder_fields(s));
                    if s.attrs.iter().any(|a| {
                        a.path().is_ident("derive") && quote!(#a).to_string().contains("Clone")
                    }) {
                        cloneable.insert(name.clone());
                    }
                    set_docs(&mut s.attrs, &builder_doc(op));
                }
                syn::Item::Impl(imp) => {
                    let Some(name) = last_ident(&imp.self_ty) else {
                        continue;
                    };
                    let Some(op) = by_builder.get(name.as_str()) else {
                        continue;
                    };
                    let mut added: Vec<syn::ImplItem> = Vec::new();
                    for it in imp.items.iter_mut() {
                        let syn::ImplItem::Fn(f) = it else { continue };
                        let fname = f.sig.ident.to_string();
                        match fname.as_str() {
                            "new" => f.vis = syn::parse_quote!(pub(crate)),
                            "send" => {
                                let (success, error) = rewrite_send(f, op)?;
                                if super::downloads::is_download(op, &success) {
                                    added.extend(super::downloads::rewrite(f, op, &error)?);
                                }
                                if let Some(list) = &op.list
                                    && cloneable.contains(&name)
                                {
                                    pages.extend(last_ident(&success));
                                    added.extend(super::lists::builder_methods(
                                        op, list, &success, &error,
                                    ));
                                }
                                op_types.insert(
                                    op.builder.clone(),
                                    OpTypes {
                                        setters: setters.get(&name).cloned().unwrap_or_default(),
                                        success,
                                        error,
                                    },
                                );
                                sends += 1;
                            }
                            "body" => set_docs(&mut f.attrs, &body_doc(op)),
                            "body_map" => set_docs(
                                &mut f.attrs,
                                " Changes the request body with its builder (a field at a time).",
                            ),
                            other => {
                                if let Some(t) = struct_param_type(op, other) {
                                    replace_map_type(&mut f.sig, &t);
                                }
                                let param = op.params.iter().find(|p| p.rust == other);
                                set_docs(&mut f.attrs, &param_doc(param, other));
                            }
                        }
                    }
                    imp.items.extend(added);
                }
                _ => {}
            }
        }
    }
    if sends == 0 && !ops.is_empty() {
        return Err(XtaskError::msg(
            "no builder `send` method found; has progenitor's output changed?",
        ));
    }

    let mut kept = Vec::new();
    for mut item in std::mem::take(&mut file.items) {
        match &mut item {
            syn::Item::Mod(m) if m.ident == "prelude" => continue,
            syn::Item::Struct(s) if s.ident == "Client" => {
                set_docs(&mut s.attrs, &client_doc(title));
            }
            syn::Item::Impl(imp)
                if imp.trait_.is_some()
                    && last_ident(&imp.self_ty).as_deref() == Some("Client") =>
            {
                // `ClientInfo`: progenitor's plumbing, not for users.
                imp.attrs.push(syn::parse_quote!(#[doc(hidden)]));
            }
            syn::Item::Impl(imp)
                if imp.trait_.is_none()
                    && last_ident(&imp.self_ty).as_deref() == Some("Client") =>
            {
                imp.items
                    .retain(|it| !matches!(it, syn::ImplItem::Fn(f) if f.sig.ident == "new"));
                for it in imp.items.iter_mut() {
                    let syn::ImplItem::Fn(f) = it else { continue };
                    if f.sig.ident == "new_with_client" {
                        f.vis = syn::parse_quote!(pub(crate));
                        continue;
                    }
                    let method = f.sig.ident.to_string();
                    if let Some(op) = ops.iter().find(|o| o.method == method) {
                        let fields = setters.get(&op.builder).cloned().unwrap_or_default();
                        set_docs(&mut f.attrs, &method_doc(op, &fields, types));
                        if let Some(note) = &op.deprecated {
                            f.attrs.push(syn::parse_quote!(#[deprecated(note = #note)]));
                        }
                    }
                }
            }
            _ => {}
        }
        kept.push(item);
    }
    file.items = kept;
    implement_pages(file, &pages)?;
    Ok(op_types)
}

/// `paginate::Page` for the answers of the list operations, in `mod types`.
fn implement_pages(file: &mut syn::File, names: &BTreeSet<String>) -> Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    let Some(types) = file.items.iter_mut().find_map(|i| match i {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|c| &mut c.1),
        _ => None,
    }) else {
        return Err(XtaskError::msg("the generated client has no `mod types`"));
    };
    let mut impls = Vec::new();
    for item in types.iter() {
        if let syn::Item::Struct(s) = item
            && names.contains(&s.ident.to_string())
        {
            let Some(tokens) = super::lists::page_impl(s) else {
                return Err(XtaskError::msg(format!(
                    "the list answer `{}` has no `items: Vec<_>` field",
                    s.ident
                )));
            };
            impls.push(tokens);
        }
    }
    if impls.len() != names.len() {
        return Err(XtaskError::msg(format!(
            "the list answers {names:?} are not all structs in `mod types`"
        )));
    }
    let parsed: syn::File = syn::parse2(quote!(#( #impls )*))
        .map_err(|e| XtaskError::msg(format!("the generated `Page` impls do not parse: {e}")))?;
    types.extend(parsed.items);
    Ok(())
}

/// Replace the `#[doc]` attributes with `text` (one attribute a line).
fn set_docs(attrs: &mut Vec<syn::Attribute>, text: &str) {
    attrs.retain(|a| !a.path().is_ident("doc"));
    let docs: Vec<syn::Attribute> = text
        .lines()
        .map(|l| {
            let line = if l.is_empty() || l.starts_with(' ') {
                l.to_string()
            } else {
                format!(" {l}")
            };
            syn::parse_quote!(#[doc = #line])
        })
        .collect();
    let at = attrs
        .iter()
        .position(|a| !a.path().is_ident("doc"))
        .unwrap_or(attrs.len())
        .min(attrs.len());
    for (i, d) in docs.into_iter().enumerate() {
        attrs.insert(at + i, d);
    }
}

/// `(setter, value type)` of a request builder, from its `Result<T, String>` fields.
fn builder_fields(s: &syn::ItemStruct) -> Vec<(String, syn::Type)> {
    let mut out = Vec::new();
    let syn::Fields::Named(named) = &s.fields else {
        return out;
    };
    for f in &named.named {
        let Some(ident) = &f.ident else { continue };
        if ident == "client" {
            continue;
        }
        if let Some(t) = generic_arg(&f.ty, "Result", 0) {
            out.push((ident.to_string(), t));
        }
    }
    out
}

fn client_doc(title: &str) -> String {
    format!(
        " A client of the {title}.\n\
         \n\
         Build one with [`Client::from_env`] (`ASTEROID_API_KEY`, `ASTEROID_BASE_URL`) or\n\
         [`Client::builder`]. Every operation is a method that returns a request builder:\n\
         set its parameters, then `.send().await`. Every request carries the API key, the\n\
         timeout and the retry policy of the client, and a tracing span.\n\
         \n\
         A `Client` is cheap to clone (clones share one connection pool); keep one per\n\
         process."
    )
}

fn builder_doc(op: &Operation) -> String {
    format!(
        " The request of [`Client::{m}`](super::Client::{m}): `{} {}`.\n\
         \n\
         Set its parameters, then [`send`](Self::send) it.",
        op.http_method,
        op.path,
        m = op.method
    )
}

fn body_doc(op: &Operation) -> String {
    let mut out = String::new();
    if let Some((Some(d), _)) = &op.body {
        out.push_str(&format!(" {d}\n\n"));
    }
    let req = if matches!(op.body, Some((_, true))) {
        "required"
    } else {
        "optional"
    };
    if op.body_json {
        out.push_str(&format!(
            " The request body ({req}): a value or its builder. It is checked against the \
             spec's rules when it is sent."
        ));
    } else {
        out.push_str(&format!(
            " The request body ({req}): its bytes, as anything that converts into a \
             `reqwest::Body` (`Vec<u8>`, `String`, `bytes::Bytes`, ...). A body made from a \
             stream is sent once, never retried."
        ));
    }
    out
}

fn param_doc(param: Option<&Param>, setter: &str) -> String {
    let Some(p) = param else {
        return format!(" Sets `{setter}`.");
    };
    let mut out = String::new();
    if let Some(d) = &p.description {
        out.push_str(&format!(" {d}\n\n"));
    }
    out.push_str(&format!(
        " The `{}` {} parameter ({}).",
        p.api,
        p.location,
        if p.required { "required" } else { "optional" }
    ));
    out
}

fn method_doc(op: &Operation, fields: &[(String, syn::Type)], types: &Types<'_>) -> String {
    let mut out = String::new();
    if let Some(s) = &op.summary {
        out.push_str(&format!(" {s}.\n\n"));
    }
    if let Some(d) = &op.description {
        for l in d.lines() {
            out.push_str(&format!(" {l}\n"));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        " Sends `{} {}`. Returns the request builder: set the parameters, then\n \
         `.send().await`.\n",
        op.http_method, op.path
    ));
    if !op.params.is_empty() || op.body.is_some() {
        out.push_str("\n Parameters:\n");
        for p in &op.params {
            out.push_str(&format!(
                " - `{}` ({} `{}`, {}){}\n",
                p.rust,
                p.location,
                p.api,
                if p.required { "required" } else { "optional" },
                p.description
                    .as_deref()
                    .map(|d| format!(": {}", d.lines().next().unwrap_or_default()))
                    .unwrap_or_default()
            ));
        }
        if let Some((_, required)) = &op.body {
            out.push_str(&format!(
                " - `body` ({})\n",
                if *required { "required" } else { "optional" }
            ));
        }
    }
    let errors: Vec<String> = op
        .responses
        .iter()
        .filter(|s| !s.status.starts_with('2'))
        .map(|s| format!("`{}` ({})", s.status, s.description))
        .collect();
    out.push_str("\n Errors: ");
    if errors.is_empty() {
        out.push_str(
            "any status is an [`Error::UnexpectedStatus`](crate::Error::UnexpectedStatus);",
        );
    } else {
        out.push_str(&format!(
            "the documented statuses {} are [`Error::Api`](crate::Error::Api) with the typed body; \
             any other is an [`Error::UnexpectedStatus`](crate::Error::UnexpectedStatus);",
            errors.join(", ")
        ));
    }
    out.push_str(" transport failures and timeouts are retried by the client's policy first.\n");
    out.push_str(&format!(
        "\n {}",
        example(op, fields, types).replace('\n', "\n ")
    ));
    out
}

/// A compiled (not run) example calling the operation with its required parameters.
fn example(op: &Operation, fields: &[(String, syn::Type)], types: &Types<'_>) -> String {
    let mut calls = String::new();
    for (name, ty) in fields {
        let required = if name == "body" {
            matches!(op.body, Some((_, true)))
        } else {
            op.params.iter().any(|p| &p.rust == name && p.required)
        };
        if !required {
            continue;
        }
        let value = if name == "body" {
            match last_ident(ty) {
                Some(t) if types.structs.contains(&t.replace("Builder", "")) => format!(
                    "asteroid_sdk::types::{}::builder() /* set its fields */",
                    t.trim_end_matches("Builder")
                ),
                _ => example_value(ty, types, false),
            }
        } else {
            example_value(ty, types, false)
        };
        calls.push_str(&format!("\n    .{name}({value})"));
    }
    format!(
        "```no_run\n\
         # async fn example(client: &asteroid_sdk::Client) -> Result<(), Box<dyn std::error::Error>> {{\n\
         let response = client\n    .{}(){calls}\n    .send()\n    .await?;\n\
         println!(\"{{:?}}\", response.into_inner());\n\
         # Ok(())\n\
         # }}\n\
         ```",
        op.method
    )
}

/// A value of type `ty` for an example.
fn example_value(ty: &syn::Type, types: &Types<'_>, nested: bool) -> String {
    let Some(last) = last_ident(ty) else {
        return "Default::default()".into();
    };
    match last.as_str() {
        "Uuid" => "asteroid_sdk::uuid::Uuid::nil()".into(),
        "String" => "\"value\"".into(),
        "bool" => "true".into(),
        "f32" | "f64" => "1.0".into(),
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "isize" | "usize" => {
            "1".into()
        }
        "DateTime" => "asteroid_sdk::chrono::DateTime::UNIX_EPOCH".into(),
        // A raw body (`reqwest::Body`): bytes.
        "Body" => "b\"file contents\".to_vec()".into(),
        "Option" => generic_arg(ty, "Option", 0)
            .map(|t| example_value(&t, types, nested))
            .unwrap_or_else(|| "None".into()),
        "Vec" => generic_arg(ty, "Vec", 0)
            .map(|t| format!("vec![{}]", example_value(&t, types, true)))
            .unwrap_or_else(|| "vec![]".into()),
        other if types.enums.contains_key(other) => format!(
            "asteroid_sdk::types::{other}::from({:?})",
            types.enums[other]
        ),
        other if types.structs.contains(other) => {
            if nested {
                format!("asteroid_sdk::types::{other}::builder().build()?")
            } else {
                format!("asteroid_sdk::types::{other}::builder()")
            }
        }
        _ => "Default::default()".into(),
    }
}

/// `send`: the SDK's response and error types, decoding through `crate::decode`, and the
/// request checked before it is sent.
fn rewrite_send(f: &mut syn::ImplItemFn, op: &Operation) -> Result<(syn::Type, syn::Type)> {
    let unexpected = || {
        XtaskError::msg(format!(
            "`{}::send` is not the async fn returning a Result that progenitor makes",
            op.builder
        ))
    };
    if f.sig.asyncness.is_none() {
        return Err(unexpected());
    }
    let syn::ReturnType::Type(_, ty) = &f.sig.output else {
        return Err(unexpected());
    };
    let Some((ok, err_body)) = result_types(ty) else {
        return Err(XtaskError::msg(format!(
            "`{}::send` has an unexpected return type",
            op.builder
        )));
    };
    // A `text/*` success body is the text (a redirect download's is the bytes it fetches).
    let text = !super::downloads::documents_redirect(op)
        && op.responses.iter().any(|s| {
            s.status.starts_with('2')
                && s.raw_media
                    .as_deref()
                    .is_some_and(|m| m.starts_with("text/"))
        });
    let ok = to_sdk_response(ok, text);
    let success = generic_arg(&ok, "Response", 0).unwrap_or_else(|| syn::parse_quote!(()));
    let original = to_sdk_response((**ty).clone(), text);
    let mut block = f.block.clone();
    insert_checks(&mut block, op);
    wire_params(&mut block, op)?;
    let mut decode = DecodeRewriter { text };
    decode.visit_block_mut(&mut block);
    send_through_transport(&mut block, op)?;
    super::rebuild::for_retries(&mut block, &err_body, &op.builder)?;
    f.sig.output = syn::parse_quote!(-> ::std::result::Result<#ok, crate::Error<#err_body>>);
    f.block = syn::parse_quote!({
        let result: #original = async move #block.await;
        crate::error::from_result(result)
    });
    let errors = if op.responses.iter().any(|s| !s.status.starts_with('2')) {
        " A documented error status is an [`Error::Api`](crate::Error::Api) with its typed body;"
    } else {
        ""
    };
    set_docs(
        &mut f.attrs,
        &format!(
            " Sends `{} {}` and decodes the answer.\n\n \
             Fails with [`Error::InvalidRequest`](crate::Error::InvalidRequest), before \
             anything is sent, when a required parameter is missing or a value breaks the \
             spec's rules.{errors} see [`Error`](crate::Error) for the rest.",
            op.http_method, op.path
        ),
    );
    Ok((success, err_body))
}

/// The Rust type of a parameter that `param_styles` gave a map stand-in
/// (`types::ExecutionTimeWindow` for a `deepObject` of that schema).
fn struct_param_type(op: &Operation, rust: &str) -> Option<syn::Type> {
    let w = op.wire.iter().find(|w| w.rust_name == rust)?;
    let schema = w.replaced_schema.as_ref()?;
    let name = crate::transforms::schema_ref_name(schema).or_else(|| {
        schema
            .get("allOf")?
            .as_array()?
            .iter()
            .find_map(crate::transforms::schema_ref_name)
    })?;
    let ident = format_ident!("{}", type_name(name));
    Some(syn::parse_quote!(types::#ident))
}

/// Replace the map stand-in (`HashMap<String, String>`) by the parameter's struct type in
/// a setter's signature.
fn replace_map_type(sig: &mut syn::Signature, t: &syn::Type) {
    MapType(t).visit_signature_mut(sig);
}

struct MapType<'a>(&'a syn::Type);

impl VisitMut for MapType<'_> {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if super::structs::is_string_map(ty) {
            *ty = self.0.clone();
            return;
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
}

/// Restore the struct type of the builder fields that have a map stand-in.
fn restore_struct_params(s: &mut syn::ItemStruct, op: &Operation) -> Result<()> {
    let syn::Fields::Named(named) = &mut s.fields else {
        return Ok(());
    };
    for f in named.named.iter_mut() {
        let Some(ident) = &f.ident else { continue };
        if let Some(t) = struct_param_type(op, &ident.to_string()) {
            MapType(&t).visit_type_mut(&mut f.ty);
        }
    }
    Ok(())
}

/// Parameters on the wire exactly as the spec says (`crate::params`): the path expanded
/// by each parameter's style, the query string written by style and `explode`, header
/// parameters by the `simple` style; progenitor's `api-version` header (not in the spec)
/// is not sent.
fn wire_params(block: &mut syn::Block, op: &Operation) -> Result<()> {
    let specs: BTreeMap<&str, TokenStream> = op
        .wire
        .iter()
        .map(|w| {
            let api = &w.api_name;
            let style = format_ident!("{}", w.style.variant());
            let explode = w.explode;
            let reserved = w.allow_reserved;
            (
                w.rust_name.as_str(),
                quote! {
                    crate::params::ParamSpec::new(#api, crate::params::Style::#style, #explode, #reserved)
                },
            )
        })
        .collect();
    for w in op.wire.iter().filter(|w| w.location == Location::Header) {
        if w.api_name.is_empty()
            || !w
                .api_name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        {
            return Err(XtaskError::msg(format!(
                "operation {}: header parameter {:?} is not a valid header name",
                op.id, w.api_name
            )));
        }
    }

    struct Wire<'a> {
        op: &'a Operation,
        specs: &'a BTreeMap<&'a str, TokenStream>,
        done_url: bool,
        done_query: bool,
        done_headers: bool,
    }
    impl Wire<'_> {
        fn url(&self, base: &syn::Ident) -> syn::Expr {
            let mut pushes = Vec::new();
            let mut rest = self.op.path.as_str();
            while let Some(start) = rest.find('{') {
                let literal = &rest[..start];
                if !literal.is_empty() {
                    pushes.push(quote! { url.push_str(#literal); });
                }
                let Some(len) = rest[start..].find('}') else {
                    break;
                };
                let name = &rest[start + 1..start + len];
                match self
                    .op
                    .wire
                    .iter()
                    .find(|w| w.api_name == name && w.location == Location::Path)
                {
                    Some(w) => {
                        let ident = format_ident!("{}", w.rust_name);
                        let spec = &self.specs[w.rust_name.as_str()];
                        pushes.push(quote! {
                            url.push_str(&{
                                const SPEC: crate::params::ParamSpec = #spec;
                                crate::params::path_segment(&SPEC, &#ident).map_err(Error::InvalidRequest)?
                            });
                        });
                    }
                    None => {
                        let raw = &rest[start..start + len + 1];
                        pushes.push(quote! { url.push_str(#raw); });
                    }
                }
                rest = &rest[start + len + 1..];
            }
            if !rest.is_empty() {
                pushes.push(quote! { url.push_str(#rest); });
            }
            syn::parse_quote!({
                let mut url = ::std::string::String::with_capacity(#base.baseurl.len() + 64);
                url.push_str(&#base.baseurl);
                #( #pushes )*
                crate::params::check_path(&url[#base.baseurl.len()..]).map_err(Error::InvalidRequest)?;
                url
            })
        }

        fn query(&self, request: &syn::Ident) -> Option<syn::Stmt> {
            let pushes: Vec<TokenStream> = self
                .op
                .wire
                .iter()
                .filter(|w| w.location == Location::Query)
                .map(|w| {
                    let ident = format_ident!("{}", w.rust_name);
                    let spec = &self.specs[w.rust_name.as_str()];
                    quote! {
                        {
                            const SPEC: crate::params::ParamSpec = #spec;
                            crate::params::push_query(&mut query, &SPEC, &#ident).map_err(Error::InvalidRequest)?;
                        }
                    }
                })
                .collect();
            if pushes.is_empty() {
                return None;
            }
            Some(syn::parse_quote!({
                let mut query = ::std::string::String::new();
                #( #pushes )*
                crate::params::apply_query(&mut #request, &query);
            }))
        }

        fn headers(&self) -> Vec<syn::Stmt> {
            self.op
                .wire
                .iter()
                .filter(|w| w.location == Location::Header)
                .map(|w| {
                    let ident = format_ident!("{}", w.rust_name);
                    let spec = &self.specs[w.rust_name.as_str()];
                    let lower = w.api_name.to_ascii_lowercase();
                    syn::parse_quote! {
                        {
                            const SPEC: crate::params::ParamSpec = #spec;
                            if let ::std::option::Option::Some(value) =
                                crate::params::header_value(&SPEC, &#ident).map_err(Error::InvalidRequest)?
                            {
                                header_map.append(::reqwest::header::HeaderName::from_static(#lower), value);
                            }
                        }
                    }
                })
                .collect()
        }
    }
    impl VisitMut for Wire<'_> {
        fn visit_block_mut(&mut self, block: &mut syn::Block) {
            let mut out = Vec::with_capacity(block.stmts.len());
            for stmt in std::mem::take(&mut block.stmts) {
                let text = quote!(#stmt).to_string();
                // progenitor's header parameters and its `api-version` header.
                if matches!(stmt, syn::Stmt::Expr(..))
                    && text.contains("header_map . append (")
                    && !text.contains("crate :: params :: header_value")
                {
                    continue;
                }
                let mut stmt = stmt;
                // Nested blocks first (the send body is an `async move` block inside a
                // statement); what this pass inserts is not visited again.
                syn::visit_mut::visit_stmt_mut(self, &mut stmt);
                let mut after: Vec<syn::Stmt> = Vec::new();
                if let syn::Stmt::Local(local) = &mut stmt
                    && let syn::Pat::Ident(bind) = &local.pat
                    && let Some(init) = &mut local.init
                {
                    let ident = bind.ident.clone();
                    if let syn::Expr::Macro(m) = &*init.expr
                        && m.mac.path.is_ident("format")
                        && !self.done_url
                    {
                        // `let url = format!("{}/path/{}", client.baseurl, encode_path(..));`
                        let base: syn::Ident = format_ident!("client");
                        *init.expr = self.url(&base);
                        self.done_url = true;
                    } else if text.contains("HeaderMap :: with_capacity") && !self.done_headers {
                        after.extend(self.headers());
                        local.attrs.push(syn::parse_quote!(#[allow(unused_mut)]));
                        self.done_headers = true;
                    } else if text.contains(". build () ?") && !self.done_query {
                        // Drop progenitor's `.query(..)` calls; the query is written below.
                        StripQuery.visit_expr_mut(&mut init.expr);
                        after.extend(self.query(&ident));
                        self.done_query = true;
                    }
                }
                out.push(stmt);
                out.extend(after);
            }
            block.stmts = out;
        }
    }
    struct StripQuery;
    impl VisitMut for StripQuery {
        fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
            if let syn::Expr::MethodCall(call) = e
                && call.method == "query"
            {
                let receiver = (*call.receiver).clone();
                *e = receiver;
                self.visit_expr_mut(e);
                return;
            }
            syn::visit_mut::visit_expr_mut(self, e);
        }
    }
    let mut wire = Wire {
        op,
        specs: &specs,
        done_url: false,
        done_query: false,
        done_headers: false,
    };
    wire.visit_block_mut(block);
    if !wire.done_url || !wire.done_query {
        return Err(XtaskError::msg(format!(
            "`{}::send`: progenitor's URL or request construction was not found; has its \
             output changed?",
            op.builder
        )));
    }
    Ok(())
}

/// `ResponseValue<T>` to `crate::Response<T>`, wherever it appears in `ty`; a body of
/// another media type (progenitor's `ByteStream`) is the `Bytes` the transport read, or
/// their `String` for a `text/*` body (`text`).
fn to_sdk_response(mut ty: syn::Type, text: bool) -> syn::Type {
    struct R(bool);
    impl VisitMut for R {
        fn visit_path_mut(&mut self, p: &mut syn::Path) {
            if let Some(last) = p.segments.last()
                && last.ident == "ResponseValue"
            {
                let args = last.arguments.clone();
                *p = syn::parse_quote!(crate::Response);
                if let Some(l) = p.segments.last_mut() {
                    l.arguments = args;
                }
            }
            if p.is_ident("ByteStream") {
                *p = if self.0 {
                    syn::parse_quote!(::std::string::String)
                } else {
                    syn::parse_quote!(::bytes::Bytes)
                };
            }
            syn::visit_mut::visit_path_mut(self, p);
        }
    }
    R(text).visit_type_mut(&mut ty);
    ty
}

/// `Result<A, Error<B>>` to `(A, B)`.
fn result_types(ty: &syn::Type) -> Option<(syn::Type, syn::Type)> {
    let ok = generic_arg(ty, "Result", 0)?;
    let err = generic_arg(ty, "Result", 1)?;
    let err_body = generic_arg(&err, "Error", 0).unwrap_or_else(|| syn::parse_quote!(()));
    Some((ok, err_body))
}

/// After `let x = x.map_err(Error::InvalidRequest)?;` (a parameter) or `let body = ..?;`
/// (the body), check the value's rules.
fn insert_checks(block: &mut syn::Block, op: &Operation) {
    struct Inserter<'a>(&'a Operation);
    impl VisitMut for Inserter<'_> {
        fn visit_block_mut(&mut self, block: &mut syn::Block) {
            let mut out = Vec::with_capacity(block.stmts.len());
            for stmt in std::mem::take(&mut block.stmts) {
                let bound = match &stmt {
                    syn::Stmt::Local(l) => match &l.pat {
                        syn::Pat::Ident(i) => Some(i.ident.to_string()),
                        _ => None,
                    },
                    _ => None,
                };
                let is_unwrap = matches!(&stmt, syn::Stmt::Local(l)
                if l.init.as_ref().is_some_and(|i| {
                    let e = &i.expr;
                    quote!(#e).to_string().contains("Error :: InvalidRequest")
                }));
                out.push(stmt);
                let Some(name) = bound.filter(|_| is_unwrap) else {
                    continue;
                };
                let ident = format_ident!("{}", name);
                if name == "body" && self.0.body.is_some() && self.0.body_json {
                    out.push(syn::parse_quote! {
                        crate::validate::Validate::validate(&body, "").map_err(Error::InvalidRequest)?;
                    });
                } else if let Some(p) = self.0.params.iter().find(|p| p.rust == name)
                    && let Some(c) = &p.constraint
                {
                    let rules = c.tokens();
                    let api = &p.api;
                    out.push(syn::parse_quote! {
                        {
                            const RULES: crate::validate::Rules = #rules;
                            crate::validate::check(#api, &#ident, &RULES).map_err(Error::InvalidRequest)?;
                        }
                    });
                }
            }
            block.stmts = out;
            syn::visit_mut::visit_block_mut(self, block);
        }
    }
    Inserter(op).visit_block_mut(block);
}

/// progenitor's hooks (`pre`, `exec`, `post`) become one call of `crate::transport::send`,
/// which answers a `Buffered` response (its body read whole inside the attempt): decoding
/// it is synchronous, and an undocumented status makes it a `reqwest::Response` again for
/// progenitor's `UnexpectedResponse`.
fn send_through_transport(block: &mut syn::Block, op: &Operation) -> Result<()> {
    struct Hooks {
        replaced: usize,
    }
    impl VisitMut for Hooks {
        fn visit_block_mut(&mut self, block: &mut syn::Block) {
            let pattern: [syn::Stmt; 4] = [
                syn::parse_quote!(client.pre(&mut request, &info).await?;),
                syn::parse_quote!(let result = client.exec(request, &info).await;),
                syn::parse_quote!(client.post(&result, &info).await?;),
                syn::parse_quote!(let response = result?;),
            ];
            let at = block
                .stmts
                .windows(4)
                .position(|w| w.iter().zip(&pattern).all(|(s, p)| same_tokens(s, p)));
            if let Some(at) = at {
                block.stmts.splice(
                    at..at + 4,
                    [syn::parse_quote!(
                        let response = crate::transport::send(client, request, &info).await?;
                    )],
                );
                self.replaced += 1;
            }
            syn::visit_mut::visit_block_mut(self, block);
        }
        fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
            // `crate::decode::response(r).await` (and `from_response`): now synchronous.
            if let syn::Expr::Await(a) = e
                && let syn::Expr::Call(call) = &*a.base
                && let syn::Expr::Path(p) = &*call.func
            {
                let segs = path_idents(&p.path);
                if segs == ["crate", "decode", "response"]
                    || segs == ["crate", "decode", "from_response"]
                {
                    *e = (*a.base).clone();
                }
            }
            // `Error::UnexpectedResponse(response)`: a `reqwest::Response` again.
            if let syn::Expr::Call(call) = e
                && let syn::Expr::Path(p) = &*call.func
                && p.path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "UnexpectedResponse")
                && let Some(arg) = call.args.first_mut()
            {
                *arg = syn::parse_quote!(#arg.into_reqwest());
            }
            syn::visit_mut::visit_expr_mut(self, e);
        }
    }
    let mut hooks = Hooks { replaced: 0 };
    hooks.visit_block_mut(block);
    if hooks.replaced != 1 {
        return Err(XtaskError::msg(format!(
            "`{}::send` does not call progenitor's hooks (`pre`, `exec`, `post`) as the \
             xtask expects; the transport cannot be wired in",
            op.builder
        )));
    }
    Ok(())
}

/// Success bodies decode through `crate::decode::response` into `crate::Response`; error
/// bodies through `crate::decode::from_response`, as progenitor's error path wants them.
struct DecodeRewriter {
    /// Whether a body of another media type is text (`crate::decode::text`).
    text: bool,
}

impl VisitMut for DecodeRewriter {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        // Inside `Error::ErrorResponse(..)`: the error path.
        if let syn::Expr::Call(call) = e
            && let syn::Expr::Path(p) = &*call.func
            && p.path
                .segments
                .last()
                .is_some_and(|s| s.ident == "ErrorResponse")
        {
            for arg in call.args.iter_mut() {
                ErrorPath.visit_expr_mut(arg);
            }
            return;
        }
        if let syn::Expr::Path(p) = e {
            let segs = path_idents(&p.path);
            match segs
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice()
            {
                ["ResponseValue", "from_response"] => {
                    *e = syn::parse_quote!(crate::decode::response);
                    return;
                }
                ["ResponseValue", "empty"] => {
                    *e = syn::parse_quote!(crate::Response::empty);
                    return;
                }
                _ => {}
            }
        }
        // `Ok(ResponseValue::stream(r))`: a body of another media type, already read whole:
        // `crate::Response<Bytes>`.
        if let syn::Expr::Call(ok) = e
            && let syn::Expr::Path(f) = &*ok.func
            && f.path.is_ident("Ok")
            && ok.args.len() == 1
            && let Some(syn::Expr::Call(inner)) = ok.args.first()
            && let syn::Expr::Path(p) = &*inner.func
            && p.path.segments.len() == 2
            && p.path.segments[0].ident == "ResponseValue"
            && p.path.segments[1].ident == "stream"
        {
            let args = inner.args.clone();
            *e = if self.text {
                syn::parse_quote!(crate::decode::text(#args))
            } else {
                syn::parse_quote!(crate::decode::bytes(#args))
            };
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
}

struct ErrorPath;

impl VisitMut for ErrorPath {
    fn visit_expr_path_mut(&mut self, p: &mut syn::ExprPath) {
        let segs = path_idents(&p.path);
        if segs == ["ResponseValue", "from_response"] {
            *p = syn::parse_quote!(crate::decode::from_response);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_model_reads_parameters_bodies_and_responses() {
        let doc = json!({"paths": {"/x/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": true, "description": "The id"}],
            "post": {"operationId": "ThingCreate", "summary": "Create",
                "parameters": [{"$ref": "#/components/parameters/Page"}],
                "requestBody": {"required": true, "content": {}},
                "responses": {"200": {"description": "ok"}, "404": {"description": "gone"}}}
        }}, "components": {"parameters": {"Page": {"name": "page", "in": "query",
            "schema": {"type": "integer", "x-constraints": {"minimum": 1}}}}}});
        let ops = model(&doc);
        assert_eq!(ops.len(), 1);
        let op = &ops[0];
        assert_eq!(
            (op.builder.as_str(), op.method.as_str()),
            ("ThingCreate", "thing_create")
        );
        assert_eq!(op.params.len(), 2);
        assert_eq!(op.params[0].description.as_deref(), Some("The id"));
        assert!(op.params[1].constraint.is_some() && !op.params[1].required);
        assert_eq!(op.body, Some((None, true)));
        assert_eq!(
            op.responses[1],
            Status {
                status: "404".into(),
                description: "gone".into(),
                has_body: false,
                raw_media: None,
            }
        );
    }

    #[test]
    fn examples_use_values_of_the_setters_types() {
        let enums: BTreeMap<String, String> =
            [("Status".to_string(), "running".to_string())].into();
        let structs: BTreeSet<String> = ["Window".to_string()].into();
        let types = Types {
            enums: &enums,
            structs: &structs,
        };
        let t = |s: &str| syn::parse_str::<syn::Type>(s).unwrap();
        assert_eq!(
            example_value(&t("::uuid::Uuid"), &types, false),
            "asteroid_sdk::uuid::Uuid::nil()"
        );
        assert_eq!(
            example_value(&t("Vec<types::Status>"), &types, false),
            "vec![asteroid_sdk::types::Status::from(\"running\")]"
        );
        assert_eq!(
            example_value(&t("Vec<types::Window>"), &types, false),
            "vec![asteroid_sdk::types::Window::builder().build()?]"
        );
        assert_eq!(
            example_value(&t("Strange"), &types, false),
            "Default::default()"
        );
    }
}
