//! The `mock` module: typed [httpmock](https://docs.rs/httpmock) helpers for every
//! operation, generated from the spec and the generated client's types.
//!
//! progenitor's own httpmock generator formats parameters with `to_string()` (an array
//! query parameter does not compile), ignores styles, and leaves everything undocumented;
//! this one matches parameters exactly as the client sends them (`crate::params`), answers
//! every documented status with its typed body, and adds what testing code that retries
//! and waits needs: rate-limited and delayed answers and sequences of answers.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::error::{Result, XtaskError};
use crate::postprocess::operations::{OpTypes, Operation};
use crate::syntax::generic_arg;
use crate::transforms::param_styles::{Location, WireParam};

/// The mock module's text (without the header).
pub fn generate(ops: &[Operation], types: &BTreeMap<String, OpTypes>) -> Result<TokenStream> {
    let mut op_items = Vec::new();
    let mut server_methods = Vec::new();
    let mut ext_decls = Vec::new();
    let mut ext_impls = Vec::new();
    for op in ops {
        let Some(t) = types.get(&op.builder) else {
            return Err(XtaskError::msg(format!(
                "no generated types for operation {}",
                op.id
            )));
        };
        op_items.push(operation(op, t, &op.wire)?);
        let method = format_ident!("{}", op.method);
        let method_async = format_ident!("{}_async", op.method);
        let when = format_ident!("{}When", op.builder);
        let then = format_ident!("{}Then", op.builder);
        let doc = format!(
            " Mocks [`Client::{m}`](crate::Client::{m}) (`{} {}`): `config` says which \
             requests match and how to answer.",
            op.http_method,
            op.path,
            m = op.method
        );
        let doc_async = format!(" [`MockServer::{}`], for async tests.", op.method);
        server_methods.push(quote! {
            #[doc = #doc]
            pub fn #method<F>(&self, config: F) -> ::httpmock::Mock<'_>
            where
                F: FnOnce(operations::#when, operations::#then),
            {
                self.0.mock(|when, then| config(operations::#when::new(when), operations::#then::new(then)))
            }

            #[doc = #doc_async]
            pub async fn #method_async<F>(&self, config: F) -> ::httpmock::Mock<'_>
            where
                F: FnOnce(operations::#when, operations::#then),
            {
                self.0
                    .mock_async(|when, then| config(operations::#when::new(when), operations::#then::new(then)))
                    .await
            }
        });
        ext_decls.push(quote! {
            #[doc = #doc]
            fn #method<F>(&self, config: F) -> ::httpmock::Mock<'_>
            where
                F: FnOnce(operations::#when, operations::#then);
        });
        ext_impls.push(quote! {
            fn #method<F>(&self, config: F) -> ::httpmock::Mock<'_>
            where
                F: FnOnce(operations::#when, operations::#then),
            {
                self.mock(|when, then| config(operations::#when::new(when), operations::#then::new(then)))
            }
        });
    }

    Ok(quote! {
        //! Typed [httpmock](https://docs.rs/httpmock/0.8) helpers for every operation, for
        //! testing code that uses the SDK (feature `mock`).
        //!
        //! ```no_run
        //! use asteroid_sdk::mock::MockServer;
        //! # fn f(execution: asteroid_sdk::Execution) {
        //! let server = MockServer::start();
        //! let mock = server.execution_get(|when, then| {
        //!     when.execution_id(&execution.id);
        //!     then.ok(&execution);
        //! });
        //! let client = server.client(); // an `asteroid_sdk::Client` for this server
        //! // ... run the code under test with `client` ...
        //! mock.assert();
        //! # }
        //! ```
        //!
        //! The whole httpmock crate (0.8, the version these helpers are built on) is
        //! re-exported as [`httpmock`]: tests need no httpmock dependency of their own.
        //! Values of the generated types are made with their builders
        //! (`Execution::builder()`), or decoded from JSON.

        /// The httpmock crate these helpers are built on (0.8).
        #[doc(inline)]
        pub use ::httpmock;
        pub use crate::mock_reply::Reply;

        /// A mock server of the API: an httpmock server with one typed method per
        /// operation. It dereferences to [`httpmock::MockServer`] (`base_url()`, `mock()`,
        /// ...). Each test gets its own server on a free local port.
        pub struct MockServer(::httpmock::MockServer);

        impl MockServer {
            /// Start a server (blocking; use [`MockServer::start_async`] in async tests
            /// when you prefer).
            pub fn start() -> Self {
                Self(::httpmock::MockServer::start())
            }

            /// Start a server.
            pub async fn start_async() -> Self {
                Self(::httpmock::MockServer::start_async().await)
            }

            /// A client of this server, with a placeholder API key and the default
            /// settings otherwise.
            ///
            /// # Panics
            /// Never for a started server (its URL is a valid loopback URL).
            pub fn client(&self) -> crate::Client {
                self.client_builder()
                    .build()
                    .unwrap_or_else(|e| panic!("asteroid_sdk::mock: {e}"))
            }

            /// A client builder pointed at this server, with a placeholder API key: set
            /// timeouts or retries before `build()`.
            pub fn client_builder(&self) -> crate::ClientBuilder {
                crate::Client::builder()
                    .api_key("mock-api-key")
                    .base_url(self.0.base_url())
            }

            /// The httpmock server.
            pub fn into_inner(self) -> ::httpmock::MockServer {
                self.0
            }

            #( #server_methods )*
        }

        impl ::std::ops::Deref for MockServer {
            type Target = ::httpmock::MockServer;
            fn deref(&self) -> &::httpmock::MockServer {
                &self.0
            }
        }

        impl ::std::fmt::Debug for MockServer {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_tuple("MockServer").field(&self.0.base_url()).finish()
            }
        }

        mod sealed {
            pub trait Sealed {}
            impl Sealed for ::httpmock::MockServer {}
        }

        /// The typed methods of [`MockServer`] on a plain [`httpmock::MockServer`]. It is
        /// sealed: only the SDK implements it, so new operations can add methods.
        pub trait MockServerExt: sealed::Sealed {
            #( #ext_decls )*
        }

        impl MockServerExt for ::httpmock::MockServer {
            #( #ext_impls )*
        }

        /// The `When` (which requests match) and `Then` (how to answer) of every
        /// operation. `into_inner()` gives httpmock's own, to go beyond what the spec
        /// says.
        pub mod operations {
            #[allow(unused_imports)]
            use crate::types;
            #( #op_items )*
        }
    })
}

/// A regex source matching a literal string.
fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The path template as a regex: literal parts escaped, `{name}` as `[^/]*`, or as `{}`
/// (a format placeholder) for `this` parameter.
fn path_regex(path: &str, this: Option<&str>) -> String {
    let mut out = String::from("^");
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(
            &regex_escape(&rest[..start])
                .replace('{', "{{")
                .replace('}', "}}"),
        );
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 1..start + len];
        if Some(name) == this {
            out.push_str("{}");
        } else {
            out.push_str("[^/]*");
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(&regex_escape(rest).replace('{', "{{").replace('}', "}}"));
    out.push('$');
    out
}

/// `&T` for a parameter of type `T`: `&str` for strings, `&[T]` for lists.
fn borrowed(ty: &syn::Type) -> TokenStream {
    let text = quote!(#ty).to_string().replace(' ', "");
    if text.ends_with("::String") || text == "String" {
        return quote!(&str);
    }
    if let Some(inner) = generic_arg(ty, "Vec", 0) {
        return quote!(&[#inner]);
    }
    quote!(&#ty)
}

fn strip_option(ty: &syn::Type) -> syn::Type {
    generic_arg(ty, "Option", 0).unwrap_or_else(|| ty.clone())
}

fn is_unit(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Tuple(t) if t.elems.is_empty())
}

/// The body type of a request builder's `body` setter (`types::XBuilder` holds `X`).
fn body_type(ty: &syn::Type) -> syn::Type {
    let mut ty = ty.clone();
    if let syn::Type::Path(p) = &mut ty
        && let Some(last) = p.path.segments.last_mut()
    {
        let name = last.ident.to_string();
        if let Some(base) = name.strip_suffix("Builder") {
            last.ident = format_ident!("{}", base);
        }
    }
    ty
}

fn operation(op: &Operation, t: &OpTypes, wire: &[WireParam]) -> Result<TokenStream> {
    let when = format_ident!("{}When", op.builder);
    let then = format_ident!("{}Then", op.builder);
    let method = op.http_method.clone();
    let method_ident = format_ident!("{}", method);
    let all_paths = path_regex(&op.path, None);

    let mut when_methods = Vec::new();
    for (setter, ty) in &t.setters {
        let name = format_ident!("{}", setter);
        if setter == "body" && op.multipart {
            when_methods.push(quote! {
                /// Matches `multipart/form-data` requests with a part named `name` whose
                /// content is `content` exactly (a file's bytes, read as UTF-8 text).
                pub fn part(self, name: &str, content: &str) -> Self {
                    Self(
                        self.0
                            .header_prefix("content-type", "multipart/form-data")
                            .body_matches(crate::multipart::part_regex(name, Some(content), None)),
                    )
                }
                /// Matches `multipart/form-data` requests with a file part named `name`
                /// whose file name is `file_name`.
                pub fn file(self, name: &str, file_name: &str) -> Self {
                    Self(
                        self.0
                            .header_prefix("content-type", "multipart/form-data")
                            .body_matches(crate::multipart::part_regex(name, None, Some(file_name))),
                    )
                }
            });
            continue;
        }
        if setter == "body" && !op.body_json {
            when_methods.push(quote! {
                /// Matches requests whose body is exactly `value` (a body of another media
                /// type than JSON).
                pub fn body(self, value: impl Into<String>) -> Self {
                    Self(self.0.body(value))
                }
            });
            continue;
        }
        if setter == "body" {
            let body = body_type(ty);
            when_methods.push(quote! {
                /// Matches requests whose JSON body equals `value`.
                pub fn body(self, value: &#body) -> Self {
                    Self(self.0.json_body_obj(value))
                }
            });
            continue;
        }
        let Some(w) = wire.iter().find(|w| &w.rust_name == setter) else {
            continue;
        };
        let value_ty = borrowed(&strip_option(ty));
        let api = &w.api_name;
        let style = format_ident!("{}", w.style.variant());
        let explode = w.explode;
        let reserved = w.allow_reserved;
        let spec = quote! {
            const SPEC: crate::params::ParamSpec =
                crate::params::ParamSpec::new(#api, crate::params::Style::#style, #explode, #reserved);
        };
        let (doc, body, missing) = match w.location {
            Location::Path => {
                let fmt = path_regex(&op.path, Some(api));
                (
                    format!(" Matches requests whose `{api}` path parameter is `value`."),
                    quote! {
                        #spec
                        let segment = crate::params::path_segment_regex(&SPEC, value)
                            .unwrap_or_else(|e| panic!("asteroid_sdk::mock: {e}"));
                        let re = ::regex::Regex::new(&format!(#fmt, segment))
                            .unwrap_or_else(|e| panic!("asteroid_sdk::mock: {e}"));
                        Self(self.0.path_matches(re))
                    },
                    None,
                )
            }
            Location::Query => (
                format!(
                    " Matches requests whose `{api}` query parameter is `value`, serialized \
                     as the client sends it."
                ),
                quote! {
                    #spec
                    let pairs = crate::params::query_pairs(&SPEC, value)
                        .unwrap_or_else(|e| panic!("asteroid_sdk::mock: {e}"));
                    let mut when = self.0;
                    for (k, v) in pairs {
                        when = when.query_param(k, v);
                    }
                    Self(when)
                },
                Some(quote! { Self(self.0.query_param_missing(#api)) }),
            ),
            Location::Header => (
                format!(" Matches requests whose `{api}` header is `value`."),
                quote! {
                    #spec
                    let header = crate::params::header_value(&SPEC, value)
                        .unwrap_or_else(|e| panic!("asteroid_sdk::mock: {e}"));
                    match header {
                        ::std::option::Option::Some(h) => Self(self.0.header(#api, h.to_str().unwrap_or_default())),
                        ::std::option::Option::None => self,
                    }
                },
                Some(quote! { Self(self.0.header_missing(#api)) }),
            ),
        };
        when_methods.push(quote! {
            #[doc = #doc]
            pub fn #name(self, value: #value_ty) -> Self {
                #body
            }
        });
        if let Some(missing) = missing
            && !w.required
        {
            let missing_name = format_ident!("{}_missing", setter.trim_end_matches('_'));
            let missing_doc = format!(" Matches requests without the `{api}` parameter.");
            when_methods.push(quote! {
                #[doc = #missing_doc]
                pub fn #missing_name(self) -> Self {
                    #missing
                }
            });
        }
    }

    let mut then_methods = Vec::new();
    let mut success_typed: Vec<(String, u16)> = Vec::new();
    for s in &op.responses {
        let success = s.status.starts_with('2');
        let body_ty = if success { &t.success } else { &t.error };
        let typed = s.has_body && !is_unit(body_ty);
        let doc = format!(" Answers `{}`: {}", s.status, s.description);
        let (value_param, value_use) = if typed {
            (
                quote! { value: &#body_ty },
                quote! { .header("content-type", "application/json").json_body_obj(value) },
            )
        } else if let (true, Some(media)) = (success, &s.raw_media) {
            // A body of another media type: its bytes, with the spec's content type.
            (
                quote! { body: impl AsRef<[u8]> },
                quote! { .header("content-type", #media).body(body) },
            )
        } else if s.status.starts_with('3') {
            // A redirect: to where (`Location`).
            (
                quote! { location: &str },
                quote! { .header("location", location) },
            )
        } else {
            (quote! {}, quote! {})
        };
        let m = match s.status.as_str() {
            "default" => {
                then_methods.push(quote! {
                    #[doc = #doc]
                    pub fn default_response(self, status: u16, #value_param) -> Self {
                        Self(self.0.status(status) #value_use)
                    }
                });
                continue;
            }
            range if range.ends_with("XX") || range.ends_with("xx") => {
                let class: u16 = range[..1].parse().unwrap_or(5);
                let fname = format_ident!(
                    "{}",
                    match class {
                        1 => "informational",
                        2 => "success",
                        3 => "redirect",
                        4 => "client_error",
                        _ => "server_error",
                    }
                );
                then_methods.push(quote! {
                    #[doc = #doc]
                    ///
                    /// # Panics
                    /// If `status` is not in the range (a test bug).
                    pub fn #fname(self, status: u16, #value_param) -> Self {
                        assert_eq!(status / 100, #class, "asteroid_sdk::mock: status {} is not {}", status, #range);
                        Self(self.0.status(status) #value_use)
                    }
                });
                continue;
            }
            code => code.parse::<u16>().ok(),
        };
        let Some(code) = m else { continue };
        let fname = format_ident!("{}", reason_name(code));
        if typed && success {
            success_typed.push((fname.to_string(), code));
        }
        then_methods.push(quote! {
            #[doc = #doc]
            pub fn #fname(self, #value_param) -> Self {
                Self(self.0.status(#code) #value_use)
            }
        });
    }
    for (fname, code) in success_typed {
        let seq = format_ident!("{}_sequence", fname);
        let success = &t.success;
        let doc = format!(
            " Answers `{code}` with these bodies in turn, one a request; the last one \
             answers every later request. For testing code that polls."
        );
        then_methods.push(quote! {
            #[doc = #doc]
            pub fn #seq<'v>(self, values: impl ::std::iter::IntoIterator<Item = &'v #success>) -> Self {
                self.sequence(values.into_iter().map(|v| crate::mock_reply::Reply::json(#code, v)))
            }
        });
    }

    let when_doc = format!(
        " Which requests the mock of [`Client::{m}`](crate::Client::{m}) matches: `{method} \
         {}` and what the methods add.",
        op.path,
        m = op.method
    );
    let then_doc = format!(
        " How the mock of [`Client::{m}`](crate::Client::{m}) answers: one method per \
         documented status, and any answer with [`sequence`](Self::sequence).",
        m = op.method
    );
    Ok(quote! {
        #[doc = #when_doc]
        pub struct #when(::httpmock::When);

        impl #when {
            pub(crate) fn new(inner: ::httpmock::When) -> Self {
                let re = ::regex::Regex::new(#all_paths)
                    .unwrap_or_else(|e| panic!("asteroid_sdk::mock: {e}"));
                Self(inner.method(::httpmock::Method::#method_ident).path_matches(re))
            }

            /// httpmock's `When`, to add matchers the spec does not describe.
            pub fn into_inner(self) -> ::httpmock::When {
                self.0
            }

            #( #when_methods )*
        }

        #[doc = #then_doc]
        pub struct #then(::httpmock::Then);

        impl #then {
            pub(crate) fn new(inner: ::httpmock::Then) -> Self {
                Self(inner)
            }

            /// httpmock's `Then`, to answer what the spec does not describe.
            pub fn into_inner(self) -> ::httpmock::Then {
                self.0
            }

            #( #then_methods )*

            /// Answers `429 Too Many Requests` with `Retry-After` (whole seconds).
            pub fn rate_limited(self, retry_after: ::std::time::Duration) -> Self {
                self.sequence([crate::mock_reply::Reply::rate_limited(retry_after)])
            }

            /// Waits `delay` before answering (to test timeouts).
            pub fn delayed(self, delay: ::std::time::Duration) -> Self {
                Self(self.0.delay(delay))
            }

            /// Answers with these replies in turn, one a request; the last one answers
            /// every later request.
            pub fn sequence(self, replies: impl ::std::iter::IntoIterator<Item = crate::mock_reply::Reply>) -> Self {
                let replies: ::std::vec::Vec<_> = replies.into_iter().collect();
                Self(self.0.respond_with(crate::mock_reply::in_turn(replies)))
            }
        }
    })
}

/// The method name of a status: its reason phrase in snake case.
fn reason_name(code: u16) -> String {
    let reason = match code {
        200 => "ok",
        201 => "created",
        202 => "accepted",
        203 => "non_authoritative_information",
        204 => "no_content",
        205 => "reset_content",
        206 => "partial_content",
        300 => "multiple_choices",
        301 => "moved_permanently",
        302 => "found",
        303 => "see_other",
        304 => "not_modified",
        307 => "temporary_redirect",
        308 => "permanent_redirect",
        400 => "bad_request",
        401 => "unauthorized",
        402 => "payment_required",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        406 => "not_acceptable",
        408 => "request_timeout",
        409 => "conflict",
        410 => "gone",
        411 => "length_required",
        412 => "precondition_failed",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "unprocessable_entity",
        423 => "locked",
        424 => "failed_dependency",
        425 => "too_early",
        428 => "precondition_required",
        429 => "too_many_requests",
        431 => "request_header_fields_too_large",
        451 => "unavailable_for_legal_reasons",
        500 => "internal_server_error",
        501 => "not_implemented",
        502 => "bad_gateway",
        503 => "service_unavailable",
        504 => "gateway_timeout",
        _ => "",
    };
    if reason.is_empty() {
        format!("status_{code}")
    } else {
        reason.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_regexes_escape_literals_and_place_the_parameter() {
        assert_eq!(
            path_regex("/executions/{executionId}", None),
            "^/executions/[^/]*$"
        );
        assert_eq!(
            path_regex("/a.b/{x}/c/{y}", Some("y")),
            "^/a\\.b/[^/]*/c/{}$"
        );
    }

    #[test]
    fn borrowed_types_are_what_tests_have() {
        let t = |s: &str| syn::parse_str::<syn::Type>(s).unwrap();
        assert_eq!(borrowed(&t("::std::string::String")).to_string(), "& str");
        assert_eq!(
            borrowed(&t("::std::vec::Vec<types::Status>")).to_string(),
            "& [types :: Status]"
        );
        assert_eq!(
            borrowed(&t("::uuid::Uuid")).to_string(),
            "& :: uuid :: Uuid"
        );
        assert_eq!(reason_name(429), "too_many_requests");
        assert_eq!(reason_name(299), "status_299");
    }
}
