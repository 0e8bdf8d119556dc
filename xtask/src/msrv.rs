//! `cargo xtask msrv`: the SDK's `rust-version` is honest, at least the highest
//! `rust-version` of any package in its dependency graph (as `cargo metadata` resolves it
//! from `Cargo.lock`, for every feature). No older toolchain can be installed here to
//! build with, so this is what can be checked.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::error::{Result, XtaskError};

/// A `major.minor[.patch]` version as numbers, for comparing.
fn parse(v: &str) -> Option<(u64, u64, u64)> {
    let mut it = v.trim().split('.').map(|p| p.parse::<u64>().ok());
    Some((
        it.next()??,
        it.next().flatten().unwrap_or(0),
        it.next().flatten().unwrap_or(0),
    ))
}

/// Compare the SDK's `rust-version` with its dependencies'; the text names the highest.
pub fn check(root: &Path) -> Result<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(root)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--all-features",
        ])
        .output()
        .map_err(|e| XtaskError::msg(format!("cannot run cargo metadata: {e}")))?;
    if !output.status.success() {
        return Err(XtaskError::msg(format!(
            "cargo metadata failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    let meta: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| XtaskError::msg(format!("cargo metadata's output: {e}")))?;
    evaluate(&meta)
}

/// The check on `cargo metadata`'s JSON.
pub fn evaluate(meta: &Value) -> Result<String> {
    let packages = meta["packages"].as_array().cloned().unwrap_or_default();
    let sdk = packages
        .iter()
        .find(|p| p["name"] == "asteroid-sdk")
        .ok_or_else(|| XtaskError::msg("cargo metadata lists no asteroid-sdk package"))?;
    let sdk_id = sdk["id"].as_str().unwrap_or_default().to_string();
    let declared = sdk["rust_version"]
        .as_str()
        .ok_or_else(|| XtaskError::msg("asteroid-sdk declares no rust-version"))?;
    let declared_v =
        parse(declared).ok_or_else(|| XtaskError::msg(format!("rust-version {declared:?}")))?;
    // The packages the SDK depends on (normal and build dependencies, transitively).
    let nodes = meta["resolve"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut seen = std::collections::BTreeSet::new();
    let mut stack = vec![sdk_id.clone()];
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let Some(node) = nodes.iter().find(|n| n["id"] == id.as_str()) else {
            continue;
        };
        for dep in node["deps"].as_array().into_iter().flatten() {
            let normal = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k["kind"].is_null() || k["kind"] == "build");
            if normal && let Some(d) = dep["pkg"].as_str() {
                stack.push(d.to_string());
            }
        }
    }
    let mut highest: Option<((u64, u64, u64), String)> = None;
    for p in &packages {
        let id = p["id"].as_str().unwrap_or_default();
        if id == sdk_id || !seen.contains(id) {
            continue;
        }
        let Some(rv) = p["rust_version"].as_str().and_then(parse) else {
            continue;
        };
        let who = format!(
            "{} {}",
            p["name"].as_str().unwrap_or("?"),
            p["version"].as_str().unwrap_or("?")
        );
        if highest.as_ref().is_none_or(|(h, _)| rv > *h) {
            highest = Some((rv, who));
        }
    }
    match highest {
        Some((h, who)) if h > declared_v => Err(XtaskError::msg(format!(
            "asteroid-sdk declares rust-version {declared}, but {who} needs {}.{}.{}: raise \
             rust-version in Cargo.toml",
            h.0, h.1, h.2
        ))),
        Some((h, who)) => Ok(format!(
            "rust-version {declared} covers every dependency (highest: {who}, {}.{}.{})",
            h.0, h.1, h.2
        )),
        None => Ok(format!(
            "rust-version {declared}: no dependency declares one"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn meta(sdk: &str, dep: &str) -> Value {
        json!({
            "packages": [
                {"name": "asteroid-sdk", "id": "sdk", "version": "0.1.0", "rust_version": sdk},
                {"name": "dep", "id": "dep", "version": "1.0.0", "rust_version": dep},
                {"name": "devonly", "id": "dev", "version": "1.0.0", "rust_version": "1.99"}
            ],
            "resolve": {"nodes": [
                {"id": "sdk", "deps": [
                    {"pkg": "dep", "dep_kinds": [{"kind": null}]},
                    {"pkg": "dev", "dep_kinds": [{"kind": "dev"}]}
                ]},
                {"id": "dep", "deps": []}
            ]}
        })
    }

    #[test]
    fn a_dependency_that_needs_a_newer_rust_is_an_error() {
        let e = evaluate(&meta("1.80", "1.85")).unwrap_err();
        assert!(e.message.contains("dep 1.0.0 needs 1.85.0"), "{e}");
        // Dev-dependencies do not count.
        let ok = evaluate(&meta("1.88", "1.85")).unwrap();
        assert!(ok.contains("highest: dep 1.0.0, 1.85.0"), "{ok}");
    }
}
