//! `CHANGELOG.md`, in [Keep a Changelog 1.1.0](https://keepachangelog.com/en/1.1.0/) form.
//!
//! `cargo xtask regen` records each API change under `## [Unreleased]` (in `### Added`,
//! `### Changed` and `### Removed`, breaking ones marked `**Breaking**`) and keeps one
//! line there naming the spec the code is generated from:
//!
//! ```text
//! Generated from the spec "Agent Service" v1 (`openapi.yaml` sha256 `8f3a...`).
//! ```
//!
//! The newest such line (the first `sha256` in the file) must name the current spec, or
//! `regen --check` fails. Everything outside the Unreleased section is left as it is, and
//! the file does not change when nothing new is to be said.

use crate::api_diff::{Impact, Kind};

/// The start of the line naming the spec.
pub const SPEC_LINE_START: &str = "Generated from the spec ";

/// The start of the first release's entry, which is not a change for the version number.
pub const INITIAL_START: &str = "Initial release";

/// The top of a new changelog.
pub const HEADER: &str = "# Changelog

All notable changes to this project are documented in this file. The format is based on
[Keep a Changelog](https://keepachangelog.com/en/1.1.0/), and this project adheres to
[Semantic Versioning](https://semver.org/spec/v2.0.0.html) as Cargo applies it (before
1.0, a breaking change bumps the minor version). `cargo xtask regen` adds the API changes
of each new spec under Unreleased.
";

const UNRELEASED: &str = "## [Unreleased]";

/// Keep a Changelog's sections, in their usual order.
const ORDER: &[&str] = &[
    "Added",
    "Changed",
    "Deprecated",
    "Removed",
    "Fixed",
    "Security",
];

/// One line to add: its section and its text (without the leading `- `).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Added, Changed or Removed.
    pub section: Kind,
    /// The text, Markdown.
    pub text: String,
}

/// The spec line for a spec.
pub fn spec_line(title: &str, version: &str, file: &str, sha256: &str) -> String {
    format!("{SPEC_LINE_START}\"{title}\" {version} (`{file}` sha256 `{sha256}`).")
}

/// The newest spec sha256 the changelog records: the first `sha256 `HEX`` in it.
pub fn recorded_sha(text: &str) -> Option<&str> {
    let at = text.find("sha256 `")? + "sha256 `".len();
    let rest = &text[at..];
    let end = rest.find('`')?;
    let sha = &rest[..end];
    (sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit())).then_some(sha)
}

/// The lines of the Unreleased section (without its heading), and where it is.
struct Split<'a> {
    before: Vec<&'a str>,
    body: Vec<&'a str>,
    after: Vec<&'a str>,
    found: bool,
}

fn split(text: &str) -> Split<'_> {
    let lines: Vec<&str> = text.lines().collect();
    let is_release = |l: &str| l.starts_with("## ");
    match lines.iter().position(|l| l.trim_end() == UNRELEASED) {
        Some(start) => {
            let end = lines[start + 1..]
                .iter()
                .position(|l| is_release(l))
                .map_or(lines.len(), |i| start + 1 + i);
            // Link definitions at the end of the file stay at the end.
            let mut body_end = end;
            if end == lines.len() {
                while body_end > start + 1 {
                    let l = lines[body_end - 1].trim();
                    if l.is_empty() || is_link_definition(l) {
                        body_end -= 1;
                    } else {
                        break;
                    }
                }
            }
            Split {
                before: lines[..start].to_vec(),
                body: lines[start + 1..body_end].to_vec(),
                after: lines[body_end..].to_vec(),
                found: true,
            }
        }
        None => {
            let first = lines.iter().position(|l| is_release(l));
            let at = first.unwrap_or_else(|| {
                // Before trailing link definitions, if any.
                let mut at = lines.len();
                while at > 0
                    && (lines[at - 1].trim().is_empty() || is_link_definition(lines[at - 1].trim()))
                {
                    at -= 1;
                }
                at
            });
            Split {
                before: lines[..at].to_vec(),
                body: Vec::new(),
                after: lines[at..].to_vec(),
                found: false,
            }
        }
    }
}

