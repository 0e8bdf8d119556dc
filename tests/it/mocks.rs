//! The typed httpmock helpers (`asteroid_sdk::mock`, feature `mock`), used as an SDK user
//! would: script `ExecutionGet` on a `MockServer` and point the client at it.

use asteroid_sdk::mock::MockServerExt;
use asteroid_sdk::{Client, Error, ErrorBody, Execution, Uuid};
use asteroid_sdk_tests::fixtures::execution;
use httpmock::MockServer;

use crate::common::execution_id;

fn client_for(server: &MockServer) -> Client {
    Client::builder()
        .api_key("sk-mock")
        .base_url(server.base_url())
        .max_retries(0)
        .build()
        .expect("client")
}

fn completed() -> Execution {
    serde_json::from_value(execution("completed")).expect("fixture decodes")
}

#[tokio::test]
async fn ok_serves_the_typed_execution() {
    let server = MockServer::start_async().await;
    let id = execution_id();
    let expected = completed();
    let mock = server.execution_get(|when, then| {
        when.execution_id(&id);
        then.ok(&expected);
    });

    let client = client_for(&server);
    let response = client
        .execution_get()
        .execution_id(id)
        .send()
        .await
        .expect("ok");
    assert_eq!(response.status(), 200);
    let fetched = response.into_inner();
    assert_eq!(fetched, expected);
    assert_eq!(fetched.status.as_str(), "completed");
    assert!(fetched.result().is_some());
    mock.assert_async().await;
    // The sync form works too (httpmock blocks on its own executor).
    mock.assert();
}

#[tokio::test]
async fn not_found_is_a_typed_api_error() {
    let server = MockServer::start_async().await;
    let id = execution_id();
    let body = ErrorBody::builder()
        .code(404)
        .message("Execution not found")
        .build()
        .unwrap();
    let mock = server.execution_get(|when, then| {
        when.execution_id(&id);
        then.not_found(&body);
    });

    let client = client_for(&server);
    let err = client
        .execution_get()
        .execution_id(id)
        .send()
        .await
        .expect_err("404");
    match &err {
        Error::Api {
            response,
            body: got,
            code,
            message,
        } => {
            assert_eq!(response.status.as_u16(), 404);
            assert_eq!(**got, body);
            assert_eq!(*code, Some(404));
            assert_eq!(message.as_deref(), Some("Execution not found"));
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    assert!(err.is_not_found() && !err.is_retryable());
    assert_eq!(err.body(), Some(&body));
    mock.assert_async().await;
}

#[tokio::test]
async fn another_id_does_not_match() {
    let server = MockServer::start_async().await;
    let id = execution_id();
    let expected = completed();
    let mock = server.execution_get(|when, then| {
        when.execution_id(&id);
        then.ok(&expected);
    });

    let client = client_for(&server);
    let other = Uuid::new_v4();
    assert_ne!(other, id);
    let err = client
        .execution_get()
        .execution_id(other)
        .send()
        .await
        .expect_err("no mock matches another id");
    // httpmock's 404 for "no mock matched" is not a documented error body.
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err:?}");
    assert!(err.is_not_found());
    assert!(
        !matches!(err, Error::Api { .. }),
        "a 404 without the documented body is not a typed Api error: {err:?}"
    );
    mock.assert_calls_async(0).await;

    // The mocked id still matches.
    client
        .execution_get()
        .execution_id(id)
        .send()
        .await
        .expect("the mocked id");
    mock.assert_async().await;
}
