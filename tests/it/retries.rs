//! Retries against a real server: which statuses and failures are retried, how long the
//! client waits between attempts (backoff, `Retry-After`), and that `timeout` bounds the
//! whole call while `attempt_timeout` bounds one attempt.
//!
//! Timing assertions use the server's `received_at`: a lower bound is strict (the client
//! sleeps at least that long between two requests), an upper bound is generous (a loaded
//! 2-core machine may be slow to wake a task).

use std::time::{Duration, Instant};

use asteroid_sdk::{Error, RetryPolicy};
use asteroid_sdk_tests::fixtures::{error_body, execution};
use asteroid_sdk_tests::server::{Reply, TestServer};

use crate::common::{builder_for, fetch};

/// What a loaded machine may add to a wait, at most.
const SLACK: Duration = Duration::from_millis(600);

/// A retry policy that waits 10-20 ms, so that status tests are quick.
fn quick() -> RetryPolicy {
    RetryPolicy::default().with_backoff(Duration::from_millis(10), Duration::from_millis(20))
}

/// The time between consecutive requests, as the server saw them.
fn gaps(server: &TestServer) -> Vec<Duration> {
    let requests = server.requests();
    requests
        .windows(2)
        .map(|w| w[1].received_at.duration_since(w[0].received_at))
        .collect()
}

