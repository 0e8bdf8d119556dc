//! The `asteroid_sdk.request` span and the events in it, as a `tracing_subscriber::fmt`
//! subscriber writes them.
//!
//! One global subscriber (installed once) writes into a buffer of the *thread* that is
//! capturing, and drops everything else. A thread-local default subscriber would race with
//! the callsite interest cache that parallel tests share; a global one cannot miss events.
//! These tests run on a current-thread runtime: the client, the test server and the
//! connection tasks all run on the capturing thread.

use std::cell::RefCell;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use asteroid_sdk::RetryPolicy;
use asteroid_sdk_tests::fixtures::{SENTINEL_KEY, error_body, execution};
use asteroid_sdk_tests::server::{Reply, TestServer};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::common::{builder_for, fetch};

/// Everything a subscriber wrote, shared with the test.
#[derive(Clone, Default)]
pub(crate) struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn lock(&self) -> MutexGuard<'_, Vec<u8>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The output so far, as text.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.lock()).into_owned()
    }
}

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.lock().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

thread_local! {
    /// The buffer and level of the capture running on this thread, if any.
    static ACTIVE: RefCell<Option<(Captured, tracing::Level)>> = const { RefCell::new(None) };
}

/// Writes an event into the capturing thread's buffer, or nowhere.
struct ThreadWriter;

impl<'a> MakeWriter<'a> for ThreadWriter {
    type Writer = Box<dyn io::Write + 'a>;

    fn make_writer(&'a self) -> Self::Writer {
        Box::new(io::sink())
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Self::Writer {
        ACTIVE.with(|active| match &*active.borrow() {
            Some((out, level)) if meta.level() <= level => Box::new(out.clone()) as Self::Writer,
            _ => Box::new(io::sink()),
        })
    }
}

/// Ends the capture of this thread when dropped.
pub(crate) struct CaptureGuard;

impl Drop for CaptureGuard {
    fn drop(&mut self) {
        ACTIVE.with(|active| active.borrow_mut().take());
    }
}

/// Capture what the SDK traces on this thread at `level` and above (span closes
/// included, no colours) into the returned buffer, until the guard is dropped.
pub(crate) fn capture(level: tracing::Level) -> (Captured, CaptureGuard) {
    static GLOBAL: OnceLock<()> = OnceLock::new();
    GLOBAL.get_or_init(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_span_events(FmtSpan::CLOSE)
            .with_writer(ThreadWriter)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other global subscriber in this test binary");
    });
    let out = Captured::default();
    ACTIVE.with(|active| *active.borrow_mut() = Some((out.clone(), level)));
    (out, CaptureGuard)
}

/// Whether `text` has `name=value`, the value written bare or quoted (`fmt` quotes
/// strings and writes `Display` values bare).
pub(crate) fn has_field(text: &str, name: &str, value: &str) -> bool {
    text.contains(&format!("{name}={value}")) || text.contains(&format!("{name}={value:?}"))
}

/// The last value `fmt` wrote for field `name` on a line (a span's fields are appended
/// each time they are recorded, so the last one is the current one), quotes removed.
pub(crate) fn last_field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let key = format!("{name}=");
    let (at, _) = line
        .rmatch_indices(&key)
        .find(|(at, _)| matches!(line[..*at].chars().next_back(), Some(' ' | '{')))?;
    let rest = &line[at + key.len()..];
    let value = if let Some(quoted) = rest.strip_prefix('"') {
        &quoted[..quoted.find('"')?]
    } else {
        &rest[..rest.find([' ', '}']).unwrap_or(rest.len())]
    };
    Some(value)
}

/// The line `FmtSpan::CLOSE` writes when the last `asteroid_sdk.request` span closes.
fn close_line(text: &str) -> &str {
    text.lines()
        .rev()
        .find(|l| l.contains("asteroid_sdk.request{") && l.contains(": close time.busy="))
        .unwrap_or_else(|| panic!("no close line for an asteroid_sdk.request span in:\n{text}"))
}

