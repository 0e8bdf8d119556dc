//! Waiting for an execution and watching it, against a local server that scripts the
//! execution's statuses.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use asteroid_sdk::{Error, ExecutionOutcome, WaitOptions};
use asteroid_sdk_tests::fixtures::{error_body, execution};
use asteroid_sdk_tests::server::{Reply, TestServer};
use futures_util::StreamExt;

use crate::common::{builder_for, execution_id};

/// A server whose n-th request sees the n-th status (the last one repeats).
fn scripted(statuses: &[&str]) -> TestServer {
    let bodies: Vec<Reply> = statuses
        .iter()
        .map(|s| Reply::json(200, &execution(s)))
        .collect();
    TestServer::script(bodies)
}

fn fast() -> WaitOptions {
    WaitOptions::default()
        .with_delays(Duration::from_millis(40), Duration::from_millis(120))
        .with_multiplier(2.0)
        .with_jitter(false)
        .with_timeout(Some(Duration::from_secs(10)))
}

fn statuses_seen(server: &TestServer) -> usize {
    server.request_count()
}

#[tokio::test]
async fn waiter_returns_the_completed_execution() {
    let server = scripted(&[
        "starting",
        "running",
        "paused_by_agent",
        "running",
        "completed",
    ]);
    let client = builder_for(&server).build().unwrap();
    let outcome = client
        .wait_for_execution(execution_id())
        .options(fast())
        .await
        .unwrap();
    let ExecutionOutcome::Completed(e) = &outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(e.status.as_str(), "completed");
    assert_eq!(outcome.result().unwrap()["count"], 3);
    assert!(outcome.reasoning().unwrap().contains("invoices"));
    // One request per scripted step, none after the terminal status.
    assert_eq!(statuses_seen(&server), 5);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(statuses_seen(&server), 5);
}

#[tokio::test]
async fn polls_follow_the_backoff_schedule() {
    let script = [
        "starting",
        "running",
        "running",
        "running",
        "running",
        "completed",
    ];
    let server = scripted(&script);
    let client = builder_for(&server).build().unwrap();
    let opts = fast();
    client
        .wait_for_execution(execution_id())
        .options(opts)
        .await
        .unwrap();
    let times: Vec<_> = server.requests().iter().map(|r| r.received_at).collect();
    assert_eq!(times.len(), script.len());
    for (n, pair) in times.windows(2).enumerate() {
        let gap = pair[1] - pair[0];
        let planned = opts.base_delay(n as u32);
        assert!(gap >= planned, "gap {n}: {gap:?} < {planned:?}");
        assert!(
            gap < planned + Duration::from_millis(400),
            "gap {n}: {gap:?} vs {planned:?}"
        );
    }
}

#[tokio::test]
async fn the_stream_yields_each_status_change_once() {
    let server = scripted(&[
        "starting",
        "starting",
        "running",
        "running",
        "paused_by_agent",
        "running",
        "running",
        "completed",
    ]);
    let client = builder_for(&server).build().unwrap();
    let seen: Vec<String> = client
        .watch_execution_with(execution_id(), fast())
        .map(|item| item.unwrap().status.to_string())
        .collect()
        .await;
    assert_eq!(
        seen,
        [
            "starting",
            "running",
            "paused_by_agent",
            "running",
            "completed"
        ]
    );
    assert_eq!(server.request_count(), 8);
}

#[tokio::test]
async fn an_unlisted_status_in_the_middle_passes_through() {
    let server = scripted(&["starting", "queued_for_gpu", "running", "completed"]);
    let client = builder_for(&server).build().unwrap();
    let seen: Vec<_> = client
        .watch_execution_with(execution_id(), fast())
        .map(|item| item.unwrap().status)
        .collect()
        .await;
    assert_eq!(seen.len(), 4);
    assert!(seen[1].is_unknown() && seen[1].as_str() == "queued_for_gpu");
    let outcome = client
        .wait_for_execution(execution_id())
        .options(fast())
        .await
        .unwrap();
    assert!(outcome.is_completed());
}