fn is_link_definition(line: &str) -> bool {
    line.starts_with('[') && line.contains("]: ")
}

/// What the Unreleased section already records, for the next version number: breaking
/// if any entry is marked `**Breaking**`, an addition if `### Added` has entries, a fix
/// for any other entry. The first release's entry does not count.
pub fn unreleased_impact(text: &str) -> Impact {
    let s = split(text);
    if !s.found {
        return Impact::None;
    }
    let mut section = "";
    let mut impact = Impact::None;
    for line in s.body {
        if let Some(h) = line.strip_prefix("### ") {
            section = h.trim();
            continue;
        }
        let Some(item) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) else {
            continue;
        };
        let this = if item.contains("**Breaking**") {
            Impact::Breaking
        } else if item.starts_with(INITIAL_START) {
            Impact::None
        } else if section == "Added" {
            Impact::Addition
        } else {
            Impact::Fix
        };
        impact = impact.max(this);
    }
    impact
}

/// The changelog after a regen: the spec line names the new spec and the entries are
/// added under Unreleased. `old` is the current text, if there is a file. Returns `old`
/// unchanged when there is nothing to add and the newest recorded spec is this one.
pub fn update(old: Option<&str>, spec_line: &str, sha256: &str, entries: &[Entry]) -> String {
    let old_text = old.unwrap_or("");
    if let Some(text) = old
        && entries.is_empty()
        && recorded_sha(text) == Some(sha256)
    {
        return text.to_string();
    }
    let base = if old_text.trim().is_empty() {
        HEADER.to_string()
    } else {
        old_text.to_string()
    };
    let s = split(&base);

    // The Unreleased body: intro lines, then `### ` sections.
    let mut intro: Vec<String> = Vec::new();
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    for line in &s.body {
        if let Some(h) = line.strip_prefix("### ") {
            sections.push((h.trim().to_string(), Vec::new()));
        } else if let Some((_, lines)) = sections.last_mut() {
            lines.push(line.to_string());
        } else {
            intro.push(line.to_string());
        }
    }
    intro.retain(|l| !l.starts_with(SPEC_LINE_START));
    trim_blank(&mut intro);
    if !intro.is_empty() {
        intro.push(String::new());
    }
    intro.push(spec_line.to_string());

    for entry in entries {
        let name = entry.section.section();
        let line = format!("- {}", entry.text);
        let index = match sections.iter().position(|(h, _)| h == name) {
            Some(i) => i,
            None => {
                let rank = |h: &str| ORDER.iter().position(|o| *o == h).unwrap_or(usize::MAX);
                let at = sections
                    .iter()
                    .position(|(h, _)| rank(h) > rank(name))
                    .unwrap_or(sections.len());
                sections.insert(at, (name.to_string(), Vec::new()));
                at
            }
        };
        let lines = &mut sections[index].1;
        if !lines.contains(&line) {
            trim_blank(lines);
            lines.push(line);
        }
    }

    let mut out: Vec<String> = s.before.iter().map(|l| l.to_string()).collect();
    trim_blank(&mut out);
    out.push(String::new());
    out.push(UNRELEASED.to_string());
    out.push(String::new());
    out.extend(intro);
    for (heading, mut lines) in sections {
        trim_blank(&mut lines);
        out.push(String::new());
        out.push(format!("### {heading}"));
        out.push(String::new());
        out.extend(lines);
    }
    let mut after: Vec<String> = s.after.iter().map(|l| l.to_string()).collect();
    while after.first().is_some_and(|l| l.trim().is_empty()) {
        after.remove(0);
    }
    if !after.is_empty() {
        out.push(String::new());
        out.extend(after);
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

fn trim_blank(lines: &mut Vec<String>) {
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    while lines.first().is_some_and(|l| l.trim().is_empty()) {
        lines.remove(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    fn line(sha: &str) -> String {
        spec_line("Agent Service", "v1", "openapi.yaml", sha)
    }

    fn entry(section: Kind, text: &str) -> Entry {
        Entry {
            section,
            text: text.into(),
        }
    }

    #[test]
    fn a_new_changelog_has_the_header_the_spec_line_and_the_entries() {
        let text = update(
            None,
            &line(A),
            A,
            &[entry(Kind::Added, "Initial release: generated from v1")],
        );
        assert!(text.starts_with("# Changelog\n"), "{text}");
        assert!(text.contains("keepachangelog.com/en/1.1.0"));
        assert!(
            text.contains(&format!(
                "## [Unreleased]\n\n{}\n\n### Added\n\n- Initial release: generated from v1\n",
                line(A)
            )),
            "{text}"
        );
        assert_eq!(recorded_sha(&text), Some(A));
        assert_eq!(unreleased_impact(&text), Impact::None);
        // The same spec again: byte for byte the same.
        assert_eq!(update(Some(&text), &line(A), A, &[]), text);
    }

    #[test]
    fn entries_go_to_their_sections_in_order_and_the_spec_line_is_replaced() {
        let first = update(None, &line(A), A, &[entry(Kind::Added, "Initial release")]);
        let text = update(
            Some(&first),
            &line(B),
            B,
            &[
                entry(Kind::Removed, "**Breaking** `T`: field `x` removed"),
                entry(Kind::Added, "`Op`: new operation"),
            ],
        );
        assert_eq!(recorded_sha(&text), Some(B));
        assert!(!text.contains(A), "{text}");
        let added = text.find("### Added").unwrap();
        let removed = text.find("### Removed").unwrap();
        assert!(added < removed, "{text}");
        assert!(text.contains("### Added\n\n- Initial release\n- `Op`: new operation\n\n### Removed\n\n- **Breaking** `T`: field `x` removed\n"), "{text}");
        assert_eq!(unreleased_impact(&text), Impact::Breaking);
        // A new spec with no API change only updates the spec line.
        let again = update(Some(&text), &line(A), A, &[]);
        assert_eq!(again.replace(A, B), text);
        // Entries already there are not repeated.
        let same = update(
            Some(&text),
            &line(B),
            B,
            &[entry(Kind::Added, "`Op`: new operation")],
        );
        assert_eq!(same, text);
    }

    #[test]
    fn releases_and_links_are_left_alone() {
        let old = format!(
            "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n## [0.1.0] - 2025-01-01\n\n{}\n\n### Added\n\n- Initial release\n\n[Unreleased]: https://example.com/compare/v0.1.0...HEAD\n[0.1.0]: https://example.com/releases/v0.1.0\n",
            line(A)
        );
        assert_eq!(unreleased_impact(&old), Impact::None);
        assert_eq!(recorded_sha(&old), Some(A));
        assert_eq!(update(Some(&old), &line(A), A, &[]), old);
        let text = update(Some(&old), &line(B), B, &[entry(Kind::Changed, "`T`: x")]);
        let expected = format!(
            "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n{}\n\n### Changed\n\n- `T`: x\n\n## [0.1.0] - 2025-01-01\n\n{}\n\n### Added\n\n- Initial release\n\n[Unreleased]: https://example.com/compare/v0.1.0...HEAD\n[0.1.0]: https://example.com/releases/v0.1.0\n",
            line(B),
            line(A)
        );
        assert_eq!(text, expected);
        assert_eq!(unreleased_impact(&text), Impact::Fix);
    }

    #[test]
    fn a_missing_unreleased_section_is_added_before_the_releases() {
        let old = "# Changelog\n\n## [0.1.0]\n\n- Initial release\n";
        let text = update(
            Some(old),
            &line(B),
            B,
            &[entry(Kind::Added, "`X`: new type")],
        );
        assert_eq!(
            text,
            format!(
                "# Changelog\n\n## [Unreleased]\n\n{}\n\n### Added\n\n- `X`: new type\n\n## [0.1.0]\n\n- Initial release\n",
                line(B)
            )
        );
        assert_eq!(unreleased_impact(&text), Impact::Addition);
    }

    #[test]
    fn recorded_sha_wants_a_full_hex_digest() {
        assert_eq!(recorded_sha("sha256 `abc`"), None);
        assert_eq!(recorded_sha("nothing"), None);
        assert_eq!(
            recorded_sha(&format!("x sha256 `{A}` y sha256 `{B}`")),
            Some(A)
        );
    }
}
