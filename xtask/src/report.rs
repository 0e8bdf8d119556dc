//! The API change report `cargo xtask regen` prints, and the changelog entries it writes.
//!
//! The report lists the changes operation by operation and type by type, each line
//! marked `breaking` or `compatible`, and ends with exactly one line:
//!
//! ```text
//! API change: breaking|compatible|none (next version X.Y.Z)
//! ```
//!
//! The label is this change's; the next version also counts what the changelog's
//! Unreleased section already records (the larger of the two), and a note above the last
//! line says so when that made a difference.

use crate::api_diff::{self, Change, Impact, Subject};
use crate::api_model::{ApiModel, Schema};
use crate::changelog::{self, Entry};
use crate::semver::Version;

/// The report of one regen.
#[derive(Debug, Clone)]
pub struct ApiReport {
    /// Every change, in report order.
    pub changes: Vec<Change>,
    /// This change's impact.
    pub impact: Impact,
    /// What the changelog's Unreleased section already held.
    pub unreleased: Impact,
    /// The version in `asteroid-sdk/Cargo.toml`.
    pub current: Version,
    /// The version to release next.
    pub next: Version,
    /// The text to print; its last line is the `API change: ...` line.
    pub text: String,
}

/// Where the baseline lives, for messages.
pub const BASELINE_NAME: &str = "xtask/api-baseline.json";

/// Compare the baseline's model (`None` when there is none) with the new spec's.
pub fn build(
    old: Option<&ApiModel>,
    new: &ApiModel,
    current: Version,
    unreleased: Impact,
) -> ApiReport {
    let changes = old.map(|o| api_diff::diff(o, new)).unwrap_or_default();
    let impact = api_diff::impact(&changes);
    let next = current.next(impact.max(unreleased));
    let mut text = String::new();
    match old {
        None => {
            text.push_str(&format!(
                "No API baseline ({BASELINE_NAME}) to compare \"{}\" {} with: this run records \
                 one, and the next regen reports the changes against it.\n",
                new.spec.title, new.spec.version
            ));
        }
        Some(old) => render(&mut text, old, new, &changes),
    }
    if unreleased > impact {
        text.push_str(&format!(
            "note: CHANGELOG.md's Unreleased section already records {} changes since the last \
             release; the next version counts them too.\n",
            unreleased.label()
        ));
    }
    text.push_str(&format!(
        "API change: {} (next version {next})\n",
        impact.label()
    ));
    ApiReport {
        changes,
        impact,
        unreleased,
        current,
        next,
        text,
    }
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

fn spec_name(m: &ApiModel) -> String {
    format!(
        "\"{}\" {} (sha256 {})",
        m.spec.title,
        m.spec.version,
        short(&m.spec.sha256)
    )
}

fn render(text: &mut String, old: &ApiModel, new: &ApiModel, changes: &[Change]) {
    if changes.is_empty() {
        text.push_str(&format!(
            "No API changes from {} to {}.\n",
            spec_name(old),
            spec_name(new)
        ));
        if old.spec.sha256 != new.spec.sha256 {
            text.push_str("The spec's bytes changed, but nothing a user of the crate sees.\n");
        }
        return;
    }
    text.push_str(&format!(
        "API changes from {} to {}:\n",
        spec_name(old),
        spec_name(new)
    ));
    let mut last_group = "";
    let mut last_subject: Option<&Subject> = None;
    for c in changes {
        let group = match c.subject {
            Subject::Operation(_) => "Operations",
            Subject::Type(_) => "Types",
            Subject::Service => "Server and authentication",
        };
        if group != last_group {
            text.push_str(&format!("\n{group}\n"));
            last_group = group;
            last_subject = None;
        }
        let indent = match &c.subject {
            Subject::Service => "  ",
            _ => "    ",
        };
        if last_subject != Some(&c.subject) {
            match &c.subject {
                Subject::Operation(id) => {
                    text.push_str(&format!("  {}\n", operation_heading(old, new, id)));
                }
                Subject::Type(name) => {
                    text.push_str(&format!("  {}\n", type_heading(old, new, name)));
                }
                Subject::Service => {}
            }
            last_subject = Some(&c.subject);
        }
        let mark = if c.breaking { "breaking" } else { "compatible" };
        text.push_str(&format!("{indent}{mark:<10}  {}\n", c.text));
    }
    let breaking = changes.iter().filter(|c| c.breaking).count();
    text.push_str(&format!(
        "\n{} {}: {breaking} breaking, {} compatible.\n",
        changes.len(),
        if changes.len() == 1 {
            "change"
        } else {
            "changes"
        },
        changes.len() - breaking
    ));
}

fn operation_heading(old: &ApiModel, new: &ApiModel, id: &str) -> String {
    match new.operations.get(id).or_else(|| old.operations.get(id)) {
        Some(op) => format!("{id}: {} {}, client.{}()", op.method, op.path, op.rust),
        None => id.to_string(),
    }
}

fn uses(s: &Schema) -> &'static str {
    match (s.requests, s.responses) {
        (true, true) => "in requests and responses",
        (true, false) => "in requests",
        (false, true) => "in responses",
        (false, false) => "not used by any operation",
    }
}

fn type_heading(old: &ApiModel, new: &ApiModel, name: &str) -> String {
    match new.schemas.get(name).or_else(|| old.schemas.get(name)) {
        Some(s) => format!("{name} ({}, {})", s.shape.kind(), uses(s)),
        None => name.to_string(),
    }
}

