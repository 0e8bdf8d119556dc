//! The API a user of the Rust crate sees, as data: the "API model".
//!
//! [`ApiModel::extract`] reads it from the *transformed* document (after
//! [`crate::transforms::run`]), so component schema keys are already the Rust type names.
//! `cargo xtask regen` keeps the model of the committed code in `xtask/api-baseline.json`
//! and compares it with the new spec's ([`crate::api_diff`]).
//!
//! Types are written as compact strings: `string`, `integer`, `number`, `boolean`,
//! `uuid`, `date`, `date-time`, `any`, `bytes`, `array<T>`, `map<T>` and type names,
//! with ` | null` for a nullable type. An integer whose Rust type is not `i64` (a
//! `format`, or bounds typify maps to another type) shows it: `integer(NonZeroU64)`;
//! `number(f32)` likewise. Inline object, union and enum schemas get the name typify
//! gives them (`ExecutionCancelBody` for the inline body of `ExecutionCancel`) and are
//! listed with the component schemas.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Result, XtaskError, child};
use crate::names::{snake_name, type_name};
use crate::transforms::HTTP_METHODS;

/// The version of the baseline's JSON layout; bump it when the layout changes.
pub const FORMAT: u32 = 1;

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// Everything about the API that matters to a user of the generated crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiModel {
    /// [`FORMAT`].
    pub format: u32,
    /// Which spec this is.
    pub spec: SpecInfo,
    /// The server URLs, in the spec's order; the first is the client's default base URL.
    pub servers: Vec<String>,
    /// Security schemes by name, each described in a line.
    pub auth: BTreeMap<String, String>,
    /// Operations by `operationId`.
    pub operations: BTreeMap<String, Operation>,
    /// Types by Rust name.
    pub schemas: BTreeMap<String, Schema>,
}

/// The spec's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecInfo {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// The sha256 of the spec file's bytes.
    pub sha256: String,
}

/// One operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    /// The HTTP method, upper case.
    pub method: String,
    /// The path template.
    pub path: String,
    /// The client method: `client.<rust>()`.
    pub rust: String,
    /// Parameters by name.
    pub params: BTreeMap<String, Param>,
    /// The request body, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
    /// Documented statuses (`"200"`, `"4XX"`, `"default"`) and their body types.
    pub responses: BTreeMap<String, Option<String>>,
}

/// One parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    /// `path`, `query`, `header` or `cookie`.
    #[serde(rename = "in")]
    pub location: String,
    /// Whether a call must set it.
    pub required: bool,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: String,
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    /// Its type.
    #[serde(rename = "type")]
    pub ty: String,
    /// Whether a call must send it.
    pub required: bool,
}

/// One type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    /// What kind of type it is, with its contents.
    #[serde(flatten)]
    pub shape: Shape,
    /// Reachable from a request body or parameter.
    pub requests: bool,
    /// Reachable from a response.
    pub responses: bool,
}

/// The kinds of types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Shape {
    /// An object with named fields.
    Struct {
        /// Fields by JSON name.
        fields: BTreeMap<String, Field>,
    },
    /// A string enum.
    Enum {
        /// The values, in the spec's order.
        values: Vec<String>,
    },
    /// A `oneOf`/`anyOf`: tagged by a property, or untagged.
    Union {
        /// The discriminator property, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tag: Option<String>,
        /// Tag value (or, untagged, the variant's type) to variant type.
        variants: BTreeMap<String, String>,
    },
    /// Anything else (a named map, array or primitive).
    Other {
        /// Its type.
        #[serde(rename = "type")]
        ty: String,
    },
}

impl Shape {
    /// `struct`, `enum`, `union` or `other`.
    pub fn kind(&self) -> &'static str {
        match self {
            Shape::Struct { .. } => "struct",
            Shape::Enum { .. } => "enum",
            Shape::Union { .. } => "union",
            Shape::Other { .. } => "other",
        }
    }
}

/// One struct field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// Its type, without nullability.
    #[serde(rename = "type")]
    pub ty: String,
    /// Listed in `required`.
    pub required: bool,
    /// Accepts `null`.
    pub nullable: bool,
    /// Has a `default` value in the spec (absent in baselines written before it was kept).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub defaulted: bool,
}

impl Field {
    /// The type with ` | null` when nullable.
    pub fn shown_type(&self) -> String {
        with_null(&self.ty, self.nullable)
    }

    /// Whether the Rust field is an `Option`, as typify decides: a nullable type is one,
    /// and so is a field that may be absent unless it has a value to stand in for absence
    /// (an array or map is empty, a field with a `default` takes it).
    pub fn rust_option(&self) -> bool {
        let intrinsic_default = self.ty.starts_with("array<") || self.ty.starts_with("map<");
        self.nullable || (!self.required && !intrinsic_default && !self.defaulted)
    }
}

