//! `cargo xtask public-api [--check]`: the public API of `asteroid-sdk`, one item a line,
//! committed as `asteroid-sdk/api.txt`, so that every change to the surface is a visible
//! diff in review (CI runs `--check`).
//!
//! The listing is rustdoc's JSON of the crate (all features) read by the `public-api`
//! crate (the library behind `cargo public-api`). rustdoc's JSON output is unstable, so
//! rustdoc runs with `RUSTC_BOOTSTRAP=1` on the stable toolchain (only rustdoc: see
//! `bootstrap_rustdoc`); `public-api` is pinned to
//! the release that reads this toolchain's format.

use std::path::{Path, PathBuf};

use crate::ensure::{Status, ensure_file_contents};
use crate::error::{Result, XtaskError};

/// The committed listing, relative to the workspace root.
pub const LISTING: &str = "asteroid-sdk/api.txt";

/// Build the rustdoc JSON of the SDK of the workspace at `root` into `target` and return
/// its path. `offline`: the scratch copy of `regen`'s build check, which must not touch the
/// network.
fn rustdoc_json(root: &Path, target: &Path, offline: bool) -> Result<PathBuf> {
    let mut cargo = crate::build_check::cargo();
    match bootstrap_rustdoc(target) {
        Some(wrapper) => {
            let real = std::env::var_os("RUSTDOC").unwrap_or_else(|| "rustdoc".into());
            cargo
                .env("XTASK_REAL_RUSTDOC", real)
                .env("RUSTDOC", wrapper);
        }
        None => {
            cargo.env("RUSTC_BOOTSTRAP", "1");
        }
    }
    let output = cargo
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target)
        .args(["rustdoc"])
        .args(offline.then_some("--offline"))
        .args([
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

/// A `RUSTDOC` that runs the real one (`XTASK_REAL_RUSTDOC`) with `RUSTC_BOOTSTRAP=1`.
/// Only rustdoc needs the variable; set for the whole cargo run it would change the
/// fingerprint of every dependency (proc macros and build scripts included), and the next
/// ordinary build (`cargo check`, `cargo xtask`, regen's build check) would rebuild them
/// all, and this run again after it. Unix only; elsewhere the variable is set for cargo.
fn bootstrap_rustdoc(target: &Path) -> Option<PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = target.join("xtask-rustdoc-bootstrap.sh");
        let script =
            "#!/bin/sh\nRUSTC_BOOTSTRAP=1 exec \"${XTASK_REAL_RUSTDOC:-rustdoc}\" \"$@\"\n";
        if std::fs::read_to_string(&path).ok().as_deref() != Some(script) {
            std::fs::create_dir_all(target).ok()?;
            let tmp = path.with_extension(format!("sh.{}", std::process::id()));
            std::fs::write(&tmp, script).ok()?;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).ok()?;
            std::fs::rename(&tmp, &path).ok()?;
        }
        Some(path)
    }
    #[cfg(not(unix))]
    {
        let _ = target;
        None
    }
}

/// The listing: every public item with its signature, sorted.
pub fn listing(root: &Path) -> Result<String> {
    listing_in(root, &crate::build_check::target_dir(root), false)
}

/// The listing of the SDK of the workspace at `root` (a checkout, or `regen`'s scratch
/// copy), built into `target`.
pub fn listing_in(root: &Path, target: &Path, offline: bool) -> Result<String> {
    let json = rustdoc_json(root, target, offline)?;
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
