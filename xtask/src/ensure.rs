//! Writing generated files, or checking that the committed ones are up to date.

use std::path::Path;

use similar::TextDiff;

use crate::error::{Result, XtaskError};

/// Whether a file was already up to date.
#[derive(Debug, PartialEq, Eq)]
pub enum Status {
    /// The file on disk equals the generated text.
    Fresh,
    /// The file was (re)written.
    Written,
    /// Check mode: the file differs; the unified diff is included.
    Stale(String),
}

/// Make `path` hold `contents`. With `check`, write nothing and return the diff instead.
pub fn ensure_file_contents(path: &Path, contents: &str, check: bool) -> Result<Status> {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    if old == contents {
        return Ok(Status::Fresh);
    }
    if check {
        let name = path.display().to_string();
        let diff = TextDiff::from_lines(&old, contents)
            .unified_diff()
            .context_radius(3)
            .header(
                &format!("{name} (committed)"),
                &format!("{name} (from the spec)"),
            )
            .to_string();
        return Ok(Status::Stale(diff));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| XtaskError::msg(format!("cannot create {}: {e}", dir.display())))?;
    }
    // Write to a temporary file and rename, so an interrupted run never leaves half a file.
    let tmp = path.with_extension("rs.tmp");
    std::fs::write(&tmp, contents)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| XtaskError::msg(format!("cannot write {}: {e}", path.display())))?;
    Ok(Status::Written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_reports_a_diff_and_writes_nothing() {
        let dir = std::env::temp_dir().join(format!("xtask-ensure-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("a.rs");
        std::fs::write(&f, "one\ntwo\n").unwrap();
        match ensure_file_contents(&f, "one\nthree\n", true).unwrap() {
            Status::Stale(diff) => {
                assert!(diff.contains("-two") && diff.contains("+three"), "{diff}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "one\ntwo\n");
        assert_eq!(
            ensure_file_contents(&f, "one\nthree\n", false).unwrap(),
            Status::Written
        );
        assert_eq!(
            ensure_file_contents(&f, "one\nthree\n", true).unwrap(),
            Status::Fresh
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
