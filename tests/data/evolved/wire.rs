//! On the crate regenerated from `tests/data/openapi.evolved.yaml` (copied into the
//! regenerated workspace's `tests/it/` by `scripts/evolve-check.sh`): the operations that
//! spec adds send their parameters exactly as its styles say, retry as their method
//! allows, check their body, and have typed mocks and blocking calls.

use std::time::Duration;

use asteroid_sdk::mock::{MockServer, Reply};
use asteroid_sdk::types::{ExecutionCancelBody, ExecutionCancelBodyMode, ExecutionTimeWindow};
use asteroid_sdk::{Error, ExecutionStatus, RetryPolicy, Uuid};
use asteroid_sdk_tests::fixtures::execution;
use asteroid_sdk_tests::server::{Reply as ServerReply, TestServer};
use serde_json::json;

use crate::common::{builder_for, client_for, execution_id};

fn page() -> serde_json::Value {
    json!({"items": [execution("running")], "page": 1, "pageSize": 20, "total": 1})
}

fn query_of(server: &TestServer) -> String {
    let requests = server.requests();
    let last = requests.last().expect("a request");
    last.query().unwrap_or_default().to_string()
}

#[tokio::test]
async fn query_parameters_follow_their_style_and_explode() {
    let server = TestServer::always(ServerReply::json(200, &page()));
    let client = client_for(&server);
    let a: Uuid = "11111111-1111-4111-8111-111111111111".parse().unwrap();
    let b: Uuid = "22222222-2222-4222-8222-222222222222".parse().unwrap();
    let after: asteroid_sdk::chrono::DateTime<asteroid_sdk::chrono::Utc> =
        "2026-11-01T00:00:00Z".parse().unwrap();
    let list = client
        .execution_list()
        .status(vec![ExecutionStatus::Queued, ExecutionStatus::Running])
        .agent_id(vec![a, b])
        .label(vec!["a b".to_string(), "x,y".to_string()])
        .q(vec!["invoice".to_string(), "acme".to_string()])
        .created(ExecutionTimeWindow::builder().after(after).build().unwrap())
        .x_trace_tags(vec!["ci".to_string(), "nightly".to_string()])
        .page(2)
        .send()
        .await
        .expect("list");
    assert_eq!(list.total, 1);
    let query = query_of(&server);
    let pairs: Vec<&str> = query.split('&').collect();
    for want in [
        // form, explode: false
        "status=queued,running",
        // form, explode: true
        "agentId=11111111-1111-4111-8111-111111111111",
        "agentId=22222222-2222-4222-8222-222222222222",
        // pipeDelimited (the delimiter and reserved characters percent-encoded)
        "label=a%20b%7Cx%2Cy",
        // spaceDelimited
        "q=invoice%20acme",
        // deepObject
        "created%5Bafter%5D=2026-11-01T00%3A00%3A00Z",
        "page=2",
    ] {
        assert!(pairs.contains(&want), "{want} not in {query}");
    }
    let requests = server.requests();
    assert_eq!(
        requests.last().unwrap().header("x-trace-tags"),
        Some("ci,nightly")
    );
    assert!(requests.last().unwrap().header("api-version").is_none());
}

#[tokio::test]
async fn exploded_form_arrays_repeat_the_name() {
    let server = TestServer::always(ServerReply::json(200, &page()));
    let client = client_for(&server);
    client
        .execution_list()
        .status(vec![ExecutionStatus::Queued])
        .send()
        .await
        .unwrap();
    assert_eq!(query_of(&server), "status=queued");
}