fn with_null(ty: &str, nullable: bool) -> String {
    if nullable {
        format!("{ty} | null")
    } else {
        ty.to_string()
    }
}

impl ApiModel {
    /// The model of a transformed document whose file has the given sha256.
    pub fn extract(doc: &Value, sha256: &str) -> Result<ApiModel> {
        let mut cx = Extractor {
            doc,
            schemas: BTreeMap::new(),
        };
        let info = doc.get("info");
        let text = |key: &str| {
            info.and_then(|i| i.get(key))
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .unwrap_or_default()
        };
        let spec = SpecInfo {
            title: text("title"),
            version: text("version"),
            sha256: sha256.to_string(),
        };
        let servers = doc
            .get("servers")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|s| s.get("url").and_then(Value::as_str).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let auth = doc
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .map(|schemes| {
                schemes
                    .iter()
                    .map(|(name, s)| (name.clone(), describe_scheme(cx.resolve_value(s))))
                    .collect()
            })
            .unwrap_or_default();

        if let Some(schemas) = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            for (name, schema) in schemas {
                if schema
                    .get(crate::transforms::multipart::FILE_MARK)
                    .is_some()
                {
                    // The SDK's own `multipart::FilePart`, not a generated type.
                    continue;
                }
                let ptr = child("/components/schemas", name);
                let shape = cx.shape(&ptr, name, schema)?;
                cx.schemas.insert(name.clone(), shape);
            }
        }

        let mut operations = BTreeMap::new();
        if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                let item_ptr = child("/paths", path);
                let Some(item) = item.as_object() else {
                    continue;
                };
                for method in HTTP_METHODS {
                    let Some(op) = item.get(*method) else {
                        continue;
                    };
                    let op_ptr = child(&item_ptr, method);
                    let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                        return Err(XtaskError::at(op_ptr, "operation has no operationId"));
                    };
                    let operation = cx.operation(&op_ptr, id, method, path, item, op)?;
                    operations.insert(id.to_string(), operation);
                }
            }
        }

        let schemas = reachability(&operations, cx.schemas);
        Ok(ApiModel {
            format: FORMAT,
            spec,
            servers,
            auth,
            operations,
            schemas,
        })
    }

    /// The model as the baseline file holds it: pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Read a baseline file's text.
    pub fn from_json(text: &str) -> Result<ApiModel> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| XtaskError::msg(format!("not valid JSON: {e}")))?;
        match value.get("format").and_then(Value::as_u64) {
            Some(f) if f == u64::from(FORMAT) => {}
            other => {
                return Err(XtaskError::at(
                    "/format",
                    format!(
                        "baseline format {} is not {FORMAT}",
                        other.map_or("(missing)".to_string(), |f| f.to_string())
                    ),
                ));
            }
        }
        serde_path_to_error::deserialize(value).map_err(|e| {
            let mut pointer = String::new();
            for seg in e.path().iter() {
                use serde_path_to_error::Segment;
                match seg {
                    Segment::Seq { index } => pointer = child(&pointer, &index.to_string()),
                    Segment::Map { key } => pointer = child(&pointer, key),
                    Segment::Enum { variant } => pointer = child(&pointer, variant),
                    Segment::Unknown => {}
                }
            }
            XtaskError::at(pointer, format!("not an API model: {}", e.inner()))
        })
    }
}

fn describe_scheme(scheme: &Value) -> String {
    let s = |k: &str| scheme.get(k).and_then(Value::as_str).unwrap_or("");
    match s("type") {
        "apiKey" => format!("apiKey in {} `{}`", s("in"), s("name")),
        "http" if !s("bearerFormat").is_empty() => {
            format!("http {} ({})", s("scheme"), s("bearerFormat"))
        }
        "http" => format!("http {}", s("scheme")),
        "oauth2" => {
            let flows: Vec<&str> = scheme
                .get("flows")
                .and_then(Value::as_object)
                .map(|f| f.keys().map(String::as_str).collect())
                .unwrap_or_default();
            format!("oauth2 ({})", flows.join(", "))
        }
        "openIdConnect" => format!("openIdConnect {}", s("openIdConnectUrl")),
        "mutualTLS" => "mutualTLS".to_string(),
        other => format!("{other} {scheme}"),
    }
}

/// Walks the document; collects the component schemas and the inline types it names.
struct Extractor<'a> {
    doc: &'a Value,
    schemas: BTreeMap<String, Shape>,
}

