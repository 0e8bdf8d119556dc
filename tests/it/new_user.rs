//! What a new user writes from the README: re-exported crates, watching with a plain
//! `while let`, errors asked in the user's words, typed mocks beyond the spec, and the
//! blocking client. Only `asteroid_sdk` paths are used here (no httpmock, futures,
//! chrono or uuid of the test crate's own).

use std::time::Duration;

use asteroid_sdk::mock::{MockServer, Reply};
use asteroid_sdk::types::ExecutionBuilder;
use asteroid_sdk::{Client, Error, Execution, ExecutionOutcome, ExecutionStatus, WaitOptions};
use asteroid_sdk_tests::fixtures::execution;
use asteroid_sdk_tests::server::{Reply as ServerReply, TestServer};

use crate::common::execution_id;

/// An execution built the way the README shows, with the re-exported crates.
fn built(status: ExecutionStatus) -> Execution {
    let id = asteroid_sdk::Uuid::new_v4();
    ExecutionBuilder::default()
        .id(id)
        .agent_id(asteroid_sdk::uuid::Uuid::new_v4())
        .workflow_id(asteroid_sdk::Uuid::new_v4())
        .organization_id(asteroid_sdk::Uuid::new_v4())
        .agent_name("Invoice downloader")
        .status(status)
        .created_at(asteroid_sdk::chrono::Utc::now())
        .has_been_rerun(false)
        .human_labels(vec![])
        .comments(vec![])
        .inputs(
            asteroid_sdk::serde_json::json!({"vendor": "ACME"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        )
        .build()
        .expect("every required field is set")
}

fn fast() -> WaitOptions {
    WaitOptions::default()
        .with_delays(Duration::from_millis(20), Duration::from_millis(40))
        .with_jitter(false)
        .with_timeout(Some(Duration::from_secs(10)))
}

#[tokio::test]
async fn a_watch_needs_no_pin_and_no_import() {
    let server = MockServer::start_async().await;
    let id = execution_id();
    let states = [
        built(ExecutionStatus::Starting),
        built(ExecutionStatus::Running),
        built(ExecutionStatus::Completed),
    ];
    let mock = server.execution_get(|when, then| {
        when.execution_id(&id);
        then.ok_sequence(&states);
    });
    let client = server.client();
    let mut watch = client.watch_execution_with(id, fast());
    let mut seen = Vec::new();
    while let Some(e) = watch.next().await {
        seen.push(e.expect("no error").status);
    }
    assert_eq!(
        seen,
        [
            ExecutionStatus::Starting,
            ExecutionStatus::Running,
            ExecutionStatus::Completed
        ]
    );
    assert_eq!(mock.calls(), 3);
    fn assert_unpin<T: Unpin + Send>(_: &T) {}
    assert_unpin(&client.watch_execution(id));
}

#[tokio::test]
async fn a_waiters_deadline_is_a_timeout() {
    let server = MockServer::start_async().await;
    let id = execution_id();
    server.execution_get(|when, then| {
        when.execution_id(&id);
        then.ok(&built(ExecutionStatus::Running));
    });
    let err = server
        .client()
        .wait_for_execution(id)
        .options(fast().with_timeout(Some(Duration::from_millis(150))))
        .await
        .expect_err("it never finishes");
    assert!(matches!(err, Error::DeadlineExceeded { .. }), "{err}");
    assert!(err.is_timeout(), "{err}");
}

#[tokio::test]
async fn a_request_timeout_is_a_timeout_too() {
    let server = MockServer::start_async().await;
    let id = execution_id();
    server.execution_get(|when, then| {
        when.execution_id(&id);
        then.ok(&built(ExecutionStatus::Running))
            .delayed(Duration::from_secs(5));
    });
    let client = server
        .client_builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = client
        .execution_get()
        .execution_id(id)
        .send()
        .await
        .expect_err("slower than the timeout");
    assert!(err.is_timeout(), "{err}");
}

#[tokio::test]
async fn a_429_is_rate_limited_with_its_retry_after_listed_or_not() {
    let server = MockServer::start_async().await;
    let id = execution_id();
    server.execution_get(|when, then| {
        when.execution_id(&id);
        then.rate_limited(Duration::from_secs(120));
    });
    let err = server
        .client()
        .execution_get()
        .execution_id(id)
        .send()
        .await
        .expect_err("429");
    // Whether the spec lists 429 for the operation (`Error::Api`) or not
    // (`Error::UnexpectedStatus`), the question is the same.
    assert!(err.is_rate_limited() && err.is_retryable(), "{err}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
}

#[tokio::test]
async fn a_sequence_of_replies_tests_retries() {
    let server = MockServer::start_async().await;
    let id = execution_id();
    let mock = server.execution_get(|when, then| {
        when.execution_id(&id);
        then.sequence([
            Reply::status(503).with_header("retry-after", "0"),
            Reply::rate_limited(Duration::ZERO),
            Reply::json(200, &built(ExecutionStatus::Completed)),
        ]);
    });
    let client = server.client();
    let got = client
        .execution_get()
        .execution_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status, ExecutionStatus::Completed);
    assert_eq!(mock.calls(), 3);
}

#[tokio::test]
async fn one_match_covers_what_a_program_handles() {
    let server = MockServer::start_async().await;
    let id = execution_id();
    let not_found = asteroid_sdk::ErrorBody::builder()
        .code(404)
        .message("Execution not found")
        .build()
        .unwrap();
    server.execution_get(|when, then| {
        when.execution_id(&id);
        then.not_found(&not_found);
    });
    let result = server
        .client()
        .execution_get()
        .execution_id(id)
        .send()
        .await;
    let handled = match result {
        Ok(execution) => format!("status {}", execution.status),
        Err(e) if e.is_not_found() => "no such execution".to_string(),
        Err(e) if e.is_rate_limited() => format!("slow down for {:?}", e.retry_after()),
        Err(e) if e.is_timeout() => "timed out".to_string(),
        Err(Error::Api { message, .. }) => format!("API error: {message:?}"),
        Err(e) => format!("other: {e}"),
    };
    assert_eq!(handled, "no such execution");
}

#[tokio::test]
async fn a_typed_mock_tells_which_parameter_it_expected() {
    let server = MockServer::start_async().await;
    let id = execution_id();
    let other = asteroid_sdk::Uuid::new_v4();
    let mock = server.execution_get(|when, then| {
        when.execution_id(&id);
        then.ok(&built(ExecutionStatus::Running));
    });
    let err = server
        .client()
        .execution_get()
        .execution_id(other)
        .send()
        .await
        .expect_err("no mock matches another id");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err}");
    assert_eq!(mock.calls(), 0);
}

#[test]
fn the_blocking_client_fetches_waits_and_watches() {
    // The server runs on its own runtime; the blocking client is called from this plain
    // thread, as a program without a runtime would.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = {
        let _in = rt.enter();
        TestServer::script(vec![
            ServerReply::json(200, &execution("running")),
            ServerReply::json(200, &execution("starting")),
            ServerReply::json(200, &execution("running")),
            ServerReply::json(200, &execution("completed")),
            ServerReply::json(200, &execution("running")),
            ServerReply::json(200, &execution("completed")),
        ])
    };
    let client = asteroid_sdk::blocking::Client::builder()
        .api_key("k")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let id = execution_id();
    let e = client.execution_get().execution_id(id).send().unwrap();
    assert_eq!(e.status, ExecutionStatus::Running);
    assert!(e.request_id().is_none());
    let seen: Vec<ExecutionStatus> = client
        .watch_execution_with(id, fast())
        .map(|e| e.unwrap().status)
        .collect();
    assert_eq!(
        seen,
        [
            ExecutionStatus::Starting,
            ExecutionStatus::Running,
            ExecutionStatus::Completed
        ]
    );
    let outcome = client
        .wait_for_execution(id)
        .delays(Duration::from_millis(10), Duration::from_millis(20))
        .timeout(Duration::from_secs(10))
        .wait()
        .unwrap();
    assert!(
        matches!(outcome, ExecutionOutcome::Completed(_)),
        "{outcome:?}"
    );
    assert_eq!(server.request_count(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_blocking_client_works_inside_a_runtime_too() {
    let server = TestServer::always(ServerReply::json(200, &execution("completed")));
    let base = server.base_url();
    // Built and called from async code (a blocking call in async code blocks its thread:
    // allowed, and documented as a last resort); then dropped here without a panic.
    let client = asteroid_sdk::blocking::Client::builder()
        .api_key("k")
        .base_url(base)
        .build()
        .unwrap();
    let e = client
        .execution_get()
        .execution_id(execution_id())
        .send()
        .unwrap();
    assert_eq!(e.status, ExecutionStatus::Completed);
    drop(client);
}

#[test]
fn the_async_client_is_built_without_a_runtime() {
    let client = Client::builder().api_key("k").build();
    assert!(client.is_ok());
}

#[tokio::test]
async fn a_required_parameter_left_out_says_which_call_sets_it() {
    let server = MockServer::start_async().await;
    let err = server
        .client()
        .execution_get()
        .send()
        .await
        .expect_err("execution_id is required");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    assert!(err.to_string().contains("`.execution_id(..)`"), "{err}");
}
