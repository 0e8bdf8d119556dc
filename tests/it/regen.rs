//! `cargo xtask regen`: one clear error on bad input with the checkout untouched; the API
//! change report, the baseline and the changelog; `--from` a file or a local HTTP server.
//!
//! Every test works on a temporary copy of the files regen reads and writes
//! ([`Checkout`]); nothing is written into the real checkout. Those copies hold no SDK
//! crate, so regen writes there with `--no-build-check`; the build check's tests copy the
//! crate too ([`Checkout::with_crate`]) and build it in the real target directory.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use xtask::api_diff::Impact;
use xtask::regen::{Options, Paths, generate_from_bytes, prepare, run_with, workspace_root};
use xtask::report;
use xtask::semver::Version;

/// The files regen reads and writes, relative to the workspace root.
const CHECKOUT_FILES: &[&str] = &[
    "openapi.yaml",
    "CHANGELOG.md",
    "xtask/api-baseline.json",
    "asteroid-sdk/Cargo.toml",
    "asteroid-sdk/src/generated/client.rs",
    "asteroid-sdk/src/generated/mock.rs",
    "asteroid-sdk/src/generated/blocking.rs",
];

/// A temporary copy of the checkout's regen inputs and outputs; removed on drop.
///
/// It starts from the pinned base spec (`tests/data/openapi.v1.yaml`), regenerated from
/// scratch, with the SDK's version pinned to 0.1.0 and the changelog the first regen
/// writes, so the expected reports and versions move neither with releases nor with the
/// spec the checkout vendors.
struct Checkout {
    root: PathBuf,
    /// Whether the SDK crate is copied too, so that regen can check that it builds.
    with_crate: bool,
}

/// What the first regen of the base spec writes into `CHANGELOG.md`.
fn initial_changelog() -> String {
    let model = prepare(base_spec().as_bytes(), "openapi.yaml")
        .unwrap()
        .model;
    let line = xtask::changelog::spec_line(
        &model.spec.title,
        &model.spec.version,
        "openapi.yaml",
        &model.spec.sha256,
    );
    xtask::changelog::update(
        None,
        &line,
        &model.spec.sha256,
        &[report::initial_entry(&model, "openapi.yaml")],
    )
}

impl Checkout {
    fn new(name: &str) -> Checkout {
        let root =
            std::env::temp_dir().join(format!("asteroid-regen-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let real = workspace_root();
        for file in CHECKOUT_FILES {
            let to = root.join(file);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(real.join(file), &to).unwrap_or_else(|e| panic!("copy {file}: {e}"));
        }
        let checkout = Checkout {
            root,
            with_crate: false,
        };
        let manifest: Vec<String> = checkout
            .read("asteroid-sdk/Cargo.toml")
            .lines()
            .map(|l| {
                if l.starts_with("version = ") {
                    "version = \"0.1.0\"".to_string()
                } else {
                    l.to_string()
                }
            })
            .collect();
        std::fs::write(
            checkout.path("asteroid-sdk/Cargo.toml"),
            manifest.join("\n") + "\n",
        )
        .unwrap();
        // Start from the pinned base spec: its own generated code, baseline and the
        // changelog the first regen writes.
        std::fs::write(checkout.path("openapi.yaml"), base_spec()).unwrap();
        std::fs::remove_file(checkout.path("CHANGELOG.md")).unwrap();
        std::fs::remove_file(checkout.path("xtask/api-baseline.json")).unwrap();
        let (code, out, err) = checkout.xtask(&["regen"]);
        assert_eq!(code, 0, "the base spec generates:\n{out}\n{err}");
        assert_eq!(checkout.read("CHANGELOG.md"), initial_changelog());
        checkout
    }

    /// [`Checkout::new`] with the rest of the SDK crate (hand-written sources, README,
    /// examples, the public-API listing) and the workspace's manifest and lock file, so
    /// that regen's build check runs. Its `target` is a link to the real target directory,
    /// so that the dependencies already built are used.
    fn with_crate(name: &str) -> Checkout {
        fn copy_missing(from: &Path, to: &Path) {
            std::fs::create_dir_all(to).unwrap();
            for entry in std::fs::read_dir(from).unwrap() {
                let entry = entry.unwrap();
                let (src, dst) = (entry.path(), to.join(entry.file_name()));
                if entry.file_type().unwrap().is_dir() {
                    copy_missing(&src, &dst);
                } else if !dst.exists() {
                    std::fs::copy(&src, &dst).unwrap();
                }
            }
        }
        let mut checkout = Checkout::new(name);
        let real = workspace_root();
        copy_missing(&real.join("asteroid-sdk"), &checkout.path("asteroid-sdk"));
        for file in ["Cargo.toml", "Cargo.lock"] {
            std::fs::copy(real.join(file), checkout.path(file)).unwrap();
        }
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| real.join("target"));
        #[cfg(unix)]
        std::os::unix::fs::symlink(&target, checkout.path("target")).unwrap();
        checkout.with_crate = true;
        checkout
    }

    fn paths(&self) -> Paths {
        Paths::under(&self.root)
    }

    fn path(&self, file: &str) -> PathBuf {
        self.root.join(file)
    }

    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.path(file)).unwrap()
    }

    /// Every file under the copy with its bytes (temporary files included).
    fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let entry = entry.unwrap();
                let path = entry.path();
                if entry.file_type().unwrap().is_symlink() {
                    // `target`, the real target directory: not the copy's.
                    continue;
                }
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.insert(path.clone(), std::fs::read(&path).unwrap());
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(&self.root, &mut out);
        out
    }

    /// `cargo xtask <args>` on this copy: (exit code, stdout, stderr). A writing regen on a
    /// copy without the crate gets `--no-build-check`.
    fn xtask(&self, args: &[&str]) -> (i32, String, String) {
        let mut args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        if !self.with_crate && args[0] == "regen" && !args.iter().any(|a| a == "--check") {
            args.push("--no-build-check".into());
        }
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = xtask::cli::run_in(&self.root, &args, &mut out, &mut err);
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn data(file: &str) -> PathBuf {
    workspace_root().join("tests/data").join(file)
}

fn vendored() -> String {
    std::fs::read_to_string(workspace_root().join("openapi.yaml")).unwrap()
}

/// The spec the report and regen tests start from: v1 as first vendored, pinned in
/// `tests/data/`, so the tests hold whatever spec the checkout vendors later.
fn base_spec() -> String {
    std::fs::read_to_string(data("openapi.v1.yaml")).unwrap()
}

fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or("")
}