impl<'a> Extractor<'a> {
    /// Follow a local `$ref` (to any part of the document), a few levels deep.
    fn resolve_value(&self, mut value: &'a Value) -> &'a Value {
        for _ in 0..16 {
            let Some(target) = value.get("$ref").and_then(Value::as_str) else {
                break;
            };
            if target.starts_with(SCHEMA_PREFIX) {
                break;
            }
            match target.strip_prefix('#').and_then(|p| self.doc.pointer(p)) {
                Some(next) => value = next,
                None => break,
            }
        }
        value
    }

    fn resolve(&self, ptr: &str, value: &'a Value) -> Result<&'a Value> {
        let resolved = self.resolve_value(value);
        match resolved.get("$ref").and_then(Value::as_str) {
            Some(target) if !target.starts_with(SCHEMA_PREFIX) => Err(XtaskError::at(
                child(ptr, "$ref"),
                format!("the reference {target:?} does not resolve in this document"),
            )),
            _ => Ok(resolved),
        }
    }

    fn operation(
        &mut self,
        ptr: &str,
        id: &str,
        method: &str,
        path: &str,
        item: &'a Map<String, Value>,
        op: &'a Value,
    ) -> Result<Operation> {
        // Path-level parameters, overridden by the operation's own (same name and place).
        let mut params: Vec<(String, &'a Value)> = Vec::new();
        let item_ptr = child("/paths", path);
        for (holder_ptr, list) in [
            (item_ptr.clone(), item.get("parameters")),
            (ptr.to_string(), op.get("parameters")),
        ] {
            let Some(list) = list.and_then(Value::as_array) else {
                continue;
            };
            for (i, p) in list.iter().enumerate() {
                let pptr = child(&child(&holder_ptr, "parameters"), &i.to_string());
                let p = self.resolve(&pptr, p)?;
                let key = |v: &Value| {
                    (
                        v.get("name")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                        v.get("in")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                    )
                };
                let k = key(p);
                params.retain(|(_, q)| key(q) != k);
                params.push((pptr, p));
            }
        }
        let mut out_params = BTreeMap::new();
        for (pptr, p) in params {
            let Some(name) = p.get("name").and_then(Value::as_str) else {
                return Err(XtaskError::at(pptr, "a parameter has no name"));
            };
            let location = p.get("in").and_then(Value::as_str).unwrap_or("query");
            let required = p.get("required") == Some(&Value::Bool(true)) || location == "path";
            // A parameter whose struct type `param_styles` replaced by a map keeps the
            // real schema in `x-wire.schema`: that is the type users set.
            let schema = p
                .pointer("/x-wire/schema")
                .or_else(|| p.get("schema"))
                .or_else(|| first_media_schema(p));
            let ty = match schema {
                Some(s) => {
                    let (ty, nullable) =
                        self.type_of(&child(&pptr, "schema"), &format!("{id}-{name}"), s)?;
                    with_null(&ty, nullable)
                }
                None => "any".to_string(),
            };
            let mut key = name.to_string();
            if out_params.contains_key(&key) {
                key = format!("{name} ({location})");
            }
            out_params.insert(
                key,
                Param {
                    location: location.to_string(),
                    required,
                    ty,
                },
            );
        }

        let body = match op.get("requestBody") {
            None => None,
            Some(b) => {
                let bptr = child(ptr, "requestBody");
                let b = self.resolve(&bptr, b)?;
                let required = b.get("required") == Some(&Value::Bool(true));
                let ty = self.content_type(&bptr, &format!("{id}-body"), b)?;
                Some(Body {
                    ty: ty.unwrap_or_else(|| "any".into()),
                    required,
                })
            }
        };

        let mut responses = BTreeMap::new();
        if let Some(list) = op.get("responses").and_then(Value::as_object) {
            for (status, r) in list {
                let rptr = child(&child(ptr, "responses"), status);
                let r = self.resolve(&rptr, r)?;
                let ty = self.content_type(&rptr, &format!("{id}-response"), r)?;
                responses.insert(status.clone(), ty);
            }
        }

        Ok(Operation {
            method: method.to_uppercase(),
            path: path.to_string(),
            rust: snake_name(id),
            params: out_params,
            body,
            responses,
        })
    }

    /// The type of a body or response's content: the JSON media type's schema, `bytes`
    /// for other media types, `None` without content.
    fn content_type(&mut self, ptr: &str, hint: &str, holder: &'a Value) -> Result<Option<String>> {
        let Some(content) = holder.get("content").and_then(Value::as_object) else {
            return Ok(None);
        };
        if content.is_empty() {
            return Ok(None);
        }
        let json = content.iter().find(|(media, _)| is_json_media(media));
        let Some((media, m)) = json else {
            return Ok(Some("bytes".into()));
        };
        let Some(schema) = m.get("schema") else {
            return Ok(Some("any".into()));
        };
        let sptr = child(&child(&child(ptr, "content"), media), "schema");
        let (ty, nullable) = self.type_of(&sptr, hint, schema)?;
        Ok(Some(with_null(&ty, nullable)))
    }

    /// The kind and contents of a named schema.
    fn shape(&mut self, ptr: &str, name: &str, schema: &'a Value) -> Result<Shape> {
        let Some(obj) = schema.as_object() else {
            // `true` / `{}`-like boolean schemas.
            return Ok(Shape::Other { ty: "any".into() });
        };
        if let Some(Value::Array(values)) = obj.get("enum")
            && values.iter().any(Value::is_string)
            && values.iter().all(|v| v.is_string() || v.is_null())
        {
            return Ok(Shape::Enum {
                values: values
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
            });
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(variants)) = obj.get(key) {
                return self.union(ptr, name, obj, key, variants);
            }
        }
        if obj.contains_key("properties") || obj.get("allOf").is_some_and(|a| all_objects(self, a))
        {
            let mut fields = BTreeMap::new();
            self.collect_fields(ptr, name, schema, &mut fields, 0)?;
            return Ok(Shape::Struct { fields });
        }
        let (ty, nullable) = self.type_of(ptr, name, schema)?;
        Ok(Shape::Other {
            ty: with_null(&ty, nullable),
        })
    }

    fn union(
        &mut self,
        ptr: &str,
        name: &str,
        obj: &'a Map<String, Value>,
        key: &str,
        variants: &'a [Value],
    ) -> Result<Shape> {
        let tag = obj
            .get("discriminator")
            .and_then(|d| d.get("propertyName"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let mapping = obj
            .get("discriminator")
            .and_then(|d| d.get("mapping"))
            .and_then(Value::as_object);
        let mut out = BTreeMap::new();
        for (i, variant) in variants.iter().enumerate() {
            let vptr = child(&child(ptr, key), &i.to_string());
            let (ty, nullable) = self.type_of(&vptr, &format!("{name}-variant{i}"), variant)?;
            let ty = with_null(&ty, nullable);
            let label = match &tag {
                None => ty.clone(),
                Some(tag) => {
                    let target = variant.get("$ref").and_then(Value::as_str);
                    let from_mapping = mapping.and_then(|m| {
                        m.iter()
                            .find(|(_, v)| v.as_str().is_some() && v.as_str() == target)
                            .map(|(k, _)| k.clone())
                    });
                    from_mapping
                        .or_else(|| self.tag_value(variant, tag))
                        .unwrap_or_else(|| {
                            target
                                .and_then(|t| t.strip_prefix(SCHEMA_PREFIX))
                                .unwrap_or(&ty)
                                .to_string()
                        })
                }
            };
            out.insert(label, ty);
        }
        Ok(Shape::Union { tag, variants: out })
    }

    /// The one value a variant's tag property allows, if it says so.
    fn tag_value(&self, variant: &'a Value, tag: &str) -> Option<String> {
        let variant = self.schema_target(variant);
        let prop = variant.get("properties")?.get(tag)?;
        let mut prop = self.schema_target(prop);
        if let Some(Value::Array(parts)) = prop.get("allOf")
            && parts.len() == 1
        {
            prop = self.schema_target(&parts[0]);
        }
        match prop.get("enum").and_then(Value::as_array) {
            Some(values) if values.len() == 1 => values[0].as_str().map(str::to_string),
            _ => None,
        }
    }

    /// The component a schema `$ref`s, or the schema itself.
    fn schema_target(&self, schema: &'a Value) -> &'a Value {
        let mut s = schema;
        for _ in 0..16 {
            match s
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#'))
                .and_then(|p| self.doc.pointer(p))
            {
                Some(next) => s = next,
                None => break,
            }
        }
        s
    }

    /// The fields of an object schema, following `allOf` parts.
    fn collect_fields(
        &mut self,
        ptr: &str,
        name: &str,
        schema: &'a Value,
        out: &mut BTreeMap<String, Field>,
        depth: usize,
    ) -> Result<()> {
        if depth > 16 {
            return Ok(());
        }
        let schema = self.schema_target(schema);
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (prop, sub) in props {
                let pptr = child(&child(ptr, "properties"), prop);
                let (ty, nullable) = self.type_of(&pptr, &format!("{name}-{prop}"), sub)?;
                let defaulted = sub.get("default").is_some_and(|d| !d.is_null());
                out.insert(
                    prop.clone(),
                    Field {
                        ty,
                        required: required.contains(prop.as_str()),
                        nullable,
                        defaulted,
                    },
                );
            }
        }
        if let Some(Value::Array(parts)) = schema.get("allOf") {
            for (i, part) in parts.iter().enumerate() {
                let aptr = child(&child(ptr, "allOf"), &i.to_string());
                self.collect_fields(&aptr, name, part, out, depth + 1)?;
            }
        }
        // `required` may name properties that an `allOf` part declares.
        for r in required {
            if let Some(f) = out.get_mut(r) {
                f.required = true;
            }
        }
        Ok(())
    }

    /// A schema's type string and whether it is nullable. Inline objects, unions and
    /// enums are registered as types named after `hint`, as typify names them.
    fn type_of(&mut self, ptr: &str, hint: &str, schema: &'a Value) -> Result<(String, bool)> {
        let Some(obj) = schema.as_object() else {
            return Ok(("any".into(), false));
        };
        let nullable = obj.get("nullable") == Some(&Value::Bool(true));
        if let Some(target) = obj.get("$ref").and_then(Value::as_str) {
            let ty = match target.strip_prefix(SCHEMA_PREFIX) {
                Some(crate::transforms::multipart::FILE_PART) => "FilePart".into(),
                Some(name) => name.replace("~1", "/").replace("~0", "~"),
                None => {
                    return Err(XtaskError::at(
                        child(ptr, "$ref"),
                        format!("a schema reference {target:?} outside components/schemas"),
                    ));
                }
            };
            return Ok((ty, nullable));
        }
        if let Some(Value::Array(parts)) = obj.get("allOf")
            && parts.len() == 1
            && !obj.contains_key("properties")
        {
            let (ty, inner_nullable) =
                self.type_of(&child(&child(ptr, "allOf"), "0"), hint, &parts[0])?;
            return Ok((ty, nullable || inner_nullable));
        }
        let is_inline_type = obj.contains_key("properties")
            || obj.contains_key("allOf")
            || obj.contains_key("oneOf")
            || obj.contains_key("anyOf")
            || obj
                .get("enum")
                .and_then(Value::as_array)
                .is_some_and(|v| v.iter().any(Value::is_string));
        if is_inline_type {
            let name = type_name(hint);
            if !self.schemas.contains_key(&name) {
                // Reserve the name first: a recursive inline schema ends here.
                self.schemas
                    .insert(name.clone(), Shape::Other { ty: "any".into() });
                let shape = self.shape(ptr, &name, schema)?;
                self.schemas.insert(name.clone(), shape);
            }
            return Ok((name, nullable));
        }
        let format = obj.get("format").and_then(Value::as_str);
        let ty = match obj.get("type").and_then(Value::as_str) {
            Some("string") => match format {
                Some(f @ ("uuid" | "date" | "date-time" | "ip" | "ipv4" | "ipv6")) => f.to_string(),
                _ => "string".into(),
            },
            Some("integer") => match integer_type(obj) {
                "i64" => "integer".into(),
                other => format!("integer({other})"),
            },
            Some("number") => match format {
                Some("float") => "number(f32)".into(),
                _ => "number".into(),
            },
            Some("boolean") => "boolean".into(),
            Some("array") => {
                let inner = match obj.get("items") {
                    Some(items) => {
                        let (t, n) =
                            self.type_of(&child(ptr, "items"), &format!("{hint}-item"), items)?;
                        with_null(&t, n)
                    }
                    None => "any".into(),
                };
                format!("array<{inner}>")
            }
            Some("object") | None if obj.contains_key("additionalProperties") => {
                let inner = match obj.get("additionalProperties") {
                    Some(Value::Object(m)) if m.is_empty() => "any".to_string(),
                    Some(v @ Value::Object(_)) => {
                        let (t, n) = self.type_of(
                            &child(ptr, "additionalProperties"),
                            &format!("{hint}-value"),
                            v,
                        )?;
                        with_null(&t, n)
                    }
                    _ => "any".to_string(),
                };
                format!("map<{inner}>")
            }
            Some("object") => "map<any>".into(),
            Some(other) => other.to_string(),
            None => "any".into(),
        };
        Ok((ty, nullable))
    }
}

fn all_objects(cx: &Extractor<'_>, parts: &Value) -> bool {
    parts.as_array().is_some_and(|parts| {
        !parts.is_empty()
            && parts.iter().all(|p| {
                let t = cx.schema_target(p);
                t.get("properties").is_some() || t.get("type") == Some(&Value::from("object"))
            })
    })
}

fn first_media_schema(holder: &Value) -> Option<&Value> {
    holder
        .get("content")
        .and_then(Value::as_object)
        .and_then(|c| c.values().next())
        .and_then(|m| m.get("schema"))
}

fn is_json_media(media: &str) -> bool {
    let m = media.split(';').next().unwrap_or("").trim();
    m == "application/json" || m.ends_with("+json") || m == "*/*"
}

/// The Rust integer type typify chooses for an integer schema (its format and bounds).
fn integer_type(obj: &Map<String, Value>) -> &'static str {
    // (format, type, non-zero type, min, max), most to least restrictive, as typify has it.
    const FORMATS: &[(&str, &str, &str, f64, f64)] = &[
        ("int8", "i8", "NonZeroU8", i8::MIN as f64, i8::MAX as f64),
        ("uint8", "u8", "NonZeroU8", 0.0, u8::MAX as f64),
        (
            "int16",
            "i16",
            "NonZeroU16",
            i16::MIN as f64,
            i16::MAX as f64,
        ),
        ("uint16", "u16", "NonZeroU16", 0.0, u16::MAX as f64),
        ("int", "i32", "NonZeroU32", i32::MIN as f64, i32::MAX as f64),
        (
            "int32",
            "i32",
            "NonZeroU32",
            i32::MIN as f64,
            i32::MAX as f64,
        ),
        ("uint", "u32", "NonZeroU32", 0.0, u32::MAX as f64),
        ("uint32", "u32", "NonZeroU32", 0.0, u32::MAX as f64),
        (
            "int64",
            "i64",
            "NonZeroU64",
            i64::MIN as f64,
            i64::MAX as f64,
        ),
        ("uint64", "u64", "NonZeroU64", 0.0, u64::MAX as f64),
    ];
    let num = |k: &str| obj.get(k).and_then(Value::as_f64);
    let flag = |k: &str| obj.get(k) == Some(&Value::Bool(true));
    // OpenAPI 3.0 writes exclusive bounds as booleans next to minimum/maximum; 3.1 as numbers.
    let mut min = match (
        num("minimum"),
        flag("exclusiveMinimum"),
        num("exclusiveMinimum"),
    ) {
        (Some(m), true, _) => Some(m + 1.0),
        (Some(m), false, Some(e)) => Some(m.max(e + 1.0)),
        (None, _, Some(e)) => Some(e + 1.0),
        (m, _, _) => m,
    };
    let mut max = match (
        num("maximum"),
        flag("exclusiveMaximum"),
        num("exclusiveMaximum"),
    ) {
        (Some(m), true, _) => Some(m - 1.0),
        (Some(m), false, Some(e)) => Some(m.min(e - 1.0)),
        (None, _, Some(e)) => Some(e - 1.0),
        (m, _, _) => m,
    };
    let multiple = obj.get("multipleOf").is_some();
    if let Some(format) = obj.get("format").and_then(Value::as_str)
        && let Some((_, ty, nz, imin, imax)) = FORMATS.iter().find(|f| f.0 == format)
    {
        let valid_min = min.is_none_or(|m| m >= *imin);
        let valid_max = max.is_none_or(|m| m <= *imax);
        if !multiple && valid_min && valid_max {
            return if min == Some(1.0) { nz } else { ty };
        }
        min.get_or_insert(*imin);
        max.get_or_insert(*imax);
    }
    let close = |a: f64, b: f64| (a - b).abs() <= f64::EPSILON;
    let found = match (min, max) {
        (None, None) => None,
        (None, Some(max)) => FORMATS.iter().rev().find(|f| close(f.4, max)).map(|f| f.1),
        (Some(min), None) => FORMATS.iter().rev().find_map(|f| {
            if min == 1.0 {
                Some(f.2)
            } else if close(f.3, min) {
                Some(f.1)
            } else {
                None
            }
        }),
        (Some(min), Some(max)) => FORMATS.iter().rev().find_map(|f| {
            if min == 1.0 {
                Some(f.2)
            } else if close(f.4, max) && close(f.3, min) {
                Some(f.1)
            } else {
                None
            }
        }),
    };
    found.unwrap_or("i64")
}

/// The type names a type string mentions.
pub fn referenced_types(ty: &str) -> impl Iterator<Item = &str> {
    ty.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| t.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
}

fn shape_refs(shape: &Shape) -> Vec<&str> {
    match shape {
        Shape::Struct { fields } => fields
            .values()
            .flat_map(|f| referenced_types(&f.ty))
            .collect(),
        Shape::Enum { .. } => Vec::new(),
        Shape::Union { variants, .. } => variants
            .values()
            .flat_map(|t| referenced_types(t))
            .collect(),
        Shape::Other { ty } => referenced_types(ty).collect(),
    }
}

/// Mark each type reachable from requests (bodies, parameters) and from responses.
fn reachability(
    operations: &BTreeMap<String, Operation>,
    shapes: BTreeMap<String, Shape>,
) -> BTreeMap<String, Schema> {
    let mut request_roots: Vec<&str> = Vec::new();
    let mut response_roots: Vec<&str> = Vec::new();
    for op in operations.values() {
        for p in op.params.values() {
            request_roots.extend(referenced_types(&p.ty));
        }
        if let Some(b) = &op.body {
            request_roots.extend(referenced_types(&b.ty));
        }
        for ty in op.responses.values().flatten() {
            response_roots.extend(referenced_types(ty));
        }
    }
    let reach = |roots: Vec<&str>| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<String> = roots.into_iter().map(str::to_string).collect();
        while let Some(name) = stack.pop() {
            let Some(shape) = shapes.get(&name) else {
                continue;
            };
            if !seen.insert(name) {
                continue;
            }
            stack.extend(shape_refs(shape).into_iter().map(str::to_string));
        }
        seen
    };
    let in_requests = reach(request_roots);
    let in_responses = reach(response_roots);
    shapes
        .into_iter()
        .map(|(name, shape)| {
            let schema = Schema {
                requests: in_requests.contains(&name),
                responses: in_responses.contains(&name),
                shape,
            };
            (name, schema)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "T", "version": "v1"},
            "servers": [{"url": "https://a.example/v2"}],
            "paths": {
                "/things/{id}": {
                    "parameters": [{"name": "id", "in": "path", "schema": {"type": "string", "format": "uuid"}}],
                    "get": {
                        "operationId": "ThingGet",
                        "parameters": [
                            {"name": "expand", "in": "query", "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Kind"}}},
                            {"$ref": "#/components/parameters/Trace"}
                        ],
                        "responses": {
                            "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                            "204": {"description": "none"},
                            "404": {"$ref": "#/components/responses/NotFound"}
                        }
                    },
                    "post": {
                        "operationId": "ThingUpdate",
                        "requestBody": {"required": true, "content": {"application/json": {"schema": {
                            "type": "object", "required": ["name"],
                            "properties": {"name": {"type": "string"}, "window": {"$ref": "#/components/schemas/Window"}}
                        }}}},
                        "responses": {"200": {"content": {"text/plain": {"schema": {"type": "string"}}}}}
                    }
                }
            },
            "components": {
                "parameters": {"Trace": {"name": "X-Trace", "in": "header", "required": true, "schema": {"type": "string"}}},
                "responses": {"NotFound": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
                "securitySchemes": {"Key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
                "schemas": {
                    "Thing": {"type": "object", "required": ["id", "kind"], "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "kind": {"allOf": [{"$ref": "#/components/schemas/Kind"}], "description": "d"},
                        "count": {"type": "integer", "minimum": 1, "nullable": true},
                        "small": {"type": "integer", "format": "int32"},
                        "ratio": {"type": "number", "format": "double"},
                        "at": {"type": "string", "format": "date-time"},
                        "meta": {"type": "object", "additionalProperties": {"type": "string"}},
                        "inputs": {"type": "object", "additionalProperties": {}},
                        "result": {"description": "anything"},
                        "owner": {"type": "object", "properties": {"email": {"type": "string"}}},
                        "ctx": {"$ref": "#/components/schemas/Ctx"}
                    }},
                    "Kind": {"type": "string", "enum": ["a", "b"]},
                    "Window": {"type": "object", "properties": {"after": {"type": "string", "format": "date"}}},
                    "Error": {"type": "object", "properties": {"message": {"type": "string"}}},
                    "Ctx": {
                        "oneOf": [{"$ref": "#/components/schemas/CtxA"}, {"$ref": "#/components/schemas/CtxB"}],
                        "discriminator": {"propertyName": "source", "mapping": {"a": "#/components/schemas/CtxA"}}
                    },
                    "CtxA": {"type": "object", "properties": {"source": {"type": "string", "enum": ["a"]}}},
                    "CtxB": {"type": "object", "properties": {"source": {"allOf": [{"$ref": "#/components/schemas/CtxBSource"}]}}},
                    "CtxBSource": {"type": "string", "enum": ["b"]},
                    "Unused": {"type": "array", "items": {"type": "boolean"}}
                }
            }
        })
    }

    fn model() -> ApiModel {
        ApiModel::extract(&doc(), "abc").unwrap()
    }

    #[test]
    fn operations_params_bodies_and_responses() {
        let m = model();
        assert_eq!(m.spec.title, "T");
        assert_eq!(m.spec.version, "v1");
        assert_eq!(m.spec.sha256, "abc");
        assert_eq!(m.servers, ["https://a.example/v2"]);
        assert_eq!(m.auth["Key"], "apiKey in header `X-Key`");
        let get = &m.operations["ThingGet"];
        assert_eq!(
            (get.method.as_str(), get.path.as_str()),
            ("GET", "/things/{id}")
        );
        assert_eq!(get.rust, "thing_get");
        // The path-level parameter is inherited and required because it is in the path.
        assert_eq!(
            get.params["id"],
            Param {
                location: "path".into(),
                required: true,
                ty: "uuid".into()
            }
        );
        assert_eq!(get.params["expand"].ty, "array<Kind>");
        assert!(!get.params["expand"].required);
        assert_eq!(get.params["X-Trace"].location, "header");
        assert!(get.params["X-Trace"].required);
        assert_eq!(get.responses["200"].as_deref(), Some("Thing"));
        assert_eq!(get.responses["204"], None);
        assert_eq!(get.responses["404"].as_deref(), Some("Error"));
        assert!(get.body.is_none());
        let post = &m.operations["ThingUpdate"];
        assert_eq!(
            post.body,
            Some(Body {
                ty: "ThingUpdateBody".into(),
                required: true
            })
        );
        assert_eq!(post.responses["200"].as_deref(), Some("bytes"));
    }

    #[test]
    fn struct_fields_and_type_strings() {
        let m = model();
        let Shape::Struct { fields } = &m.schemas["Thing"].shape else {
            panic!("{:?}", m.schemas["Thing"]);
        };
        let ty = |f: &str| fields[f].shown_type();
        assert_eq!(ty("id"), "uuid");
        assert!(fields["id"].required && !fields["count"].required);
        assert_eq!(ty("kind"), "Kind");
        assert_eq!(ty("count"), "integer(NonZeroU64) | null");
        assert!(fields["count"].nullable);
        assert_eq!(ty("small"), "integer(i32)");
        assert_eq!(ty("ratio"), "number");
        assert_eq!(ty("at"), "date-time");
        assert_eq!(ty("meta"), "map<string>");
        assert_eq!(ty("inputs"), "map<any>");
        assert_eq!(ty("result"), "any");
        assert_eq!(ty("owner"), "ThingOwner");
        assert_eq!(ty("ctx"), "Ctx");
        // The inline object is a type of its own, named as typify names it.
        let Shape::Struct { fields } = &m.schemas["ThingOwner"].shape else {
            panic!()
        };
        assert_eq!(fields["email"].ty, "string");
        let Shape::Struct { fields } = &m.schemas["ThingUpdateBody"].shape else {
            panic!()
        };
        assert!(fields["name"].required);
        assert_eq!(fields["window"].ty, "Window");
    }

    #[test]
    fn enums_unions_and_others() {
        let m = model();
        assert_eq!(
            m.schemas["Kind"].shape,
            Shape::Enum {
                values: vec!["a".into(), "b".into()]
            }
        );
        let Shape::Union { tag, variants } = &m.schemas["Ctx"].shape else {
            panic!()
        };
        assert_eq!(tag.as_deref(), Some("source"));
        // `a` from the mapping, `b` from the variant's one-value tag enum.
        assert_eq!(variants["a"], "CtxA");
        assert_eq!(variants["b"], "CtxB");
        assert_eq!(
            m.schemas["Unused"].shape,
            Shape::Other {
                ty: "array<boolean>".into()
            }
        );
    }

    #[test]
    fn reachability_from_requests_and_responses() {
        let m = model();
        let used = |n: &str| (m.schemas[n].requests, m.schemas[n].responses);
        assert_eq!(used("Thing"), (false, true));
        assert_eq!(used("Kind"), (true, true));
        assert_eq!(used("ThingUpdateBody"), (true, false));
        assert_eq!(used("Window"), (true, false));
        assert_eq!(used("CtxB"), (false, true));
        assert_eq!(used("CtxBSource"), (false, true));
        assert_eq!(used("Error"), (false, true));
        assert_eq!(used("Unused"), (false, false));
    }

    #[test]
    fn integer_types_follow_typify() {
        let t = |v: Value| integer_type(v.as_object().unwrap());
        assert_eq!(t(json!({})), "i64");
        assert_eq!(t(json!({"format": "int64"})), "i64");
        assert_eq!(t(json!({"format": "int32"})), "i32");
        assert_eq!(t(json!({"format": "int32", "minimum": 1})), "NonZeroU32");
        assert_eq!(t(json!({"minimum": 1})), "NonZeroU64");
        assert_eq!(
            t(json!({"minimum": 0, "exclusiveMinimum": true})),
            "NonZeroU64"
        );
        assert_eq!(t(json!({"minimum": 1, "maximum": 100})), "NonZeroU64");
        assert_eq!(t(json!({"minimum": 0})), "u64");
        assert_eq!(t(json!({"minimum": 5})), "i64");
    }

    #[test]
    fn json_round_trip_is_stable_and_sorted() {
        let m = model();
        let text = m.to_json();
        assert!(text.ends_with("}\n"));
        let back = ApiModel::from_json(&text).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.to_json(), text);
        // Keys are sorted, whatever the document's order.
        let ops = text.find("\"ThingGet\"").unwrap();
        assert!(ops < text.find("\"ThingUpdate\"").unwrap());
        assert!(text.contains("\"kind\": \"struct\""));
    }

    #[test]
    fn bad_baselines_are_errors_not_panics() {
        assert!(ApiModel::from_json("not json").is_err());
        let e = ApiModel::from_json("{\"format\": 99}").unwrap_err();
        assert!(e.message.contains("format 99"), "{e}");
        let mut v: Value = serde_json::from_str(&model().to_json()).unwrap();
        v["operations"]["ThingGet"]["method"] = json!(5);
        let e = ApiModel::from_json(&v.to_string()).unwrap_err();
        assert_eq!(
            e.location.pointer.as_deref(),
            Some("/operations/ThingGet/method")
        );
    }

    #[test]
    fn a_dangling_reference_is_reported_with_its_pointer() {
        let mut d = doc();
        d["paths"]["/things/{id}"]["get"]["parameters"][1] =
            json!({"$ref": "#/components/parameters/Missing"});
        let e = ApiModel::extract(&d, "x").unwrap_err();
        assert_eq!(
            e.location.pointer.as_deref(),
            Some("/paths/~1things~1{id}/get/parameters/1/$ref")
        );
    }
}
