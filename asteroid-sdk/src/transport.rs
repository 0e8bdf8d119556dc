//! What every request goes through, once, for every operation: the API key and
//! `User-Agent` headers, the timeout, retries, bounded body reading, and a tracing span.
//!
//! This is progenitor's `ClientHooks` implementation for the generated [`Client`]; the
//! generated code calls `pre` and `exec` for each operation, so an operation added to the
//! spec gets all of it after `cargo xtask regen` alone.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use futures_util::future::Either;
use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::header::{HeaderName, HeaderValue};
use tokio::time::Instant;
use tracing::Instrument;

use crate::Client;
use crate::buffered::Buffered;
use crate::deadline::{Elapsed, Watchdog};
use crate::retry::{self, Decision, Outcome, RetryPolicy};

/// The header that carries the API key (lowercase, as HTTP/2 sends it).
pub const API_KEY_HEADER: HeaderName = HeaderName::from_static("x-asteroid-agents-api-key");

/// An operation of the spec, as the generated table lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationMeta {
    /// The id progenitor passes to the hooks (snake_case).
    pub operation_id: &'static str,
    /// The `operationId` as the spec writes it.
    pub spec_operation_id: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template, e.g. `/executions/{executionId}`.
    pub path: &'static str,
}

/// The operation with this progenitor id, from the generated table.
pub fn operation(operation_id: &str) -> Option<&'static OperationMeta> {
    crate::generated::OPERATIONS
        .iter()
        .find(|m| m.operation_id == operation_id)
}

/// Why a call ended without a response.
#[derive(Debug)]
pub(crate) enum SendError {
    /// The HTTP client failed (connect, TLS, a broken connection, its own timeout).
    Http(reqwest::Error),
    /// The call's (or the attempt's) time limit ran out.
    TimedOut {
        /// The limit.
        after: Duration,
    },
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Http(e) => fmt::Display::fmt(e, f),
            SendError::TimedOut { after } => write!(f, "timed out after {after:?}"),
        }
    }
}

impl<E> From<SendError> for progenitor_client::Error<E> {
    fn from(e: SendError) -> Self {
        match e {
            SendError::Http(e) => progenitor_client::Error::CommunicationError(e),
            SendError::TimedOut { after } => crate::decode::timed_out(after),
        }
    }
}

/// The client's runtime settings, shared by clones of the client.
#[derive(Clone, Debug)]
pub struct Transport {
    pub(crate) settings: Arc<Settings>,
}

/// Settings the hooks read for every request.
#[derive(Debug)]
pub(crate) struct Settings {
    /// The API key as a header value, made once and marked sensitive.
    pub api_key: Option<HeaderValue>,
    pub retry: RetryPolicy,
    /// The deadlines of this client's calls.
    pub watchdog: Watchdog,
    pub timeout: Option<Duration>,
    pub attempt_timeout: Option<Duration>,
    pub max_response_bytes: usize,
    pub user_agent: HeaderValue,
    /// The HTTP client without redirects, for a download's first request (`None` with a
    /// client of the caller's: its own policy applies).
    pub unfollowed: Option<reqwest::Client>,
}

impl Transport {
    pub(crate) fn new(settings: Settings) -> Self {
        Self {
            settings: Arc::new(settings),
        }
    }
}

// progenitor's generated code asserts that the client implements its hooks; the SDK's
// operations call [`send`] instead, so the defaults (which do nothing) are never used.
#[doc(hidden)]
impl ClientHooks<Transport> for Client {}

/// Builds a generated operation's request again, for a retry (`None` if it cannot be).
pub(crate) type Rebuild<'a> = &'a (dyn Fn() -> Option<reqwest::Request> + Sync);

/// What every generated operation calls to send its request: the API key and
/// `User-Agent` headers, a tracing span, retries and the timeout, and the whole body read
/// (bounded) inside each attempt.
///
/// `rebuild` builds the request again for a retry. Without it (a request whose body may
/// be a stream), the request is copied before an attempt that may be retried, when its
/// body can be copied.
pub(crate) fn send<'a>(
    client: &'a Client,
    mut request: reqwest::Request,
    info: &OperationInfo,
    rebuild: Option<Rebuild<'a>>,
) -> impl Future<Output = Result<Buffered, SendError>> + Send + 'a {
    let settings = &*client.inner.settings;
    add_headers(settings, &mut request);
    traced(client, &client.client, request, info, rebuild)
}

