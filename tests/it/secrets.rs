//! The API key never appears in output: `Debug` of the client and its builder, `Display`
//! and `Debug` of every error, and traces. And the builder's validation of the key, the
//! base URL and the environment.

use std::sync::Mutex;
use std::time::Duration;

use asteroid_sdk::config::{API_KEY_ENV, BASE_URL_ENV};
use asteroid_sdk::{Client, Error, RetryPolicy};
use asteroid_sdk_tests::fixtures::{SENTINEL_KEY, error_body, execution};
use asteroid_sdk_tests::server::{Reply, TestServer};

use crate::common::{builder_for, fetch};
use crate::retries::refused_base_url;
use crate::tracing_spans::capture;

/// Parts of the key that must not show up either.
fn leaks(text: &str) -> bool {
    text.contains(SENTINEL_KEY) || text.contains("SENTINEL-7d41c0ffee")
}

/// Assert that neither `Display`, `Debug` nor the source chain of `err` shows the key.
fn assert_hidden(what: &str, err: &Error) {
    let mut text = format!("{err}\n{err:?}\n{err:#?}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!("\n{s}\n{s:?}"));
        source = s.source();
    }
    assert!(!leaks(&text), "{what}: the key is in the error:\n{text}");
}

fn quick() -> RetryPolicy {
    RetryPolicy::default().with_backoff(Duration::from_millis(10), Duration::from_millis(20))
}

#[test]
fn debug_of_builder_and_client_hides_the_key() {
    let builder = Client::builder()
        .api_key(SENTINEL_KEY)
        .base_url("https://api.example.com/v2")
        .timeout(Duration::from_secs(5))
        .attempt_timeout(Duration::from_secs(1))
        .max_retries(4)
        .max_response_bytes(1024);
    let text = format!("{builder:?} {builder:#?}");
    assert!(!leaks(&text), "{text}");
    assert!(
        text.contains("ApiKey(***)"),
        "the key is shown redacted: {text}"
    );

    let client = builder.clone().build().unwrap();
    let text = format!("{client:?} {client:#?} {:?}", client.clone());
    assert!(!leaks(&text), "{text}");

    // With a caller's reqwest client, too.
    let client = builder.http_client(reqwest::Client::new()).build().unwrap();
    assert!(!leaks(&format!("{client:?}")));
}

#[tokio::test]
async fn no_error_shows_the_key() {
    // Documented error statuses: Error::Api.
    for status in [401u16, 404] {
        let server = TestServer::always(Reply::json(status, &error_body(status, "nope")));
        let client = builder_for(&server).build().unwrap();
        let err = fetch(&client).await.unwrap_err();
        assert!(matches!(err, Error::Api { .. }), "{err:?}");
        assert_hidden(&format!("Api {status}"), &err);
    }

    // An undocumented status: Error::UnexpectedStatus.
    let server = TestServer::always(
        Reply::text(503, "text/html", "<h1>down</h1>").header("retry-after", "3"),
    );
    let client = builder_for(&server).max_retries(0).build().unwrap();
    let err = fetch(&client).await.unwrap_err();
    assert!(matches!(err, Error::UnexpectedStatus { .. }), "{err:?}");
    assert_hidden("UnexpectedStatus", &err);

    // A body that is not an execution: Error::Decode.
    let server = TestServer::always(Reply::json(200, &serde_json::json!({"id": 7})));
    let client = builder_for(&server).build().unwrap();
    let err = fetch(&client).await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_hidden("Decode", &err);

    // A body over the limit: Error::BodyTooLarge.
    let server = TestServer::always(Reply::json(200, &execution("running")));
    let client = builder_for(&server).max_response_bytes(16).build().unwrap();
    let err = fetch(&client).await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { .. }), "{err:?}");
    assert_hidden("BodyTooLarge", &err);

    // A stalled server: Error::Timeout.
    let server =
        TestServer::always(Reply::status(200).delay_before_headers(Duration::from_secs(30)));
    let client = builder_for(&server)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = fetch(&client).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_hidden("Timeout", &err);

    // Nothing listening: Error::Connect.
    let client = Client::builder()
        .api_key(SENTINEL_KEY)
        .base_url(refused_base_url())
        .max_retries(0)
        .build()
        .unwrap();
    let err = fetch(&client).await.unwrap_err();
    assert!(matches!(err, Error::Connect(_)), "{err:?}");
    assert_hidden("Connect", &err);

    // A connection reset mid-request: Error::Transport.
    let server = TestServer::always(Reply::reset());
    let client = builder_for(&server).max_retries(0).build().unwrap();
    let err = fetch(&client).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_hidden("Transport", &err);

    // A parameter that cannot be sent: Error::InvalidRequest.
    let err = client
        .execution_get()
        .execution_id("not-a-uuid")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert_hidden("InvalidRequest", &err);
}

#[test]
fn config_errors_do_not_show_the_key() {
    for url in [
        "not a url",
        "",
        "http://api.example.com",
        "ftp://files.example.com",
        "https://api.example.com/v2?x=1",
        "https://api.example.com/v2#frag",
        "file:///etc/passwd",
    ] {
        let err = Client::builder()
            .api_key(SENTINEL_KEY)
            .base_url(url)
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{url}: {err:?}");
        assert_hidden(url, &err);
    }
    for key in [
        format!("{SENTINEL_KEY}\n"),
        format!("{SENTINEL_KEY}\r\nx-evil: 1"),
        "SENTINEL-7d41c0ffee\0".to_string(),
        format!("\u{7f}{SENTINEL_KEY}"),
    ] {
        let err = Client::builder().api_key(key.clone()).build().unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{key:?}: {err:?}");
        assert_hidden("bad key", &err);
    }
}

