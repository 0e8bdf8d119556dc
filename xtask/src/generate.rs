//! From a transformed spec to the text of the generated files, with progenitor.

use std::collections::BTreeMap;
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
    // File parts of multipart bodies (see `transforms::multipart`).
    settings.with_replacement(
        crate::transforms::multipart::FILE_PART,
        "crate::multipart::FilePart",
        std::iter::empty(),
    );
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
    let mut extra_items = operations_table(doc);
    extra_items.extend(execution_api_macro(execution_api(doc)));
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
            forms: postprocess::multipart::forms(doc),
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

/// Whether the spec has what the SDK's hand-written execution helpers (waiting, watching,
/// status classification: `asteroid-sdk/src/{wait,watch,status}.rs`) call and read, in
/// the shape they read it. Names are checked where the helpers use them (the operation's
/// method, the type names), shapes wherever they can be:
///
/// - a `GET` operation whose method is `execution_get`, with one path parameter,
///   `executionId`, a `uuid` string;
/// - its `200` JSON body is the component `Execution`, an object that requires `status`,
///   the string enum component `ExecutionStatus` listing `completed`, `failed` and
///   `cancelled` (the terminal statuses the helpers test);
/// - `Execution` has an optional `executionResult`: an object requiring `result` (any
///   value) and `reasoning` (a string);
/// - a component `ExecutionTriggerContext` (re-exported at the crate root).
///
/// Read on the transformed document (Rust names, `allOf: [$ref]` already unwrapped).
pub fn execution_api(doc: &Value) -> bool {
    execution_api_parts(doc).is_some()
}

fn execution_api_parts(doc: &Value) -> Option<()> {
    let schemas = doc.pointer("/components/schemas")?.as_object()?;
    let target = |s: &Value| -> Option<String> {
        let s = match s.get("allOf").and_then(Value::as_array) {
            Some(all) if all.len() == 1 => &all[0],
            _ => s,
        };
        crate::transforms::schema_ref_name(s).map(str::to_string)
    };
    let resolve = |s: &Value| -> Option<Value> {
        match target(s) {
            Some(name) => schemas.get(&name).cloned(),
            None => Some(s.clone()),
        }
    };
    let requires = |s: &Value, member: &str| {
        s.get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|m| m == member))
    };
    let op = doc
        .get("paths")?
        .as_object()?
        .values()
        .filter_map(|item| item.get("get"))
        .find(|op| {
            op.get("operationId")
                .and_then(Value::as_str)
                .is_some_and(|id| crate::names::snake_name(id) == "execution_get")
        })?;
    let params: Vec<&Value> = op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|p| p.get("in").is_some_and(|i| i == "path"))
        .collect();
    let [param] = params.as_slice() else {
        return None;
    };
    let param_schema = resolve(param.get("schema")?)?;
    (param.get("name")? == "executionId"
        && param_schema.get("type")? == "string"
        && param_schema.get("format")? == "uuid")
        .then_some(())?;
    let body = op.pointer("/responses/200/content")?.as_object()?;
    let (_, media) = body.iter().find(|(m, _)| m.contains("json"))?;
    (target(media.get("schema")?)? == "Execution").then_some(())?;
    let execution = schemas.get("Execution")?;
    (requires(execution, "status")).then_some(())?;
    let props = execution.get("properties")?;
    (target(props.get("status")?)? == "ExecutionStatus").then_some(())?;
    let statuses = schemas.get("ExecutionStatus")?;
    let values = statuses.get("enum")?.as_array()?;
    (statuses.get("type")? == "string"
        && ["completed", "failed", "cancelled"]
            .iter()
            .all(|v| values.iter().any(|x| x == v)))
    .then_some(())?;
    (!requires(execution, "executionResult")).then_some(())?;
    let result = resolve(props.get("executionResult")?)?;
    let result_props = result.get("properties")?;
    (requires(&result, "result")
        && requires(&result, "reasoning")
        && result_props.pointer("/reasoning/type")? == "string"
        && result_props.pointer("/result/type").is_none())
    .then_some(())?;
    schemas.get("ExecutionTriggerContext").map(|_| ())
}

/// `if_execution_api!`, for the hand-written modules: `if_execution_api! { items }` keeps
/// its items when the spec has the execution API ([`execution_api`]) and drops them
/// otherwise; `if_execution_api! { { items } else { others } }` keeps one block or the
/// other.
fn execution_api_macro(present: bool) -> TokenStream {
    let (pair, items, doc) = if present {
        (
            quote::quote!($($yes)*),
            quote::quote!($($i)*),
            "The spec has the execution API: the items are kept (`cargo xtask regen` writes this).",
        )
    } else {
        (
            quote::quote!($($no)*),
            quote::quote!(),
            "The spec has no execution API: the items are dropped (`cargo xtask regen` writes this).",
        )
    };
    quote::quote! {
        #[doc = #doc]
        macro_rules! if_execution_api {
            ({ $($yes:tt)* } else { $($no:tt)* }) => { #pair };
            ($($i:tt)*) => { #items };
        }
    }
}

/// `(type name, property)` of every property the spec marks `deprecated: true`, with the
/// note of its `#[deprecated]`.
fn deprecated_fields(doc: &Value) -> BTreeMap<postprocess::FieldKey, String> {
    let mut out = BTreeMap::new();
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
                let note =
                    crate::deprecation::note(&[p.get("description").and_then(Value::as_str)]);
                out.insert((type_name(name), prop.clone()), note);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn transformed(file: &str) -> Value {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let bytes = std::fs::read(root.join(file)).unwrap();
        crate::regen::prepare(&bytes, file).unwrap().doc
    }

    #[test]
    fn the_execution_api_is_recognised_by_its_shape() {
        let vendored = transformed("openapi.yaml");
        assert!(execution_api(&vendored));
        assert!(execution_api(&transformed(
            "tests/data/openapi.evolved.yaml"
        )));
        assert!(!execution_api(&transformed(
            "tests/data/petstore-expanded.yaml"
        )));
        // A status that may be missing, or a status enum without the terminal values the
        // helpers test, is not the execution API.
        let mut d = vendored.clone();
        let required = d["components"]["schemas"]["Execution"]["required"]
            .as_array_mut()
            .unwrap();
        required.retain(|r| r != "status");
        assert!(!execution_api(&d));
        let mut d = vendored.clone();
        d["components"]["schemas"]["ExecutionStatus"]["enum"] = serde_json::json!(["running"]);
        assert!(!execution_api(&d));
        let mut d = vendored;
        d["components"]["schemas"]["Execution"]["properties"]["executionResult"] =
            serde_json::json!({"type": "string"});
        assert!(!execution_api(&d));
    }

    #[test]
    fn the_macro_keeps_or_drops_items() {
        let text = |present| execution_api_macro(present).to_string().replace(' ', "");
        assert!(
            text(true).contains("=>{$($yes)*};($($i:tt)*)=>{$($i)*};"),
            "{}",
            text(true)
        );
        assert!(
            text(false).contains("=>{$($no)*};($($i:tt)*)=>{};"),
            "{}",
            text(false)
        );
    }
}