/// [`send`] without following a redirect, even within the API's origin (when the SDK
/// built the HTTP client): a download's first request, whose redirect the operation
/// follows itself ([`crate::download`]).
#[allow(dead_code)] // Only operations that answer with a redirect call it.
pub(crate) fn send_unfollowed<'a>(
    client: &'a Client,
    mut request: reqwest::Request,
    info: &OperationInfo,
    rebuild: Option<Rebuild<'a>>,
) -> impl Future<Output = Result<Buffered, SendError>> + Send + 'a {
    let settings = &*client.inner.settings;
    add_headers(settings, &mut request);
    let http = settings.unfollowed.as_ref().unwrap_or(&client.client);
    traced(client, http, request, info, rebuild)
}

/// Send a request to another origin than the API's (a download's redirect target): the
/// `User-Agent`, a tracing span, retries (its method's), the timeout and the body limit
/// as [`send`] has them, but never the API key.
#[allow(dead_code)] // Only operations that answer with a redirect call it.
pub(crate) fn send_without_key<'a>(
    client: &'a Client,
    mut request: reqwest::Request,
    info: &OperationInfo,
) -> impl Future<Output = Result<Buffered, SendError>> + Send + 'a {
    let settings = &*client.inner.settings;
    request
        .headers_mut()
        .entry(reqwest::header::USER_AGENT)
        .or_insert_with(|| settings.user_agent.clone());
    // Without `rebuild`, a retry sends a copy of this request: still without the key.
    traced(client, &client.client, request, info, None)
}

/// [`execute`] in the operation's tracing span.
fn traced<'a>(
    client: &'a Client,
    http: &'a reqwest::Client,
    request: reqwest::Request,
    info: &OperationInfo,
    rebuild: Option<Rebuild<'a>>,
) -> impl Future<Output = Result<Buffered, SendError>> + Send + 'a {
    let settings = &*client.inner.settings;
    let meta = operation(info.operation_id);
    let span = tracing::info_span!(
        "asteroid_sdk.request",
        operation_id = meta.map_or(info.operation_id, |m| m.spec_operation_id),
        method = %request.method(),
        path = meta.map_or_else(|| request.url().path().to_string(), |m| m.path.to_string()),
        attempt = tracing::field::Empty,
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
        request_id = tracing::field::Empty,
        error = tracing::field::Empty,
    );
    let call = execute(http, settings, request, rebuild);
    // Not an `async fn`: its state would keep the request and the call's future besides
    // the call's own state.
    if span.is_disabled() {
        // No subscriber wants it: no span to enter on every poll.
        Either::Left(call)
    } else {
        Either::Right(call.instrument(span))
    }
}

/// The client's own headers: the API key, and `User-Agent` unless the request has one.
fn add_headers(settings: &Settings, request: &mut reqwest::Request) {
    let headers = request.headers_mut();
    if let Some(key) = &settings.api_key {
        headers.insert(API_KEY_HEADER, key.clone());
    }
    headers
        .entry(reqwest::header::USER_AGENT)
        .or_insert_with(|| settings.user_agent.clone());
}

