//! `cargo xtask build-cost`: what depending on asteroid-sdk costs to build, against a bare
//! crate that has only the HTTP, TLS and serde dependencies the SDK itself uses.
//!
//! Two throwaway library crates are made in a temporary directory:
//! - `with-sdk` depends on asteroid-sdk (a path dependency on this workspace's crate,
//!   default features);
//! - `bare` depends on [`BARE_DEPENDENCIES`]: reqwest, rustls, serde, serde_json, uuid and
//!   chrono with asteroid-sdk's versions and features (rustls with ring is there because
//!   reqwest's `rustls-no-provider` cannot make a TLS connection without a provider).
//!
//! Each gets a copy of the workspace's `Cargo.lock`, so the versions match, and is built
//! with `cargo build --offline --message-format=json` in its own fresh `CARGO_TARGET_DIR`
//! (dev profile, cargo's defaults; the registry is shared), the bare crate first. Printed:
//! the wall time, the CPU time (Linux), the number of crates compiled (distinct packages
//! with a compiled target, the throwaway crate included) and of compiler units (build
//! scripts included), and the ratios. One run each: on a busy machine, run it again.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A dependency of the bare crate.
#[derive(Debug, Clone, Copy)]
pub struct Dependency {
    /// The crate name.
    pub name: &'static str,
    /// The version requirement (the lockfile pins the exact version).
    pub version: &'static str,
    /// Whether the crate's default features are on.
    pub default_features: bool,
    /// The features turned on.
    pub features: &'static [&'static str],
}

/// The bare crate's dependencies: asteroid-sdk's, as its `Cargo.toml`, its default
/// features and the workspace's `[workspace.dependencies]` combine them (a test checks
/// they stay in step).
pub const BARE_DEPENDENCIES: &[Dependency] = &[
    Dependency {
        name: "reqwest",
        version: "0.13.5",
        default_features: false,
        features: &["json", "multipart", "stream", "rustls-no-provider"],
    },
    Dependency {
        name: "rustls",
        version: "0.23.35",
        default_features: false,
        features: &["ring", "std", "tls12"],
    },
    Dependency {
        name: "serde",
        version: "1.0.226",
        default_features: true,
        features: &["derive"],
    },
    Dependency {
        name: "serde_json",
        version: "1.0.150",
        default_features: true,
        features: &["float_roundtrip"],
    },
    Dependency {
        name: "uuid",
        version: "1.23",
        default_features: false,
        features: &["serde", "std", "v4"],
    },
    Dependency {
        name: "chrono",
        version: "0.4.42",
        default_features: false,
        features: &["clock", "serde", "std"],
    },
];

/// What one clean build took.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Build {
    /// Wall time of `cargo build`.
    pub wall: Duration,
    /// CPU time (user + system) of cargo and everything it ran, where the platform tells
    /// it (Linux); steadier than the wall time on a shared machine.
    pub cpu: Option<Duration>,
    /// Distinct packages with a compiled library, proc-macro or binary target.
    pub crates: usize,
    /// Compiler invocations that produced an artifact (build scripts included).
    pub units: usize,
}

