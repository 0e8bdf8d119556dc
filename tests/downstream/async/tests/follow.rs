//! The program's own tests, with the SDK's typed mocks (feature `mock`).

use std::time::Duration;

use asteroid_sdk::mock::MockServer;
use asteroid_sdk::{Execution, ExecutionStatus, Uuid};

#[path = "../src/main.rs"]
#[allow(dead_code)]
mod program;

fn execution(id: Uuid, status: ExecutionStatus) -> Execution {
    Execution::builder()
        .id(id)
        .agent_id(Uuid::new_v4())
        .workflow_id(Uuid::new_v4())
        .organization_id(Uuid::new_v4())
        .agent_name("Invoice downloader")
        .status(status)
        .created_at(asteroid_sdk::chrono::Utc::now())
        .has_been_rerun(false)
        .human_labels(vec![])
        .comments(vec![])
        .build()
        .expect("every required field is set")
}

#[tokio::test]
async fn follows_an_execution_to_its_result() {
    let id = Uuid::new_v4();
    let server = MockServer::start_async().await;
    let running = execution(id, ExecutionStatus::Running);
    let completed = asteroid_sdk::serde_json::from_value::<Execution>({
        let mut v = asteroid_sdk::serde_json::to_value(execution(id, ExecutionStatus::Completed)).unwrap();
        v["executionResult"] = asteroid_sdk::serde_json::json!({
            "id": Uuid::new_v4(), "executionId": id, "outcome": "success",
            "reasoning": "done", "result": {"count": 3}, "createdAt": "2026-11-20T09:17:44Z"
        });
        v
    })
    .unwrap();
    server.execution_get(|when, then| {
        when.execution_id(&id);
        then.ok_sequence(&[running.clone(), running, completed]);
    });
    let out = program::follow(&server.client(), id, Duration::from_secs(10)).await;
    assert_eq!(
        out,
        "Invoice downloader (running)\n-> running\n-> completed\nresult {\"count\":3}"
    );
}

#[tokio::test]
async fn a_missing_execution_is_reported() {
    let server = MockServer::start_async().await;
    let id = Uuid::new_v4();
    let body = asteroid_sdk::ErrorBody::builder()
        .code(404)
        .message("Execution not found")
        .build()
        .unwrap();
    server.execution_get(|when, then| {
        when.execution_id(&id);
        then.not_found(&body);
    });
    let out = program::follow(&server.client(), id, Duration::from_secs(1)).await;
    assert_eq!(out, format!("no execution {id}"));
}

#[tokio::test]
async fn a_deadline_is_a_timeout() {
    let server = MockServer::start_async().await;
    let id = Uuid::new_v4();
    server.execution_get(|when, then| {
        when.execution_id(&id);
        then.ok(&execution(id, ExecutionStatus::Running));
    });
    let out = program::follow(&server.client(), id, Duration::from_millis(200)).await;
    assert!(out.ends_with("gave up waiting"), "{out}");
}

#[tokio::test]
async fn rate_limits_are_reported() {
    let server = MockServer::start_async().await;
    let id = Uuid::new_v4();
    server.execution_get(|when, then| {
        when.execution_id(&id);
        then.rate_limited(Duration::from_secs(120));
    });
    let client = server.client_builder().max_retries(0).build().unwrap();
    let out = program::follow(&client, id, Duration::from_secs(1)).await;
    assert!(out.starts_with("error: ") && out.contains("429"), "{out}");
    let err = client.execution_get().execution_id(id).send().await.unwrap_err();
    assert!(err.is_rate_limited());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
}
