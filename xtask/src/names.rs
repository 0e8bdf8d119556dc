//! Rust names for schema names and enum values.
//!
//! - [`type_name`] and [`snake_name`] sanitize a name the way typify does.
//! - [`rust_type_name`] is the name a user sees for a component schema: the spec's
//!   namespace (the first dotted segment, `Agents.` or `Common.`) is dropped, a segment
//!   that the next one repeats is dropped (`Execution.ExecutionResult` is
//!   `ExecutionResult`, `Agents.Agent.Agent` is `Agent`), and the few names that mislead
//!   are taken from [`RENAMES`].

use heck::{ToPascalCase, ToSnakeCase};

/// Schemas whose name, by the general rule, would mislead: `(spec name, Rust name)`.
/// Add a row here when `regen` reports two schemas with the same Rust name.
pub const RENAMES: &[(&str, &str)] = &[
    // A single execution, as `ExecutionGet` returns it (the spec calls it a list item).
    ("Agents.Execution.ListItem", "Execution"),
];

/// The Rust type name of a component schema (see the module docs).
pub fn rust_type_name(schema_name: &str) -> String {
    if let Some((_, name)) = RENAMES.iter().find(|(spec, _)| *spec == schema_name) {
        return (*name).to_string();
    }
    let mut segments: Vec<&str> = schema_name.split('.').filter(|s| !s.is_empty()).collect();
    if segments.len() > 1 {
        segments.remove(0);
    }
    let pascal: Vec<String> = segments.iter().map(|s| type_name(s)).collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, seg) in pascal.iter().enumerate() {
        let repeated = pascal
            .get(i + 1)
            .is_some_and(|next| next.starts_with(seg.as_str()));
        if !repeated {
            kept.push(seg);
        }
    }
    type_name(&kept.concat())
}

/// typify's `sanitize(name, Case::Pascal)`: the type name a schema name becomes.
pub fn type_name(input: &str) -> String {
    sanitize(input, |s| s.to_pascal_case())
}

/// A snake_case identifier for a name (method and field names).
pub fn snake_name(input: &str) -> String {
    sanitize(input, |s| s.to_snake_case())
}

fn sanitize(input: &str, case: fn(&str) -> String) -> String {
    let out = match input {
        "+1" => "plus1".to_string(),
        "-1" => "minus1".to_string(),
        _ => case(
            &input
                .replace('\'', "")
                .replace(|c: char| !unicode_ident::is_xid_continue(c), "-"),
        ),
    };
    let out = match out.chars().next() {
        None => case("x"),
        Some(c) if unicode_ident::is_xid_start(c) => out,
        Some(_) => format!("{}{}", case("x"), out),
    };
    if syn::parse_str::<syn::Ident>(&out).is_ok() {
        out
    } else {
        format!("{out}_")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_typify() {
        assert_eq!(
            type_name("Agents.Execution.ListItem"),
            "AgentsExecutionListItem"
        );
        assert_eq!(
            type_name("Agents.Execution.APITriggerContext"),
            "AgentsExecutionApiTriggerContext"
        );
        assert_eq!(type_name("paused_by_agent"), "PausedByAgent");
        assert_eq!(type_name("1st"), "X1st");
        assert_eq!(snake_name("type"), "type_");
        assert_eq!(type_name(""), "X");
    }

    #[test]
    fn readable_names() {
        assert_eq!(rust_type_name("Agents.Execution.ListItem"), "Execution");
        assert_eq!(rust_type_name("Agents.Execution.Status"), "ExecutionStatus");
        assert_eq!(rust_type_name("Common.ErrorBody"), "ErrorBody");
        assert_eq!(
            rust_type_name("Agents.Execution.ExecutionResult"),
            "ExecutionResult"
        );
        assert_eq!(
            rust_type_name("Agents.Execution.APITriggerContext"),
            "ExecutionApiTriggerContext"
        );
        assert_eq!(
            rust_type_name("Agents.Execution.APITriggerContext.source"),
            "ExecutionApiTriggerContextSource"
        );
        assert_eq!(
            rust_type_name("Agents.Agent.ExecutionOptions"),
            "AgentExecutionOptions"
        );
        // A later schema gets a readable name with no table entry.
        assert_eq!(
            rust_type_name("Agents.Execution.ListResponse"),
            "ExecutionListResponse"
        );
        // A segment repeated whole is said once.
        assert_eq!(rust_type_name("Agents.Agent.Agent"), "Agent");
        // Names without a namespace are kept.
        assert_eq!(rust_type_name("Pet"), "Pet");
        assert_eq!(rust_type_name("NewPet"), "NewPet");
        assert_eq!(
            rust_type_name("ExecutionCancel-body"),
            "ExecutionCancelBody"
        );
    }
}