/// The changelog lines for a report: one per change, breaking ones marked.
pub fn changelog_entries(old: &ApiModel, new: &ApiModel, changes: &[Change]) -> Vec<Entry> {
    changes
        .iter()
        .map(|c| {
            let subject = match &c.subject {
                Subject::Operation(id) => {
                    match new.operations.get(id).or_else(|| old.operations.get(id)) {
                        Some(op) => format!(
                            "`{id}` (`client.{}()`, `{} {}`): ",
                            op.rust, op.method, op.path
                        ),
                        None => format!("`{id}`: "),
                    }
                }
                Subject::Type(name) => format!("`{name}`: "),
                Subject::Service => String::new(),
            };
            let mark = if c.breaking { "**Breaking** " } else { "" };
            let mut body = format!("{subject}{}", c.text);
            if let Some(first) = body.get(..1)
                && c.subject == Subject::Service
            {
                body = format!("{}{}", first.to_uppercase(), &body[1..]);
            }
            Entry {
                section: c.kind,
                text: format!("{mark}{body}."),
            }
        })
        .collect()
}

/// The first release's entry.
pub fn initial_entry(new: &ApiModel, spec_file: &str) -> Entry {
    Entry {
        section: api_diff::Kind::Added,
        text: format!(
            "{}: the client for \"{}\" {}, generated from `{spec_file}` (sha256 `{}`).",
            changelog::INITIAL_START,
            new.spec.title,
            new.spec.version,
            new.spec.sha256
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_model::Shape;
    use crate::api_model::{Field, Operation, SpecInfo};
    use std::collections::BTreeMap;

    fn model(version: &str) -> ApiModel {
        ApiModel {
            format: crate::api_model::FORMAT,
            spec: SpecInfo {
                title: "T".into(),
                version: version.into(),
                sha256: format!("{version:0>64}"),
            },
            servers: vec![],
            auth: BTreeMap::new(),
            operations: BTreeMap::from([(
                "ThingGet".to_string(),
                Operation {
                    method: "GET".into(),
                    path: "/t".into(),
                    rust: "thing_get".into(),
                    params: BTreeMap::new(),
                    body: None,
                    responses: BTreeMap::from([("200".to_string(), Some("Thing".to_string()))]),
                },
            )]),
            schemas: BTreeMap::from([(
                "Thing".to_string(),
                Schema {
                    shape: Shape::Struct {
                        fields: BTreeMap::from([(
                            "id".to_string(),
                            Field {
                                ty: "uuid".into(),
                                required: true,
                                nullable: false,
                                defaulted: false,
                            },
                        )]),
                    },
                    requests: false,
                    responses: true,
                },
            )]),
        }
    }

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn no_change_ends_with_none_and_the_current_version() {
        let r = build(Some(&model("1")), &model("2"), v("0.1.0"), Impact::None);
        assert_eq!(r.impact, Impact::None);
        assert!(r.text.contains("No API changes"), "{}", r.text);
        assert!(r.text.contains("bytes changed"), "{}", r.text);
        assert_eq!(
            r.text.lines().last(),
            Some("API change: none (next version 0.1.0)")
        );
    }

    #[test]
    fn changes_are_grouped_and_marked() {
        let old = model("1");
        let mut new = model("2");
        if let Shape::Struct { fields } = &mut new.schemas.get_mut("Thing").unwrap().shape {
            fields.remove("id");
            fields.insert(
                "platformUrl".into(),
                Field {
                    ty: "string".into(),
                    required: false,
                    nullable: false,
                    defaulted: false,
                },
            );
        }
        new.operations
            .get_mut("ThingGet")
            .unwrap()
            .responses
            .insert("429".into(), None);
        let r = build(Some(&old), &new, v("0.1.0"), Impact::None);
        let lines: Vec<&str> = r.text.lines().collect();
        let at = |needle: &str| {
            lines
                .iter()
                .position(|l| l.contains(needle))
                .unwrap_or_else(|| panic!("{needle:?} in\n{}", r.text))
        };
        assert!(at("Operations") < at("ThingGet: GET /t, client.thing_get()"));
        assert!(
            lines[at("status 429")]
                .trim_start()
                .starts_with("compatible")
        );
        assert!(at("Types") < at("Thing (struct, in responses)"));
        assert!(
            lines[at("field `id` removed")]
                .trim_start()
                .starts_with("breaking")
        );
        assert!(
            lines[at("`platformUrl` (Rust `platform_url`)")]
                .trim_start()
                .starts_with("compatible")
        );
        assert!(r.text.contains("3 changes: 1 breaking, 2 compatible."));
        assert_eq!(
            lines.last(),
            Some(&"API change: breaking (next version 0.2.0)")
        );

        let entries = changelog_entries(&old, &new, &r.changes);
        assert!(entries.iter().any(|e| e.section == api_diff::Kind::Removed
            && e.text == "**Breaking** `Thing`: field `id` removed (was `uuid`, required)."));
        assert!(
            entries.iter().any(|e| e
                .text
                .starts_with("`ThingGet` (`client.thing_get()`, `GET /t`): documented status 429"))
        );
    }

    #[test]
    fn the_unreleased_section_raises_the_next_version_and_says_so() {
        let r = build(Some(&model("1")), &model("1"), v("0.1.0"), Impact::Breaking);
        assert!(
            r.text.contains("already records breaking changes"),
            "{}",
            r.text
        );
        assert_eq!(
            r.text.lines().last(),
            Some("API change: none (next version 0.2.0)")
        );
        let r = build(Some(&model("1")), &model("1"), v("1.4.2"), Impact::Addition);
        assert_eq!(
            r.text.lines().last(),
            Some("API change: none (next version 1.5.0)")
        );
    }

    #[test]
    fn without_a_baseline_the_report_says_so() {
        let r = build(None, &model("1"), v("0.1.0"), Impact::None);
        assert!(r.text.contains("No API baseline"), "{}", r.text);
        assert_eq!(
            r.text.lines().last(),
            Some("API change: none (next version 0.1.0)")
        );
    }
}
