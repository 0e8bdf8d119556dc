//! `cargo xtask build-cost`: placeholder replaced below.
use std::path::Path;

/// Measure the build cost (see BENCHMARKS.md).
pub fn run(_root: &Path) -> Result<(), String> {
    Err("not implemented yet".into())
}