/// A loopback URL on which nothing listens (a port bound, then released).
pub(crate) fn refused_base_url() -> String {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind a port");
    let port = listener.local_addr().expect("local addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn ms(d: Duration) -> u128 {
    d.as_millis()
}

#[tokio::test]
async fn two_503s_then_200_takes_three_attempts_with_growing_gaps() {
    let server = TestServer::script(vec![
        Reply::json(503, &error_body(503, "busy")),
        Reply::json(503, &error_body(503, "busy")),
        Reply::json(200, &execution("running")),
    ]);
    // The default policy: 0.5 s x 2^n, jitter factor in [0.75, 1.0].
    let client = builder_for(&server).build().unwrap();
    let response = fetch(&client).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(server.request_count(), 3);

    let g = gaps(&server);
    assert_eq!(g.len(), 2);
    let (first, second) = (g[0], g[1]);
    assert!(
        first >= Duration::from_millis(375) && first <= Duration::from_millis(500) + SLACK,
        "first gap {} ms, expected 375..=500 ms (+slack)",
        ms(first)
    );
    assert!(
        second >= Duration::from_millis(750) && second <= Duration::from_millis(1000) + SLACK,
        "second gap {} ms, expected 750..=1000 ms (+slack)",
        ms(second)
    );
    assert!(
        second > first,
        "gaps must grow: {} ms then {} ms",
        ms(first),
        ms(second)
    );
}

#[tokio::test]
async fn a_retry_sends_the_same_request_again() {
    // The request of a retry is built again from the call's parameters (not copied before
    // the first attempt): it must be the same on the wire, the client's headers once each.
    let server = TestServer::script(vec![
        Reply::json(503, &error_body(503, "busy")),
        Reply::status(502),
        Reply::json(200, &execution("running")),
    ]);
    let client = builder_for(&server).retry_policy(quick()).build().unwrap();
    fetch(&client).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let seen = |r: &asteroid_sdk_tests::server::Request| {
        let mut headers: Vec<(String, String)> = r
            .headers
            .iter()
            .filter(|(name, _)| name != "content-length")
            .cloned()
            .collect();
        headers.sort();
        (r.method.clone(), r.path.clone(), headers, r.body.clone())
    };
    let first = seen(&requests[0]);
    assert_eq!(
        first
            .2
            .iter()
            .filter(|(name, _)| name == "x-asteroid-agents-api-key")
            .count(),
        1,
        "{:?}",
        first.2
    );
    assert_eq!(
        requests[0].header("x-asteroid-agents-api-key"),
        Some(asteroid_sdk_tests::fixtures::SENTINEL_KEY)
    );
    assert_eq!(
        requests[0].header("user-agent"),
        Some(asteroid_sdk::config::USER_AGENT)
    );
    for r in &requests[1..] {
        assert_eq!(seen(r), first);
    }
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let server = TestServer::script(vec![
        Reply::status(429).header("retry-after", "1"),
        Reply::json(200, &execution("running")),
    ]);
    // Backoff alone would wait ~10 ms: a gap of 1 s can only come from the header.
    let client = builder_for(&server).retry_policy(quick()).build().unwrap();
    fetch(&client).await.unwrap();
    assert_eq!(server.request_count(), 2);
    let gap = gaps(&server)[0];
    assert!(
        gap >= Duration::from_secs(1) && gap <= Duration::from_secs(1) + SLACK,
        "gap {} ms, expected >= 1000 ms",
        ms(gap)
    );
}

#[tokio::test]
async fn retry_after_ms_is_honoured() {
    let server = TestServer::script(vec![
        Reply::status(429).header("retry-after-ms", "300"),
        Reply::json(200, &execution("running")),
    ]);
    // Backoff alone would wait >= 3.75 s: a gap well under that comes from the header.
    let policy =
        RetryPolicy::default().with_backoff(Duration::from_secs(5), Duration::from_secs(5));
    let client = builder_for(&server).retry_policy(policy).build().unwrap();
    fetch(&client).await.unwrap();
    assert_eq!(server.request_count(), 2);
    let gap = gaps(&server)[0];
    assert!(
        gap >= Duration::from_millis(300) && gap < Duration::from_millis(300) + SLACK * 2,
        "gap {} ms, expected >= 300 ms and far below the 3.75 s backoff",
        ms(gap)
    );
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    // A date 2 s ahead, written with whole seconds: the wait is between 1 and 2 s.
    let at = chrono::Utc::now() + chrono::Duration::seconds(2);
    let date = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let server = TestServer::script(vec![
        Reply::status(503).header("retry-after", &date),
        Reply::json(200, &execution("running")),
    ]);
    let client = builder_for(&server).retry_policy(quick()).build().unwrap();
    fetch(&client).await.unwrap();
    assert_eq!(server.request_count(), 2);
    let gap = gaps(&server)[0];
    assert!(
        gap >= Duration::from_millis(700) && gap <= Duration::from_secs(2) + SLACK,
        "gap {} ms for Retry-After: {date}",
        ms(gap)
    );
}

#[tokio::test]
async fn a_404_is_attempted_once() {
    let server = TestServer::script(vec![
        Reply::json(404, &error_body(404, "Execution not found")),
        Reply::json(200, &execution("running")),
    ]);
    let client = builder_for(&server).build().unwrap();
    let err = fetch(&client).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(matches!(err, Error::Api { .. }), "{err:?}");
    assert!(!err.is_retryable());
    // Give a (wrong) retry time to arrive before counting.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn max_retries_zero_makes_one_attempt() {
    let server = TestServer::script(vec![
        Reply::text(503, "text/plain", "overloaded"),
        Reply::json(200, &execution("running")),
    ]);
    let client = builder_for(&server).max_retries(0).build().unwrap();
    let err = fetch(&client).await.unwrap_err();
    match &err {
        Error::UnexpectedStatus { response, body } => {
            assert_eq!(response.status.as_u16(), 503);
            assert_eq!(body, "overloaded");
        }
        other => panic!("expected UnexpectedStatus, got {other:?}"),
    }
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(err.is_retryable() && err.is_server_error());
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn a_retry_after_over_the_cap_is_not_waited_for() {
    let server = TestServer::script(vec![
        Reply::json(429, &error_body(429, "slow down")).header("retry-after", "120"),
        Reply::json(200, &execution("running")),
    ]);
    let client = builder_for(&server).build().unwrap();
    let started = Instant::now();
    let err = fetch(&client).await.unwrap_err();
    let elapsed = started.elapsed();
    // An `UnexpectedStatus` while the spec does not list 429, an `Api` error once it does.
    assert!(err.is_rate_limited(), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert!(err.to_string().contains("retry after 120.0s"), "{err}");
    assert!(
        elapsed < Duration::from_secs(3),
        "returned after {} ms",
        ms(elapsed)
    );
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn retryable_statuses_are_retried_and_others_are_not() {
    for status in [408u16, 409, 429, 500, 502, 503, 504] {
        let server = TestServer::script(vec![
            Reply::json(status, &error_body(status, "try again")),
            Reply::json(status, &error_body(status, "try again")),
            Reply::json(200, &execution("running")),
        ]);
        let client = builder_for(&server).retry_policy(quick()).build().unwrap();
        let result = fetch(&client).await;
        assert!(result.is_ok(), "{status}: {:?}", result.err());
        assert_eq!(
            server.request_count(),
            3,
            "{status} should be retried twice"
        );
    }
    // A retryable status that persists: the last response is returned after 3 attempts.
    let server = TestServer::always(Reply::json(502, &error_body(502, "bad gateway")));
    let client = builder_for(&server).retry_policy(quick()).build().unwrap();
    let err = fetch(&client).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert!(err.is_retryable());
    assert_eq!(server.request_count(), 3);

    for status in [400u16, 401, 403, 404, 422] {
        let server = TestServer::script(vec![
            Reply::json(status, &error_body(status, "no")),
            Reply::json(200, &execution("running")),
        ]);
        let client = builder_for(&server).retry_policy(quick()).build().unwrap();
        let err = fetch(&client).await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{err:?}");
        assert!(!err.is_retryable(), "{status}");
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(server.request_count(), 1, "{status} must not be retried");
    }
}

#[tokio::test]
async fn a_stalled_server_fails_at_the_timeout() {
    let server = TestServer::always(
        Reply::json(200, &execution("running")).delay_before_headers(Duration::from_secs(30)),
    );
    let client = builder_for(&server)
        .timeout(Duration::from_millis(800))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = fetch(&client).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.is_timeout() && err.is_retryable());
    assert!(
        elapsed >= Duration::from_millis(800),
        "failed early, after {} ms",
        ms(elapsed)
    );
    assert!(
        elapsed < Duration::from_secs(2),
        "failed late, after {} ms",
        ms(elapsed)
    );
    // The one attempt used the whole budget: nothing was left to retry with.
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn retries_never_push_a_call_past_its_timeout() {
    // Each attempt takes 300 ms and gets a 503; with 375-500 ms between attempts the
    // second attempt starts at ~700 ms and has only what is left of the 800 ms budget.
    let server = TestServer::always(
        Reply::json(503, &error_body(503, "busy")).delay_before_headers(Duration::from_millis(300)),
    );
    let client = builder_for(&server)
        .timeout(Duration::from_millis(800))
        .max_retries(5)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = fetch(&client).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        err.is_timeout() || err.status().map(|s| s.as_u16()) == Some(503),
        "{err:?}"
    );
    assert!(
        elapsed < Duration::from_secs(2),
        "the call took {} ms",
        ms(elapsed)
    );
    assert!(
        server.request_count() <= 2,
        "{} attempts",
        server.request_count()
    );
}

#[tokio::test]
async fn connection_refused_is_retried_then_a_connect_error() {
    // No jitter: the two waits are exactly 200 ms and 400 ms, so an elapsed time of at
    // least 600 ms shows both retries happened (a refused connection fails at once).
    let policy = RetryPolicy::default()
        .with_backoff(Duration::from_millis(200), Duration::from_millis(400))
        .with_jitter(false);
    let client = asteroid_sdk::Client::builder()
        .api_key(asteroid_sdk_tests::fixtures::SENTINEL_KEY)
        .base_url(refused_base_url())
        .retry_policy(policy)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = fetch(&client).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::Connect(_)), "{err:?}");
    assert!(err.is_retryable());
    assert!(err.to_string().starts_with("could not connect"), "{err}");
    assert!(
        elapsed >= Duration::from_millis(600),
        "no retries? {} ms",
        ms(elapsed)
    );
    assert!(elapsed < Duration::from_secs(5), "{} ms", ms(elapsed));
}

#[tokio::test]
async fn a_stalled_attempt_is_retried_within_the_timeout() {
    let server = TestServer::script(vec![
        Reply::json(200, &execution("running")).delay_before_headers(Duration::from_secs(30)),
        Reply::json(200, &execution("completed")),
    ]);
    let client = builder_for(&server)
        .attempt_timeout(Duration::from_millis(300))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = Instant::now();
    let response = fetch(&client).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(response.status.as_str(), "completed");
    assert_eq!(server.request_count(), 2);
    // 300 ms for the stalled attempt, then at least 375 ms of backoff.
    assert!(elapsed >= Duration::from_millis(675), "{} ms", ms(elapsed));
    assert!(elapsed < Duration::from_secs(4), "{} ms", ms(elapsed));
    let gap = gaps(&server)[0];
    assert!(gap >= Duration::from_millis(675), "gap {} ms", ms(gap));
}
