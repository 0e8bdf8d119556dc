//! Against a local server that misbehaves: resets, stalls, truncated and invalid bodies,
//! proxy error pages, wrong content types, huge bodies and bodies of the wrong shape. Each
//! case checks the error variant, the status, and that `Display` is one line.

use std::time::{Duration, Instant};

use asteroid_sdk::__private::SNIPPET_LIMIT;
use asteroid_sdk::{Client, Error, Execution, RetryPolicy};
use asteroid_sdk_tests::fixtures::{SENTINEL_KEY, execution};
use asteroid_sdk_tests::server::{Reply, TestServer, large_body_pattern};
use serde_json::json;

use crate::common::{builder_for, fetch};

type Outcome = Result<asteroid_sdk::Response<Execution>, Error>;

/// A retry policy whose delays are too short to matter.
fn fast_retries() -> RetryPolicy {
    RetryPolicy::default().with_backoff(Duration::from_millis(10), Duration::from_millis(20))
}

/// A client for `server` with short retry delays and the given whole-call timeout.
fn client(server: &TestServer, timeout: Duration) -> Client {
    builder_for(server)
        .retry_policy(fast_retries())
        .timeout(timeout)
        .build()
        .expect("client")
}

async fn get(client: &Client) -> Outcome {
    fetch(client).await
}

/// Get the execution and return the error, with how long the call took.
async fn get_err(client: &Client) -> (Error, Duration) {
    let started = Instant::now();
    let result = get(client).await;
    let elapsed = started.elapsed();
    match result {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => (e, elapsed),
    }
}

/// `Display` is one line, not empty, and never shows the API key.
fn assert_one_line(e: &Error) -> String {
    let line = e.to_string();
    assert!(!line.trim().is_empty(), "{e:?}");
    assert!(
        !line.contains('\n') && !line.contains('\r'),
        "not one line: {line:?}"
    );
    assert!(!line.contains(SENTINEL_KEY), "{line}");
    assert!(!format!("{e:?}").contains(SENTINEL_KEY));
    line
}

/// A snippet holds at most 1 KiB of the body, plus an ellipsis when the body was longer.
fn assert_bounded_snippet(body: &str) {
    assert!(
        body.len() <= SNIPPET_LIMIT + '…'.len_utf8(),
        "snippet of {} bytes",
        body.len()
    );
}

// (a) A reset on the first request, then a good reply: the retry succeeds.
#[tokio::test]
async fn a_reset_then_a_good_reply_succeeds_after_one_retry() {
    let server = TestServer::script(vec![
        Reply::reset(),
        Reply::json(200, &execution("running")),
    ]);
    let client = client(&server, Duration::from_secs(5));
    let started = Instant::now();
    let e = get(&client).await.expect("success after a retry");
    assert_eq!(e.status.as_str(), "running");
    assert_eq!(server.request_count(), 2);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

// (b) Every request reset: the retries run out and the error is a transport failure.
#[tokio::test]
async fn a_server_that_always_resets_fails_after_three_attempts() {
    let server = TestServer::always(Reply::reset());
    let client = client(&server, Duration::from_secs(5));
    let (err, elapsed) = get_err(&client).await;
    // The connection was made and the request sent before the reset: a transport failure.
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.is_retryable(), "{err:?}");
    assert_eq!(err.status(), None);
    assert_eq!(server.request_count(), 3, "1 attempt + max_retries 2");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    let line = assert_one_line(&err);
    assert!(line.starts_with("the connection failed"), "{line}");
}

// (c) A stall before the headers fails at the configured timeout, not later.
#[tokio::test]
async fn a_stall_before_the_headers_times_out_at_the_timeout() {
    let timeout = Duration::from_millis(800);
    let server = TestServer::always(
        Reply::json(200, &execution("running")).delay_before_headers(Duration::from_secs(30)),
    );
    let client = client(&server, timeout);
    let (err, elapsed) = get_err(&client).await;
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.is_timeout() && err.is_retryable());
    assert_eq!(err.status(), None);
    assert!(elapsed >= timeout, "{elapsed:?} < {timeout:?}");
    assert!(
        elapsed < timeout + Duration::from_millis(1500),
        "{elapsed:?}"
    );
    // The timeout covers all attempts: no time was left for a second one.
    assert_eq!(server.request_count(), 1);
    assert!(assert_one_line(&err).starts_with("the request timed out"));
}

