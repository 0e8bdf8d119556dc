//! On the crate regenerated from `tests/data/openapi.evolved.yaml` (copied into the
//! regenerated workspace's `tests/it/` by `scripts/evolve-check.sh`): the operations that
//! spec adds send their parameters exactly as its styles say, retry as their method
//! allows, check their body, and have typed mocks and blocking calls.

use std::time::Duration;

use asteroid_sdk::mock::{MockServer, Reply};
use asteroid_sdk::types::{
    Agent, AgentKind, ExecutionCancelBody, ExecutionCancelBodyMode, ExecutionCommentCreate,
    ExecutionCommentListOrder, ExecutionTimeWindow, Problem,
};
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

fn comment() -> serde_json::Value {
    json!({
        "id": "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
        "executionId": execution_id(),
        "userId": "6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e",
        "content": "looks good",
        "public": true,
        "createdAt": "2026-11-20T09:16:00Z"
    })
}

#[tokio::test]
async fn a_204_without_a_body_is_a_success_and_both_path_parameters_are_sent() {
    let server = TestServer::always(ServerReply::status(204));
    let client = client_for(&server);
    let comment_id: Uuid = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d".parse().unwrap();
    let response = client
        .execution_comment_delete()
        .execution_id(execution_id())
        .comment_id(comment_id)
        .send()
        .await
        .expect("204");
    assert_eq!(response.status().as_u16(), 204);
    let request = &server.requests()[0];
    assert_eq!(request.method, "DELETE");
    assert_eq!(
        request.path_only(),
        format!("/executions/{}/comments/{comment_id}", execution_id())
    );
}

#[tokio::test]
async fn scalar_query_parameters_and_an_array_response() {
    let server = TestServer::always(ServerReply::json(200, &json!([comment()])));
    let client = client_for(&server);
    let since: asteroid_sdk::chrono::DateTime<asteroid_sdk::chrono::Utc> =
        "2026-11-01T00:00:00Z".parse().unwrap();
    let comments = client
        .execution_comment_list()
        .execution_id(execution_id())
        .public_only(true)
        .order(ExecutionCommentListOrder::Desc)
        .limit(5)
        .since(since)
        .x_request_tag("nightly run")
        .send()
        .await
        .expect("list");
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].content, "looks good");
    let request = &server.requests()[0];
    let query = request.query().unwrap_or_default().to_string();
    for want in [
        "publicOnly=true",
        "order=desc",
        "limit=5",
        "since=2026-11-01T00%3A00%3A00Z",
    ] {
        assert!(query.split('&').any(|p| p == want), "{want} not in {query}");
    }
    assert_eq!(request.header("x-request-tag"), Some("nightly run"));
    let err = client
        .execution_comment_list()
        .execution_id(execution_id())
        .limit(500)
        .send()
        .await
        .expect_err("limit has maximum 50");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn an_operation_named_like_a_schema_takes_it_as_its_body() {
    // The operation `ExecutionCommentCreate` and the schema `Agents.Execution.CommentCreate`
    // share a Rust name: the request builder and the body type stay apart.
    let server = TestServer::always(ServerReply::json(201, &comment()));
    let client = client_for(&server);
    let created = client
        .execution_comment_create()
        .execution_id(execution_id())
        .body(ExecutionCommentCreate::builder().content("looks good"))
        .send()
        .await
        .expect("201");
    assert_eq!(created.status().as_u16(), 201);
    assert!(created.public);
    assert_eq!(
        server.requests()[0].body_json(),
        Some(json!({"content": "looks good", "public": false}))
    );
    let empty = ExecutionCommentCreate::builder().content("").build();
    assert!(empty.is_err(), "content has minLength 1");
}

#[tokio::test]
async fn a_default_error_response_decodes_as_its_typed_body() {
    let problem = json!({"type": "https://example.com/teapot", "title": "teapot", "status": 418, "detail": null, "traceId": "t-1"});
    let server = TestServer::always(
        ServerReply::json(418, &problem).content_type("application/problem+json"),
    );
    let client = client_for(&server);
    let err = client
        .agent_get()
        .agent_id(Uuid::nil())
        .send()
        .await
        .expect_err("418");
    let Error::Api { body, .. } = &err else {
        panic!("a typed error: {err:?}")
    };
    assert_eq!(body.title, "teapot");
    assert_eq!(body.status, 418);
    assert_eq!(body.extra("traceId"), Some(&json!("t-1")));
    assert_eq!(serde_json::to_value(&**body).unwrap(), problem);
}

#[tokio::test]
async fn a_new_type_decodes_liberally_with_defaults_and_unknown_values() {
    let server = TestServer::always(ServerReply::json(
        200,
        &json!({
            "id": Uuid::nil(), "name": "Invoice downloader", "createdAt": "2026-11-01T00:00:00Z",
            "kind": "quantum", "maxTimeoutMins": 0
        }),
    ));
    let client = client_for(&server);
    let agent: asteroid_sdk::Response<Agent> = client
        .agent_get()
        .agent_id(Uuid::nil())
        .send()
        .await
        .expect("agent");
    assert_eq!(agent.kind, AgentKind::Unknown("quantum".into()));
    assert_eq!(agent.max_timeout_mins, Some(0), "minimum 1 is not checked on responses");
    assert_eq!(agent.default_options.soft_timeout_mins, None, "`default: {{}}`");
}

