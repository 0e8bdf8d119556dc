//! Against a real HTTP server on loopback: what the client sends, and what it makes of
//! each documented response.

use asteroid_sdk::Error;
use asteroid_sdk_tests::fixtures::{EXECUTION_ID, SENTINEL_KEY, error_body, execution};
use asteroid_sdk_tests::server::{Reply, TestServer};

use crate::common::{builder_for, client_for, execution_id};

#[tokio::test]
async fn get_sends_method_path_key_and_user_agent() {
    let server = TestServer::script(vec![
        Reply::json(200, &execution("running")).header("x-request-id", "req-ok-1"),
    ]);
    let client = client_for(&server);
    let response = client
        .execution_get()
        .execution_id(execution_id())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.request_id(), Some("req-ok-1"));
    assert_eq!(response.status.as_str(), "running");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, format!("/executions/{EXECUTION_ID}"));
    assert_eq!(r.header("x-asteroid-agents-api-key"), Some(SENTINEL_KEY));
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(
        r.header("user-agent"),
        Some(asteroid_sdk::config::USER_AGENT)
    );
    assert!(asteroid_sdk::config::USER_AGENT.starts_with("asteroid-sdk-rust/0."));
}

#[tokio::test]
async fn base_url_path_prefix_is_kept() {
    let server = TestServer::script(vec![Reply::json(200, &execution("running"))]);
    let client = builder_for(&server)
        .base_url(format!("{}/agents/v2/", server.base_url()))
        .build()
        .unwrap();
    client
        .execution_get()
        .execution_id(execution_id())
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].path,
        format!("/agents/v2/executions/{EXECUTION_ID}")
    );
}

#[tokio::test]
async fn each_documented_error_status_yields_its_typed_body() {
    for (status, message) in [
        (400u16, "Invalid execution id"),
        (401, "Missing API key"),
        (403, "Not your organization"),
        (404, "Execution not found"),
        (500, "Database unavailable"),
    ] {
        let server = TestServer::script(vec![
            Reply::json(status, &error_body(status, message))
                .header("x-request-id", &format!("req-{status}")),
        ]);
        let client = builder_for(&server).max_retries(0).build().unwrap();
        let err = client
            .execution_get()
            .execution_id(execution_id())
            .send()
            .await
            .unwrap_err();
        match &err {
            Error::Api {
                response,
                body,
                code,
                message: m,
            } => {
                assert_eq!(response.status.as_u16(), status);
                assert_eq!(body.code, i64::from(status));
                assert_eq!(body.message, message);
                assert_eq!(*code, Some(i64::from(status)));
                assert_eq!(m.as_deref(), Some(message));
            }
            other => panic!("{status}: {other:?}"),
        }
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(err.request_id(), Some(format!("req-{status}").as_str()));
        assert_eq!(err.message(), Some(message));
        let line = err.to_string();
        assert!(
            line.contains(&status.to_string()) && line.contains(message),
            "{line}"
        );
        assert!(line.contains(&format!("req-{status}")), "{line}");
        assert!(!line.contains('\n'));
        assert_eq!(err.is_not_found(), status == 404);
        assert_eq!(err.is_unauthorized(), status == 401);
        assert_eq!(err.is_forbidden(), status == 403);
        assert_eq!(err.is_retryable(), status == 500);
        assert_eq!(server.request_count(), 1);
    }
}

#[tokio::test]
async fn an_id_that_is_not_a_uuid_fails_before_sending() {
    let server = TestServer::script(vec![Reply::json(200, &execution("running"))]);
    let client = client_for(&server);
    let err = client
        .execution_get()
        .execution_id("not-a-uuid")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(err.to_string().contains("execution_id"), "{err}");
    let err = client.execution_get().send().await.unwrap_err();
    assert!(err.to_string().contains("execution_id"), "{err}");
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn a_valid_uuid_string_is_accepted() {
    let server = TestServer::script(vec![Reply::json(200, &execution("completed"))]);
    let client = client_for(&server);
    let e = client
        .execution_get()
        .execution_id(EXECUTION_ID)
        .send()
        .await
        .unwrap();
    assert!(e.is_terminal());
}
