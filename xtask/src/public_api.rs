//! `cargo xtask public-api [--check]`: the public API of `asteroid-sdk`, one item a line,
//! committed as `asteroid-sdk/api.txt`, so that every change to the surface is a visible
//! diff in review (CI runs `--check`).
//!
//! The listing is rustdoc's JSON of the crate (all features) read by the `public-api`
//! crate (the library behind `cargo public-api`). rustdoc's JSON output is unstable, so
//! it is built with `RUSTC_BOOTSTRAP=1` on the stable toolchain; `public-api` is pinned to
//! the release that reads this toolchain's format.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::ensure::{Status, ensure_file_contents};
use crate::error::{Result, XtaskError};

/// The committed listing, relative to the workspace root.
pub const LISTING: &str = "asteroid-sdk/api.txt";

/// Build the rustdoc JSON of the SDK and return its path.
fn rustdoc_json(root: &Path) -> Result<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(root)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_TARGET_DIR", &target)
        .args([
            "rustdoc",
            "--quiet",
            "-p",
            "asteroid-sdk",
            "--lib",
            "--all-features",
            "--",
            "-Z",
            "unstable-options",
            "--output-format",
            "json",
            "--cfg",
            "docsrs",
        ])
        .output()
        .map_err(|e| XtaskError::msg(format!("cannot run cargo rustdoc: {e}")))?;
    if !output.status.success() {
        return Err(XtaskError::msg(format!(
            "cargo rustdoc (JSON) failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    Ok(target.join("doc").join("asteroid_sdk.json"))
}

/// The listing: every public item with its signature, sorted.
pub fn listing(root: &Path) -> Result<String> {
    let json = rustdoc_json(root)?;
    // Blanket impls (`impl<T> From<T> for T`, ...) are the standard library's, the same
    // for every type: left out. Auto traits (`Send`, `Sync`, ...) stay: losing one breaks
    // users.
    let api = public_api::Builder::from_rustdoc_json(&json)
        .omit_blanket_impls(true)
        .build()
        .map_err(|e| XtaskError::msg(format!("cannot read {}: {e}", json.display())))?;
    let mut lines: Vec<String> = api.items().map(ToString::to_string).collect();
    lines.sort();
    lines.dedup();
    let mut out = String::from(
        "# The public API of asteroid-sdk (all features), one item a line.\n\
         # Written by `cargo xtask public-api`; CI fails when it is stale.\n",
    );
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    Ok(out)
}

/// Write (or, with `check`, compare) the committed listing.
pub fn run(root: &Path, check: bool) -> Result<Status> {
    let text = listing(root)?;
    ensure_file_contents(&root.join(LISTING), &text, check)
}