/// The report line (marked `breaking` or `compatible`) that contains `needle`.
fn marked_line<'a>(report: &'a str, needle: &str) -> &'a str {
    let found: Vec<&str> = report
        .lines()
        .filter(|l| l.contains(needle))
        .filter(|l| {
            let t = l.trim_start();
            t.starts_with("breaking") || t.starts_with("compatible")
        })
        .collect();
    assert_eq!(found.len(), 1, "one line with {needle:?} in:\n{report}");
    found[0].trim_start()
}

// ----- bad input: one error, nothing written --------------------------------------------

/// Run regen (writing mode) on `spec_text` in a copy of the checkout; return the error and
/// check that no file changed.
fn regen_error(name: &str, spec_text: Option<&str>) -> String {
    let checkout = Checkout::new(name);
    let paths = checkout.paths();
    match spec_text {
        Some(text) => std::fs::write(&paths.spec, text).unwrap(),
        None => std::fs::remove_file(&paths.spec).unwrap(),
    }
    let before = checkout.snapshot();
    let options = Options {
        no_build_check: true,
        ..Options::default()
    };
    let err = match run_with(&paths, &options) {
        Ok(_) => panic!("{name}: regen accepted a bad spec"),
        Err(e) => e.to_string(),
    };
    assert!(before == checkout.snapshot(), "{name}: files changed");
    err
}

#[test]
fn a_missing_file_is_named() {
    let err = regen_error("missing", None);
    assert!(
        err.contains("openapi.yaml") && err.contains("cannot read"),
        "{err}"
    );
}

#[test]
fn a_yaml_syntax_error_names_file_line_and_column() {
    // Break the indentation in the middle of the document.
    let text = base_spec().replacen(
        "    Agents.Execution.ListItem:\n",
        "    Agents.Execution.ListItem:\n  bad: [unclosed\n",
        1,
    );
    let line = text.lines().position(|l| l.contains("[unclosed")).unwrap() + 1;
    let err = regen_error("yaml", Some(&text));
    assert!(err.contains("openapi.yaml:"), "{err}");
    assert!(
        err.contains(&format!(":{line}:")) || err.contains(&format!(":{}:", line + 1)),
        "line {line}: {err}"
    );
    assert!(err.contains("invalid YAML"), "{err}");
}

#[test]
fn a_document_that_is_not_openapi_is_rejected() {
    let err = regen_error("notopenapi", Some("just: a\nmapping: true\n"));
    assert!(err.contains("not an OpenAPI document"), "{err}");
    let err = regen_error(
        "swagger",
        Some("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n"),
    );
    assert!(err.contains("Swagger"), "{err}");
}

