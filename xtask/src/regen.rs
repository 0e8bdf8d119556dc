//! `cargo xtask regen [--check]`: the spec, through the transforms, to the committed
//! generated code.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::ensure::{Status, ensure_file_contents};
use crate::error::{Result, XtaskError};
use crate::{generate, spec, transforms};

/// Where the inputs and outputs live, relative to the workspace root.
pub struct Paths {
    /// The vendored spec.
    pub spec: PathBuf,
    /// The generated client.
    pub client: PathBuf,
    /// The generated httpmock helpers.
    pub mock: PathBuf,
}

impl Paths {
    /// The standard layout under `root`.
    pub fn under(root: &Path) -> Self {
        Self {
            spec: root.join("openapi.yaml"),
            client: root.join("asteroid-sdk/src/generated/client.rs"),
            mock: root.join("asteroid-sdk/src/generated/mock.rs"),
        }
    }
}

/// The workspace root (the xtask crate sits one level below it). `cargo run` and
/// `cargo test` set `CARGO_MANIFEST_DIR` at run time; the build-time value is the fallback.
pub fn workspace_root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .filter(|p| p.ends_with("xtask") || p.join("../openapi.yaml").exists())
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// What `regen` found or did, file by file.
pub struct Report {
    /// `(file, status)` pairs.
    pub files: Vec<(PathBuf, Status)>,
}

impl Report {
    /// Whether every file was already up to date.
    pub fn is_fresh(&self) -> bool {
        self.files.iter().all(|(_, s)| *s == Status::Fresh)
    }
}

/// Generate all files in memory, then write them (or, with `check`, compare them).
/// Nothing is written unless every step succeeded.
pub fn run(paths: &Paths, check: bool) -> Result<Report> {
    let bytes = std::fs::read(&paths.spec)
        .map_err(|e| XtaskError::msg(format!("cannot read the spec: {e}")).in_file(&paths.spec))?;
    let texts = generate_from_bytes(&bytes, &display_name(&paths.spec))
        .map_err(|e| e.in_file(&paths.spec))?;
    let mut files = Vec::new();
    for (path, text) in [(&paths.client, &texts.client), (&paths.mock, &texts.mock)] {
        let status = ensure_file_contents(path, text, check)?;
        files.push((path.clone(), status));
    }
    Ok(Report { files })
}

/// The whole pipeline on the spec's bytes: parse, validate, transform, generate.
pub fn generate_from_bytes(bytes: &[u8], spec_name: &str) -> Result<generate::Output> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| XtaskError::msg(format!("the spec is not UTF-8: {e}")))?;
    let mut doc = spec::parse_yaml(text)?;
    spec::validate(&doc)?;
    transforms::run(&mut doc)?;
    let sha = hex(&Sha256::digest(bytes));
    generate::generate(&doc, &generate::header(spec_name, &sha))
}

fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
