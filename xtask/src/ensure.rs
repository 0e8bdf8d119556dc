//! Writing generated files, or checking that the committed ones are up to date.

use std::path::{Path, PathBuf};

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

/// Make every file hold its contents, all or nothing as far as the file system allows:
/// every changed file is first written to a temporary file beside it, and only when all
/// of them are written are they renamed into place. With `check`, write nothing and
/// return the diffs (as [`ensure_file_contents`] does).
pub fn ensure_files(files: &[(PathBuf, String)], check: bool) -> Result<Vec<(PathBuf, Status)>> {
    if check {
        return files
            .iter()
            .map(|(path, text)| Ok((path.clone(), ensure_file_contents(path, text, true)?)))
            .collect();
    }
    let mut statuses = Vec::new();
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let unstage = |staged: &[(PathBuf, PathBuf)]| {
        for (tmp, _) in staged {
            let _ = std::fs::remove_file(tmp);
        }
    };
    for (path, text) in files {
        let old = std::fs::read(path).ok();
        if old.as_deref() == Some(text.as_bytes()) {
            statuses.push((path.clone(), Status::Fresh));
            continue;
        }
        let tmp = temp_path(path);
        let written = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&tmp, text));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            unstage(&staged);
            return Err(XtaskError::msg(format!(
                "cannot write {}: {e}; nothing was changed",
                path.display()
            )));
        }
        staged.push((tmp, path.clone()));
        statuses.push((path.clone(), Status::Written));
    }
    for (i, (tmp, path)) in staged.iter().enumerate() {
        if let Err(e) = std::fs::rename(tmp, path) {
            unstage(&staged[i..]);
            let done: Vec<String> = staged[..i]
                .iter()
                .map(|(_, p)| p.display().to_string())
                .collect();
            return Err(XtaskError::msg(format!(
                "cannot write {}: {e}; already replaced: {}",
                path.display(),
                if done.is_empty() {
                    "nothing".to_string()
                } else {
                    done.join(", ")
                }
            )));
        }
    }
    Ok(statuses)
}

/// `dir/.name.xtask-tmp`, beside the file (so the rename stays on one file system).
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.xtask-tmp"))
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

    #[test]
    fn files_are_written_together_or_not_at_all() {
        let dir = std::env::temp_dir().join(format!("xtask-ensure-all-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let a = dir.join("a.txt");
        let b = dir.join("sub/b.json");
        std::fs::write(&a, "old a\n").unwrap();
        let files = vec![
            (a.clone(), "old a\n".to_string()),
            (b.clone(), "new b\n".to_string()),
        ];
        // Check mode: a is fresh, b (missing) is stale, nothing is written.
        let statuses = ensure_files(&files, true).unwrap();
        assert_eq!(statuses[0].1, Status::Fresh);
        assert!(matches!(statuses[1].1, Status::Stale(_)));
        assert!(!b.exists());
        let statuses = ensure_files(&files, false).unwrap();
        assert_eq!(statuses[0].1, Status::Fresh);
        assert_eq!(statuses[1].1, Status::Written);
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "new b\n");
        // A file that cannot be written (its directory is a file) changes nothing.
        let blocked = a.join("c.txt");
        let files = vec![
            (b.clone(), "newer b\n".to_string()),
            (blocked, "c".to_string()),
        ];
        let e = ensure_files(&files, false).unwrap_err();
        assert!(e.message.contains("nothing was changed"), "{e}");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "new b\n");
        let left: Vec<_> = std::fs::read_dir(dir.join("sub")).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