#[tokio::test]
async fn a_deadline_shorter_than_the_script_ends_with_the_last_execution() {
    let server = scripted(&[
        "starting",
        "running",
        "running",
        "running",
        "running",
        "running",
        "running",
        "completed",
    ]);
    let client = builder_for(&server).build().unwrap();
    let started = std::time::Instant::now();
    let err = client
        .wait_for_execution(execution_id())
        .options(fast().with_timeout(Some(Duration::from_millis(250))))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    match &err {
        Error::DeadlineExceeded { waited, last } => {
            assert!(*waited >= Duration::from_millis(250), "{waited:?}");
            assert_eq!(last.as_ref().unwrap().status.as_str(), "running");
        }
        other => panic!("{other:?}"),
    }
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
    assert!(err.to_string().contains("running"), "{err}");
    assert!(server.request_count() < 8);
}

#[tokio::test]
async fn failed_and_cancelled_are_typed_outcomes() {
    for (status, want_failed) in [("failed", true), ("cancelled", false)] {
        let server = scripted(&["running", status]);
        let client = builder_for(&server).build().unwrap();
        let outcome = client
            .wait_for_execution(execution_id())
            .options(fast())
            .await
            .unwrap();
        match (&outcome, want_failed) {
            (ExecutionOutcome::Failed(e), true) => {
                assert!(outcome.reasoning().unwrap().contains("credentials"));
                assert_eq!(e.status.as_str(), "failed");
            }
            (ExecutionOutcome::Cancelled(e), false) => assert_eq!(e.status.as_str(), "cancelled"),
            other => panic!("{status}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn stop_on_attention_returns_at_a_paused_status() {
    let server = scripted(&["running", "awaiting_confirmation", "completed"]);
    let client = builder_for(&server).build().unwrap();
    let outcome = client
        .wait_for_execution(execution_id())
        .options(fast())
        .stop_on_attention(true)
        .await
        .unwrap();
    assert!(
        matches!(outcome, ExecutionOutcome::NeedsAttention(_)),
        "{outcome:?}"
    );
    assert_eq!(outcome.status().as_str(), "awaiting_confirmation");
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn an_api_error_ends_the_wait_after_the_clients_retries() {
    let server = TestServer::script(vec![
        Reply::json(200, &execution("running")),
        Reply::json(404, &error_body(404, "Execution not found")),
    ]);
    let client = builder_for(&server).build().unwrap();
    let err = client
        .wait_for_execution(execution_id())
        .options(fast())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(server.request_count(), 2);

    // A 503 is retried by the client first; the wait goes on after it.
    let server = TestServer::script(vec![
        Reply::json(200, &execution("running")),
        Reply::status(503),
        Reply::json(200, &execution("completed")),
    ]);
    let client = builder_for(&server)
        .retry_policy(
            asteroid_sdk::RetryPolicy::default()
                .with_backoff(Duration::from_millis(10), Duration::from_millis(20)),
        )
        .build()
        .unwrap();
    let outcome = client
        .wait_for_execution(execution_id())
        .options(fast())
        .await
        .unwrap();
    assert!(outcome.is_completed());
    assert_eq!(server.request_count(), 3);
}

#[tokio::test]
async fn dropping_the_future_stops_polling() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let server = TestServer::start(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        Reply::json(200, &execution("running"))
    });
    let client = builder_for(&server).build().unwrap();
    let wait = client.wait_for_execution(execution_id()).options(fast());
    let result = tokio::time::timeout(Duration::from_millis(300), wait).await;
    assert!(result.is_err(), "still running, so the timeout fires");
    let after_drop = hits.load(Ordering::SeqCst);
    assert!(after_drop >= 2);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(hits.load(Ordering::SeqCst), after_drop);
}
