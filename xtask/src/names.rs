//! Rust names for schema names and enum values, the way typify makes them.

use heck::{ToPascalCase, ToSnakeCase};

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
}
