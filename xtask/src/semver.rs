//! The crate's version and the next one, by Cargo's rules for what is compatible.
//!
//! From 1.0: a breaking change bumps the major version, additions the minor, anything
//! else the patch. Before 1.0 Cargo treats `0.x` as the major version: a breaking change
//! bumps the minor (0.1.0 -> 0.2.0), anything else the patch (0.1.0 -> 0.1.1). In `0.0.x`
//! every release is incompatible with the last, so any change bumps the patch.

use std::fmt;

use crate::api_diff::Impact;
use crate::error::{Result, XtaskError};

/// A plain `MAJOR.MINOR.PATCH` version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    /// Major.
    pub major: u64,
    /// Minor.
    pub minor: u64,
    /// Patch.
    pub patch: u64,
}

impl Version {
    /// Parse `X.Y.Z` (no pre-release or build suffix).
    pub fn parse(text: &str) -> Result<Version> {
        let parts: Vec<&str> = text.trim().split('.').collect();
        let bad = || {
            XtaskError::msg(format!(
                "version {text:?} is not of the form MAJOR.MINOR.PATCH"
            ))
        };
        if parts.len() != 3 {
            return Err(bad());
        }
        let n = |s: &str| -> Result<u64> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            s.parse().map_err(|_| bad())
        };
        Ok(Version {
            major: n(parts[0])?,
            minor: n(parts[1])?,
            patch: n(parts[2])?,
        })
    }

    /// The version to release after changes of this impact.
    pub fn next(self, impact: Impact) -> Version {
        let Version {
            major,
            minor,
            patch,
        } = self;
        let (major, minor, patch) = match impact {
            Impact::None => (major, minor, patch),
            _ if major == 0 && minor == 0 => (0, 0, patch + 1),
            Impact::Breaking if major == 0 => (0, minor + 1, 0),
            Impact::Breaking => (major + 1, 0, 0),
            Impact::Addition if major > 0 => (major, minor + 1, 0),
            Impact::Addition | Impact::Fix => (major, minor, patch + 1),
        };
        Version {
            major,
            minor,
            patch,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The `version` of the `[package]` table of a `Cargo.toml`.
pub fn package_version(manifest: &str) -> Result<Version> {
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
            continue;
        }
        if !in_package {
            continue;
        }
        let Some(rest) = line.strip_prefix("version") else {
            continue;
        };
        let rest = rest.trim_start();
        if rest.starts_with(".workspace") || rest.starts_with('.') {
            return Err(XtaskError::msg(
                "the package's version is inherited from the workspace; write it in the package",
            ));
        }
        let Some(value) = rest.strip_prefix('=') else {
            continue;
        };
        let value = value.split('#').next().unwrap_or("").trim();
        let Some(value) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
            return Err(XtaskError::msg(format!(
                "the package version {value} is not a quoted string"
            )));
        };
        return Version::parse(value);
    }
    Err(XtaskError::msg("no `version` in the [package] table"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn before_one_breaking_bumps_the_minor_anything_else_the_patch() {
        assert_eq!(v("0.1.0").next(Impact::Breaking).to_string(), "0.2.0");
        assert_eq!(v("0.1.3").next(Impact::Breaking).to_string(), "0.2.0");
        assert_eq!(v("0.1.0").next(Impact::Addition).to_string(), "0.1.1");
        assert_eq!(v("0.1.0").next(Impact::Fix).to_string(), "0.1.1");
        assert_eq!(v("0.1.0").next(Impact::None).to_string(), "0.1.0");
    }

    #[test]
    fn from_one_breaking_major_additions_minor_else_patch() {
        assert_eq!(v("1.2.3").next(Impact::Breaking).to_string(), "2.0.0");
        assert_eq!(v("1.2.3").next(Impact::Addition).to_string(), "1.3.0");
        assert_eq!(v("1.2.3").next(Impact::Fix).to_string(), "1.2.4");
        assert_eq!(v("1.2.3").next(Impact::None).to_string(), "1.2.3");
    }

    #[test]
    fn zero_zero_every_change_is_a_new_patch() {
        assert_eq!(v("0.0.4").next(Impact::Breaking).to_string(), "0.0.5");
        assert_eq!(v("0.0.4").next(Impact::Addition).to_string(), "0.0.5");
        assert_eq!(v("0.0.4").next(Impact::None).to_string(), "0.0.4");
    }

    #[test]
    fn bad_versions_are_errors() {
        for bad in ["1.2", "1.2.3-alpha", "a.b.c", "1..2", ""] {
            assert!(Version::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_the_package_version_only() {
        let toml = "[workspace]\nversion = \"9.9.9\"\n\n[package]\nname = \"x\"\nversion = \"0.1.0\" # comment\n\n[dependencies]\nversion = \"1\"\n";
        assert_eq!(package_version(toml).unwrap(), v("0.1.0"));
        assert!(package_version("[package]\nversion.workspace = true\n").is_err());
        assert!(package_version("[package]\nname = \"x\"\n").is_err());
    }
}
