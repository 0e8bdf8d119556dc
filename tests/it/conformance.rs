//! Conformance against Prism in dynamic mode: random bodies that follow the spec (with the
//! extra properties and loose `metadata` Prism adds) must all decode, and every documented
//! error status must come back as a typed `Error::Api`.
//!
//! Each test starts its own Prism (about 1-2 s). Without Node.js outside CI the tests are
//! skipped loudly; any other failure to start Prism fails them (CI never skips).

use std::collections::BTreeMap;
use std::time::Instant;

use asteroid_sdk::{Client, Error, Uuid};
use asteroid_sdk_tests::prism::Prism;
use futures_util::{StreamExt, stream};
use reqwest::header::{HeaderMap, HeaderValue};

/// How many random executions to fetch and decode.
const CALLS: usize = 600;
/// How many of them are in flight at once.
const IN_FLIGHT: usize = 8;

/// A dynamic Prism, or `None` (after a loud message) when Node.js is missing outside CI.
async fn start_prism(test: &str) -> Option<Prism> {
    match Prism::start(true).await {
        Ok(Some(prism)) => Some(prism),
        Ok(None) => {
            eprintln!(
                "\n!!!!!!!!!! conformance::{test} SKIPPED: Node.js is not installed, so \
                 Prism cannot run (see the message above). It runs in CI. !!!!!!!!!!\n"
            );
            None
        }
        Err(e) => panic!("conformance::{test}: Prism did not start: {e}"),
    }
}

/// An API key Prism accepts (any non-empty value).
const PRISM_KEY: &str = "prism-any-key";