#[test]
fn a_duplicate_operation_id_names_its_pointer() {
    let text = base_spec().replace(
        "components:\n  schemas:\n",
        "  /executions/{executionId}/again:\n    get:\n      operationId: ExecutionGet\n      responses:\n        '200':\n          description: ok\ncomponents:\n  schemas:\n",
    );
    let err = regen_error("dup", Some(&text));
    assert!(
        err.contains("duplicate operationId \"ExecutionGet\""),
        "{err}"
    );
    assert!(
        err.contains("/paths/~1executions~1{executionId}~1again/get/operationId"),
        "{err}"
    );
}

#[test]
fn an_unsupported_construct_is_reported_with_its_pointer() {
    let text = base_spec().replace(
        "        agentName:\n          description: The agent display name\n          type: string\n",
        "        agentName:\n          description: The agent display name\n          type: [string, integer]\n",
    );
    let err = regen_error("multitype", Some(&text));
    assert!(
        err.contains("/components/schemas/Agents.Execution.ListItem/properties/agentName/type"),
        "{err}"
    );
}

#[test]
fn the_evolved_spec_generates_the_new_operation_and_values() {
    let root = workspace_root();
    let bytes = std::fs::read(root.join("tests/data/openapi.evolved.yaml")).unwrap();
    let out = generate_from_bytes(&bytes, "openapi.yaml").expect("evolved spec generates");
    assert!(out.client.contains("pub fn execution_cancel(&self)"));
    assert!(out.client.contains("Self::Queued => \"queued\""));
    assert!(out.client.contains("pub priority:"));
    assert!(out.mock.contains("fn execution_cancel"));
    // Generation is deterministic.
    let again = generate_from_bytes(&bytes, "openapi.yaml").unwrap();
    assert!(again.client == out.client && again.mock == out.mock);
}

// ----- the API change report ------------------------------------------------------------

#[test]
fn the_committed_baseline_is_the_model_of_the_vendored_spec() {
    let root = workspace_root();
    let model = prepare(vendored().as_bytes(), "openapi.yaml")
        .unwrap()
        .model;
    let committed = std::fs::read_to_string(root.join("xtask/api-baseline.json")).unwrap();
    assert_eq!(committed, model.to_json());
    // The changelog names the vendored spec.
    let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert_eq!(
        xtask::changelog::recorded_sha(&changelog),
        Some(model.spec.sha256.as_str())
    );
}

#[test]
fn the_evolved_spec_is_reported_as_compatible() {
    // From the transformed documents directly: progenitor plays no part in the report.
    let old = prepare(base_spec().as_bytes(), "openapi.yaml")
        .unwrap()
        .model;
    let evolved = std::fs::read(data("openapi.evolved.yaml")).unwrap();
    let new = prepare(&evolved, "openapi.evolved.yaml").unwrap().model;
    let r = report::build(
        Some(&old),
        &new,
        Version::parse("0.1.0").unwrap(),
        Impact::None,
    );
    let text = &r.text;
    for (needle, starts) in [
        ("documented status 429 added", "compatible"),
        ("`platformUrl`", "compatible"),
        ("`priority`", "compatible"),
        ("`startedAt`", "compatible"),
        ("`tags`", "compatible"),
        ("new value `queued`", "compatible"),
        ("new variant `webhook`", "compatible"),
        (
            "new struct with fields `items`, `page`, `pageSize`, `total`",
            "compatible",
        ),
    ] {
        assert!(
            marked_line(text, needle).starts_with(starts),
            "{needle}:\n{text}"
        );
    }
    // Each new operation is named, with its client method.
    for (op, heading) in [
        (
            "ExecutionList",
            "ExecutionList: GET /executions, client.execution_list()",
        ),
        (
            "ExecutionCancel",
            "ExecutionCancel: POST /executions/{executionId}/cancel, client.execution_cancel()",
        ),
    ] {
        let lines: Vec<&str> = text.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.trim() == heading)
            .unwrap_or_else(|| panic!("{op} heading in:\n{text}"));
        assert_eq!(lines[at + 1].trim(), "compatible  new operation", "{text}");
    }
    assert!(
        marked_line(text, "`priority`").contains("`integer | null`, optional"),
        "{text}"
    );
    assert!(
        text.contains("ExecutionWebhookTriggerContext (struct, in responses)"),
        "{text}"
    );
    assert!(
        !text.lines().any(|l| l.trim_start().starts_with("breaking")),
        "{text}"
    );
    assert_eq!(r.impact, Impact::Addition);
    assert_eq!(
        last_line(text),
        "API change: compatible (next version 0.1.1)"
    );
}

