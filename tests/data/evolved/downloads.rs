//! On the crate regenerated from `tests/data/openapi.evolved.yaml` (copied into the
//! regenerated workspace's `tests/it/` by `scripts/evolve-check.sh`): a download the API
//! answers with `303 See Other` to file storage on another origin. `send()` gets the
//! content from the second origin, which never sees the API key; `send_for_location()`
//! gives the URL.

use asteroid_sdk::mock::MockServer;
use asteroid_sdk::{Error, Uuid};
use asteroid_sdk_tests::fixtures::SENTINEL_KEY;
use asteroid_sdk_tests::server::{Reply as ServerReply, TestServer};

use crate::common::{builder_for, client_for};

const KEY_HEADER: &str = "x-asteroid-agents-api-key";

/// File storage: another origin (its own port) that serves the file's bytes.
fn storage() -> TestServer {
    TestServer::always(ServerReply::bytes(
        200,
        "application/pdf",
        b"%PDF-1.7 contents".to_vec(),
    ))
}

#[tokio::test]
async fn send_follows_the_redirect_to_another_origin_without_the_key() {
    let storage = storage();
    let target = storage.url("/bucket/report.pdf?signature=abc");
    let api = TestServer::always(ServerReply::redirect(303, &target));
    let client = client_for(&api);
    let file = client
        .file_download_redirect()
        .file_id(Uuid::nil())
        .send()
        .await
        .expect("the content");
    assert_eq!(file.status(), 200);
    assert_eq!(&file.into_inner()[..], b"%PDF-1.7 contents");

    let asked = api.requests();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].header(KEY_HEADER), Some(SENTINEL_KEY), "the API gets the key");
    let fetched = storage.requests();
    assert_eq!(fetched.len(), 1, "the storage is asked once");
    assert_eq!(fetched[0].path_only(), "/bucket/report.pdf");
    assert_eq!(fetched[0].query(), Some("signature=abc"));
    assert_eq!(fetched[0].header(KEY_HEADER), None, "the key never leaves the API's origin");
    for (name, value) in &fetched[0].headers {
        assert!(!value.contains(SENTINEL_KEY), "header {name} carries the key");
    }
    assert!(fetched[0].header("user-agent").is_some_and(|ua| ua.contains("asteroid-sdk")));
}

#[tokio::test]
async fn send_for_location_gives_the_target_without_fetching_it() {
    let storage = storage();
    let target = storage.url("/bucket/report.pdf?signature=abc");
    let api = TestServer::always(ServerReply::redirect(303, &target));
    let client = client_for(&api);
    let location = client
        .file_download_redirect()
        .file_id(Uuid::nil())
        .send_for_location()
        .await
        .expect("the location");
    assert_eq!(location.status(), 303);
    assert_eq!(location.as_str(), target);
    assert_eq!(storage.request_count(), 0);
}

#[tokio::test]
async fn a_redirect_within_the_api_origin_is_followed_with_the_key() {
    let api = TestServer::start(|request| {
        if request.path_only().starts_with("/files/") {
            ServerReply::redirect(307, "/storage/report.pdf")
        } else {
            ServerReply::bytes(200, "application/pdf", b"same origin".to_vec())
        }
    });
    let client = client_for(&api);
    let file = client
        .file_download_redirect()
        .file_id(Uuid::nil())
        .send()
        .await
        .expect("the content");
    assert_eq!(&file[..], b"same origin");
    let asked = api.requests();
    assert_eq!(asked.len(), 2);
    assert_eq!(asked[1].path_only(), "/storage/report.pdf");
    assert_eq!(asked[1].header(KEY_HEADER), Some(SENTINEL_KEY), "its own origin gets the key");

    // The location of a redirect within the API's origin: the URL, not followed.
    api.clear_requests();
    let location = client
        .file_download_redirect()
        .file_id(Uuid::nil())
        .send_for_location()
        .await
        .expect("the location");
    assert_eq!(location.status(), 307);
    assert_eq!(location.as_str(), api.url("/storage/report.pdf"));
    assert_eq!(api.request_count(), 1, "the location is not fetched");
}

#[tokio::test]
async fn bad_redirects_and_failing_storage_are_errors_with_their_status() {
    // No Location.
    let api = TestServer::always(ServerReply::status(303));
    let client = client_for(&api);
    let err = client
        .file_download_redirect()
        .file_id(Uuid::nil())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(303));
    assert!(err.to_string().contains("Location"), "{err}");

    // Not an http(s) URL.
    let api = TestServer::always(ServerReply::redirect(303, "ftp://files.example/x"));
    let err = client_for(&api)
        .file_download_redirect()
        .file_id(Uuid::nil())
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("http(s)"), "{err}");

    // The storage refuses: its status and body, no retry of a 403.
    let storage = TestServer::always(ServerReply::text(403, "application/xml", "<Error>expired</Error>"));
    let api = TestServer::always(ServerReply::redirect(303, &storage.url("/x")));
    let err = builder_for(&api)
        .build()
        .unwrap()
        .file_download_redirect()
        .file_id(Uuid::nil())
        .send()
        .await
        .unwrap_err();
    let Error::UnexpectedStatus { body, .. } = &err else {
        panic!("an unexpected status: {err:?}")
    };
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    assert!(body.contains("expired"), "{body}");
    assert_eq!(storage.request_count(), 1);
    assert_eq!(storage.requests()[0].header(KEY_HEADER), None);

    // The documented error status is typed as ever.
    let api = TestServer::always(ServerReply::json(
        404,
        &serde_json::json!({"code": 404, "message": "no such file"}),
    ));
    let err = client_for(&api)
        .file_download_redirect()
        .file_id(Uuid::nil())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api { .. }), "{err:?}");
}

#[tokio::test]
async fn the_typed_mock_answers_the_redirect() {
    let storage = storage();
    let target = storage.url("/bucket/f");
    let server = MockServer::start_async().await;
    let mock = server.file_download_redirect(|when, then| {
        when.file_id(&Uuid::nil());
        then.see_other(&target);
    });
    let file = server
        .client()
        .file_download_redirect()
        .file_id(Uuid::nil())
        .send()
        .await
        .expect("the content");
    assert_eq!(&file[..], b"%PDF-1.7 contents");
    mock.assert();
    assert_eq!(storage.requests()[0].header(KEY_HEADER), None);
}

#[test]
fn the_blocking_client_downloads_through_the_redirect() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (storage, api, target) = {
        let _in_rt = rt.enter();
        let storage = storage();
        let target = storage.url("/bucket/f");
        let api = TestServer::always(ServerReply::redirect(303, &target));
        (storage, api, target)
    };
    let client = asteroid_sdk::blocking::Client::builder()
        .api_key(SENTINEL_KEY)
        .base_url(api.base_url())
        .build()
        .unwrap();
    let file = client
        .file_download_redirect()
        .file_id(Uuid::nil())
        .send()
        .unwrap();
    assert_eq!(&file[..], b"%PDF-1.7 contents");
    let location = client
        .file_download_redirect()
        .file_id(Uuid::nil())
        .send_for_location()
        .unwrap();
    assert_eq!(location.as_str(), target);
    assert_eq!(storage.request_count(), 1);
    assert_eq!(storage.requests()[0].header(KEY_HEADER), None);
}
