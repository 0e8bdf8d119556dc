//! The one error type of the xtask: what went wrong, in which file, and where.

use std::fmt;
use std::path::PathBuf;

/// Where in the input a problem was found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// The file being read, when there is one.
    pub file: Option<PathBuf>,
    /// A JSON pointer (RFC 6901) into the document, e.g. `/paths/~1executions/get`.
    pub pointer: Option<String>,
    /// 1-based line and column in the file, when the parser knows them.
    pub line_column: Option<(usize, usize)>,
}

/// An error of `cargo xtask`: always a single readable message, never a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XtaskError {
    /// Where the problem is.
    pub location: Location,
    /// What is wrong.
    pub message: String,
}

impl XtaskError {
    /// An error at a JSON pointer of the document (the file is added later by the caller).
    pub fn at(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            location: Location {
                pointer: Some(pointer.into()),
                ..Location::default()
            },
            message: message.into(),
        }
    }

    /// An error that is not tied to a place in the document.
    pub fn msg(message: impl Into<String>) -> Self {
        Self {
            location: Location::default(),
            message: message.into(),
        }
    }

    /// Attach the file the error comes from, unless one is already set.
    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Self {
        if self.location.file.is_none() {
            self.location.file = Some(file.into());
        }
        self
    }
}

impl fmt::Display for XtaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let loc = &self.location;
        if let Some(file) = &loc.file {
            write!(f, "{}", file.display())?;
            if let Some((line, column)) = loc.line_column {
                write!(f, ":{line}:{column}")?;
            }
            write!(f, ": ")?;
        } else if let Some((line, column)) = loc.line_column {
            write!(f, "line {line}, column {column}: ")?;
        }
        if let Some(pointer) = &loc.pointer {
            let shown = if pointer.is_empty() { "/" } else { pointer };
            write!(f, "at {shown}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for XtaskError {}

/// The result type of the xtask.
pub type Result<T, E = XtaskError> = std::result::Result<T, E>;

/// Escape one JSON pointer segment (RFC 6901: `~` as `~0`, `/` as `~1`).
pub fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Join a pointer and one more segment.
pub fn child(pointer: &str, segment: &str) -> String {
    format!("{pointer}/{}", escape_segment(segment))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_pointer_and_message() {
        let mut e = XtaskError::at("/paths/~1x", "bad thing").in_file("openapi.yaml");
        e.location.line_column = Some((3, 7));
        assert_eq!(e.to_string(), "openapi.yaml:3:7: at /paths/~1x: bad thing");
    }

    #[test]
    fn pointer_segments_are_escaped() {
        assert_eq!(child("/paths", "/a~b"), "/paths/~1a~0b");
    }
}