// (d) A stall in the middle of the body, longer than the timeout, times out too.
#[tokio::test]
async fn a_stall_mid_body_times_out_at_the_timeout() {
    let timeout = Duration::from_millis(800);
    let server = TestServer::always(
        Reply::json(200, &execution("running")).stall_mid_body(100, Duration::from_secs(30)),
    );
    let client = client(&server, timeout);
    let (err, elapsed) = get_err(&client).await;
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert!(elapsed >= timeout, "{elapsed:?} < {timeout:?}");
    assert!(
        elapsed < timeout + Duration::from_millis(1500),
        "{elapsed:?}"
    );
    assert!(assert_one_line(&err).starts_with("the request timed out"));
}

// (d) With an attempt timeout shorter than a first-request stall, the retry succeeds.
#[tokio::test]
async fn an_attempt_timeout_lets_a_stalled_attempt_be_retried() {
    for stalled in [
        Reply::json(200, &execution("running")).delay_before_headers(Duration::from_secs(30)),
        Reply::json(200, &execution("running")).stall_mid_body(100, Duration::from_secs(30)),
    ] {
        let server = TestServer::script(vec![
            stalled.clone(),
            Reply::json(200, &execution("completed")),
        ]);
        let client = builder_for(&server)
            .retry_policy(fast_retries())
            .timeout(Duration::from_secs(5))
            .attempt_timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        let started = Instant::now();
        let e = get(&client)
            .await
            .unwrap_or_else(|e| panic!("{stalled:?}: {e:?}"));
        let elapsed = started.elapsed();
        assert_eq!(e.status.as_str(), "completed");
        assert_eq!(server.request_count(), 2);
        assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
        assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    }
}

// (e) A body cut short of its Content-Length is an interrupted attempt: it is retried, and
// once the retries run out the error is a transport failure (the body never completes, so
// it is never decoded).
#[tokio::test]
async fn a_truncated_body_is_retried_then_fails_as_transport() {
    let server = TestServer::always(Reply::json(200, &execution("running")).truncated(40));
    let client = client(&server, Duration::from_secs(5));
    let (err, elapsed) = get_err(&client).await;
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.is_retryable() && !err.is_decode());
    assert_eq!(err.status(), None);
    assert_eq!(server.request_count(), 3);
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert!(assert_one_line(&err).starts_with("the connection failed"));
}

// (e) A truncated body, then a whole one: the retry succeeds.
#[tokio::test]
async fn a_truncated_body_then_a_whole_one_succeeds() {
    let server = TestServer::script(vec![
        Reply::json(200, &execution("running")).truncated(40),
        Reply::json(200, &execution("running")),
    ]);
    let client = client(&server, Duration::from_secs(5));
    let e = get(&client).await.expect("success after a retry");
    assert_eq!(e.status.as_str(), "running");
    assert_eq!(server.request_count(), 2);
}

