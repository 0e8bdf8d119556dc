//! On the crate regenerated from `tests/data/openapi.evolved.yaml` (copied into the
//! regenerated workspace's `tests/it/` by `scripts/evolve-check.sh`): a list operation
//! (`ExecutionList`: `page` and `pageSize` in, `{items, page, pageSize, total}` out) walks
//! its pages with `.into_stream()` and `.pages()`, async and blocking, and stops on the
//! last page.

use asteroid_sdk::{Error, ExecutionStatus};
use asteroid_sdk_tests::fixtures::execution;
use asteroid_sdk_tests::server::{Reply as ServerReply, Request, TestServer};
use serde_json::json;

use crate::common::{builder_for, client_for};

/// The value of query parameter `name` of `request`.
fn query_param(request: &Request, name: &str) -> Option<String> {
    request.query().unwrap_or_default().split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

/// A server of a list of `total` executions, `pageSize` (default 20) a page, that numbers
/// its pages from 1 (the first when the request names none) and says so in each answer.
fn list_server(total: usize) -> TestServer {
    TestServer::start(move |request| {
        let page: usize = query_param(request, "page").map_or(1, |p| p.parse().unwrap());
        let size: usize = query_param(request, "pageSize").map_or(20, |p| p.parse().unwrap());
        let start = (page - 1) * size;
        let items: Vec<_> = (start..total.min(start + size))
            .map(|_| execution("running"))
            .collect();
        ServerReply::json(
            200,
            &json!({"items": items, "page": page, "pageSize": size, "total": total}),
        )
    })
}

#[tokio::test]
async fn into_stream_yields_every_item_of_three_pages_then_ends() {
    let server = list_server(5);
    let client = client_for(&server);
    let mut items = client
        .execution_list()
        .page_size(2)
        .status(vec![ExecutionStatus::Running])
        .into_stream();
    let mut count = 0;
    while let Some(item) = items.next().await {
        let execution = item.expect("an item");
        assert_eq!(execution.status, ExecutionStatus::Running);
        count += 1;
    }
    assert_eq!(count, 5);
    assert!(items.next().await.is_none(), "the stream stays ended");
    let requests = server.requests();
    assert_eq!(requests.len(), 3, "one request a page, none after the last");
    let pages: Vec<Option<String>> = requests.iter().map(|r| query_param(r, "page")).collect();
    assert_eq!(pages, [None, Some("2".into()), Some("3".into())]);
    for r in &requests {
        // Every page keeps the request's other parameters.
        assert_eq!(query_param(r, "pageSize").as_deref(), Some("2"));
        assert_eq!(query_param(r, "status").as_deref(), Some("running"));
    }
}

#[tokio::test]
async fn pages_start_at_the_requested_page_and_stop_when_the_total_is_reached() {
    // 4 items, 2 a page: the second page is full, and the total says it is the last.
    let server = list_server(4);
    let client = client_for(&server);
    let mut pages = client.execution_list().page_size(2).pages();
    let mut sizes = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.expect("a page");
        assert_eq!(page.status(), 200);
        sizes.push((page.page, page.items.len()));
    }
    assert_eq!(sizes, [(1, 2), (2, 2)]);
    assert_eq!(server.request_count(), 2);

    // From page 2 on; the stream is a `futures::Stream` too.
    let server = list_server(5);
    let client = client_for(&server);
    let pages = client.execution_list().page_size(2).page(2).pages();
    let numbers: Vec<i64> = futures_util::StreamExt::collect::<Vec<_>>(pages)
        .await
        .into_iter()
        .map(|p| p.expect("a page").page)
        .collect();
    assert_eq!(numbers, [2, 3]);

    // An empty list is one request and no item.
    let server = list_server(0);
    let client = client_for(&server);
    let all = client.execution_list().into_stream().collect_all().await.unwrap();
    assert!(all.is_empty());
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn a_failing_page_is_yielded_once_and_ends_the_stream() {
    let server = TestServer::start(|request| {
        if query_param(request, "page").as_deref() == Some("2") {
            ServerReply::json(500, &json!({"code": 500, "message": "page two broke"}))
        } else {
            ServerReply::json(
                200,
                &json!({"items": [execution("running"), execution("running")],
                        "page": 1, "pageSize": 2, "total": 6}),
            )
        }
    });
    let client = builder_for(&server).max_retries(0).build().unwrap();
    let mut items = client.execution_list().page_size(2).into_stream();
    assert!(items.next().await.unwrap().is_ok());
    assert!(items.next().await.unwrap().is_ok());
    let err = items.next().await.unwrap().unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500), "{err:?}");
    assert!(matches!(err, Error::Api { .. }), "{err:?}");
    assert!(items.next().await.is_none());
    assert_eq!(server.request_count(), 2);
}

#[test]
fn the_blocking_client_iterates_the_same_pages() {
    // The test server runs on its own runtime; the blocking client is called from this
    // plain thread, as a program without a runtime would.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = {
        let _in_rt = rt.enter();
        list_server(5)
    };
    let client = asteroid_sdk::blocking::Client::builder()
        .api_key("k")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let mut count = 0;
    for item in client.execution_list().page_size(2) {
        item.expect("an item");
        count += 1;
    }
    assert_eq!(count, 5);
    let totals: Vec<i64> = client
        .execution_list()
        .page_size(2)
        .pages()
        .map(|p| p.expect("a page").total)
        .collect();
    assert_eq!(totals, [5, 5, 5]);
    assert_eq!(server.request_count(), 6);
}
