//! `cargo xtask regen [--check] [--from FILE|URL]`: the spec, through the transforms, to
//! the committed generated code, the API baseline and the changelog.
//!
//! Two steps, so that the API change report does not depend on progenitor:
//!
//! 1. [`plan`]: read the spec (the vendored file, or `--from`), transform it, extract its
//!    [`ApiModel`], compare it with `xtask/api-baseline.json`, and compute the report, the
//!    new baseline and the new `CHANGELOG.md`, all in memory.
//! 2. [`finish`]: generate the code with progenitor; when writing, check that it builds
//!    ([`crate::build_check`]: `cargo check` of the SDK with every feature, in a scratch
//!    copy with the new files) and compute the public-API listing from the same scratch
//!    copy; then check or write every output (generated files, baseline, changelog, the
//!    listing, and with `--from` the spec itself). Nothing is written unless everything was
//!    computed and the code builds; files are written to temporary files first and renamed
//!    into place.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::api_diff::Impact;
use crate::api_model::ApiModel;
use crate::build_check::{self, GeneratedFiles, Scratch, SpecIndex};
use crate::ensure::{Status, ensure_files};
use crate::error::{Result, XtaskError};
use crate::fetch::{Limits, Source};
use crate::report::{self, ApiReport};
use crate::{changelog, generate, public_api, semver, spec, transforms};

/// Where the inputs and outputs live, relative to the workspace root.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The workspace root (the build check copies the SDK crate from here).
    pub root: PathBuf,
    /// The vendored spec.
    pub spec: PathBuf,
    /// The generated client.
    pub client: PathBuf,
    /// The generated httpmock helpers.
    pub mock: PathBuf,
    /// The generated blocking operations.
    pub blocking: PathBuf,
    /// The API model of the committed code.
    pub baseline: PathBuf,
    /// The changelog.
    pub changelog: PathBuf,
    /// The SDK's manifest, for its version.
    pub manifest: PathBuf,
}

impl Paths {
    /// The standard layout under `root`.
    pub fn under(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            spec: root.join("openapi.yaml"),
            client: root.join("asteroid-sdk/src/generated/client.rs"),
            mock: root.join("asteroid-sdk/src/generated/mock.rs"),
            blocking: root.join("asteroid-sdk/src/generated/blocking.rs"),
            baseline: root.join(report::BASELINE_NAME),
            changelog: root.join("CHANGELOG.md"),
            manifest: root.join("asteroid-sdk/Cargo.toml"),
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

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Write nothing; report what is stale.
    pub check: bool,
    /// Read the new spec from here instead of the vendored file, and vendor it.
    pub from: Option<Source>,
    /// Timeout and size limit of reading `from`.
    pub limits: Limits,
    /// Write without checking that the generated code builds (`--no-build-check`; for
    /// tests on copies of the checkout that hold no SDK crate). The listing
    /// `asteroid-sdk/api.txt` is then not part of the outputs.
    pub no_build_check: bool,
    /// Test hook (the hidden `--test-break NAME`, repeatable): append to the generated
    /// client, for each name, an impl of that type (a schema's Rust name or an operation's
    /// builder) that does not compile, so that the build check's failure can be tested on
    /// any spec.
    pub test_break: Vec<String>,
}

/// What `regen` found or did, file by file.
pub struct Report {
    /// `(file, status)` pairs.
    pub files: Vec<(PathBuf, Status)>,
    /// The API change report.
    pub api: ApiReport,
    /// Warnings worth showing (e.g. an unreadable baseline).
    pub notes: Vec<String>,
    /// Whether the generated code was checked to build (and the public-API listing, when
    /// the checkout has one, is among `files`).
    pub built: bool,
}

impl Report {
    /// Whether every file was already up to date.
    pub fn is_fresh(&self) -> bool {
        self.files.iter().all(|(_, s)| *s == Status::Fresh)
    }
}

/// The new spec, read and transformed, with its API model: everything before progenitor.
pub struct Prepared {
    /// The spec's bytes, exactly as read.
    pub bytes: Vec<u8>,
    /// The sha256 of the bytes, hex.
    pub sha256: String,
    /// The transformed document.
    pub doc: Value,
    /// Its API model.
    pub model: ApiModel,
}

/// Parse, validate and transform a spec and extract its API model. Errors name `source`
/// (a file or a URL).
pub fn prepare(bytes: &[u8], source: &str) -> Result<Prepared> {
    let inner = || -> Result<Prepared> {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| XtaskError::msg(format!("the spec is not UTF-8: {e}")))?;
        let mut doc = spec::parse_yaml(text)?;
        spec::validate(&doc)?;
        transforms::run(&mut doc)?;
        let sha256 = hex(&Sha256::digest(bytes));
        let model = ApiModel::extract(&doc, &sha256)?;
        Ok(Prepared {
            bytes: bytes.to_vec(),
            sha256,
            doc,
            model,
        })
    };
    inner().map_err(|e| e.in_file(source))
}

