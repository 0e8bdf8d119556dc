//! Redirects: the client follows one within the same origin (scheme, host, port), with
//! the API key, and stops at one that leaves it, so the key never reaches another
//! origin; the 3xx is then returned as `Error::UnexpectedStatus`.

use std::sync::{Arc, OnceLock};

use asteroid_sdk::Error;
use asteroid_sdk::config::same_origin_redirects;
use asteroid_sdk_tests::fixtures::{EXECUTION_ID, SENTINEL_KEY, execution};
use asteroid_sdk_tests::server::{Reply, TestServer};

use crate::common::{builder_for, fetch};

const KEY_HEADER: &str = "x-asteroid-agents-api-key";

/// A second server (another port, so another origin) that would answer with success.
fn other_origin() -> TestServer {
    TestServer::always(Reply::json(200, &execution("completed")))
}

fn assert_no_key_reached(other: &TestServer) {
    let requests = other.requests();
    assert!(
        requests.iter().all(|r| r.header(KEY_HEADER).is_none()),
        "the API key reached another origin: {requests:?}"
    );
    assert_eq!(
        other.request_count(),
        0,
        "the cross-origin redirect was followed"
    );
}

#[tokio::test]
async fn a_redirect_to_another_port_is_not_followed() {
    for status in [301u16, 302, 303, 307, 308] {
        let other = other_origin();
        let target = other.url(&format!("/executions/{EXECUTION_ID}"));
        let server = TestServer::always(Reply::redirect(status, &target));
        let client = builder_for(&server).build().unwrap();
        let err = fetch(&client).await.unwrap_err();
        match &err {
            Error::UnexpectedStatus { response, .. } => {
                assert_eq!(response.status.as_u16(), status)
            }
            other => panic!("{status}: expected UnexpectedStatus, got {other:?}"),
        }
        assert!(!err.is_retryable(), "{status}");
        assert!(err.to_string().contains(&status.to_string()), "{err}");
        assert_eq!(server.request_count(), 1, "{status}: a 3xx is not retried");
        assert_no_key_reached(&other);
    }
}

#[tokio::test]
async fn a_redirect_to_another_host_name_is_not_followed() {
    // Same port, but `localhost` is not the same origin as `127.0.0.1`.
    let server = TestServer::start(|req| {
        if req.path_only().starts_with("/moved") {
            Reply::json(200, &execution("completed"))
        } else {
            Reply::status(500)
        }
    });
    let target = format!("http://localhost:{}/moved", server.port());
    let redirecting = TestServer::always(Reply::redirect(307, &target));
    let client = builder_for(&redirecting).build().unwrap();
    let err = fetch(&client).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(307), "{err:?}");
    assert_no_key_reached(&server);
}

#[tokio::test]
async fn a_user_http_client_with_the_sdk_policy_stops_too() {
    let other = other_origin();
    let server = TestServer::always(Reply::redirect(302, &other.url("/elsewhere")));
    let http = reqwest::Client::builder()
        .redirect(same_origin_redirects())
        .build()
        .unwrap();
    let client = builder_for(&server).http_client(http).build().unwrap();
    let err = fetch(&client).await.unwrap_err();
    assert!(matches!(err, Error::UnexpectedStatus { .. }), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302));
    assert_no_key_reached(&other);
}

/// A server that redirects `/executions/..` to `/moved/executions/..` on itself, with a
/// relative or an absolute `Location`.
fn self_redirecting(status: u16, absolute: bool) -> TestServer {
    let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let handler_base = Arc::clone(&base);
    let server = TestServer::start(move |req| {
        if req.path_only().starts_with("/moved/") {
            Reply::json(200, &execution("completed"))
        } else {
            let path = format!("/moved{}", req.path_only());
            let location = if absolute {
                format!("{}{path}", handler_base.get().expect("base url set"))
            } else {
                path
            };
            Reply::redirect(status, &location)
        }
    });
    base.set(server.base_url()).unwrap();
    server
}

#[tokio::test]
async fn a_same_origin_redirect_is_followed_with_the_key() {
    for (status, absolute) in [
        (302u16, false),
        (302, true),
        (307, false),
        (307, true),
        (308, true),
    ] {
        let server = self_redirecting(status, absolute);
        let client = builder_for(&server).build().unwrap();
        let response = fetch(&client)
            .await
            .unwrap_or_else(|e| panic!("{status} (absolute: {absolute}): {e:?}"));
        assert_eq!(response.status.as_str(), "completed");
        let requests = server.requests();
        assert_eq!(requests.len(), 2, "{status}: {requests:?}");
        assert_eq!(requests[0].path, format!("/executions/{EXECUTION_ID}"));
        assert_eq!(
            requests[1].path,
            format!("/moved/executions/{EXECUTION_ID}")
        );
        assert_eq!(requests[1].method, "GET");
        assert_eq!(
            requests[1].header(KEY_HEADER),
            Some(SENTINEL_KEY),
            "{status}"
        );
    }
}

#[tokio::test]
async fn a_same_origin_redirect_loop_ends_in_an_error() {
    let server = TestServer::always(Reply::redirect(302, &format!("/executions/{EXECUTION_ID}")));
    let client = builder_for(&server).build().unwrap();
    let err = fetch(&client).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302), "{err:?}");
    let n = server.request_count();
    assert!((2..=12).contains(&n), "{n} requests");
}
