//! On the crate regenerated from a whole-API release (copied into the regenerated
//! workspace's `tests/it/` by `scripts/whole-api-check.sh`): what a user's program does
//! with the whole API, against a local stand-in for Asteroid that keeps what it is sent
//! and a second origin for file storage.
//!
//! - upload files to an execution (multipart), list them, and read one back through the
//!   API's `303 See Other` to storage, which never sees the API key;
//! - walk a list of three pages with `into_stream()`, `pages()` and a blocking `for`.
//!
//! Written against the operations as the releases of 1.8 name them
//! (`ExecutionContextFilesUpload`, `ExecutionContextFilesGet`,
//! `ExecutionContextFileDownloadRedirect`, `WorkflowList`).

use std::sync::{Arc, Mutex};

use asteroid_sdk::Uuid;
use asteroid_sdk::multipart::FilePart;
use asteroid_sdk::types::ExecutionContextFilesUploadBody;
use asteroid_sdk_tests::fixtures::SENTINEL_KEY;
use asteroid_sdk_tests::server::{Reply as ServerReply, Request, TestServer};
use serde_json::json;

use crate::common::{builder_for, client_for, execution_id};

const KEY_HEADER: &str = "x-asteroid-agents-api-key";

/// A file the stand-in API was sent.
#[derive(Clone)]
struct Stored {
    id: Uuid,
    name: String,
    content_type: String,
    data: Vec<u8>,
}

type Files = Arc<Mutex<Vec<Stored>>>;

/// File storage on its own origin: `/bucket/{id}` is the stored file's content.
fn storage(files: Files) -> TestServer {
    TestServer::start(move |request| {
        let id = request.path_only().trim_start_matches("/bucket/");
        let files = files.lock().unwrap();
        match files.iter().find(|f| f.id.to_string() == id) {
            Some(f) => ServerReply::bytes(200, &f.content_type, f.data.clone()),
            None => ServerReply::text(404, "text/plain", "no such object"),
        }
    })
}

