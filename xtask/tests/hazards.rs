//! The hazards spec (`tests/data/openapi.hazards.yaml`: identifiers that collide with the
//! generated code's own names) generates, by the renaming rules of the transforms and
//! post-processing. `scripts/hazards-check.sh` builds the result.

use xtask::regen::{generate_from_bytes, workspace_root};

#[test]
fn the_hazards_spec_generates() {
    let path = workspace_root().join("tests/data/openapi.hazards.yaml");
    let bytes = std::fs::read(&path).expect("the hazards spec is in tests/data");
    let out = generate_from_bytes(&bytes, "openapi.hazards.yaml").expect("hazards generate");
    let client = &out.client;
    for want in [
        // A query parameter named like a path parameter, one named `body` beside the body,
        // one named `client`, and `foo_bar` after `fooBar`: the location is appended.
        "pub fn key_query<V>(",
        "pub fn body_query<V>(",
        "pub fn client_query<V>(",
        "pub fn foo_bar_query<V>(",
        // Operations named like the client's own methods get `_operation`.
        "pub fn builder_operation(&self)",
        "pub fn client_operation(&self)",
        // Members that differ only in case or separators: numbered.
        "pub self_2:",
        "pub foo_bar_2:",
        // The serde impls' own names cannot be a member's.
        "while let ::std::option::Option::Some(__key) = __map",
        // Enum values `Unknown` and `unknown` next to the fallback.
        "Unknown__(::std::string::String)",
    ] {
        assert!(client.contains(want), "missing {want:?}");
    }
    assert!(
        !client.contains("Some(key) = map"),
        "a spec name as a local"
    );
    // Renamed parameters keep their names on the wire.
    assert!(!client.contains("\"key_query\""));
    assert!(
        out.mock.contains("pub fn value_missing_query(self"),
        "{}",
        out.mock
    );
    assert!(out.mock.contains("pub fn self_missing(self)"));
    assert!(!out.mock.contains("self__missing"));
}