#[tokio::test(flavor = "current_thread")]
async fn a_retried_request_is_one_span_with_its_fields() {
    let (out, _guard) = capture(tracing::Level::TRACE);
    let server = TestServer::script(vec![
        Reply::json(503, &error_body(503, "busy")).header("x-request-id", "req-first"),
        Reply::json(200, &execution("running")).header("x-request-id", "req-second"),
    ]);
    let policy =
        RetryPolicy::default().with_backoff(Duration::from_millis(10), Duration::from_millis(20));
    let client = builder_for(&server).retry_policy(policy).build().unwrap();
    let response = fetch(&client).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(server.request_count(), 2);
    drop(client);

    let text = out.text();
    assert!(
        text.contains("asteroid_sdk.request{"),
        "no asteroid_sdk.request span in:\n{text}"
    );
    // The span's close line carries every field recorded on it; the last value of each
    // is the one that stands.
    let close = close_line(&text);
    for (name, value) in [
        ("operation_id", "ExecutionGet"),
        ("method", "GET"),
        ("path", "/executions/{executionId}"),
        ("attempt", "2"),
        ("status", "200"),
        ("request_id", "req-second"),
    ] {
        assert!(
            has_field(close, name, value),
            "{name}={value} missing from: {close}\n{text}"
        );
        assert_eq!(last_field(close, name), Some(value), "{name} in: {close}");
    }
    let latency =
        last_field(close, "latency_ms").unwrap_or_else(|| panic!("no latency_ms: {close}"));
    assert!(latency.parse::<u64>().is_ok(), "latency_ms={latency}");

    let warn = text
        .lines()
        .find(|l| l.contains("WARN") && l.contains("retrying"))
        .unwrap_or_else(|| panic!("no WARN line about retrying in:\n{text}"));
    assert!(has_field(warn, "attempt", "1"), "{warn}");
    assert!(warn.contains("delay_ms="), "{warn}");
    assert!(
        warn.contains("503"),
        "the reason should name the status: {warn}"
    );
    assert!(
        warn.contains("asteroid_sdk.request{"),
        "the WARN is inside the span: {warn}"
    );

    assert!(
        !text.contains(SENTINEL_KEY),
        "the API key was traced:\n{text}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn one_span_per_call() {
    let (out, _guard) = capture(tracing::Level::INFO);
    let server = TestServer::always(Reply::json(200, &execution("running")));
    let client = builder_for(&server).build().unwrap();
    for _ in 0..3 {
        fetch(&client).await.unwrap();
    }
    let text = out.text();
    let closes = text
        .lines()
        .filter(|l| l.contains("asteroid_sdk.request{") && l.contains(": close time.busy="))
        .count();
    assert_eq!(closes, 3, "{text}");
    assert!(!text.contains("WARN"), "no retries, no warnings:\n{text}");
    assert!(!text.contains(SENTINEL_KEY));
}

#[tokio::test(flavor = "current_thread")]
async fn the_span_does_not_keep_an_earlier_attempts_status() {
    let (out, _guard) = capture(tracing::Level::DEBUG);
    let server = TestServer::script(vec![
        Reply::json(503, &error_body(503, "busy")).header("x-request-id", "req-first"),
        Reply::reset(),
    ]);
    let policy = RetryPolicy::default()
        .with_max_retries(1)
        .with_backoff(Duration::from_millis(10), Duration::from_millis(20));
    let client = builder_for(&server).retry_policy(policy).build().unwrap();
    let err = fetch(&client).await.unwrap_err();
    assert!(matches!(err, asteroid_sdk::Error::Transport(_)), "{err:?}");
    assert_eq!(server.request_count(), 2);

    // The call ended without a response on its 2nd attempt; the span should not report the
    // 1st attempt's 503 and request id as the outcome.
    let text = out.text();
    let close = close_line(&text);
    assert_eq!(last_field(close, "attempt"), Some("2"), "{close}");
    assert_ne!(
        last_field(close, "status"),
        Some("503"),
        "stale status: {close}"
    );
    assert_ne!(
        last_field(close, "request_id"),
        Some("req-first"),
        "stale request id: {close}"
    );
}
