//! Operation names that the generated methods can carry.
//!
//! Each operation becomes a method named by the snake_case of its `operationId`, on
//! `Client` (beside the SDK's own methods: `builder`, `from_env`, `wait_for_execution`,
//! ...), on the blocking client, and on the mock server (beside `start`, `client`, ...,
//! and each operation's `_async` twin).
//!
//! The rule: operations are taken in path order, then method order; an operation whose
//! method name is in [`RESERVED`], is already taken, or is another's `_async` twin gets
//! `_operation` appended (then `_2`, `_3`, ...) to its `operationId`. The spec's id is kept
//! as `x-operation-id` (tracing reports it).

use std::collections::BTreeSet;

use serde_json::Value;

use super::HTTP_METHODS;
use crate::error::Result;
use crate::names::snake_name;

/// The extension that keeps a renamed operation's id as the spec gives it.
pub const EXTENSION: &str = "x-operation-id";

/// Method names of `Client`, `blocking::Client`, their trait impls and `mock::MockServer`
/// that an operation cannot take.
pub const RESERVED: &[&str] = &[
    "api_version",
    "as_async",
    "assert_client_hooks",
    "baseurl",
    "block_on",
    "builder",
    "client",
    "client_builder",
    "from_env",
    "inner",
    "into_inner",
    "new",
    "new_with_client",
    "start",
    "start_async",
    "wait_for_execution",
    "watch_execution",
    "watch_execution_with",
];

/// Rename the operations whose method names collide (see the module docs).
pub fn apply(doc: &mut Value) -> Result<()> {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    let ids: Vec<String> = paths
        .values()
        .flat_map(|item| {
            HTTP_METHODS.iter().filter_map(move |m| {
                item.get(*m)?
                    .get("operationId")?
                    .as_str()
                    .map(str::to_string)
            })
        })
        .collect();
    let all: BTreeSet<String> = ids.iter().map(|id| snake_name(id)).collect();
    let mut taken: BTreeSet<String> = RESERVED.iter().map(|s| s.to_string()).collect();
    for item in paths.values_mut() {
        for method in HTTP_METHODS {
            let Some(op) = item.get_mut(*method).and_then(Value::as_object_mut) else {
                continue;
            };
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let id = id.to_string();
            let rust = snake_name(&id);
            let twin = rust
                .strip_suffix("_async")
                .is_some_and(|base| all.contains(base));
            if !twin && taken.insert(rust.clone()) && !taken.contains(&format!("{rust}_async")) {
                taken.insert(format!("{rust}_async"));
                continue;
            }
            let base = format!("{rust}_operation");
            let mut candidate = base.clone();
            let mut n = 2;
            while taken.contains(&candidate) || taken.contains(&format!("{candidate}_async")) {
                candidate = format!("{base}_{n}");
                n += 1;
            }
            taken.insert(candidate.clone());
            taken.insert(format!("{candidate}_async"));
            op.insert("operationId".into(), Value::String(candidate));
            op.entry(EXTENSION).or_insert(Value::String(id));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn colliding_operations_get_operation_appended() {
        let mut doc = json!({"paths": {
            "/a": {"get": {"operationId": "builder"}, "post": {"operationId": "getFoo"}},
            "/b": {"get": {"operationId": "get_foo"}, "put": {"operationId": "getFoo_async"},
                   "delete": {"operationId": "ExecutionGet"}}
        }});
        apply(&mut doc).unwrap();
        let id = |p: &str, m: &str| {
            doc["paths"][p][m]["operationId"]
                .as_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(id("/a", "get"), "builder_operation");
        assert_eq!(doc["paths"]["/a"]["get"][EXTENSION], "builder");
        assert_eq!(id("/a", "post"), "getFoo");
        assert_eq!(id("/b", "get"), "get_foo_operation");
        assert_eq!(id("/b", "put"), "get_foo_async_operation");
        assert_eq!(id("/b", "delete"), "ExecutionGet");
        assert!(doc["paths"]["/b"]["delete"].get(EXTENSION).is_none());
    }
}
