//! Integration tests of asteroid-sdk: one binary, one module per concern.

mod common;
mod decode;
mod freshness;
mod http;
