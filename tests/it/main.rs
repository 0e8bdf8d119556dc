//! Integration tests of asteroid-sdk: one binary, one module per concern.

mod common;
mod conformance;
mod decode;
mod faults;
mod freshness;
mod fuzz;
mod http;
mod mocks;
mod new_user;
mod redirects;
mod regen;
mod retries;
mod secrets;
mod tracing_spans;
mod wait;
