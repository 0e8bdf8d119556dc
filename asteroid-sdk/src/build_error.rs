//! The error of the generated builders' `build()`.

use std::fmt;

/// A value could not be built: required fields were not set, or (for the types requests
/// carry) a field breaks one of the spec's rules, such as a maximum length.
///
/// Returned by `build()` on every builder of [`crate::types`] (for example
/// [`ErrorBodyBuilder::build`](crate::types::ErrorBodyBuilder::build)). It converts into
/// [`Error::InvalidRequest`](crate::Error::InvalidRequest), so `?` works in functions that
/// return [`crate::Result`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    type_name: &'static str,
    missing: Vec<&'static str>,
    problem: Option<String>,
}

impl BuildError {
    pub(crate) fn missing(type_name: &'static str, missing: Vec<&'static str>) -> Self {
        Self {
            type_name,
            missing,
            problem: None,
        }
    }

    // Called by the builders of the types that requests carry; a spec may have none.
    #[allow(dead_code)]
    pub(crate) fn invalid(type_name: &'static str, problem: String) -> Self {
        Self {
            type_name,
            missing: Vec::new(),
            problem: Some(problem),
        }
    }

    /// The type that could not be built, e.g. `"Execution"`.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// The JSON names of the required fields that were not set.
    pub fn missing_fields(&self) -> &[&'static str] {
        &self.missing
    }

    /// The rule a field breaks, naming the field (e.g. "`reason` must be at most 500
    /// characters long (is 612)").
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(problem) = &self.problem {
            return write!(f, "cannot build {}: {problem}", self.type_name);
        }
        let names: Vec<String> = self.missing.iter().map(|m| format!("`{m}`")).collect();
        write!(
            f,
            "cannot build {}: required field{} {} not set",
            self.type_name,
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        )
    }
}

impl std::error::Error for BuildError {}

impl<E> From<BuildError> for crate::Error<E> {
    fn from(e: BuildError) -> Self {
        crate::Error::InvalidRequest(e.to_string())
    }
}