#[tokio::test]
async fn a_post_with_an_idempotency_key_is_retried() {
    let server = TestServer::script(vec![
        ServerReply::status(503).header("retry-after", "0"),
        ServerReply::json(202, &json!({"executionId": Uuid::nil(), "status": "queued"})),
    ]);
    let client = builder_for(&server)
        .retry_policy(RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(5)))
        .build()
        .unwrap();
    let inputs = serde_json::Map::from_iter([("month".to_string(), json!("2026-11"))]);
    let started = client
        .agent_execute()
        .agent_id(Uuid::nil())
        .idempotency_key("run-2026-11")
        .body_map(|b| b.inputs(inputs))
        .send()
        .await
        .expect("202 after a retry");
    assert_eq!(started.status, Some(ExecutionStatus::Queued));
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "the key makes the POST safe to retry");
    assert_eq!(requests[1].header("idempotency-key"), Some("run-2026-11"));
    assert_eq!(requests[1].body_json().unwrap()["inputs"], json!({"month": "2026-11"}));
}

#[tokio::test]
async fn mocks_of_the_new_operations() {
    let server = MockServer::start_async().await;
    let id = execution_id();
    let deleted = server.execution_comment_delete(|when, then| {
        when.execution_id(&id).comment_id(&Uuid::nil());
        then.no_content();
    });
    let problem: Problem =
        serde_json::from_value(json!({"title": "no such agent", "status": 404})).unwrap();
    server.agent_get(|when, then| {
        when.agent_id(&Uuid::nil());
        then.client_error(404, &problem);
    });
    let client = server.client();
    client
        .execution_comment_delete()
        .execution_id(id)
        .comment_id(Uuid::nil())
        .send()
        .await
        .expect("the mock answers 204");
    deleted.assert();
    let err = client.agent_get().agent_id(Uuid::nil()).send().await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(err.body().map(|p| p.title.as_str()), Some("no such agent"));
}

#[tokio::test]
async fn bodies_of_other_media_types_are_bytes_or_text() {
    let server = TestServer::always(ServerReply::bytes(
        200,
        "application/octet-stream",
        vec![0u8, 1, 2, 255],
    ));
    let client = client_for(&server);
    let file = client
        .file_download()
        .file_id(Uuid::nil())
        .send()
        .await
        .expect("the bytes");
    assert_eq!(&file[..], &[0u8, 1, 2, 255]);

    let server = TestServer::always(ServerReply::text(200, "text/plain", "step 1\nstep 2"));
    let client = client_for(&server);
    let log = client
        .execution_log()
        .execution_id(execution_id())
        .send()
        .await
        .expect("the text");
    // A `text/plain` body is a `String`.
    let log: String = log.into_inner();
    assert_eq!(log, "step 1\nstep 2");

    let server = TestServer::always(ServerReply::json(201, &json!({"id": Uuid::nil()})));
    let client = client_for(&server);
    let stored = client
        .file_upload()
        .body(vec![9u8, 8, 7])
        .send()
        .await
        .expect("stored");
    assert_eq!(stored.id, Uuid::nil());
    let request = &server.requests()[0];
    assert_eq!(request.body_text().as_bytes(), &[9u8, 8, 7]);
    assert_eq!(request.header("content-type"), Some("application/octet-stream"));

    // An error status documented only with a non-JSON body is an unexpected status, with
    // a snippet of the body.
    let server = TestServer::always(ServerReply::text(500, "text/html", "<html>oops</html>"));
    let client = builder_for(&server).max_retries(0).build().unwrap();
    let err = client
        .execution_log()
        .execution_id(execution_id())
        .send()
        .await
        .unwrap_err();
    let Error::UnexpectedStatus { body, .. } = &err else {
        panic!("an unexpected status: {err:?}")
    };
    assert!(body.contains("oops"), "{body}");
}

#[tokio::test]
async fn mocks_answer_and_match_raw_bodies() {
    let server = MockServer::start_async().await;
    server.file_download(|when, then| {
        when.file_id(&Uuid::nil());
        then.ok(b"%PDF-1.7");
    });
    let upload = server.file_upload(|when, then| {
        when.body("report");
        then.created(&serde_json::from_value(json!({"id": Uuid::nil()})).unwrap());
    });
    let client = server.client();
    let file = client.file_download().file_id(Uuid::nil()).send().await.unwrap();
    assert_eq!(&file[..], b"%PDF-1.7");
    assert_eq!(file.headers()["content-type"], "application/octet-stream");
    client.file_upload().body("report").send().await.unwrap();
    upload.assert();
}