#[test]
fn a_key_with_a_newline_is_a_config_error() {
    let err = Client::builder().api_key("abc\ndef").build().unwrap_err();
    match &err {
        Error::Config(m) => assert!(m.contains("api_key"), "{m}"),
        other => panic!("expected Config, got {other:?}"),
    }
    assert!(!err.to_string().contains("abc"), "{err}");
}

#[test]
fn a_missing_or_empty_key_is_a_config_error_naming_the_setting() {
    let err = Client::builder().build().unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains(API_KEY_ENV), "{err}");
    for key in ["", "   ", "\t"] {
        let err = Client::builder().api_key(key).build().unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{key:?}: {err:?}");
        assert!(err.to_string().contains("api_key"), "{err}");
    }
    // Without a key on purpose.
    assert!(Client::builder().without_api_key().build().is_ok());
}

#[test]
fn a_base_url_that_does_not_parse_is_a_config_error() {
    for url in ["not a url", "", "   ", "://x", "https://"] {
        let err = Client::builder()
            .api_key("k")
            .base_url(url)
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{url:?}: {err:?}");
        assert!(err.to_string().contains("base URL"), "{err}");
    }
}

#[test]
fn plain_http_is_refused_unless_loopback_or_allowed() {
    for url in [
        "http://api.example.com",
        "http://10.0.0.7:8080",
        "http://0.0.0.0:8080",
        "http://localhost.example.com",
        "http://127.0.0.1.nip.io",
    ] {
        let err = Client::builder()
            .api_key("k")
            .base_url(url)
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{url}: {err:?}");
        assert!(err.to_string().contains("clear text"), "{url}: {err}");
        Client::builder()
            .api_key("k")
            .base_url(url)
            .allow_insecure_http(true)
            .build()
            .unwrap_or_else(|e| panic!("{url} with allow_insecure_http: {e}"));
    }
    for url in [
        "http://127.0.0.1:9",
        "http://127.8.9.10",
        "http://localhost:8080",
        "http://[::1]:8080",
        "http://api.localhost",
    ] {
        Client::builder()
            .api_key("k")
            .base_url(url)
            .build()
            .unwrap_or_else(|e| panic!("{url} is loopback: {e}"));
    }
    Client::builder()
        .api_key("k")
        .base_url("https://api.example.com")
        .build()
        .unwrap();
}

/// Environment variables are process-wide: this is the only test of this module that
/// sets them, and it holds this lock while it does.
static ENV_LOCK: Mutex<()> = Mutex::new(());

/// Puts back the variables as they were, even if the test fails.
struct RestoreEnv(Vec<(&'static str, Option<std::ffi::OsString>)>);

impl Drop for RestoreEnv {
    fn drop(&mut self) {
        for (name, value) in &self.0 {
            // SAFETY: guarded by ENV_LOCK; no other test of this binary writes these
            // variables, and reading them concurrently through std is synchronised.
            unsafe {
                match value {
                    Some(v) => std::env::set_var(name, v),
                    None => std::env::remove_var(name),
                }
            }
        }
    }
}

#[test]
fn from_env_reads_and_validates_the_variables() {
    let _lock = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let _restore = RestoreEnv(
        [API_KEY_ENV, BASE_URL_ENV]
            .into_iter()
            .map(|name| (name, std::env::var_os(name)))
            .collect(),
    );
    let set = |name: &str, value: Option<&str>| {
        // SAFETY: as in RestoreEnv.
        unsafe {
            match value {
                Some(v) => std::env::set_var(name, v),
                None => std::env::remove_var(name),
            }
        }
    };

    set(BASE_URL_ENV, None);
    set(API_KEY_ENV, None);
    let err = Client::from_env().unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains(API_KEY_ENV), "{err}");

    for empty in ["", "  "] {
        set(API_KEY_ENV, Some(empty));
        let err = Client::from_env().unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err:?}");
        assert!(err.to_string().contains(API_KEY_ENV), "{err}");
    }

    set(API_KEY_ENV, Some(SENTINEL_KEY));
    let client = Client::from_env().unwrap();
    assert!(!leaks(&format!("{client:?}")));
    assert!(format!("{client:?}").contains(asteroid_sdk::config::DEFAULT_BASE_URL));

    set(BASE_URL_ENV, Some("http://api.example.com"));
    let err = Client::from_env().unwrap_err();
    assert!(err.to_string().contains("clear text"), "{err}");
    assert_hidden("from_env", &err);

    set(BASE_URL_ENV, Some(" http://127.0.0.1:9/v2/ "));
    let client = Client::from_env().unwrap();
    assert!(
        format!("{client:?}").contains("http://127.0.0.1:9/v2"),
        "{client:?}"
    );

    set(API_KEY_ENV, Some("bad\nkey"));
    let err = Client::from_env().unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn traces_at_trace_level_do_not_show_the_key() {
    let (out, _guard) = capture(tracing::Level::TRACE);
    // A 503, a reset, then success; then a call that ends in a 401.
    let server = TestServer::script(vec![
        Reply::json(503, &error_body(503, "busy")),
        Reply::reset(),
        Reply::json(200, &execution("running")),
        Reply::json(401, &error_body(401, "Missing API key")),
    ]);
    let client = builder_for(&server).retry_policy(quick()).build().unwrap();
    fetch(&client).await.unwrap();
    let err = fetch(&client).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
    assert_eq!(server.request_count(), 4);
    tracing::info!(client = ?client, error = %err, "what an application might log");
    drop(client);

    let text = out.text();
    assert!(
        text.contains("asteroid_sdk.request"),
        "nothing was traced:\n{text}"
    );
    assert!(text.matches("retrying").count() >= 2, "{text}");
    assert!(!leaks(&text), "the API key was traced:\n{text}");
}
