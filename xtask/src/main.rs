//! `cargo xtask`: parses arguments and dispatches to the jobs in the `xtask` library.
//!
//! - `cargo xtask regen`: generate `asteroid-sdk/src/generated/` from `openapi.yaml`.
//! - `cargo xtask regen --check`: write nothing; print a diff and exit 1 if stale.
//! - `cargo xtask build-cost`: measure a clean build of the SDK against a bare crate.

use std::process::ExitCode;

use xtask::ensure::Status;
use xtask::{build_cost, regen};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  regen [--check] [--spec FILE]   generate the client from openapi.yaml
                                  (--check: write nothing, show a diff, exit 1 if stale)
  build-cost                      measure a clean build of asteroid-sdk against a bare crate";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("regen") => regen_cmd(&args[1..]),
        Some("build-cost") => match build_cost::run(&regen::workspace_root()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn regen_cmd(args: &[String]) -> ExitCode {
    let root = regen::workspace_root();
    let mut paths = regen::Paths::under(&root);
    let mut check = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--spec" => match it.next() {
                Some(p) => paths.spec = p.into(),
                None => {
                    eprintln!("error: --spec needs a file\n\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            other => {
                eprintln!("error: unknown argument {other:?}\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    match regen::run(&paths, check) {
        Ok(report) => {
            for (path, status) in &report.files {
                let shown = path.strip_prefix(&root).unwrap_or(path).display();
                match status {
                    Status::Fresh => eprintln!("{shown}: up to date"),
                    Status::Written => eprintln!("{shown}: written"),
                    Status::Stale(diff) => {
                        print!("{diff}");
                        eprintln!("{shown}: stale");
                    }
                }
            }
            if report.is_fresh() || !check {
                ExitCode::SUCCESS
            } else {
                eprintln!(
                    "error: the generated code does not match openapi.yaml; run `cargo xtask regen` and commit the result"
                );
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("nothing was written");
            ExitCode::FAILURE
        }
    }
}