fn multipart_parts(server: &TestServer) -> Vec<asteroid_sdk_tests::multipart::Part> {
    let requests = server.requests();
    let last = requests.last().expect("a request");
    let content_type = last.header("content-type").expect("a content type");
    asteroid_sdk_tests::multipart::parse(content_type, &last.body).expect("a multipart body")
}

#[tokio::test]
async fn a_multipart_upload_sends_one_part_per_member() {
    use asteroid_sdk::multipart::FilePart;
    use asteroid_sdk::types::{ExecutionContextFilesUploadBody, FilesUploadOptions};

    let server = TestServer::always(ServerReply::json(200, &json!({"count": 2})));
    let client = client_for(&server);
    let dir = std::env::temp_dir().join(format!("asteroid-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("notes.md");
    std::fs::write(&path, "# notes\n").unwrap();

    let body = ExecutionContextFilesUploadBody::builder()
        .files(vec![
            FilePart::bytes("a,b\n1,2\n").file_name("data.csv").content_type("text/csv"),
            FilePart::from_path(&path).unwrap(),
        ])
        .note("two files".to_string())
        .labels(vec!["x".to_string(), "y z".to_string()])
        .options(FilesUploadOptions::builder().overwrite(true).build().unwrap())
        .build()
        .unwrap();
    let stored = client
        .execution_context_files_upload()
        .execution_id(execution_id())
        .body(body)
        .send()
        .await
        .expect("upload");
    assert_eq!(stored.count, 2);
    std::fs::remove_dir_all(&dir).unwrap();

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "POST");
    assert!(requests[0].path.ends_with("/context-files"), "{}", requests[0].path);
    let parts = multipart_parts(&server);
    let summary: Vec<(&str, Option<&str>, Option<&str>, String)> = parts
        .iter()
        .map(|p| (p.name.as_str(), p.file_name.as_deref(), p.content_type.as_deref(), p.text()))
        .collect();
    assert_eq!(
        summary,
        [
            // The caller's content type wins; the spec's `encoding` (text/plain) otherwise.
            ("files", Some("data.csv"), Some("text/csv"), "a,b\n1,2\n".to_string()),
            ("files", Some("notes.md"), Some("text/plain"), "# notes\n".to_string()),
            // A list of strings is a part per item; an object is JSON.
            ("labels", None, Some("text/plain"), "x".to_string()),
            ("labels", None, Some("text/plain"), "y z".to_string()),
            ("note", None, Some("text/plain"), "two files".to_string()),
            ("options", None, Some("application/json"), r#"{"overwrite":true}"#.to_string()),
        ]
    );
}

#[tokio::test]
async fn a_streamed_file_is_sent_whole_and_a_missing_member_is_no_part() {
    use asteroid_sdk::multipart::FilePart;
    use asteroid_sdk::types::ExecutionContextFilesUploadBody;

    let server = TestServer::always(ServerReply::json(200, &json!({"count": 1})));
    let client = client_for(&server);
    let chunks: Vec<Result<&'static str, std::io::Error>> = vec![Ok("part one, "), Ok("part two")];
    let stream = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let body = ExecutionContextFilesUploadBody::builder()
        .files(vec![FilePart::stream(stream).file_name("log.txt")])
        .build()
        .unwrap();
    client
        .execution_context_files_upload()
        .execution_id(execution_id())
        .body(body)
        .send()
        .await
        .expect("upload");
    let parts = multipart_parts(&server);
    assert_eq!(parts.len(), 1, "{parts:?}");
    assert_eq!(parts[0].name, "files");
    assert_eq!(parts[0].file_name.as_deref(), Some("log.txt"));
    assert_eq!(parts[0].text(), "part one, part two");
}

#[tokio::test]
async fn a_multipart_body_missing_its_files_is_not_sent() {
    use asteroid_sdk::types::ExecutionContextFilesUploadBody;

    let e = ExecutionContextFilesUploadBody::builder()
        .note("no files".to_string())
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("files"), "{e}");
}

#[tokio::test]
async fn mocks_match_multipart_parts() {
    use asteroid_sdk::multipart::FilePart;
    use asteroid_sdk::types::ExecutionContextFilesUploadBody;

    let server = MockServer::start_async().await;
    let upload = server.execution_context_files_upload(|when, then| {
        when.part("note", "hello").file("files", "a.txt");
        then.ok(&serde_json::from_value(json!({"count": 1})).unwrap());
    });
    let client = server.client();
    let body = |note: &str| {
        ExecutionContextFilesUploadBody::builder()
            .files(vec![FilePart::bytes("content").file_name("a.txt")])
            .note(note.to_string())
            .build()
            .unwrap()
    };
    let ok = client
        .execution_context_files_upload()
        .execution_id(execution_id())
        .body(body("hello"))
        .send()
        .await
        .expect("matched");
    assert_eq!(ok.count, 1);
    upload.assert();
    let other = client
        .execution_context_files_upload()
        .execution_id(execution_id())
        .body(body("something else"))
        .send()
        .await;
    assert!(other.is_err(), "a part that differs does not match");
}
