//! The committed generated code is what `cargo xtask regen` makes of `openapi.yaml`.

use xtask::ensure::Status;
use xtask::regen::{Paths, run, workspace_root};

#[test]
fn generated_code_is_fresh() {
    let report = run(&Paths::under(&workspace_root()), true).expect("regen --check runs");
    for (path, status) in &report.files {
        if let Status::Stale(diff) = status {
            panic!(
                "{} is stale; run `cargo xtask regen` and commit the result:\n{diff}",
                path.display()
            );
        }
    }
}

#[test]
fn vendored_spec_is_byte_for_byte_the_shared_one() {
    let root = workspace_root();
    let shared = root.join("../shared/openapi.yaml");
    if let Ok(theirs) = std::fs::read(&shared) {
        let ours = std::fs::read(root.join("openapi.yaml")).expect("openapi.yaml");
        assert!(
            ours == theirs,
            "openapi.yaml differs from ../shared/openapi.yaml"
        );
    } else {
        eprintln!(
            "note: {} not found; skipped the byte-for-byte comparison",
            shared.display()
        );
    }
}
