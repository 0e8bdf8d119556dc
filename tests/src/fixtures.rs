//! Realistic execution bodies, read from `tests/data/`.

use serde_json::{Value, json};

/// The id of the fixture execution.
pub const EXECUTION_ID: &str = "0b7c2f3e-5d1a-4c7e-9f1e-2a3b4c5d6e7f";

/// An API key that must never appear in any output.
pub const SENTINEL_KEY: &str = "sk-ast-SENTINEL-7d41c0ffee";

/// The path of a file in `tests/data/`.
pub fn data_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name)
}

/// A JSON fixture from `tests/data/`.
pub fn fixture(name: &str) -> Value {
    let text =
        std::fs::read_to_string(data_path(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// A complete execution with this status: terminal statuses carry a result, others do not.
pub fn execution(status: &str) -> Value {
    let mut v = fixture("execution_completed_api.json");
    v["status"] = json!(status);
    if !matches!(status, "completed" | "failed" | "cancelled") {
        let obj = v.as_object_mut().expect("object");
        for k in [
            "executionResult",
            "terminalAt",
            "duration",
            "recordingUrl",
            "browserRecordingUrl",
        ] {
            obj.remove(k);
        }
    }
    if status == "failed" {
        v["executionResult"]["outcome"] = json!("failure");
        v["executionResult"]["reasoning"] = json!("The login page rejected the credentials.");
        v["executionResult"]["result"] = json!(null);
    }
    v
}

/// The trigger context of each known source.
pub fn trigger(source: &str) -> Value {
    let runner =
        json!({"userId": "7ce390a5-ce81-43e5-a08f-91a2b3c4d5e6", "email": "ops@example.com"});
    match source {
        "api" => json!({"source": "api", "runner": runner,
                        "apiKey": {"id": "af16c3d8-f1b4-4618-93bc-c4d5e6f70819", "name": "ci-key"}}),
        "ui" => json!({"source": "ui", "runner": runner}),
        "schedule" => json!({"source": "schedule",
                             "schedule": {"id": "b027d4e9-a2c5-4729-a4cd-d5e6f708192a", "cronExpression": "0 9 * * 1-5"}}),
        other => json!({"source": other}),
    }
}

/// A documented error body.
pub fn error_body(code: u16, message: &str) -> Value {
    json!({"code": code, "message": message})
}
