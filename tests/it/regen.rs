//! `cargo xtask regen` on bad input: one clear error, and the generated code untouched.

use std::path::{Path, PathBuf};

use xtask::regen::{Paths, generate_from_bytes, run, workspace_root};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("asteroid-regen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Run regen (writing mode) on `spec_text` with outputs in a temp dir that already holds
/// "committed" files; return the error and check the files did not change.
fn regen_error(name: &str, spec_text: Option<&str>) -> String {
    let dir = temp_dir(name);
    let paths = Paths {
        spec: dir.join("openapi.yaml"),
        client: dir.join("client.rs"),
        mock: dir.join("mock.rs"),
    };
    if let Some(text) = spec_text {
        std::fs::write(&paths.spec, text).unwrap();
    }
    std::fs::write(&paths.client, "// committed client\n").unwrap();
    std::fs::write(&paths.mock, "// committed mock\n").unwrap();
    let err = match run(&paths, false) {
        Ok(_) => panic!("{name}: regen accepted a bad spec"),
        Err(e) => e.to_string(),
    };
    assert_eq!(
        std::fs::read_to_string(&paths.client).unwrap(),
        "// committed client\n"
    );
    assert_eq!(
        std::fs::read_to_string(&paths.mock).unwrap(),
        "// committed mock\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    err
}

fn vendored() -> String {
    std::fs::read_to_string(workspace_root().join("openapi.yaml")).unwrap()
}

#[test]
fn a_missing_file_is_named() {
    let err = regen_error("missing", None);
    assert!(
        err.contains("openapi.yaml") && err.contains("cannot read"),
        "{err}"
    );
}

#[test]
fn a_yaml_syntax_error_names_file_line_and_column() {
    // Break the indentation in the middle of the document.
    let text = vendored().replacen(
        "    Agents.Execution.ListItem:\n",
        "    Agents.Execution.ListItem:\n  bad: [unclosed\n",
        1,
    );
    let line = text.lines().position(|l| l.contains("[unclosed")).unwrap() + 1;
    let err = regen_error("yaml", Some(&text));
    assert!(
        err.starts_with(&format!("{}", Path::new("openapi.yaml").display()))
            || err.contains("openapi.yaml:"),
        "{err}"
    );
    assert!(
        err.contains(&format!(":{line}:")) || err.contains(&format!(":{}:", line + 1)),
        "line {line}: {err}"
    );
    assert!(err.contains("invalid YAML"), "{err}");
}

#[test]
fn a_document_that_is_not_openapi_is_rejected() {
    let err = regen_error("notopenapi", Some("just: a\nmapping: true\n"));
    assert!(err.contains("not an OpenAPI document"), "{err}");
    let err = regen_error(
        "swagger",
        Some("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n"),
    );
    assert!(err.contains("Swagger"), "{err}");
}

#[test]
fn a_duplicate_operation_id_names_its_pointer() {
    let text = vendored().replace(
        "components:\n  schemas:\n",
        "  /executions/{executionId}/again:\n    get:\n      operationId: ExecutionGet\n      responses:\n        '200':\n          description: ok\ncomponents:\n  schemas:\n",
    );
    let err = regen_error("dup", Some(&text));
    assert!(
        err.contains("duplicate operationId \"ExecutionGet\""),
        "{err}"
    );
    assert!(
        err.contains("/paths/~1executions~1{executionId}~1again/get/operationId"),
        "{err}"
    );
}

#[test]
fn an_unsupported_construct_is_reported_with_its_pointer() {
    let text = vendored().replace(
        "        agentName:\n          description: The agent display name\n          type: string\n",
        "        agentName:\n          description: The agent display name\n          type: [string, integer]\n",
    );
    let err = regen_error("multitype", Some(&text));
    assert!(
        err.contains("/components/schemas/Agents.Execution.ListItem/properties/agentName/type"),
        "{err}"
    );
}

#[test]
fn the_evolved_spec_generates_the_new_operation_and_values() {
    let root = workspace_root();
    let bytes = std::fs::read(root.join("tests/data/openapi.evolved.yaml")).unwrap();
    let out = generate_from_bytes(&bytes, "openapi.yaml").expect("evolved spec generates");
    assert!(out.client.contains("pub fn execution_cancel(&self)"));
    assert!(out.client.contains("Self::Queued => \"queued\""));
    assert!(out.client.contains("pub priority:"));
    assert!(out.mock.contains("fn execution_cancel"));
    // Generation is deterministic.
    let again = generate_from_bytes(&bytes, "openapi.yaml").unwrap();
    assert!(again.client == out.client && again.mock == out.mock);
}

/// The text of one generated builder (`pub struct NAME<'a>` up to the next struct).
fn builder_text<'a>(client: &'a str, name: &str) -> &'a str {
    let start = client
        .find(&format!("pub struct {name}<'a>"))
        .unwrap_or_else(|| panic!("no builder {name}"));
    let rest = &client[start..];
    let end = rest[1..].find("pub struct ").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

#[test]
fn the_openapi_initiatives_petstore_expanded_generates_with_typed_default_errors() {
    let root = workspace_root();
    let bytes = std::fs::read(root.join("tests/data/petstore-expanded.yaml")).unwrap();
    let out = generate_from_bytes(&bytes, "petstore-expanded.yaml").expect("petstore generates");
    // `default` beside `200` is the error body: 4xx and 5xx decode as the typed `Error`.
    let find_pets = builder_text(&out.client, "FindPets");
    assert!(
        find_pets.contains("crate::Error<types::Error>"),
        "{find_pets}"
    );
    for arm in ["400u16..=499u16 =>", "500u16..=599u16 =>"] {
        let at = find_pets
            .find(arm)
            .unwrap_or_else(|| panic!("no {arm}: {find_pets}"));
        let body = &find_pets[at + arm.len()..];
        let body = &body[..body.find("=>").unwrap_or(body.len())];
        assert!(body.contains("Error::ErrorResponse"), "{arm}{body}");
    }
    // Other statuses are unexpected, not decoded as a success.
    assert!(find_pets.contains("_ => Err(Error::UnexpectedResponse(response))"));
    // 204 and no body beside `default`: the success type is `()`.
    let delete = builder_text(&out.client, "DeletePet");
    assert!(
        delete.contains("ResponseValue<()>, crate::Error<types::Error>"),
        "{delete}"
    );
}

#[test]
fn the_evolved_spec_generates_its_styled_list_parameters() {
    let root = workspace_root();
    let bytes = std::fs::read(root.join("tests/data/openapi.evolved.yaml")).unwrap();
    let out = generate_from_bytes(&bytes, "openapi.yaml").expect("evolved spec generates");
    let list = builder_text(&out.client, "ExecutionList");
    // deepObject, pipeDelimited, spaceDelimited and the array header all reach the builder.
    for field in [
        "created:",
        "label:",
        "q:",
        "status:",
        "agent_id:",
        "x_trace_tags:",
    ] {
        assert!(list.contains(field), "{field}: {list}");
    }
}
