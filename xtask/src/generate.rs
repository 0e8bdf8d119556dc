//! From a transformed spec to the text of the generated files, with progenitor.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use serde_json::Value;

use crate::error::{Result, XtaskError};
use crate::names::type_name;
use crate::{open_types, postprocess, spec};

/// The generated files' texts.
pub struct Output {
    /// `asteroid-sdk/src/generated/client.rs`.
    pub client: String,
    /// `asteroid-sdk/src/generated/mock.rs`.
    pub mock: String,
    /// `asteroid-sdk/src/generated/blocking.rs`.
    pub blocking: String,
}

/// The path, inside the SDK crate, of the type that holds the client's runtime state.
const INNER_TYPE: &str = "crate::transport::Transport";

fn settings(open: &[open_types::OpenType]) -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(INNER_TYPE.parse::<TokenStream>().unwrap_or_default())
        .with_derive("PartialEq");
    for t in open {
        settings.with_replacement(
            &t.type_name,
            format!("crate::types::{}", t.type_name),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    settings
}

/// Generate the client, the mock helpers and the blocking operations from a transformed
/// document.
pub fn generate(doc: &Value, header: &str) -> Result<Output> {
    let open = open_types::collect(doc)?;
    let deprecated = deprecated_fields(doc);
    let spec = spec::to_openapiv3(doc.clone())?;

    let settings = settings(&open);
    let client_tokens = guarded("client", || {
        Generator::new(&settings).generate_tokens(&spec)
    })?;

    let mut client: syn::File = syn::parse2(client_tokens)
        .map_err(|e| XtaskError::msg(format!("progenitor's output does not parse: {e}")))?;
    let extra_types: TokenStream = open.iter().map(|t| t.items.clone()).collect();
    let extra_items = operations_table(doc);
    let operations = postprocess::operations::model(doc);
    let op_types = postprocess::client(
        &mut client,
        &postprocess::Rewrites {
            extra_types,
            deprecated,
            extra_items,
            validation: postprocess::validation::Model::from_doc(doc),
            operations: operations.clone(),
            title: doc
                .pointer("/info/title")
                .and_then(Value::as_str)
                .unwrap_or("API")
                .to_string(),
            enums: first_enum_values(doc),
        },
    )?;
    let mock: syn::File = syn::parse2(crate::mocks::generate(&operations, &op_types)?)
        .map_err(|e| XtaskError::msg(format!("the generated mocks do not parse: {e}")))?;
    let blocking: syn::File = syn::parse2(crate::blocking::generate(&client)?).map_err(|e| {
        XtaskError::msg(format!("the generated blocking client does not parse: {e}"))
    })?;

    Ok(Output {
        client: format!("{header}{}", prettyplease::unparse(&client)),
        mock: format!("{header}{}", prettyplease::unparse(&mock)),
        blocking: format!("{header}{}", prettyplease::unparse(&blocking)),
    })
}

/// Run a progenitor call, turning both its errors and its panics (it asserts on some
/// inputs) into one readable error.
fn guarded(
    what: &str,
    f: impl FnOnce() -> std::result::Result<TokenStream, progenitor::Error>,
) -> Result<TokenStream> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(XtaskError::msg(format!(
            "progenitor ({what}) rejected the spec: {e}"
        ))),
        Err(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(XtaskError::msg(format!(
                "progenitor ({what}) failed on a construct no transform handles: {text}"
            )))
        }
    }
}

/// A table of every operation: the id progenitor passes to the hooks, the HTTP method and
/// the path template (tracing records the template, not the expanded path).
fn operations_table(doc: &Value) -> TokenStream {
    let mut rows = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in crate::transforms::HTTP_METHODS {
                let Some(op) = item.get(*method) else {
                    continue;
                };
                let Some(rust_id) = op.get("operationId").and_then(Value::as_str) else {
                    continue;
                };
                let snake = crate::names::snake_name(rust_id);
                // An operation renamed for its method name keeps the spec's id.
                let id = op
                    .get(crate::transforms::operation_names::EXTENSION)
                    .and_then(Value::as_str)
                    .unwrap_or(rust_id);
                let upper = method.to_uppercase();
                rows.push(quote::quote! {
                    crate::transport::OperationMeta {
                        operation_id: #snake,
                        spec_operation_id: #id,
                        method: #upper,
                        path: #path,
                    }
                });
            }
        }
    }
    quote::quote! {
        /// Every operation of the spec, for tracing: ids, method and path template.
        pub(crate) const OPERATIONS: &[crate::transport::OperationMeta] = &[ #( #rows, )* ];
    }
}

/// `(type name, property)` of every property the spec marks `deprecated: true`.
fn deprecated_fields(doc: &Value) -> BTreeSet<postprocess::FieldKey> {
    let mut out = BTreeSet::new();
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return out;
    };
    for (name, schema) in schemas {
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        for (prop, p) in props {
            if p.get("deprecated") == Some(&Value::Bool(true)) {
                out.insert((type_name(name), prop.clone()));
            }
        }
    }
    out
}

/// Every string enum component and its first value.
fn first_enum_values(doc: &Value) -> std::collections::BTreeMap<String, String> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, s)| {
            let first = s.get("enum")?.as_array()?.iter().find_map(Value::as_str)?;
            Some((type_name(name), first.to_string()))
        })
        .collect()
}

/// The header of every generated file.
pub fn header(spec_file: &str, sha256: &str) -> String {
    format!(
        "// @generated by `cargo xtask regen` from `{spec_file}` (sha256 {sha256}).\n\
         // Do not edit: change the spec or the xtask, then run `cargo xtask regen`.\n\n"
    )
}
