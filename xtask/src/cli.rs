//! The command line of `cargo xtask`: arguments, output and exit codes.
//!
//! [`run`] is all of `main`, with the output streams and the workspace root passed in so
//! tests can drive it. Exit codes: 0 success, 1 failure (or stale files with `--check`),
//! 2 bad usage.

use std::io::Write;
use std::path::Path;

use crate::build_cost;
use crate::ensure::Status;
use crate::fetch::{self, Limits, Source};
use crate::regen::{self, Options, Paths};

/// The help text.
pub const USAGE: &str = "usage: cargo xtask <command>

commands:
  regen [--check] [--spec FILE] [--from FILE|URL] [--timeout SECS] [--no-build-check]
      generate the client from openapi.yaml and print what changed in the API; the new
      code must build (`cargo check --all-features`, in a scratch copy) before anything
      is written, and asteroid-sdk/api.txt is computed from that build
      --check     write nothing, show a diff, exit 1 if anything is stale (no build)
      --spec      the vendored spec file (default openapi.yaml)
      --from      read a new spec from a file or an http(s) URL (Asteroid publishes
                  https://odyssey.asteroid.ai/agents/v2/openapi.yaml); it replaces the
                  vendored spec only if generation succeeds
      --timeout   seconds a download may take (default 30, or XTASK_FETCH_TIMEOUT)
      --no-build-check
                  write without checking that the code builds (api.txt is then
                  refreshed afterwards, with a warning if the crate does not build)
  public-api [--check]
      write asteroid-sdk/api.txt, the SDK's public API one item a line
      --check     write nothing, show a diff, exit 1 if it is stale
  msrv
      check that the SDK's rust-version is at least every dependency's
  build-cost
      measure a clean build of asteroid-sdk against a bare crate
  conformance-test --out FILE
      write a test module that calls every operation of openapi.yaml through the
      committed client with values built from the schemas (run against Prism by
      scripts/whole-api-check.sh)";

/// Run `cargo xtask` with `args` (without the program name) in the workspace.
pub fn run(args: &[String], stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    run_in(&regen::workspace_root(), args, stdout, stderr)
}

/// [`run`] on the workspace at `root`.
pub fn run_in(root: &Path, args: &[String], stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    match args.first().map(String::as_str) {
        Some("regen") => regen_cmd(root, &args[1..], stdout, stderr),
        Some("public-api") => {
            let check = match &args[1..] {
                [] => false,
                [c] if c == "--check" => true,
                _ => return usage_error(stderr, "public-api takes only --check"),
            };
            match crate::public_api::run(root, check) {
                Ok(Status::Fresh) => {
                    let _ = writeln!(stderr, "{}: up to date", crate::public_api::LISTING);
                    0
                }
                Ok(Status::Written) => {
                    let _ = writeln!(stderr, "{}: written", crate::public_api::LISTING);
                    0
                }
                Ok(Status::Stale(diff)) => {
                    let _ = write!(stdout, "{diff}");
                    let _ = writeln!(
                        stderr,
                        "error: the public API changed; run `cargo xtask public-api`, review the diff and commit it"
                    );
                    1
                }
                Err(e) => {
                    let _ = writeln!(stderr, "error: {e}");
                    1
                }
            }
        }
        Some("msrv") => match crate::msrv::check(root) {
            Ok(text) => {
                let _ = writeln!(stdout, "{text}");
                0
            }
            Err(e) => {
                let _ = writeln!(stderr, "error: {e}");
                1
            }
        },
        Some("build-cost") => match build_cost::run(root) {
            Ok(()) => 0,
            Err(e) => {
                let _ = writeln!(stderr, "error: {e}");
                1
            }
        },
        Some("conformance-test") => {
            let out = match &args[1..] {
                [flag, file] if flag == "--out" => root.join(file),
                _ => return usage_error(stderr, "conformance-test takes --out FILE"),
            };
            match crate::conformance::generate(root).and_then(|text| {
                std::fs::write(&out, text)
                    .map_err(|e| crate::error::XtaskError::msg(format!("{}: {e}", out.display())))
            }) {
                Ok(()) => {
                    let _ = writeln!(stderr, "wrote {}", out.display());
                    0
                }
                Err(e) => {
                    let _ = writeln!(stderr, "error: {e}");
                    1
                }
            }
        }
        Some("-h" | "--help" | "help") => {
            let _ = writeln!(stdout, "{USAGE}");
            0
        }
        _ => {
            let _ = writeln!(stderr, "{USAGE}");
            2
        }
    }
}

/// After new generated code is written with `--no-build-check`: the public-API listing
/// follows it, so that the change to the surface is in the same diff. It needs the crate
/// to build; when it cannot be made (a checkout without the listing, a crate that does not
/// compile) that is said, and the generated code stays written. (With the build check the
/// listing is one of regen's outputs, computed from the scratch build.)
fn refresh_public_api(root: &Path, stderr: &mut dyn Write) {
    if !root.join(crate::public_api::LISTING).exists() {
        return;
    }
    match crate::public_api::run(root, false) {
        Ok(Status::Fresh) => {
            let _ = writeln!(stderr, "{}: up to date", crate::public_api::LISTING);
        }
        Ok(_) => {
            let _ = writeln!(stderr, "{}: written", crate::public_api::LISTING);
        }
        Err(e) => {
            let _ = writeln!(
                stderr,
                "warning: {} not refreshed ({e}); run `cargo xtask public-api` once the crate builds",
                crate::public_api::LISTING
            );
        }
    }
}

fn usage_error(stderr: &mut dyn Write, message: &str) -> i32 {
    let _ = writeln!(stderr, "error: {message}\n\n{USAGE}");
    2
}

fn regen_cmd(root: &Path, args: &[String], stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let mut paths = Paths::under(root);
    let mut options = Options::default();
    let mut timeout = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--check" => options.check = true,
            "--no-build-check" => options.no_build_check = true,
            // Hidden: a test hook (see `Options::test_break`).
            "--test-break" => match it.next() {
                Some(name) => options.test_break.push(name.clone()),
                None => return usage_error(stderr, "--test-break needs a type name"),
            },
            "--spec" => match it.next() {
                Some(p) => paths.spec = p.into(),
                None => return usage_error(stderr, "--spec needs a file"),
            },
            "--from" => match it.next() {
                Some(s) if !s.is_empty() => options.from = Some(Source::parse(s)),
                _ => return usage_error(stderr, "--from needs a file or an http(s) URL"),
            },
            "--timeout" => match it.next().map(|t| fetch::parse_timeout(t)) {
                Some(Ok(t)) => timeout = Some(t),
                Some(Err(e)) => return usage_error(stderr, &e.message),
                None => return usage_error(stderr, "--timeout needs a number of seconds"),
            },
            other => return usage_error(stderr, &format!("unknown argument {other:?}")),
        }
    }
    let timeout = match timeout {
        Some(t) => t,
        None => match fetch::timeout_from_env() {
            Ok(t) => t.unwrap_or(fetch::DEFAULT_TIMEOUT),
            Err(e) => return usage_error(stderr, &e.message),
        },
    };
    options.limits = Limits {
        timeout,
        ..Limits::default()
    };

    let plan = match regen::plan(&paths, &options) {
        Ok(plan) => plan,
        Err(e) => {
            let _ = writeln!(stderr, "error: {e}");
            let _ = writeln!(stderr, "nothing was written");
            return 1;
        }
    };
    for note in &plan.notes {
        let _ = writeln!(stderr, "warning: {note}");
    }
    let api_text = plan.api.text.clone();
    let check = plan.check;
    let result = regen::finish(&paths, plan);
    let code = match result {
        Ok(report) => {
            for (path, status) in &report.files {
                let shown = path.strip_prefix(root).unwrap_or(path).display();
                match status {
                    Status::Fresh => {
                        let _ = writeln!(stderr, "{shown}: up to date");
                    }
                    Status::Written => {
                        let _ = writeln!(stderr, "{shown}: written");
                    }
                    Status::Stale(diff) => {
                        let _ = write!(stdout, "{diff}");
                        let _ = writeln!(stderr, "{shown}: stale");
                    }
                }
            }
            if !check && !report.built && !report.is_fresh() {
                refresh_public_api(root, stderr);
            }
            if report.is_fresh() || !check {
                0
            } else {
                let _ = writeln!(
                    stderr,
                    "error: the generated code, API baseline or changelog does not match the \
                     spec; run `cargo xtask regen` and commit the result"
                );
                1
            }
        }
        Err(e) => {
            let _ = writeln!(stderr, "error: {e}");
            let _ = writeln!(stderr, "nothing was written");
            1
        }
    };
    // The report last, so that its final line is the last line of the output.
    let _ = write!(stdout, "{api_text}");
    let _ = stdout.flush();
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_args(args: &[&str]) -> (i32, String, String) {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let dir = std::env::temp_dir().join("xtask-cli-no-such-workspace");
        let code = run_in(&dir, &args, &mut out, &mut err);
        (
            code,
            String::from_utf8_lossy(&out).into_owned(),
            String::from_utf8_lossy(&err).into_owned(),
        )
    }

    #[test]
    fn usage_errors_exit_2() {
        assert_eq!(run_args(&[]).0, 2);
        assert_eq!(run_args(&["nope"]).0, 2);
        let (code, _, err) = run_args(&["regen", "--from"]);
        assert_eq!(code, 2);
        assert!(err.contains("--from needs"), "{err}");
        let (code, _, err) = run_args(&["regen", "--timeout", "soon"]);
        assert_eq!(code, 2);
        assert!(err.contains("not a number of seconds"), "{err}");
        assert_eq!(run_args(&["regen", "--bogus"]).0, 2);
        let (code, out, _) = run_args(&["--help"]);
        assert_eq!(code, 0);
        assert!(out.contains("--from"));
    }

    #[test]
    fn a_missing_spec_exits_1_and_names_it() {
        let (code, out, err) = run_args(&["regen"]);
        assert_eq!(code, 1);
        assert!(out.is_empty(), "{out}");
        assert!(
            err.contains("openapi.yaml") && err.contains("nothing was written"),
            "{err}"
        );
    }
}