#[test]
fn a_new_error_shape_joining_the_error_body_is_compatible_and_keeps_its_name() {
    // What the whole published API does to the excerpt: a `Common.Error` (no `code` enum,
    // more members) answered as `default` beside a `*ErrorBody` schema, and a 403 body
    // with members of its own. The merged type stays `ErrorBody`: nothing is breaking.
    let old = prepare(base_spec().as_bytes(), "openapi.yaml")
        .unwrap()
        .model;
    let mut doc = xtask::spec::parse_yaml(&base_spec()).unwrap();
    let schemas = &mut doc["components"]["schemas"];
    schemas["Common.Error"] = serde_json::json!({"type": "object",
        "required": ["code", "message"], "properties": {
            "code": {"type": "integer"}, "message": {"type": "string"},
            "detail": {"type": "string"}}});
    schemas["Common.ForbiddenErrorBody"]["properties"]["capability"] =
        serde_json::json!({"type": "string"});
    // As in the whole API, a new operation answers it beside a `*ErrorBody` status.
    doc["paths"]["/agents/{agentId}/execute"] = serde_json::json!({"post": {
        "operationId": "AgentExecutePost",
        "parameters": [{"in": "path", "name": "agentId", "required": true,
            "schema": {"type": "string"}}],
        "responses": {
            "202": {"description": "Accepted"},
            "404": {"description": "Not found", "content": {"application/json":
                {"schema": {"$ref": "#/components/schemas/Common.NotFoundErrorBody"}}}},
            "default": {"description": "Any other error", "content": {"application/json":
                {"schema": {"$ref": "#/components/schemas/Common.Error"}}}}}}});
    let text = serde_json::to_string(&doc).unwrap();
    let new = prepare(text.as_bytes(), "whole.yaml").unwrap().model;
    let r = report::build(
        Some(&old),
        &new,
        Version::parse("0.1.0").unwrap(),
        Impact::None,
    );
    let text = &r.text;
    assert!(
        !text.lines().any(|l| l.trim_start().starts_with("breaking")),
        "{text}"
    );
    assert!(text.contains("ErrorBody (struct, in responses)"), "{text}");
    for field in ["`detail`", "`capability`"] {
        assert!(
            marked_line(text, field).starts_with("compatible"),
            "{field}:\n{text}"
        );
    }
    assert!(!text.contains("Common"), "{text}");
    assert_eq!(r.impact, Impact::Addition, "{text}");
}

#[test]
fn regen_from_the_evolved_spec_reports_it_and_changes_nothing_unless_it_generates() {
    let checkout = Checkout::new("evolved-cli");
    let before = checkout.snapshot();
    let evolved = data("openapi.evolved.yaml");
    let (code, out, err) = checkout.xtask(&["regen", "--from", evolved.to_str().unwrap()]);
    assert_eq!(
        last_line(&out),
        "API change: compatible (next version 0.1.1)",
        "{out}\n{err}"
    );
    assert!(marked_line(&out, "new value `queued`").starts_with("compatible"));
    if code == 0 {
        // Generation succeeded: the spec is vendored and everything written.
        assert_eq!(
            std::fs::read(checkout.path("openapi.yaml")).unwrap(),
            std::fs::read(&evolved).unwrap()
        );
        let changelog = checkout.read("CHANGELOG.md");
        assert!(
            changelog.contains("- `ExecutionStatus`: new value `queued`."),
            "{changelog}"
        );
        assert_eq!(checkout.xtask(&["regen", "--check"]).0, 0);
    } else {
        // It did not (progenitor cannot take every construct yet): nothing changed.
        assert_eq!(code, 1, "{err}");
        assert!(
            err.contains("openapi.evolved.yaml") && err.contains("nothing was written"),
            "{err}"
        );
        assert!(before == checkout.snapshot(), "files changed:\n{err}");
    }
}