/// Send a request with retries, each attempt reading the whole body (bounded), so that a
/// body that breaks off is retried like any other interrupted attempt.
async fn execute(
    http: &reqwest::Client,
    settings: &Settings,
    // Named as the loop uses it: a local bound from an argument would take room of its
    // own in the future's state.
    mut current: reqwest::Request,
    rebuild: Option<Rebuild<'_>>,
) -> Result<Buffered, SendError> {
    let span = tracing::Span::current();
    let started = Instant::now();
    let deadline = settings.timeout.map(|t| started + t);
    let timing = !span.is_disabled() || tracing::enabled!(tracing::Level::DEBUG);
    let idempotent = retry::is_idempotent(current.method(), current.headers());
    let policy = settings.retry;
    let mut attempt: u32 = 0;
    loop {
        // The next attempt's request is built again when it comes to that; without a
        // way to build it, a copy is kept now (a streaming body cannot be copied, and is
        // then sent once).
        let spare = if rebuild.is_none() && attempt < policy.max_retries {
            current.try_clone()
        } else {
            None
        };
        // This attempt's deadline: the call's, or sooner with `attempt_timeout`; and the
        // limit it stands for, for the error.
        let (attempt_deadline, limit) = match (deadline, settings.attempt_timeout) {
            (d, Some(a)) => {
                let at = Instant::now() + a;
                match d {
                    Some(d) if d <= at => (Some(d), settings.timeout),
                    _ => (Some(at), Some(a)),
                }
            }
            (Some(d), None) => (Some(d), settings.timeout),
            (None, None) => (None, None),
        };
        let sent_at = timing.then(Instant::now);
        let result = match settings
            .watchdog
            .run(
                attempt_deadline,
                send_buffered(http, current, settings.max_response_bytes),
            )
            .await
        {
            Ok(r) => r.map_err(SendError::Http),
            Err(Elapsed) => Err(SendError::TimedOut {
                after: limit.unwrap_or_default(),
            }),
        };
        let latency = sent_at.map_or(Duration::ZERO, |t| t.elapsed());
        let outcome = match &result {
            Ok(response) => {
                tracing::debug!(
                    attempt = attempt + 1,
                    status = response.status().as_u16(),
                    latency_ms = latency.as_millis() as u64,
                    "response"
                );
                Outcome::Response(response.status(), response.headers())
            }
            Err(e) => {
                tracing::debug!(attempt = attempt + 1, error = %e, "request failed");
                match e {
                    SendError::Http(e) if e.is_connect() && !e.is_timeout() => {
                        Outcome::ConnectFailed
                    }
                    _ => Outcome::Interrupted,
                }
            }
        };
        let decision = retry::decide(
            &policy,
            attempt,
            idempotent,
            outcome,
            SystemTime::now(),
            fastrand::f64(),
        );
        let Decision::RetryAfter(delay) = decision else {
            record_outcome(&span, attempt + 1, started, &result);
            return result;
        };
        let next = match rebuild {
            Some(rebuild) => rebuild().map(|mut request| {
                add_headers(settings, &mut request);
                request
            }),
            None => spare,
        };
        let Some(next) = next else {
            tracing::debug!("the request cannot be sent again");
            record_outcome(&span, attempt + 1, started, &result);
            return result;
        };
        if deadline.is_some_and(|d| Instant::now() + delay >= d) {
            tracing::debug!(
                delay_ms = delay.as_millis() as u64,
                "no time left for a retry"
            );
            record_outcome(&span, attempt + 1, started, &result);
            return result;
        }
        let reason = match &result {
            Ok(r) => format!("HTTP {}", r.status().as_u16()),
            Err(e) => e.to_string(),
        };
        tracing::warn!(
            attempt = attempt + 1,
            delay_ms = delay.as_millis() as u64,
            reason = %reason,
            "retrying"
        );
        drop(result);
        current = next;
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

/// Record how the call ended on its span, once: the attempts made, the whole latency, and
/// the final status and request id, or the error kind when no response came.
fn record_outcome(
    span: &tracing::Span,
    attempts: u32,
    started: Instant,
    result: &Result<Buffered, SendError>,
) {
    if span.is_disabled() {
        return;
    }
    let elapsed = started.elapsed();
    span.record("attempt", attempts);
    span.record("latency_ms", elapsed.as_millis() as u64);
    match result {
        Ok(response) => {
            span.record("status", response.status().as_u16());
            if let Some(id) = crate::request_id::from_headers(response.headers()) {
                span.record("request_id", id.as_str());
            }
        }
        Err(e) => {
            let kind = match e {
                SendError::TimedOut { .. } => "timeout",
                SendError::Http(e) if e.is_timeout() => "timeout",
                SendError::Http(e) if e.is_connect() => "connect",
                SendError::Http(_) => "transport",
            };
            span.record("error", kind);
        }
    }
}

/// Send one attempt and read its whole body, up to `limit` bytes (a larger body is
/// recorded as over the limit, and not read further).
fn send_buffered(
    http: &reqwest::Client,
    request: reqwest::Request,
    limit: usize,
) -> impl Future<Output = reqwest::Result<Buffered>> + Send + use<> {
    // Handed to reqwest now, so that the future below does not keep the request.
    let pending = http.execute(request);
    async move {
        let mut response = pending.await?;
        let status = response.status();
        let version = response.version();
        let headers = std::mem::take(response.headers_mut());
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Ok(Buffered::new(status, version, headers, Err(limit)));
        }
        let mut first: Option<Bytes> = None;
        let mut rest: Option<BytesMut> = None;
        let mut total = 0usize;
        while let Some(chunk) = response.chunk().await? {
            total += chunk.len();
            if total > limit {
                return Ok(Buffered::new(status, version, headers, Err(limit)));
            }
            match (&mut first, &mut rest) {
                (None, _) => first = Some(chunk),
                (Some(f), None) => {
                    let mut buf = BytesMut::with_capacity(f.len() + chunk.len());
                    buf.extend_from_slice(f);
                    buf.extend_from_slice(&chunk);
                    rest = Some(buf);
                }
                (Some(_), Some(buf)) => buf.extend_from_slice(&chunk),
            }
        }
        let body = match (first, rest) {
            (_, Some(buf)) => buf.freeze(),
            (Some(f), None) => f,
            (None, None) => Bytes::new(),
        };
        Ok(Buffered::new(status, version, headers, Ok(body)))
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::RetryPolicy;

    /// A loopback HTTP/1.1 server answering the given statuses in turn (the last one
    /// after that), one request per connection; it reads each request whole (a
    /// `content-length` or chunked body) and records its body.
    fn server(statuses: &'static [u16]) -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let seen = bodies.clone();
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let (mut length, mut chunked) = (0usize, false);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    chunked |= lower.starts_with("transfer-encoding:") && lower.contains("chunked");
                }
                let mut body = vec![0u8; length];
                let _ = reader.read_exact(&mut body);
                while chunked {
                    let mut size = String::new();
                    let _ = reader.read_line(&mut size);
                    let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
                    let mut chunk = vec![0u8; size + 2];
                    let _ = reader.read_exact(&mut chunk);
                    body.extend_from_slice(&chunk[..size]);
                    chunked = size > 0;
                }
                seen.lock().unwrap().push(body);
                let status = statuses[n.min(statuses.len() - 1)];
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
            }
        });
        (base, bodies)
    }

    fn client(base: &str) -> Client {
        Client::builder()
            .api_key("k")
            .base_url(base)
            .allow_insecure_http(true)
            .retry_policy(
                RetryPolicy::default()
                    .with_backoff(Duration::from_millis(5), Duration::from_millis(10)),
            )
            .build()
            .expect("client")
    }

    const INFO: OperationInfo = OperationInfo {
        operation_id: "test",
    };

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn without_a_rebuild_a_body_that_can_be_copied_is_sent_again() {
        let (base, bodies) = server(&[503, 200]);
        let client = client(&base);
        let request = client
            .client
            .put(format!("{base}/x"))
            .body(vec![1u8, 2, 3])
            .build()
            .unwrap();
        let response = send(&client, request, &INFO, None)
            .await
            .expect("a response");
        assert_eq!(response.status(), 200);
        assert_eq!(*bodies.lock().unwrap(), vec![vec![1u8, 2, 3]; 2]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_streaming_body_is_sent_once() {
        let (base, bodies) = server(&[503, 200]);
        let client = client(&base);
        let stream =
            futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"abc"))]);
        let request = client
            .client
            .put(format!("{base}/x"))
            .body(reqwest::Body::wrap_stream(stream))
            .build()
            .unwrap();
        let response = send(&client, request, &INFO, None)
            .await
            .expect("a response");
        assert_eq!(response.status(), 503);
        assert_eq!(*bodies.lock().unwrap(), vec![b"abc".to_vec()]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_rebuild_is_called_once_per_retry_and_not_before() {
        let (base, bodies) = server(&[503, 502, 200]);
        let client = client(&base);
        let built = AtomicUsize::new(0);
        let rebuild = || {
            built.fetch_add(1, Ordering::SeqCst);
            client
                .client
                .put(format!("{base}/x"))
                .body("again")
                .build()
                .ok()
        };
        let request = client
            .client
            .put(format!("{base}/x"))
            .body("first")
            .build()
            .unwrap();
        let response = send(&client, request, &INFO, Some(&rebuild))
            .await
            .expect("a response");
        assert_eq!(response.status(), 200);
        assert_eq!(built.load(Ordering::SeqCst), 2);
        assert_eq!(
            *bodies.lock().unwrap(),
            vec![b"first".to_vec(), b"again".to_vec(), b"again".to_vec()]
        );
    }
}
