#![doc = include_str!("../../README.md")]
#![warn(missing_docs)]

// The generated client: never edited by hand (`cargo xtask regen` writes it). Lints and
// rustfmt are switched off here, not in the file, so they stay on for the code we write.
#[rustfmt::skip]
#[allow(
    missing_docs,
    unused_imports,
    deprecated,
    clippy::all,
    clippy::pedantic,
    rustdoc::all,
)]
#[path = "generated/client.rs"]
mod generated;

/// Typed [httpmock](https://docs.rs/httpmock) helpers for every operation, for testing
/// code that uses the SDK (feature `mock`): `server.execution_get(|when, then| ..)`.
#[cfg(feature = "mock")]
#[rustfmt::skip]
#[allow(missing_docs, unused_imports, clippy::all, clippy::pedantic, rustdoc::all)]
#[path = "generated/mock.rs"]
pub mod mock;

pub mod config;
pub mod decode;
pub mod error;
// Parameter serialization by OpenAPI style; the generated code does not call it yet.
#[allow(dead_code)]
pub(crate) mod params;
pub mod poll;
pub mod request_id;
pub mod retry;
pub mod secret;
pub mod status;
pub mod transport;
pub mod wait;

pub use config::ClientBuilder;
pub use error::{Error, ResponseInfo, Result};
pub use generated::{Client, ResponseValue, builder, types};
pub use poll::WaitOptions;
pub use request_id::RequestId;
pub use retry::RetryPolicy;
pub use wait::{ExecutionOutcome, WaitForExecution};

pub use types::{ErrorBody, Execution, ExecutionStatus, ExecutionTriggerContext};

pub use uuid::Uuid;