/// Build both throwaway crates and print the comparison table.
pub fn run(root: &Path) -> Result<(), String> {
    let lockfile = root.join("Cargo.lock");
    let sdk = root.join("asteroid-sdk");
    if !lockfile.is_file() || !sdk.join("Cargo.toml").is_file() {
        return Err(format!(
            "{} is not the asteroid-sdk workspace",
            root.display()
        ));
    }
    let dir = TempDir::new()?;
    let sdk_dep = format!(
        "asteroid-sdk = {{ path = {:?} }}\n",
        sdk.display().to_string()
    );
    let bare_deps: String = BARE_DEPENDENCIES.iter().map(manifest_line).collect();

    // The bare crate first; any cost of a cold disk cache falls on it, not on the SDK.
    let mut results = Vec::new();
    for (name, deps, uses) in [
        (
            "bare",
            bare_deps,
            "reqwest, rustls, serde, serde_json, uuid, chrono",
        ),
        ("with-sdk", sdk_dep, "asteroid_sdk"),
    ] {
        let crate_dir = dir.0.join(name);
        write_crate(&crate_dir, name, &deps, uses, &lockfile)?;
        eprintln!("building {name} (clean, offline, dev profile)...");
        let build = build(&crate_dir, &dir.0.join(format!("target-{name}")))?;
        eprintln!(
            "  {name}: {:.1} s, {} crates, {} units",
            build.wall.as_secs_f64(),
            build.crates,
            build.units
        );
        results.push((name, build));
    }
    let (bare, sdk) = (results[0].1, results[1].1);
    let secs =
        |d: Option<Duration>| d.map_or("n/a".to_string(), |d| format!("{:.1} s", d.as_secs_f64()));
    println!("| crate | wall time | CPU time (user+sys) | crates compiled | compiler units |");
    println!("|---|---|---|---|---|");
    for (name, b) in &results {
        println!(
            "| {name} | {} | {} | {} | {} |",
            secs(Some(b.wall)),
            secs(b.cpu),
            b.crates,
            b.units
        );
    }
    let cpu_ratio = sdk.cpu.zip(bare.cpu).map_or("n/a".to_string(), |(s, b)| {
        format!("{:.2}", s.as_secs_f64() / b.as_secs_f64())
    });
    println!(
        "| ratio with-sdk / bare | {:.2} | {cpu_ratio} | {:.2} | {:.2} |",
        sdk.wall.as_secs_f64() / bare.wall.as_secs_f64(),
        sdk.crates as f64 / bare.crates as f64,
        sdk.units as f64 / bare.units as f64,
    );
    Ok(())
}

/// `name = { version = "..", default-features = .., features = [..] }`.
fn manifest_line(d: &Dependency) -> String {
    let features: Vec<String> = d.features.iter().map(|f| format!("{f:?}")).collect();
    format!(
        "{} = {{ version = {:?}, default-features = {}, features = [{}] }}\n",
        d.name,
        d.version,
        d.default_features,
        features.join(", ")
    )
}

/// A library crate at `dir` that re-exports `uses` (its own workspace, so no enclosing
/// workspace claims it), with the workspace's lockfile.
fn write_crate(
    dir: &Path,
    name: &str,
    deps: &str,
    uses: &str,
    lockfile: &Path,
) -> Result<(), String> {
    let io = |what: &str, e: std::io::Error| format!("{what} in {}: {e}", dir.display());
    std::fs::create_dir_all(dir.join("src")).map_err(|e| io("create the crate", e))?;
    let manifest = format!(
        "[package]\nname = {name:?}\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\n{deps}\n[workspace]\n"
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| io("write Cargo.toml", e))?;
    let lib: String = uses
        .split(", ")
        .map(|c| format!("pub use {c};\n"))
        .collect();
    std::fs::write(dir.join("src/lib.rs"), lib).map_err(|e| io("write src/lib.rs", e))?;
    std::fs::copy(lockfile, dir.join("Cargo.lock")).map_err(|e| io("copy Cargo.lock", e))?;
    Ok(())
}

/// `cargo build` the crate at `dir` into `target` (which must not exist yet).
fn build(dir: &Path, target: &Path) -> Result<Build, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let cpu_before = children_cpu();
    let started = Instant::now();
    let output = Command::new(cargo)
        .args(["build", "--offline", "--message-format=json"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    let wall = started.elapsed();
    let cpu = children_cpu()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "cargo build failed in {}:\n{}",
            dir.display(),
            tail.join("\n")
        ));
    }
    let (crates, units) = count_artifacts(&String::from_utf8_lossy(&output.stdout));
    Ok(Build {
        wall,
        cpu,
        crates,
        units,
    })
}

/// The CPU time (user + system) of this process's waited-for children and their own
/// waited-for children, from `/proc/self/stat` (`cutime` and `cstime`, in clock ticks of
/// 10 ms on Linux); `None` elsewhere.
fn children_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // Counting from the state (field 3): cutime is field 16, cstime field 17.
    let ticks = fields.get(13)?.parse::<u64>().ok()? + fields.get(14)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// `(crates, units)` from cargo's JSON messages: units are `compiler-artifact` messages,
