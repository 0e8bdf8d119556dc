//! Project automation for the asteroid-sdk workspace. Each job is its own module;
//! `main.rs` only parses arguments and dispatches.
//!
//! - [`regen`]: `cargo xtask regen [--check]`, the spec through [`transforms`] and
//!   progenitor ([`generate`], [`open_types`], [`postprocess`]) to the committed code.
//!   The API change report: [`api_model`], [`api_diff`], [`report`], [`semver`]; the
//!   changelog: [`changelog`].
//! - [`build_cost`]: `cargo xtask build-cost`, the clean-build cost of the SDK.

pub mod api_diff;
pub mod api_model;
pub mod build_cost;
pub mod changelog;
pub mod ensure;
pub mod error;
pub mod generate;
pub mod names;
pub mod open_types;
pub mod postprocess;
pub mod regen;
pub mod report;
pub mod semver;
pub mod spec;
pub mod transforms;
