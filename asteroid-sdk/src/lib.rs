#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The generated client: never edited by hand (`cargo xtask regen` writes it). Lints and
// rustfmt are switched off here, not in the file, so they stay on for the code we write.
//
// It also defines `if_execution_api!`, which keeps the items of the execution helpers
// (waiting, watching, status classification) when the spec has the operation and types
// they use, and drops them otherwise (`xtask/src/generate.rs`, `execution_api`): the
// hand-written modules depend on no name the spec may not have.
#[rustfmt::skip]
#[allow(
    unused_imports,
    deprecated,
    clippy::all,
    clippy::pedantic,
)]
#[path = "generated/client.rs"]
#[macro_use]
mod generated;

#[cfg(feature = "mock")]
#[rustfmt::skip]
#[allow(unused_imports, clippy::all, clippy::pedantic)]
#[path = "generated/mock.rs"]
pub mod mock;

#[cfg(feature = "blocking")]
pub mod blocking;
mod buffered;
mod build_error;
pub mod config;
mod deadline;
mod decode;
mod download;
mod error;
#[cfg(feature = "mock")]
mod mock_reply;
pub mod multipart;
pub mod paginate;
mod params;
mod request_id;
mod response;
mod retry;
mod secret;
mod transport;
mod validate;
if_execution_api! {
    mod poll;
    mod status;
    mod wait;
    mod watch;
}

pub use build_error::BuildError;
pub use config::ClientBuilder;
pub use error::{Error, ResponseInfo, Result};
pub use generated::{Client, builder, types};
pub use response::Response;
pub use retry::RetryPolicy;
if_execution_api! {
    {
        pub use poll::WaitOptions;
        pub use wait::{ExecutionOutcome, WaitForExecution};
        pub use watch::ExecutionWatch;
        pub use types::{Execution, ExecutionStatus, ExecutionTriggerContext};
    } else {
        pub use error::NoExecution;
    }
}

// Every spec has it: the error body, or the SDK's own when the spec documents none
// (`xtask/src/transforms/error_responses.rs`).
pub use types::ErrorBody;

// The crates whose types appear in the SDK's public types, at the versions it uses: a
// program needs no dependency of its own on them to build values or match on them.
#[doc(no_inline)]
pub use chrono;
#[doc(no_inline)]
pub use serde_json;
#[doc(no_inline)]
pub use url;
#[doc(no_inline)]
pub use uuid;
#[doc(no_inline)]
pub use uuid::Uuid;

/// Support for the SDK's own tests and benchmarks; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use crate::decode::{SNIPPET_LIMIT, decode_json, snippet};
}