/// The value of query parameter `name` of `request`.
fn query_param(request: &Request, name: &str) -> Option<String> {
    request
        .query()
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

/// The `Agents.Files.File` of a stored file, as the API answers it.
fn file_json(execution: Uuid, f: &Stored, storage_base: &str) -> serde_json::Value {
    let ext = f.name.rsplit_once('.').map_or("", |(_, e)| e);
    json!({
        "id": f.id, "executionId": execution, "agentId": Uuid::nil(), "workflowId": Uuid::nil(),
        "filePath": format!("context/{}", f.name), "fileName": f.name, "fileExt": ext,
        "fileSize": f.data.len(), "fileType": "context", "mimeType": f.content_type,
        "createdAt": "2026-12-04T10:00:00Z",
        "downloadUrl": format!("/executions/{execution}/context-files/{}/download", f.id),
        "signedUrl": format!("{storage_base}/bucket/{}", f.id),
    })
}

/// The stand-in API: context files of executions (upload, list, download by redirect to
/// `storage_base`) and `GET /workflows`, a list of `agents` workflows numbered from 0.
fn api(files: Files, storage_base: String, agents: usize) -> TestServer {
    TestServer::start(move |request| {
        let path = request.path_only().to_string();
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match (request.method.as_str(), segments.as_slice()) {
            ("POST", ["executions", _, "context-files"]) => {
                let content_type = request.header("content-type").unwrap_or_default();
                let parts = match asteroid_sdk_tests::multipart::parse(content_type, &request.body)
                {
                    Ok(parts) => parts,
                    Err(e) => return ServerReply::text(400, "text/plain", e),
                };
                let mut files = files.lock().unwrap();
                let mut count = 0;
                for part in parts.into_iter().filter(|p| p.name == "files") {
                    files.push(Stored {
                        id: Uuid::new_v4(),
                        name: part.file_name.unwrap_or_default(),
                        content_type: part.content_type.unwrap_or_default(),
                        data: part.data,
                    });
                    count += 1;
                }
                ServerReply::text(200, "text/plain", format!("{count} files uploaded"))
            }
            ("GET", ["executions", execution, "context-files"]) => {
                let execution: Uuid = execution.parse().unwrap();
                let files = files.lock().unwrap();
                let list: Vec<_> = files
                    .iter()
                    .map(|f| file_json(execution, f, &storage_base))
                    .collect();
                ServerReply::json(200, &json!(list))
            }
            ("GET", ["executions", _, "context-files", id, "download"]) => {
                let files = files.lock().unwrap();
                if files.iter().any(|f| f.id.to_string() == *id) {
                    ServerReply::redirect(303, &format!("{storage_base}/bucket/{id}"))
                } else {
                    ServerReply::text(404, "text/plain", "no such file")
                }
            }
            ("GET", ["workflows"]) => {
                let page: usize = query_param(request, "page").map_or(1, |p| p.parse().unwrap());
                let size: usize =
                    query_param(request, "pageSize").map_or(10, |p| p.parse().unwrap());
                let start = (page - 1) * size;
                let items: Vec<_> = (start..agents.min(start + size))
                    .map(|n| {
                        json!({"id": Uuid::from_u128(n as u128), "name": format!("agent {n}"),
                               "createdAt": "2026-12-04T10:00:00Z", "userId": Uuid::nil()})
                    })
                    .collect();
                ServerReply::json(
                    200,
                    &json!({"items": items, "page": page, "pageSize": size, "total": agents}),
                )
            }
            _ => ServerReply::text(404, "text/plain", format!("no route for {path}")),
        }
    })
}

#[tokio::test]
async fn upload_files_list_them_and_read_one_back_through_storage_without_the_key() {
    let files: Files = Arc::default();
    let storage = storage(files.clone());
    let api = api(files.clone(), storage.base_url(), 0);
    let client = client_for(&api);

    let body = ExecutionContextFilesUploadBody::builder()
        .files(vec![
            FilePart::bytes("a,b\n1,2\n")
                .file_name("data.csv")
                .content_type("text/csv"),
            FilePart::bytes(vec![0u8, 159, 146, 150]).file_name("blob.bin"),
        ])
        .build()
        .expect("an upload body");
    let answer = client
        .execution_context_files_upload()
        .execution_id(execution_id())
        .body(body)
        .send()
        .await
        .expect("the upload");
    assert_eq!(
        answer.into_inner(),
        "2 files uploaded",
        "a text/plain answer is a String"
    );

    let listed = client
        .execution_context_files_get()
        .execution_id(execution_id())
        .send()
        .await
        .expect("the list of files")
        .into_inner();
    let names: Vec<&str> = listed.iter().map(|f| f.file_name.as_str()).collect();
    assert_eq!(names, ["data.csv", "blob.bin"]);
    assert_eq!(
        listed[0].mime_type, "text/csv",
        "the part's own content type was sent"
    );
    assert_eq!(
        listed[1].mime_type, "text/plain",
        "else the spec's encoding"
    );

    for (file, expected) in listed
        .iter()
        .zip([&b"a,b\n1,2\n"[..], &[0u8, 159, 146, 150]])
    {
        let content = client
            .execution_context_file_download_redirect()
            .execution_id(execution_id())
            .file_id(file.id)
            .send()
            .await
            .expect("the file's content");
        assert_eq!(&content.into_inner()[..], expected, "{}", file.file_name);
    }
    let location = client
        .execution_context_file_download_redirect()
        .execution_id(execution_id())
        .file_id(listed[0].id)
        .send_for_location()
        .await
        .expect("the location");
    assert_eq!(
        location.as_str(),
        format!("{}/bucket/{}", storage.base_url(), listed[0].id)
    );

    let stored = storage.requests();
    assert_eq!(
        stored.len(),
        2,
        "storage is asked once a download, not for the location"
    );
    for request in &stored {
        assert_eq!(
            request.header(KEY_HEADER),
            None,
            "the key never leaves the API's origin"
        );
        for (name, value) in &request.headers {
            assert!(
                !value.contains(SENTINEL_KEY),
                "header {name} carries the key"
            );
        }
    }
    for request in api.requests() {
        assert_eq!(request.header(KEY_HEADER), Some(SENTINEL_KEY));
    }

    // A file the API does not have: its documented 404 (text), not storage's.
    let missing = client
        .execution_context_file_download_redirect()
        .execution_id(execution_id())
        .file_id(Uuid::nil())
        .send()
        .await
        .expect_err("no such file");
    assert_eq!(missing.status().map(|s| s.as_u16()), Some(404), "{missing}");
    assert_eq!(storage.request_count(), 2);
}

#[tokio::test]
async fn a_three_page_list_is_walked_item_by_item_and_page_by_page() {
    let api = api(Arc::default(), String::new(), 5);
    let client = client_for(&api);

    let mut agents = client.workflow_list().page_size(2).into_stream();
    let mut names = Vec::new();
    while let Some(agent) = agents.next().await {
        names.push(agent.expect("an agent").name);
    }
    assert_eq!(
        names,
        (0..5).map(|n| format!("agent {n}")).collect::<Vec<_>>()
    );
    let asked: Vec<Option<String>> = api
        .requests()
        .iter()
        .map(|r| query_param(r, "page"))
        .collect();
    assert_eq!(
        asked,
        [None, Some("2".into()), Some("3".into())],
        "one request a page"
    );

    api.clear_requests();
    let mut pages = client.workflow_list().page_size(2).pages();
    let mut sizes = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.expect("a page");
        sizes.push((page.page, page.items.len(), page.total));
    }
    assert_eq!(sizes, [(1, 2, 5), (2, 2, 5), (3, 1, 5)]);
    assert_eq!(api.request_count(), 3);
}

#[test]
fn a_blocking_program_walks_the_same_list_with_a_for_loop() {
    // The stand-in server runs on a runtime of its own; the program itself has none.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let api = {
        let _in_runtime = runtime.enter();
        api(Arc::default(), String::new(), 5)
    };
    let client = asteroid_sdk::blocking::Client::builder()
        .api_key(SENTINEL_KEY)
        .base_url(api.base_url())
        .build()
        .expect("a blocking client");
    let mut count = 0;
    for agent in client.workflow_list().page_size(2) {
        agent.expect("an agent");
        count += 1;
    }
    assert_eq!(count, 5);
    assert_eq!(api.request_count(), 3);
}

#[tokio::test]
async fn a_failing_page_ends_the_walk_with_the_error() {
    let api = TestServer::script(vec![
        ServerReply::json(
            200,
            &json!({"items": [{"id": Uuid::nil(), "name": "a", "createdAt": "2026-12-04T10:00:00Z",
                     "userId": Uuid::nil()}], "page": 1, "pageSize": 1, "total": 3}),
        ),
        ServerReply::json(500, &json!({"error": "boom"})),
    ]);
    let client = builder_for(&api).max_retries(0).build().expect("client");
    let mut agents = client.workflow_list().page_size(1).into_stream();
    assert!(agents.next().await.expect("an item").is_ok());
    let error = agents
        .next()
        .await
        .expect("the error")
        .expect_err("page 2 fails");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert!(
        agents.next().await.is_none(),
        "the walk ends after the error"
    );
}