/// crates the distinct packages among those that are not build scripts.
pub fn count_artifacts(messages: &str) -> (usize, usize) {
    let mut crates = BTreeSet::new();
    let mut units = 0;
    for line in messages
        .lines()
        .filter(|l| l.contains(r#""reason":"compiler-artifact""#))
    {
        units += 1;
        if line.contains(r#""kind":["custom-build"]"#) {
            continue;
        }
        if let Some(id) = line
            .split_once(r#""package_id":""#)
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(id, _)| id)
        {
            crates.insert(id.to_string());
        }
    }
    (crates.len(), units)
}

/// A directory removed, with everything in it, when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<Self, String> {
        let path = std::env::temp_dir().join(format!("asteroid-build-cost-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).map_err(|e| format!("create {}: {e}", path.display()))?;
        Ok(Self(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_crates_and_units() {
        let messages = concat!(
            r#"{"reason":"compiler-artifact","package_id":"registry+x#serde@1.0.0","target":{"kind":["custom-build"]}}"#,
            "\n",
            r#"{"reason":"build-script-executed","package_id":"registry+x#serde@1.0.0"}"#,
            "\n",
            r#"{"reason":"compiler-artifact","package_id":"registry+x#serde@1.0.0","target":{"kind":["lib"]}}"#,
            "\n",
            r#"{"reason":"compiler-artifact","package_id":"path+file:///t/bare#0.0.0","target":{"kind":["lib"]}}"#,
            "\n",
            r#"{"reason":"compiler-message","package_id":"path+file:///t/bare#0.0.0"}"#,
            "\n",
            r#"{"reason":"build-finished","success":true}"#,
        );
        assert_eq!(count_artifacts(messages), (2, 3));
    }

    /// The `name = ..` line of `[section]` in `manifest`.
    fn line_in<'a>(manifest: &'a str, section: &str, name: &str) -> Option<&'a str> {
        let body = manifest.split(&format!("[{section}]\n")).nth(1)?;
        let body = body.split("\n[").next()?;
        body.lines().find(|l| l.starts_with(&format!("{name} = ")))
    }

    /// The quoted items of the first `[..]` after `marker` in `line`.
    fn list_after(line: &str, marker: &str) -> Vec<String> {
        line.split_once(marker)
            .map_or("", |(_, rest)| rest.split(']').next().unwrap_or(""))
            .split(',')
            .map(|f| f.trim().trim_matches('"').to_string())
            .filter(|f| !f.is_empty())
            .collect()
    }

    /// The version requirement of a dependency line (`name = "1"` or `version = "1"`).
    fn version_of(line: &str) -> Option<String> {
        let rest = line
            .split_once("version = \"")
            .or_else(|| line.split_once(" = \""))?
            .1;
        rest.split('"').next().map(String::from)
    }

    #[test]
    fn bare_dependencies_match_the_sdk() {
        let root = crate::regen::workspace_root();
        let workspace = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        let sdk = std::fs::read_to_string(root.join("asteroid-sdk/Cargo.toml")).unwrap();
        let default = line_in(&sdk, "features", "default").expect("a default feature list");
        for d in BARE_DEPENDENCIES {
            let own = line_in(&sdk, "dependencies", d.name)
                .unwrap_or_else(|| panic!("asteroid-sdk does not depend on {}", d.name));
            let mut features = list_after(own, "features = [");
            let spec = if own.contains("workspace = true") {
                line_in(&workspace, "workspace.dependencies", d.name)
                    .expect("a workspace dependency")
            } else {
                own
            };
            features.extend(list_after(spec, "features = ["));
            // `name/feature` entries of the SDK's default features.
            for feature in list_after(default, " = [") {
                let line = line_in(&sdk, "features", &feature).expect("a listed feature");
                let prefix = format!("{}/", d.name);
                features.extend(
                    list_after(line, " = [")
                        .iter()
                        .filter_map(|f| f.strip_prefix(&prefix))
                        .map(String::from),
                );
            }
            features.sort_unstable();
            features.dedup();
            let mut want: Vec<String> = d.features.iter().map(|f| f.to_string()).collect();
            want.sort_unstable();
            assert_eq!(want, features, "features of {}", d.name);
            assert_eq!(
                version_of(spec).as_deref(),
                Some(d.version),
                "version of {}",
                d.name
            );
            let default_features = !spec.contains("default-features = false");
            assert_eq!(
                default_features, d.default_features,
                "default features of {}",
                d.name
            );
        }
    }
}