/// Everything `regen` will check or write, computed without progenitor.
pub struct Plan {
    /// The new spec.
    pub new: Prepared,
    /// Where it was read: a file or a URL.
    pub source: String,
    /// The report.
    pub api: ApiReport,
    /// The new baseline's text.
    pub baseline: String,
    /// The new changelog's text.
    pub changelog: String,
    /// Whether the vendored spec is to be replaced by `new.bytes`.
    pub replace_spec: bool,
    /// Whether to check instead of write.
    pub check: bool,
    /// Whether to check that the generated code builds before writing.
    pub build_check: bool,
    /// See [`Options::test_break`].
    pub test_break: Vec<String>,
    /// Warnings.
    pub notes: Vec<String>,
}

fn read_optional(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(XtaskError::msg(format!("cannot read: {e}")).in_file(path)),
    }
}

/// Step 1: read the new spec and compute the report, the baseline and the changelog.
pub fn plan(paths: &Paths, options: &Options) -> Result<Plan> {
    let (bytes, source_name) = match &options.from {
        Some(source) => (crate::fetch::read(source, options.limits)?, source.name()),
        None => {
            let bytes = std::fs::read(&paths.spec).map_err(|e| {
                XtaskError::msg(format!("cannot read the spec: {e}")).in_file(&paths.spec)
            })?;
            (bytes, paths.spec.display().to_string())
        }
    };
    let new = prepare(&bytes, &source_name)?;
    let mut notes = Vec::new();

    let old = match read_optional(&paths.baseline)? {
        None => None,
        Some(text) => match ApiModel::from_json(&text) {
            Ok(m) => Some(m),
            Err(e) => {
                notes.push(format!(
                    "{}; ignored, and written anew",
                    e.in_file(&paths.baseline)
                ));
                None
            }
        },
    };
    let manifest = std::fs::read_to_string(&paths.manifest).map_err(|e| {
        XtaskError::msg(format!("cannot read the SDK's version: {e}")).in_file(&paths.manifest)
    })?;
    let current = semver::package_version(&manifest).map_err(|e| e.in_file(&paths.manifest))?;
    let old_changelog = read_optional(&paths.changelog)?;
    let unreleased = old_changelog
        .as_deref()
        .map_or(Impact::None, changelog::unreleased_impact);

    let api = report::build(old.as_ref(), &new.model, current, unreleased);
    let spec_file = display_name(&paths.spec);
    let entries = match &old {
        Some(old) => report::changelog_entries(old, &new.model, &api.changes),
        None if old_changelog.is_none() => vec![report::initial_entry(&new.model, &spec_file)],
        None => Vec::new(),
    };
    let line = changelog::spec_line(
        &new.model.spec.title,
        &new.model.spec.version,
        &spec_file,
        &new.sha256,
    );
    let changelog = changelog::update(old_changelog.as_deref(), &line, &new.sha256, &entries);
    let baseline = new.model.to_json();
    Ok(Plan {
        new,
        source: source_name,
        api,
        baseline,
        changelog,
        replace_spec: options.from.is_some(),
        check: options.check,
        build_check: !options.check && !options.no_build_check,
        test_break: options.test_break.clone(),
        notes,
    })
}