#[test]
fn the_breaking_spec_is_reported_as_breaking_and_recorded() {
    let checkout = Checkout::new("breaking");
    let breaking = data("openapi.breaking.yaml");
    let (code, out, err) = checkout.xtask(&["regen", "--from", breaking.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}\n{err}");
    for needle in [
        "new required query parameter `include`",
        "field `hasBeenRerun` (Rust `has_been_rerun`) removed",
        "value `paused_by_agent` removed",
    ] {
        assert!(
            marked_line(&out, needle).starts_with("breaking"),
            "{needle}:\n{out}"
        );
    }
    assert!(
        out.contains("3 changes: 3 breaking, 0 compatible."),
        "{out}"
    );
    assert_eq!(last_line(&out), "API change: breaking (next version 0.2.0)");

    // Vendored byte for byte, generated, recorded.
    assert_eq!(
        std::fs::read(checkout.path("openapi.yaml")).unwrap(),
        std::fs::read(&breaking).unwrap()
    );
    assert!(
        !checkout
            .read("asteroid-sdk/src/generated/client.rs")
            .contains("has_been_rerun")
    );
    assert!(
        !checkout
            .read("xtask/api-baseline.json")
            .contains("hasBeenRerun")
    );
    let changelog = checkout.read("CHANGELOG.md");
    let sha = prepare(&std::fs::read(&breaking).unwrap(), "b")
        .unwrap()
        .sha256;
    assert_eq!(
        xtask::changelog::recorded_sha(&changelog),
        Some(sha.as_str())
    );
    assert!(changelog.contains("\"Agent Service\" v2"), "{changelog}");
    let section = |name: &str| {
        let start = changelog
            .find(&format!("### {name}\n"))
            .unwrap_or_else(|| panic!("### {name} in\n{changelog}"));
        let rest = &changelog[start + 4..];
        &rest[..rest.find("\n#").unwrap_or(rest.len())]
    };
    assert!(section("Added").contains(
        "- **Breaking** `ExecutionGet` (`client.execution_get()`, `GET /executions/{executionId}`): new required query parameter `include`"
    ), "{changelog}");
    assert!(
        section("Removed").contains("- **Breaking** `Execution`: field `hasBeenRerun`"),
        "{changelog}"
    );
    assert!(
        section("Removed")
            .contains("- **Breaking** `ExecutionStatus`: value `paused_by_agent` removed."),
        "{changelog}"
    );

    // Fresh now; the next run with the same spec finds no change, and the next version
    // still counts the breaking changes the Unreleased section records.
    let (code, out, err) = checkout.xtask(&["regen", "--check"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("already records breaking changes"), "{out}");
    assert_eq!(last_line(&out), "API change: none (next version 0.2.0)");
}

#[test]
fn regen_with_the_same_spec_changes_nothing_and_check_is_clean() {
    let checkout = Checkout::new("same");
    let before = checkout.snapshot();
    let (code, out, err) = checkout.xtask(&["regen"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("No API changes"), "{out}");
    assert_eq!(last_line(&out), "API change: none (next version 0.1.0)");
    assert!(
        before == checkout.snapshot(),
        "regen with the same spec changed files"
    );
    assert!(err.contains("CHANGELOG.md: up to date"), "{err}");
    let (code, out, err) = checkout.xtask(&["regen", "--check"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(last_line(&out), "API change: none (next version 0.1.0)");
}

#[test]
fn check_fails_without_the_changelog_the_baseline_or_the_specs_sha() {
    let checkout = Checkout::new("check");
    let changelog = checkout.read("CHANGELOG.md");
    let baseline = checkout.read("xtask/api-baseline.json");

    std::fs::remove_file(checkout.path("CHANGELOG.md")).unwrap();
    let (code, _, err) = checkout.xtask(&["regen", "--check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("CHANGELOG.md: stale"), "{err}");
    assert!(
        !checkout.path("CHANGELOG.md").exists(),
        "--check wrote a file"
    );

    // A changelog whose newest spec is another one.
    let sha = xtask::changelog::recorded_sha(&changelog)
        .unwrap()
        .to_string();
    std::fs::write(
        checkout.path("CHANGELOG.md"),
        changelog.replace(&sha, &"0".repeat(64)),
    )
    .unwrap();
    let (code, out, err) = checkout.xtask(&["regen", "--check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("CHANGELOG.md: stale"), "{err}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("+Generated from the spec ")
                && l.ends_with(&format!("(`openapi.yaml` sha256 `{sha}`)."))),
        "{out}"
    );
    std::fs::write(checkout.path("CHANGELOG.md"), &changelog).unwrap();

    std::fs::remove_file(checkout.path("xtask/api-baseline.json")).unwrap();
    let (code, out, err) = checkout.xtask(&["regen", "--check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("xtask/api-baseline.json: stale"), "{err}");
    assert!(out.contains("No API baseline"), "{out}");

    // `regen` writes it back as it was; the changelog is not touched.
    let (code, _, err) = checkout.xtask(&["regen"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(checkout.read("xtask/api-baseline.json"), baseline);
    assert_eq!(checkout.read("CHANGELOG.md"), changelog);
    assert_eq!(checkout.xtask(&["regen", "--check"]).0, 0);
}

#[test]
fn the_first_regen_writes_the_initial_changelog_entry() {
    let checkout = Checkout::new("initial");
    std::fs::remove_file(checkout.path("CHANGELOG.md")).unwrap();
    std::fs::remove_file(checkout.path("xtask/api-baseline.json")).unwrap();
    let (code, out, err) = checkout.xtask(&["regen"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(last_line(&out), "API change: none (next version 0.1.0)");
    let changelog = checkout.read("CHANGELOG.md");
    assert_eq!(changelog, initial_changelog());
    let model = prepare(base_spec().as_bytes(), "openapi.yaml")
        .unwrap()
        .model;
    let (title, version, sha) = (&model.spec.title, &model.spec.version, &model.spec.sha256);
    assert!(
        changelog.contains(&format!(
            "## [Unreleased]\n\nGenerated from the spec \"{title}\" {version} (`openapi.yaml` sha256 `{sha}`).\n"
        )),
        "{changelog}"
    );
    assert!(
        changelog.contains(&format!(
            "### Added\n\n- Initial release: the client for \"{title}\" {version}, generated from `openapi.yaml` (sha256 `{sha}`).\n"
        )),
        "{changelog}"
    );
    // The baseline is the model of the spec.
    assert_eq!(checkout.read("xtask/api-baseline.json"), model.to_json());
    assert_eq!(checkout.xtask(&["regen", "--check"]).0, 0);
}

// ----- --from a URL -----------------------------------------------------------------------

/// What the local server does with each connection.
#[derive(Clone)]
enum Answer {
    /// Answer with this status and body.
    Reply(u16, &'static str, Vec<u8>),
    /// Read the request and never answer (until the server is dropped).
    Silent,
}

/// A one-thread HTTP/1.1 server on 127.0.0.1 for `--from URL`, bounded: it serves at most
/// a few connections, for at most 60 s, and stops when dropped.
struct LocalServer {
    url: String,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl LocalServer {
    fn start(answer: Answer) -> LocalServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!(
            "http://{}/agents/v2/openapi.yaml",
            listener.local_addr().unwrap()
        );
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let (stop2, requests2) = (stop.clone(), requests.clone());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            let mut held: Vec<TcpStream> = Vec::new();
            let mut served = 0;
            while !stop2.load(Ordering::SeqCst) && Instant::now() < deadline && served < 8 {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        served += 1;
                        let _ = stream.set_nonblocking(false);
                        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                        if read_head(&mut stream) {
                            requests2.fetch_add(1, Ordering::SeqCst);
                        }
                        match &answer {
                            Answer::Reply(status, content_type, body) => {
                                let head = format!(
                                    "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                                    body.len()
                                );
                                let _ = stream.write_all(head.as_bytes());
                                let _ = stream.write_all(body);
                            }
                            Answer::Silent => held.push(stream),
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        LocalServer {
            url,
            requests,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Read a request head (up to the blank line); whether one arrived.
fn read_head(stream: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    head.starts_with(b"GET /agents/v2/openapi.yaml ")
}

/// `regen --from <server>` must fail with exit code 1, an error naming the URL and
/// containing `needles`, and no file changed.
fn from_url_fails(name: &str, answer: Answer, extra: &[&str], needles: &[&str]) -> Duration {
    let checkout = Checkout::new(name);
    let before = checkout.snapshot();
    let server = LocalServer::start(answer);
    let mut args = vec!["regen", "--from", server.url.as_str()];
    args.extend_from_slice(extra);
    let started = Instant::now();
    let (code, out, err) = checkout.xtask(&args);
    let took = started.elapsed();
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains(&server.url), "the error names the URL: {err}");
    for needle in needles {
        assert!(err.contains(needle), "{needle:?} in: {err}");
    }
    assert!(err.contains("nothing was written"), "{err}");
    assert!(out.is_empty(), "no report without a spec: {out}");
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        1,
        "one GET of the URL"
    );
    assert!(before == checkout.snapshot(), "{name}: files changed");
    took
}

#[test]
fn from_a_url_that_answers_404_fails_with_the_status() {
    from_url_fails(
        "http404",
        Answer::Reply(404, "text/plain", b"no such file".to_vec()),
        &[],
        &["HTTP 404"],
    );
}

#[test]
fn from_a_url_that_never_answers_times_out() {
    let took = from_url_fails(
        "silent",
        Answer::Silent,
        &["--timeout", "0.5"],
        &["timed out after 0.5 s"],
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn from_a_url_whose_body_is_not_a_spec_names_the_url() {
    from_url_fails(
        "notaspec",
        Answer::Reply(
            200,
            "text/html",
            b"<html><body>Sign in</body></html>".to_vec(),
        ),
        &[],
        &["not an OpenAPI document"],
    );
}

#[test]
fn from_a_url_where_nothing_listens_is_refused() {
    let checkout = Checkout::new("refused");
    let before = checkout.snapshot();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/openapi.yaml");
    let (code, _, err) = checkout.xtask(&["regen", "--from", &url]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&url) && err.contains("refused"), "{err}");
    assert!(before == checkout.snapshot());
}

#[test]
fn from_a_url_with_a_good_spec_vendors_it_and_writes_everything() {
    // The vendored spec with one more optional field: a compatible change that generates.
    let spec = base_spec().replacen(
        "        agentName:\n",
        "        platformUrl:\n          description: Where to see this execution\n          type: string\n        agentName:\n",
        1,
    );
    assert_ne!(spec, base_spec());
    let checkout = Checkout::new("goodurl");
    let server = LocalServer::start(Answer::Reply(
        200,
        "application/yaml",
        spec.clone().into_bytes(),
    ));
    let (code, out, err) = checkout.xtask(&["regen", "--from", &server.url, "--timeout", "20"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        marked_line(&out, "`platformUrl` (Rust `platform_url`)").starts_with("compatible"),
        "{out}"
    );
    assert_eq!(
        last_line(&out),
        "API change: compatible (next version 0.1.1)"
    );
    assert_eq!(checkout.read("openapi.yaml"), spec);
    assert!(
        checkout
            .read("asteroid-sdk/src/generated/client.rs")
            .contains("pub platform_url:")
    );
    assert!(
        checkout
            .read("xtask/api-baseline.json")
            .contains("\"platformUrl\"")
    );
    let changelog = checkout.read("CHANGELOG.md");
    assert!(
        changelog.contains("- `Execution`: new field `platformUrl`"),
        "{changelog}"
    );
    for file in ["openapi.yaml", "CHANGELOG.md", "xtask/api-baseline.json"] {
        assert!(err.contains(&format!("{file}: written")), "{file}: {err}");
    }
    // No temporary file is left, and the result is fresh.
    assert!(
        !checkout
            .snapshot()
            .keys()
            .any(|p| p.to_string_lossy().contains("xtask-tmp"))
    );
    let (code, out, _) = checkout.xtask(&["regen", "--check"]);
    assert_eq!(code, 0);
    assert_eq!(last_line(&out), "API change: none (next version 0.1.1)");
}

#[test]
fn a_download_over_the_size_limit_is_refused() {
    use xtask::fetch::{Limits, Source, read};
    let server = LocalServer::start(Answer::Reply(200, "application/yaml", vec![b'a'; 4096]));
    let limits = Limits {
        timeout: Duration::from_secs(20),
        max_bytes: 1000,
    };
    let e = read(&Source::Url(server.url.clone()), limits).unwrap_err();
    assert!(
        e.message.contains(&server.url) && e.message.contains("limit of 1000 bytes"),
        "{e}"
    );
    let ok = read(&Source::Url(server.url.clone()), Limits::default()).unwrap();
    assert_eq!(ok.len(), 4096);
}

/// The text of one generated builder (`pub struct NAME<'a>` up to the next struct).
fn builder_text<'a>(client: &'a str, name: &str) -> &'a str {
    let start = client
        .find(&format!("pub struct {name}<'a>"))
        .unwrap_or_else(|| panic!("no builder {name}"));
    let rest = &client[start..];
    let end = rest[1..].find("pub struct ").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

#[test]
fn the_openapi_initiatives_petstore_expanded_generates_with_typed_default_errors() {
    let root = workspace_root();
    let bytes = std::fs::read(root.join("tests/data/petstore-expanded.yaml")).unwrap();
    let out = generate_from_bytes(&bytes, "petstore-expanded.yaml").expect("petstore generates");
    // `default` beside `200` is the error body: 4xx and 5xx decode as the typed error
    // body, the spec's `Error` under the name every spec's error body has.
    let find_pets = builder_text(&out.client, "FindPets");
    assert!(
        find_pets.contains("crate::Error<types::ErrorBody>"),
        "{find_pets}"
    );
    assert!(out.client.contains("The spec's `Error`."));
    // No execution API: the waiters of the hand-written layer are dropped.
    assert!(out.client.contains("The spec has no execution API"));
    for arm in ["400u16..=499u16 =>", "500u16..=599u16 =>"] {
        let at = find_pets
            .find(arm)
            .unwrap_or_else(|| panic!("no {arm}: {find_pets}"));
        let body = &find_pets[at + arm.len()..];
        let body = &body[..body.find("=>").unwrap_or(body.len())];
        assert!(body.contains("Error::ErrorResponse"), "{arm}{body}");
    }
    // Other statuses are unexpected, not decoded as a success.
    assert!(find_pets.contains("_ => Err(Error::UnexpectedResponse(response.into_reqwest()))"));
    // 204 and no body beside `default`: the success type is `()`.
    let delete = builder_text(&out.client, "DeletePet");
    assert!(
        delete.contains("crate::Response<()>") && delete.contains("crate::Error<types::ErrorBody>"),
        "{delete}"
    );
}

#[test]
fn the_evolved_spec_generates_its_styled_list_parameters() {
    let root = workspace_root();
    let bytes = std::fs::read(root.join("tests/data/openapi.evolved.yaml")).unwrap();
    let out = generate_from_bytes(&bytes, "openapi.yaml").expect("evolved spec generates");
    let list = builder_text(&out.client, "ExecutionList");
    // deepObject, pipeDelimited, spaceDelimited and the array header all reach the builder.
    for field in [
        "created:",
        "label:",
        "q:",
        "status:",
        "agent_id:",
        "x_trace_tags:",
    ] {
        assert!(list.contains(field), "{field}: {list}");
    }
}

// ----- the build check: nothing is written unless the new code compiles ------------------

/// The base spec with one more optional field: a change that generates and builds.
fn spec_with_platform_url() -> String {
    base_spec().replacen(
        "        agentName:\n",
        "        platformUrl:\n          description: Where to see this execution\n          type: string\n        agentName:\n",
        1,
    )
}

/// The build check's tests run one at a time: cargo keys the fingerprint of a path
/// package by its path inside its workspace, so two scratch copies of the crate share one
/// fingerprint, and a copy written before the other's build finished would look fresh.
static BUILDS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Write `text` to a spec file outside the copy (so the snapshot does not hold it).
fn spec_file(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "asteroid-regen-spec-{name}-{}.yaml",
        std::process::id()
    ));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn code_that_does_not_compile_is_reported_by_schema_and_operation_and_nothing_is_written() {
    let _one = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let checkout = Checkout::with_crate("nobuild");
    let before = checkout.snapshot();
    // A spec that changes the generated code, with the test hook breaking two of its items:
    // one schema's, one operation's.
    let spec = spec_file("nobuild", &spec_with_platform_url());
    let (code, out, err) = checkout.xtask(&[
        "regen",
        "--from",
        spec.to_str().unwrap(),
        "--test-break",
        "Execution",
        "--test-break",
        "ExecutionGet",
    ]);
    let _ = std::fs::remove_file(&spec);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("the generated code does not compile"), "{err}");
    assert!(err.contains(": 2 errors"), "{err}");
    assert!(
        err.contains(
            "#/components/schemas/Agents.Execution.ListItem (schema Agents.Execution.ListItem: \
             `impl Execution`, asteroid-sdk/src/generated/client.rs:"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "#/paths/~1executions~1{executionId}/get (operation ExecutionGet: \
             `impl ExecutionGet`, asteroid-sdk/src/generated/client.rs:"
        ),
        "{err}"
    );
    // rustc's own message follows each.
    assert!(err.contains("error[E0308]: mismatched types"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    // The report is still shown; no file changed, none was added.
    assert!(
        marked_line(&out, "`platformUrl`").starts_with("compatible"),
        "{out}"
    );
    assert!(before == checkout.snapshot(), "files changed:\n{err}");
}

#[test]
fn a_spec_whose_code_builds_is_written_with_its_public_api_listing() {
    let _one = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let checkout = Checkout::with_crate("builds");
    let listing = checkout.read("asteroid-sdk/api.txt");
    let spec = spec_file("builds", &spec_with_platform_url());
    let (code, out, err) = checkout.xtask(&["regen", "--from", spec.to_str().unwrap()]);
    let _ = std::fs::remove_file(&spec);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        checkout
            .read("asteroid-sdk/src/generated/client.rs")
            .contains("pub platform_url:")
    );
    // The listing comes from the same scratch build, written with the other outputs.
    assert!(err.contains("asteroid-sdk/api.txt: written"), "{err}");
    let new_listing = checkout.read("asteroid-sdk/api.txt");
    assert_ne!(new_listing, listing);
    assert!(
        new_listing.contains("platform_url"),
        "the new field is listed"
    );
    assert!(!err.contains("warning"), "{err}");
    assert_eq!(checkout.xtask(&["regen", "--check"]).0, 0);
}
