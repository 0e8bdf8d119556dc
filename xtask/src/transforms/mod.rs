//! Spec transforms: pure functions from an OpenAPI document (as JSON) to one that
//! progenitor 0.15 / openapiv3 2.2 / typify 0.8 take, without changing what it describes.
//!
//! Each transform works on any spec, lives in its own module with unit tests on small
//! documents, and reports a construct it cannot handle with its JSON pointer. The pipeline
//! below is the order they run in.

use serde_json::Value;

use crate::error::Result;

pub mod aliases;
pub mod allof_single;
pub mod any_of_objects;
pub mod const_enum;
pub mod constraints;
pub mod discriminator_mapping;
pub mod error_responses;
pub mod examples;
pub mod exclusive_bounds;
pub mod hoist_inline;
pub mod media_types;
pub mod multipart;
pub mod nullable;
pub mod operation_names;
pub mod param_names;
pub mod param_styles;
pub mod responses;
pub mod type_names;
pub mod unevaluated;
pub mod unknown_properties;
pub mod version;
pub mod walk;

/// The HTTP methods an OpenAPI path item can hold.
pub const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One named transform.
pub struct Transform {
    /// A short name, shown when the transform fails.
    pub name: &'static str,
    /// The function.
    pub apply: fn(&mut Value) -> Result<()>,
}

/// Every transform, in the order it runs.
pub const PIPELINE: &[Transform] = &[
    // OpenAPI 3.1 / JSON Schema 2020-12 to OpenAPI 3.0.
    Transform {
        name: "version",
        apply: version::apply,
    },
    Transform {
        name: "discriminator_mapping",
        apply: discriminator_mapping::apply,
    },
    Transform {
        name: "nullable",
        apply: nullable::apply,
    },
    Transform {
        name: "const_enum",
        apply: const_enum::apply,
    },
    Transform {
        name: "unevaluated",
        apply: unevaluated::apply,
    },
    Transform {
        name: "exclusive_bounds",
        apply: exclusive_bounds::apply,
    },
    Transform {
        name: "examples",
        apply: examples::apply,
    },
    // What progenitor cannot take as written.
    Transform {
        name: "multipart",
        apply: multipart::apply,
    },
    Transform {
        name: "media_types",
        apply: media_types::apply,
    },
    Transform {
        name: "error_responses",
        apply: error_responses::apply,
    },
    Transform {
        name: "responses",
        apply: responses::apply,
    },
    // Simpler, more useful Rust types.
    Transform {
        name: "any_of_objects",
        apply: any_of_objects::apply,
    },
    Transform {
        name: "aliases",
        apply: aliases::apply,
    },
    Transform {
        name: "allof_single",
        apply: allof_single::apply,
    },
    // Liberal decoding: validation keywords leave the types (and are checked on requests).
    Transform {
        name: "constraints",
        apply: constraints::apply,
    },
    // Forward compatibility: open enums need names, unknown fields are tolerated.
    Transform {
        name: "hoist_inline",
        apply: hoist_inline::apply,
    },
    Transform {
        name: "unknown_properties",
        apply: unknown_properties::apply,
    },
    // Parameters as progenitor takes them, their real serialization kept as `x-wire`.
    Transform {
        name: "param_styles",
        apply: param_styles::apply,
    },
    // Parameter names that can sit side by side in the generated builders.
    Transform {
        name: "param_names",
        apply: param_names::apply,
    },
    Transform {
        name: "operation_names",
        apply: operation_names::apply,
    },
    // The names users read: last, so that earlier errors name the spec's own pointers.
    Transform {
        name: "type_names",
        apply: type_names::apply,
    },
];

/// Run the whole pipeline.
pub fn run(doc: &mut Value) -> Result<()> {
    for t in PIPELINE {
        (t.apply)(doc).map_err(|mut e| {
            e.message = format!("{} (transform `{}`)", e.message, t.name);
            e
        })?;
    }
    Ok(())
}

/// The `#/components/schemas/NAME` target of a `$ref` schema, if it is one.
pub fn schema_ref_name(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

/// Keywords that only annotate a schema and do not change which values it accepts.
pub const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "deprecated",
    "example",
    "examples",
    "default",
    "readOnly",
    "writeOnly",
    "externalDocs",
    "$comment",
];

/// Whether a key only annotates (including `x-` extensions).
pub fn is_annotation(key: &str) -> bool {
    ANNOTATIONS.contains(&key) || key.starts_with("x-")
}