// (e) A body complete per its Content-Length but cut mid-JSON is a decode error.
#[tokio::test]
async fn a_complete_but_invalid_json_body_is_a_decode_error() {
    let body = r#"{"id": "0b7c"#;
    let server = TestServer::always(
        Reply::bytes(200, "application/json", body).header("x-request-id", "req-trunc"),
    );
    let client = client(&server, Duration::from_secs(5));
    let (err, _) = get_err(&client).await;
    match &err {
        Error::Decode {
            response,
            path,
            message,
            body: snippet,
        } => {
            let response = response.as_ref().expect("response info");
            assert_eq!(response.status.as_u16(), 200);
            assert_eq!(response.request_id.as_deref(), Some("req-trunc"));
            assert_eq!(response.content_type.as_deref(), Some("application/json"));
            assert_eq!(path, "id", "the field being read when the input ended");
            assert!(message.contains("EOF"), "{message}");
            assert_eq!(snippet, body);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_decode() && !err.is_retryable());
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(err.request_id(), Some("req-trunc"));
    // A 200 is not retried, whatever its body.
    assert_eq!(server.request_count(), 1);
    let line = assert_one_line(&err);
    assert!(
        line.contains("200") && line.contains("`id`") && line.contains("0b7c"),
        "{line}"
    );
}

// (f) A proxy's HTML 502 page: retried, then an unexpected status with the page's start.
#[tokio::test]
async fn a_proxy_502_page_is_an_unexpected_status_after_retries() {
    let page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    let server =
        TestServer::always(Reply::text(502, "text/html", page).header("x-request-id", "req-proxy"));
    let client = client(&server, Duration::from_secs(5));
    let (err, elapsed) = get_err(&client).await;
    match &err {
        Error::UnexpectedStatus { response, body } => {
            assert_eq!(response.status.as_u16(), 502);
            assert_eq!(response.content_type.as_deref(), Some("text/html"));
            assert_eq!(response.request_id.as_deref(), Some("req-proxy"));
            assert_eq!(body, page);
            assert!(body.contains("<h1>502 Bad Gateway</h1>"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.request_count(), 3, "502 is retried");
    assert!(err.is_retryable() && err.is_server_error());
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    let line = assert_one_line(&err);
    assert!(
        line.starts_with("unexpected HTTP 502 Bad Gateway"),
        "{line}"
    );
    assert!(line.contains("<title>502 Bad Gateway</title>"), "{line}");
}

// (g) A 200 HTML page (a captive portal, a login page) is a decode error at the root.
#[tokio::test]
async fn a_200_html_page_is_a_decode_error_naming_the_content_type() {
    let page = format!(
        "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>{}</body></html>\n",
        "<p>Please sign in.</p>".repeat(100)
    );
    let server = TestServer::always(Reply::text(200, "text/html", page.clone()));
    let client = client(&server, Duration::from_secs(5));
    let (err, _) = get_err(&client).await;
    match &err {
        Error::Decode {
            response,
            path,
            message,
            body,
        } => {
            let response = response.as_ref().expect("response info");
            assert_eq!(response.status.as_u16(), 200);
            assert_eq!(response.content_type.as_deref(), Some("text/html"));
            assert_eq!(path, "$");
            assert!(message.contains("expected value"), "{message}");
            assert!(page.len() > SNIPPET_LIMIT);
            assert_bounded_snippet(body);
            assert!(
                body.starts_with("<!DOCTYPE html>") && body.ends_with('…'),
                "{body}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.request_count(), 1);
    let line = assert_one_line(&err);
    assert!(
        line.contains("HTTP 200") && line.contains("content-type text/html"),
        "{line}"
    );
    assert!(
        line.contains("at `$`") && line.contains("<!DOCTYPE html>"),
        "{line}"
    );
}

// (g) The SDK is lenient on the content type: valid JSON under `text/plain` decodes.
#[tokio::test]
async fn valid_json_under_another_content_type_decodes() {
    for content_type in [
        "text/plain",
        "text/plain; charset=utf-8",
        "application/octet-stream",
    ] {
        let server = TestServer::always(Reply::text(
            200,
            content_type,
            execution("completed").to_string(),
        ));
        let client = client(&server, Duration::from_secs(5));
        let e = get(&client)
            .await
            .unwrap_or_else(|e| panic!("{content_type}: {e}"));
        assert_eq!(e.status.as_str(), "completed");
    }
}

// (h) A 50 MiB body under the default 64 MiB limit is read whole, then fails to decode.
#[tokio::test]
async fn a_50_mib_body_under_the_default_limit_is_a_decode_error() {
    let len = 50 * 1024 * 1024;
    let server = TestServer::always(Reply::large_body(len));
    let client = client(&server, Duration::from_secs(20));
    let (err, elapsed) = get_err(&client).await;
    match &err {
        Error::Decode {
            response,
            path,
            body,
            ..
        } => {
            let response = response.as_ref().expect("response info");
            assert_eq!(response.status.as_u16(), 200);
            assert_eq!(
                response.content_type.as_deref(),
                Some("application/octet-stream")
            );
            assert_eq!(path, "$");
            // The snippet is at most 1 KiB of the body (as text) and an ellipsis.
            assert_eq!(
                *body,
                asteroid_sdk::__private::snippet(&large_body_pattern(4 * SNIPPET_LIMIT))
            );
            assert!(body.len() <= SNIPPET_LIMIT + '…'.len_utf8() && body.ends_with('…'));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.request_count(), 1);
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
    let line = assert_one_line(&err);
    assert!(line.chars().count() < 800, "{line}");
}

// (h) Over a configured limit: BodyTooLarge, whether the length is declared or not.
#[tokio::test]
async fn a_body_over_max_response_bytes_is_body_too_large() {
    let len = 50 * 1024 * 1024;
    for reply in [Reply::large_body(len), Reply::large_body(len).chunked()] {
        let server = TestServer::always(reply.clone());
        let client = builder_for(&server)
            .retry_policy(fast_retries())
            .timeout(Duration::from_secs(10))
            .max_response_bytes(1 << 20)
            .build()
            .unwrap();
        let (err, elapsed) = get_err(&client).await;
        assert!(
            matches!(err, Error::BodyTooLarge { limit: 1_048_576 }),
            "{reply:?}: {err:?}"
        );
        assert!(!err.is_retryable());
        assert_eq!(server.request_count(), 1);
        assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
        let line = assert_one_line(&err);
        assert!(
            line.contains("1048576") && line.contains("max_response_bytes"),
            "{line}"
        );
    }
}

// (i) A wrong type deep inside: the path names the field, the request id is kept, and the
// snippet of a large body is bounded.
#[tokio::test]
async fn a_wrong_type_deep_inside_names_its_path() {
    let mut v = execution("completed");
    v["comments"][0]["userId"] = json!(5);
    // Make the body large: the snippet must stay at 1 KiB.
    v["inputs"]["notes"] = json!("n".repeat(100 * 1024));
    let server = TestServer::always(Reply::json(200, &v).header("x-request-id", "req-deep-1"));
    let client = client(&server, Duration::from_secs(5));
    let (err, _) = get_err(&client).await;
    match &err {
        Error::Decode {
            response,
            path,
            message,
            body,
        } => {
            let response = response.as_ref().expect("response info");
            assert_eq!(response.status.as_u16(), 200);
            assert_eq!(response.request_id.as_deref(), Some("req-deep-1"));
            assert_eq!(path, "comments[0].userId");
            assert!(message.contains("invalid type: integer `5`"), "{message}");
            assert_bounded_snippet(body);
            assert!(body.starts_with('{') && body.ends_with('…'), "{body}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.request_id(), Some("req-deep-1"));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    let line = assert_one_line(&err);
    assert!(
        line.contains("`comments[0].userId`") && line.contains("req-deep-1"),
        "{line}"
    );
    assert!(line.chars().count() < 800, "{line}");
}

// The snippet an error keeps is documented as "at most 1 KiB of the body, as text", and the
// SDK's own unit test bounds its length at 1 KiB plus the ellipsis. But `decode::snippet`
// cuts the *body* at 1 KiB and then converts it lossily, so each invalid byte becomes
// U+FFFD (3 bytes): a binary body gives a snippet of up to 3 KiB.
#[tokio::test]
async fn snippets_of_binary_bodies_are_at_most_1_kib() {
    for status in [200u16, 502] {
        let server = TestServer::always(Reply::bytes(
            status,
            "application/octet-stream",
            vec![0xffu8; 4096],
        ));
        let client = builder_for(&server).max_retries(0).build().unwrap();
        let (err, _) = get_err(&client).await;
        let body = match &err {
            Error::Decode { body, .. } | Error::UnexpectedStatus { body, .. } => body,
            other => panic!("{other:?}"),
        };
        assert_bounded_snippet(body);
    }
}