#[tokio::test]
async fn constrained_parameters_are_checked_before_sending() {
    let server = TestServer::always(ServerReply::json(200, &page()));
    let client = client_for(&server);
    let err = client
        .execution_list()
        .page_size(1000)
        .send()
        .await
        .expect_err("pageSize has maximum 100");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    assert!(err.to_string().contains("pageSize"), "{err}");
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn a_post_answered_503_is_sent_once_and_a_get_is_retried() {
    let server = TestServer::always(ServerReply::status(503).header("retry-after", "0"));
    let client = builder_for(&server)
        .retry_policy(RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(5)))
        .build()
        .unwrap();
    let body = ExecutionCancelBody::builder()
        .reason("no longer needed")
        .mode(ExecutionCancelBodyMode::Graceful)
        .build()
        .unwrap();
    let err = client
        .execution_cancel()
        .execution_id(execution_id())
        .body(body)
        .send()
        .await
        .expect_err("503");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.request_count(), 1, "a POST is not idempotent");
    server.clear_requests();
    let err = client
        .execution_get()
        .execution_id(execution_id())
        .send()
        .await
        .expect_err("503");
    assert!(err.is_retryable(), "{err}");
    assert_eq!(server.request_count(), 3, "a GET is retried twice");
}

#[tokio::test]
async fn a_body_that_breaks_a_rule_is_an_invalid_request_naming_the_field() {
    let server = TestServer::always(ServerReply::json(200, &execution("cancelled")));
    let client = client_for(&server);
    let long = "x".repeat(501);
    let built = ExecutionCancelBody::builder().reason(long.clone()).build();
    let err = built.expect_err("reason has maxLength 500");
    assert!(err.to_string().contains("`reason`"), "{err}");
    let err = client
        .execution_cancel()
        .execution_id(execution_id())
        .body_map(|b| b.reason(long))
        .send()
        .await
        .expect_err("checked before sending");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    assert!(err.to_string().contains("reason"), "{err}");
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn typed_mocks_match_every_parameter_kind() {
    let server = MockServer::start_async().await;
    let body: asteroid_sdk::types::ExecutionListResponse = serde_json::from_value(page()).unwrap();
    let a: Uuid = "11111111-1111-4111-8111-111111111111".parse().unwrap();
    let mock = server.execution_list(|when, then| {
        when.status(&[ExecutionStatus::Queued, ExecutionStatus::Running])
            .agent_id(&[a])
            .x_trace_tags(&["ci".to_string()]);
        then.ok(&body);
    });
    let client = server.client();
    let got = client
        .execution_list()
        .status(vec![ExecutionStatus::Queued, ExecutionStatus::Running])
        .agent_id(vec![a])
        .x_trace_tags(vec!["ci".to_string()])
        .send()
        .await
        .expect("the mock matches");
    assert_eq!(got.total, 1);
    mock.assert();
    // A request with other values does not match the mock.
    let miss = client
        .execution_list()
        .status(vec![ExecutionStatus::Failed])
        .agent_id(vec![a])
        .x_trace_tags(vec!["ci".to_string()])
        .send()
        .await;
    assert!(miss.is_err());
}

#[tokio::test]
async fn mocks_answer_the_new_documented_status_and_sequences() {
    let server = MockServer::start_async().await;
    let id = execution_id();
    server.execution_get(|when, then| {
        when.execution_id(&id);
        then.sequence([
            Reply::rate_limited(Duration::from_secs(0)),
            Reply::json(200, &execution("completed")),
        ]);
    });
    let client = server
        .client_builder()
        .retry_policy(RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(5)))
        .build()
        .unwrap();
    let got = client.execution_get().execution_id(id).send().await.unwrap();
    assert_eq!(got.status, ExecutionStatus::Completed);
}

#[test]
fn the_blocking_client_calls_the_new_operations() {
    // The test server runs on its own runtime; the blocking client is called from this
    // plain thread, as a program without a runtime would.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = {
        let _in_rt = rt.enter();
        TestServer::always(ServerReply::json(200, &page()))
    };
    let client = asteroid_sdk::blocking::Client::builder()
        .api_key("k")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let list = client
        .execution_list()
        .status(vec![ExecutionStatus::Queued, ExecutionStatus::Running])
        .send()
        .unwrap();
    assert_eq!(list.items.len(), 1);
    assert_eq!(query_of(&server), "status=queued,running");
}
