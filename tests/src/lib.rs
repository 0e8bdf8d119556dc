//! Support code for the integration tests of `asteroid-sdk` (the `it` test binary) and
//! its benchmarks: a scripted local HTTP server, a managed Prism mock server, and
//! realistic fixtures.

pub mod fixtures;
pub mod multipart;
pub mod prism;
pub mod server;

/// The repository README's Rust examples, compiled as doctests (the crate's own README is
/// the SDK's front page and is compiled with its docs).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct RepositoryReadme;