/// Step 2: generate the code, check that it builds (unless told not to, and not with
/// `--check`), then check or write every output. On any error nothing has been written.
pub fn finish(paths: &Paths, plan: Plan) -> Result<Report> {
    let header = generate::header(&display_name(&paths.spec), &plan.new.sha256);
    let mut texts =
        generate::generate(&plan.new.doc, &header).map_err(|e| e.in_file(&plan.source))?;
    let index = SpecIndex::from_bytes(&plan.new.bytes);
    for name in &plan.test_break {
        texts.client.push_str(&broken_impl(name, &index));
    }
    let listing = if plan.build_check {
        check_build(paths, &texts, &index).map_err(|e| e.in_file(&plan.source))?
    } else {
        None
    };
    let mut outputs: Vec<(PathBuf, String)> = vec![
        (paths.client.clone(), texts.client),
        (paths.mock.clone(), texts.mock),
        (paths.blocking.clone(), texts.blocking),
        (paths.baseline.clone(), plan.baseline),
        (paths.changelog.clone(), plan.changelog),
    ];
    if plan.replace_spec {
        // `prepare` checked that the bytes are UTF-8, so this keeps them byte for byte.
        let text = String::from_utf8(plan.new.bytes)
            .map_err(|e| XtaskError::msg(format!("the spec is not UTF-8: {e}")))?;
        outputs.push((paths.spec.clone(), text));
    }
    if let Some(listing) = listing {
        outputs.push((paths.root.join(public_api::LISTING), listing));
    }
    let files = ensure_files(&outputs, plan.check)?;
    Ok(Report {
        files,
        api: plan.api,
        notes: plan.notes,
        built: plan.build_check,
    })
}

/// Build the new generated files in a scratch copy of the SDK crate; when the checkout
/// has a public-API listing, return the new one, computed from the same copy.
fn check_build(
    paths: &Paths,
    texts: &generate::Output,
    index: &SpecIndex,
) -> Result<Option<String>> {
    let relative = |p: &Path| {
        p.strip_prefix(&paths.root)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let files = [
        (relative(&paths.client), texts.client.as_str()),
        (relative(&paths.mock), texts.mock.as_str()),
        (relative(&paths.blocking), texts.blocking.as_str()),
    ];
    let pairs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    let target = build_check::target_dir(&paths.root);
    let scratch = Scratch::create(&paths.root, &target, &pairs)?;
    scratch.check(&GeneratedFiles::new(pairs.iter().copied()), index)?;
    if !paths.root.join(public_api::LISTING).exists() {
        return Ok(None);
    }
    public_api::listing_in(&scratch.root, &target, true)
        .map(Some)
        .map_err(|e| XtaskError::msg(format!("the public-API listing: {e}")))
}

/// The item [`Options::test_break`] appends: an impl of `name` that does not compile.
fn broken_impl(name: &str, index: &SpecIndex) -> String {
    let ty = if index.is_operation(name) {
        format!("builder::{name}<'_>")
    } else {
        format!("types::{name}")
    };
    format!(
        "\n/// Appended by the test hook `--test-break`: does not compile.\n\
         impl {ty} {{\n    #[allow(dead_code)]\n    fn xtask_test_break() -> u8 {{\n        \"not a number\"\n    }}\n}}\n"
    )
}

/// [`plan`] then [`finish`].
pub fn run_with(paths: &Paths, options: &Options) -> Result<Report> {
    finish(paths, plan(paths, options)?)
}

/// Regenerate from the vendored spec (or, with `check`, compare).
pub fn run(paths: &Paths, check: bool) -> Result<Report> {
    run_with(
        paths,
        &Options {
            check,
            ..Options::default()
        },
    )
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

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
