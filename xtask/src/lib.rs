//! Project automation for the asteroid-sdk workspace. Each job is its own module;
//! [`cli`] parses arguments and dispatches, and `main.rs` only calls it.
//!
//! - [`regen`]: `cargo xtask regen [--check] [--from FILE|URL]`, the spec ([`fetch`])
//!   through [`transforms`] and progenitor ([`generate`], [`open_types`], [`postprocess`])
//!   to the committed code, with the typed mocks ([`mocks`]) and the blocking client
//!   ([`blocking`]); the API change report ([`api_model`], [`api_diff`],
//!   [`report`], [`semver`]) and the changelog ([`changelog`]); before writing, the new
//!   code must build ([`build_check`]).
//! - [`public_api`]: `cargo xtask public-api [--check]`, the SDK's public API listing.
//! - [`msrv`]: `cargo xtask msrv`, the SDK's `rust-version` against its dependencies'.
//! - [`build_cost`]: `cargo xtask build-cost`, the clean-build cost of the SDK.

pub mod api_diff;
pub mod api_model;
pub mod blocking;
pub mod build_check;
pub mod build_cost;
pub mod changelog;
pub mod cli;
pub mod conformance;
pub mod deprecation;
pub mod ensure;
pub mod error;
pub mod fetch;
pub mod generate;
pub mod mocks;
pub mod msrv;
pub mod names;
pub mod open_types;
pub mod postprocess;
pub mod public_api;
pub mod regen;
pub mod report;
pub mod semver;
pub mod spec;
pub mod syntax;
pub mod transforms;