/// How many requests for `/executions/{id}` Prism has logged.
fn requests_logged(prism: &Prism, id: Uuid) -> usize {
    let path = format!("/executions/{id} ");
    prism
        .output()
        .lines()
        .filter(|l| l.contains(&path) && l.contains("Request received"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_executions_all_decode() {
    let Some(prism) = start_prism("random_executions_all_decode").await else {
        return;
    };
    let client = Client::builder()
        .api_key(PRISM_KEY)
        .base_url(prism.base_url())
        .build()
        .expect("client");

    let started = Instant::now();
    let results: Vec<_> = stream::iter(0..CALLS)
        .map(|_| {
            let client = client.clone();
            async move {
                let id = Uuid::new_v4();
                let result = client.execution_get().execution_id(id).send().await;
                (id, result.map(|r| r.into_inner()))
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    let elapsed = started.elapsed();

    let mut statuses = BTreeMap::<String, usize>::new();
    let mut sources = BTreeMap::<String, usize>::new();
    let mut failures = Vec::new();
    for (id, result) in &results {
        match result {
            Ok(execution) => {
                *statuses.entry(execution.status.to_string()).or_default() += 1;
                let source = match &execution.trigger_context {
                    Some(t) => t.source().unwrap_or("<no source>").to_string(),
                    None => "<absent>".to_string(),
                };
                *sources.entry(source).or_default() += 1;
            }
            Err(e) => failures.push(format!("{id}: {e}")),
        }
    }
    eprintln!(
        "conformance: {} ExecutionGet calls ({IN_FLIGHT} in flight) in {elapsed:.2?}; \
         statuses {statuses:?}; trigger sources {sources:?}",
        results.len()
    );
    assert_eq!(results.len(), CALLS);
    assert!(
        failures.is_empty(),
        "{} of {CALLS} Prism responses failed; the first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        statuses.len() >= 2,
        "too little variety in statuses: {statuses:?}"
    );
    assert!(
        sources.len() >= 2,
        "too little variety in trigger sources: {sources:?}"
    );
    assert!(
        statuses
            .keys()
            .all(|s| !asteroid_sdk::ExecutionStatus::from(s.as_str()).is_unknown()),
        "Prism produced a status outside the spec's enum: {statuses:?}"
    );
}

#[tokio::test]
async fn each_documented_error_status_is_a_typed_api_error() {
    let Some(prism) = start_prism("each_documented_error_status_is_a_typed_api_error").await else {
        return;
    };
    for status in [400u16, 401, 403, 404, 500] {
        let mut headers = HeaderMap::new();
        headers.insert(
            "prefer",
            HeaderValue::from_str(&format!("code={status}")).expect("header"),
        );
        let http = asteroid_sdk::config::http_client_builder()
            .default_headers(headers)
            .build()
            .expect("reqwest client");
        let client = Client::builder()
            .api_key(PRISM_KEY)
            .base_url(prism.base_url())
            .http_client(http)
            .max_retries(0)
            .build()
            .expect("client");
        // Several calls per status: each body (message, extra properties) is random.
        for _ in 0..10 {
            let id = Uuid::new_v4();
            let err = client
                .execution_get()
                .execution_id(id)
                .send()
                .await
                .expect_err("Prefer: code=N must give status N");
            match &err {
                Error::Api {
                    response,
                    body,
                    code,
                    message,
                } => {
                    assert_eq!(response.status.as_u16(), status, "{err}");
                    assert_eq!(body.code, i64::from(status), "{err}");
                    assert_eq!(*code, Some(i64::from(status)), "{err}");
                    assert_eq!(message.as_deref(), Some(body.message.as_str()), "{err}");
                }
                other => panic!("{status}: expected Error::Api, got {other:?} ({other})"),
            }
            assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
            assert_eq!(err.code(), Some(i64::from(status)));
            let message = err.message().expect("a message");
            assert!(!message.trim().is_empty(), "{status}: empty message: {err}");
            assert!(err.to_string().contains(&status.to_string()), "{err}");
            assert_eq!(err.request_id(), None, "Prism sends no request id");
            assert_eq!(err.is_unauthorized(), status == 401);
            assert_eq!(err.is_forbidden(), status == 403);
            assert_eq!(err.is_not_found(), status == 404);
            assert_eq!(err.is_server_error(), status == 500);
            assert_eq!(err.is_retryable(), status == 500);
            assert_eq!(
                requests_logged(&prism, id),
                1,
                "{status}: with max_retries(0) exactly one request is sent"
            );
        }
    }
}

#[tokio::test]
async fn without_an_api_key_prism_answers_401() {
    let Some(prism) = start_prism("without_an_api_key_prism_answers_401").await else {
        return;
    };
    let client = Client::builder()
        .without_api_key()
        .base_url(prism.base_url())
        .max_retries(0)
        .build()
        .expect("client");
    let err = client
        .execution_get()
        .execution_id(Uuid::new_v4())
        .send()
        .await
        .expect_err("Prism requires the API key header");
    assert!(
        matches!(&err, Error::Api { body, .. } if body.code == 401),
        "expected Error::Api 401, got {err:?}"
    );
    assert!(err.is_unauthorized(), "{err}");
    assert_eq!(err.code(), Some(401));
    assert!(err.message().is_some_and(|m| !m.is_empty()), "{err}");
    assert!(!err.is_retryable());

    // The same server accepts any key: the 401 is about the missing header.
    let with_key = Client::builder()
        .api_key(PRISM_KEY)
        .base_url(prism.base_url())
        .build()
        .expect("client");
    with_key
        .execution_get()
        .execution_id(Uuid::new_v4())
        .send()
        .await
        .expect("with a key Prism answers 200");
}

/// Set in the child process of [`own_reqwest_client_built_first`].
const FRESH_PROCESS_ENV: &str = "ASTEROID_IT_FRESH_PROCESS";

/// `ClientBuilder::http_client` takes one's own `reqwest::Client`. With the SDK's default
/// `rustls` feature reqwest has no crypto provider of its own, so a client built with a bare
/// `reqwest::Client::builder()` before any SDK client would fail; one built from
/// `config::http_client_builder()` works. Whether a provider is already installed depends on
/// which tests ran before in this process, so the check runs in a fresh one.
#[test]
fn own_reqwest_client_built_first() {
    if std::env::var_os(FRESH_PROCESS_ENV).is_some() {
        let http = asteroid_sdk::config::http_client_builder()
            .build()
            .expect("reqwest client");
        Client::builder()
            .api_key(PRISM_KEY)
            .base_url("http://127.0.0.1:9")
            .http_client(http)
            .build()
            .expect("client");
        return;
    }
    let exe = std::env::current_exe().expect("test binary");
    let out = std::process::Command::new(exe)
        .args([
            "--exact",
            "conformance::own_reqwest_client_built_first",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(FRESH_PROCESS_ENV, "1")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run the test binary");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "in a fresh process, building a reqwest::Client for .http_client(..) failed:\n{}{}",
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
}
