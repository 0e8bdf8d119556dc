//! Support code for the integration tests of `asteroid-sdk` (the `it` test binary) and
//! its benchmarks: a scripted local HTTP server, a managed Prism mock server, and
//! realistic fixtures.

pub mod fixtures;
pub mod prism;
pub mod server;
