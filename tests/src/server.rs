//! A scripted HTTP/1.1 server for integration tests and benchmarks.
//!
//! [`TestServer`] listens on `127.0.0.1` (an ephemeral port, loopback only),
//! parses every request it receives (Content-Length and chunked bodies,
//! keep-alive, pipelining), records it as a [`Request`], and answers with the
//! [`Reply`] its handler returns. A reply can be an ordinary response or a
//! fault: a stall before the headers, a stall in the middle of the body, a TCP
//! reset, a truncated body, or a very large streamed body.
//!
//! The server speaks HTTP/1.1 only; a request with any other version (an h2
//! prior-knowledge preface, for instance) is answered `505` and the connection
//! is closed. Errors on one connection (the client hanging up, a malformed
//! request) only end that connection; they never panic the server.
//!
//! ```text
//! let server = TestServer::script(vec![
//!     Reply::status(503).header("retry-after", "0"),
//!     Reply::json(200, &serde_json::json!({"ok": true})),
//! ]);
//! let url = format!("{}/agents", server.base_url());
//! // ... drive the client against `url` ...
//! assert_eq!(server.request_count(), 2);
//! ```

use std::net::{Ipv4Addr, SocketAddr, TcpListener as StdTcpListener};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// Largest request head (request line plus headers) accepted, in bytes.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Largest request body accepted, in bytes; larger bodies end the connection
/// with `413`.
pub const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

/// Size of the pieces in which response bodies are written.
const WRITE_CHUNK: usize = 64 * 1024;

/// Period of the byte pattern used by [`Reply::large_body`].
const PATTERN_PERIOD: usize = 251;

/// The handler a [`TestServer`] calls for each request it receives.
pub type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// One HTTP request as the server received it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The request method, as sent (e.g. `GET`).
    pub method: String,
    /// The request target as sent: path plus query string.
    pub path: String,
    /// The header fields in the order received; names are lowercased, values
    /// have surrounding whitespace trimmed.
    pub headers: Vec<(String, String)>,
    /// The request body, with any chunked transfer coding removed.
    pub body: Vec<u8>,
    /// When the server finished reading this request.
    pub received_at: Instant,
    /// Identifier of the TCP connection the request arrived on; requests that
    /// share a connection (keep-alive) share this id. Ids start at 1.
    pub connection: u64,
}

impl Request {
    /// The value of the first header named `name` (compared
    /// case-insensitively), if any.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All values of the headers named `name` (compared case-insensitively),
    /// in the order received.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The path without its query string.
    pub fn path_only(&self) -> &str {
        self.path
            .split_once('?')
            .map_or(self.path.as_str(), |(p, _)| p)
    }

    /// The query string (without the `?`), if the target had one.
    pub fn query(&self) -> Option<&str> {
        self.path.split_once('?').map(|(_, q)| q)
    }

    /// The body as UTF-8 text, with invalid sequences replaced.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON, or `None` if it is not valid JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// Where a response body comes from.
#[derive(Debug, Clone)]
enum Body {
    /// Bytes held in memory.
    Bytes(Bytes),
    /// `len` bytes of the [`large_body_pattern`], generated while streaming.
    Pattern(u64),
}

impl Body {
    fn len(&self) -> u64 {
        match self {
            Body::Bytes(b) => b.len() as u64,
            Body::Pattern(n) => *n,
        }
    }
}

/// The response (or fault) the server sends for one request.
///
/// Build one with a constructor ([`Reply::status`], [`Reply::json`],
/// [`Reply::text`], [`Reply::bytes`], [`Reply::redirect`],
/// [`Reply::large_body`], [`Reply::reset`]) and adjust it with the builder
/// methods. Faults compose: for example
/// `Reply::json(200, &v).stall_mid_body(5, d).truncated(5)` sends five body
/// bytes, waits `d`, then closes the connection.
///
/// Unless the reply sets its own `content-length` header or uses
/// [`chunked`](Reply::chunked) encoding, `Content-Length` is the full body
/// length, even when the body is truncated.
#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Body,
    delay_before_headers: Option<Duration>,
    stall: Option<(u64, Duration)>,
    truncate_at: Option<u64>,
    reset: bool,
    chunked: bool,
    close: bool,
}

impl Reply {
    /// A response with the given status, no extra headers and an empty body.
    pub fn status(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Body::Bytes(Bytes::new()),
            delay_before_headers: None,
            stall: None,
            truncate_at: None,
            reset: false,
            chunked: false,
            close: false,
        }
    }

    /// A JSON response: `value` serialized, `content-type: application/json`.
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Self::bytes(status, "application/json", value.to_string())
    }

    /// A response whose body is `body` with the given `content-type`.
    pub fn text(status: u16, content_type: &str, body: impl Into<String>) -> Self {
        Self::bytes(status, content_type, body.into())
    }

    /// A response whose body is the given bytes with the given `content-type`.
    pub fn bytes(status: u16, content_type: &str, body: impl Into<Bytes>) -> Self {
        Self::status(status)
            .header("content-type", content_type)
            .body(body)
    }

    /// A redirect: the given status (301, 302, 303, 307, 308, ...) with a
    /// `location` header and an empty body.
    pub fn redirect(status: u16, location: &str) -> Self {
        Self::status(status).header("location", location)
    }

    /// A `200` response with an `application/octet-stream` body of `len`
    /// bytes, streamed in pieces without being held in memory. Byte `i` of the
    /// body is `large_body_byte(i)`; see [`large_body_pattern`].
    pub fn large_body(len: u64) -> Self {
        Self::status(200)
            .header("content-type", "application/octet-stream")
            .with_large_body(len)
    }

    /// Closes the TCP connection at once, without any response, with
    /// `SO_LINGER` 0 so the client sees a reset (RST) rather than a clean
    /// close.
    pub fn reset() -> Self {
        Reply {
            reset: true,
            ..Self::status(0)
        }
    }

    /// Sets a header, replacing any header of the same name (compared
    /// case-insensitively). Setting `content-length` turns off the automatic
    /// one; setting `content-type` replaces the constructor's.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Adds a header, keeping any others of the same name (for repeated
    /// headers such as `set-cookie`).
    pub fn append_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets the `content-type` header.
    pub fn content_type(self, value: &str) -> Self {
        self.header("content-type", value)
    }

    /// Replaces the body with the given bytes (the headers are unchanged).
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Body::Bytes(body.into());
        self
    }

    /// Replaces the body with `len` streamed pattern bytes, as
    /// [`Reply::large_body`] does, keeping status and headers.
    pub fn with_large_body(mut self, len: u64) -> Self {
        self.body = Body::Pattern(len);
        self
    }

    /// Waits `delay` after reading the request before sending anything.
    pub fn delay_before_headers(mut self, delay: Duration) -> Self {
        self.delay_before_headers = Some(delay);
        self
    }

    /// Sends the headers and the first `after_bytes` body bytes, waits
    /// `delay`, then sends the rest (or closes, if combined with
    /// [`truncated`](Reply::truncated) at the same offset).
    pub fn stall_mid_body(mut self, after_bytes: u64, delay: Duration) -> Self {
        self.stall = Some((after_bytes, delay));
        self
    }

    /// Declares the full body length but sends only the first
    /// `bytes_to_send` body bytes, then closes the connection.
    pub fn truncated(mut self, bytes_to_send: u64) -> Self {
        self.truncate_at = Some(bytes_to_send);
        self
    }

    /// Sends the body with `Transfer-Encoding: chunked` instead of
    /// `Content-Length`.
    pub fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }

    /// Sends `Connection: close` and closes the connection after this
    /// response.
    pub fn close(mut self) -> Self {
        self.close = true;
        self
    }
}

/// Byte `index` of the body that [`Reply::large_body`] sends.
pub fn large_body_byte(index: u64) -> u8 {
    // The remainder is below 251, so it always fits in a byte.
    (index % PATTERN_PERIOD as u64) as u8
}

/// The first `len` bytes of the body that [`Reply::large_body`] sends, for
/// comparing against what a client read.
pub fn large_body_pattern(len: usize) -> Vec<u8> {
    (0..len as u64).map(large_body_byte).collect()
}

/// Shorthand for [`Reply::json`].
pub fn json_reply(status: u16, value: &serde_json::Value) -> Reply {
    Reply::json(status, value)
}

/// State shared between a [`TestServer`] and its tasks.
struct Shared {
    handler: Handler,
    requests: Mutex<Vec<Request>>,
    recording: AtomicBool,
    count: watch::Sender<usize>,
    next_connection: AtomicU64,
}

impl Shared {
    fn requests(&self) -> MutexGuard<'_, Vec<Request>> {
        // A poisoned lock only means a handler panicked elsewhere; the log
        // itself is still consistent.
        self.requests.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn record(&self, request: Request) {
        // Hold the log's lock while counting, so `clear` cannot interleave.
        let mut log = self.requests();
        if self.recording.load(Ordering::SeqCst) {
            log.push(request);
        }
        self.count.send_modify(|n| *n += 1);
    }
}

/// A scripted HTTP/1.1 server on `127.0.0.1`, stopped when dropped.
///
/// Must be started from within a Tokio runtime (inside an async context, or
/// under `Runtime::enter`); its tasks run on that runtime, so on a
/// current-thread runtime it answers only while the runtime is being driven.
/// Dropping it stops accepting connections and aborts every open connection.
pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_task: JoinHandle<()>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("addr", &self.addr)
            .field("requests", &self.request_count())
            .finish()
    }
}

impl TestServer {
    /// Starts a server that answers every request with `handler(&request)`.
    ///
    /// # Panics
    ///
    /// Panics if called outside a Tokio runtime or if binding a loopback port
    /// fails.
    pub fn start<F>(handler: F) -> Self
    where
        F: Fn(&Request) -> Reply + Send + Sync + 'static,
    {
        Self::start_with(Arc::new(handler))
    }

    /// Starts a server with an already shared [`Handler`].
    ///
    /// # Panics
    ///
    /// As [`TestServer::start`].
    pub fn start_with(handler: Handler) -> Self {
        let std_listener = StdTcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .expect("bind a loopback port for the test server");
        std_listener
            .set_nonblocking(true)
            .expect("make the test server's listener non-blocking");
        let addr = std_listener
            .local_addr()
            .expect("read the test server's local address");
        let listener = TcpListener::from_std(std_listener)
            .expect("register the test server's listener (is a Tokio runtime running?)");
        let shared = Arc::new(Shared {
            handler,
            requests: Mutex::new(Vec::new()),
            recording: AtomicBool::new(true),
            count: watch::Sender::new(0),
            next_connection: AtomicU64::new(1),
        });
        let accept_task = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        TestServer {
            addr,
            shared,
            accept_task,
        }
    }

    /// Starts a server that answers the n-th request with `replies[n]`, and
    /// every request after the script with its last reply. An empty script
    /// answers `500` to everything.
    pub fn script(replies: Vec<Reply>) -> Self {
        let next = AtomicUsize::new(0);
        Self::start(move |_req| {
            let i = next.fetch_add(1, Ordering::SeqCst);
            replies
                .get(i)
                .or_else(|| replies.last())
                .cloned()
                .unwrap_or_else(|| Reply::status(500))
        })
    }

    /// Starts a server that answers every request with a clone of `reply`.
    pub fn always(reply: Reply) -> Self {
        Self::start(move |_req| reply.clone())
    }

    /// The base URL, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The URL of `path` on this server; `path` should start with `/`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// All requests received so far (since the last
    /// [`clear_requests`](TestServer::clear_requests), and while recording is
    /// on), in the order they were read.
    pub fn requests(&self) -> Vec<Request> {
        self.shared.requests().clone()
    }

    /// How many requests have been received so far (since the last
    /// [`clear_requests`](TestServer::clear_requests)), counted whether or
    /// not recording is on.
    pub fn request_count(&self) -> usize {
        *self.shared.count.borrow()
    }

    /// Forgets the recorded requests and resets
    /// [`request_count`](TestServer::request_count) to zero. A handler's own
    /// state (such as a [`script`](TestServer::script)'s position) is kept.
    pub fn clear_requests(&self) {
        let mut log = self.shared.requests();
        log.clear();
        self.shared.count.send_replace(0);
    }

    /// Turns the keeping of received requests on (the default) or off.
    /// Benchmarks that send many requests can turn it off so the log does not
    /// grow without bound; requests are still counted.
    pub fn set_recording(&self, on: bool) {
        self.shared.recording.store(on, Ordering::SeqCst);
    }

    /// How many TCP connections have been accepted so far.
    pub fn connection_count(&self) -> u64 {
        self.shared.next_connection.load(Ordering::SeqCst) - 1
    }

    /// Waits until at least `n` requests have been received or `timeout`
    /// passes; returns whether `n` was reached.
    pub async fn wait_for_requests(&self, n: usize, timeout: Duration) -> bool {
        let mut rx = self.shared.count.subscribe();
        matches!(
            tokio::time::timeout(timeout, rx.wait_for(|&count| count >= n)).await,
            Ok(Ok(_))
        )
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // The accept task owns the connection tasks' JoinSet, so aborting it
        // also aborts every open connection.
        self.accept_task.abort();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else {
                    // Transient failures (e.g. out of file descriptors): back
                    // off briefly rather than spin.
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let id = shared.next_connection.fetch_add(1, Ordering::SeqCst);
                let shared = Arc::clone(&shared);
                connections.spawn(async move {
                    // Per-connection errors (hang-ups, bad requests) only end
                    // that connection.
                    let _ = serve_connection(stream, id, shared).await;
                });
            }
            Some(_finished) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Why a request could not be read.
enum ReadError {
    /// The client closed the connection (cleanly between requests or not).
    Closed,
    /// The request was malformed; answer this status and close.
    Bad(u16),
}

impl From<std::io::Error> for ReadError {
    fn from(_: std::io::Error) -> Self {
        ReadError::Closed
    }
}

/// A TCP connection with a read buffer, so pipelined bytes are kept.
struct Conn {
    stream: TcpStream,
    buf: BytesMut,
}

impl Conn {
    /// Reads more bytes into the buffer; `Closed` on EOF.
    async fn fill(&mut self) -> Result<(), ReadError> {
        self.buf.reserve(8 * 1024);
        let n = self.stream.read_buf(&mut self.buf).await?;
        if n == 0 {
            return Err(ReadError::Closed);
        }
        Ok(())
    }

    /// Reads one CRLF-terminated line (without the CRLF), at most `max` bytes.
    async fn read_line(&mut self, max: usize) -> Result<Vec<u8>, ReadError> {
        loop {
            if let Some(pos) = find(&self.buf, b"\r\n") {
                let line = self.buf.split_to(pos).to_vec();
                self.buf.advance(2);
                return Ok(line);
            }
            if self.buf.len() > max {
                return Err(ReadError::Bad(400));
            }
            self.fill().await?;
        }
    }

    /// Reads exactly `n` bytes.
    async fn read_exact(&mut self, n: usize) -> Result<Bytes, ReadError> {
        if n > self.buf.len() {
            self.buf.reserve(n - self.buf.len());
        }
        while self.buf.len() < n {
            self.fill().await?;
        }
        Ok(self.buf.split_to(n).freeze())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The parsed request head.
struct Head {
    method: String,
    path: String,
    version: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    /// Whether the client asked for the connection to end after this exchange.
    fn wants_close(&self) -> bool {
        if self.version == "HTTP/1.0" {
            !self.has_token("connection", "keep-alive")
        } else {
            self.has_token("connection", "close")
        }
    }
}

async fn read_head(conn: &mut Conn) -> Result<Head, ReadError> {
    let end = loop {
        // Tolerate empty lines before a request line (RFC 9112 §2.2).
        while conn.buf.starts_with(b"\r\n") {
            conn.buf.advance(2);
        }
        if let Some(pos) = find(&conn.buf, b"\r\n\r\n") {
            break pos;
        }
        if conn.buf.len() > MAX_HEAD_BYTES {
            return Err(ReadError::Bad(431));
        }
        conn.fill().await?;
    };
    if end > MAX_HEAD_BYTES {
        return Err(ReadError::Bad(431));
    }
    let raw = conn.buf.split_to(end + 4);
    let text = std::str::from_utf8(&raw[..end]).map_err(|_| ReadError::Bad(400))?;
    let mut lines = text.split("\r\n");
    let request_line = lines.next().ok_or(ReadError::Bad(400))?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(path), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Bad(400));
    };
    if method.is_empty() || path.is_empty() {
        return Err(ReadError::Bad(400));
    }
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(ReadError::Bad(505));
    }
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(':').ok_or(ReadError::Bad(400))?;
        if name.is_empty() || name.ends_with([' ', '\t']) {
            return Err(ReadError::Bad(400));
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    Ok(Head {
        method: method.to_owned(),
        path: path.to_owned(),
        version: version.to_owned(),
        headers,
    })
}

async fn read_chunked_body(conn: &mut Conn) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        let line = conn.read_line(MAX_HEAD_BYTES).await?;
        let line = std::str::from_utf8(&line).map_err(|_| ReadError::Bad(400))?;
        let size = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size, 16).map_err(|_| ReadError::Bad(400))?;
        if size == 0 {
            break;
        }
        if body.len().saturating_add(size) > MAX_BODY_BYTES {
            return Err(ReadError::Bad(413));
        }
        let data = conn.read_exact(size).await?;
        body.extend_from_slice(&data);
        if !conn.read_line(2).await?.is_empty() {
            return Err(ReadError::Bad(400));
        }
    }
    // Trailer fields, up to the empty line; they are discarded.
    let mut trailer_bytes = 0usize;
    loop {
        let line = conn.read_line(MAX_HEAD_BYTES).await?;
        if line.is_empty() {
            return Ok(body);
        }
        trailer_bytes += line.len();
        if trailer_bytes > MAX_HEAD_BYTES {
            return Err(ReadError::Bad(431));
        }
    }
}

async fn read_body(conn: &mut Conn, head: &Head) -> Result<Vec<u8>, ReadError> {
    if let Some(te) = head.get("transfer-encoding") {
        // Only "chunked" (as the final coding) is understood.
        let last = te.rsplit(',').next().unwrap_or("").trim();
        if !last.eq_ignore_ascii_case("chunked") {
            return Err(ReadError::Bad(501));
        }
        return read_chunked_body(conn).await;
    }
    let mut lengths = head
        .headers
        .iter()
        .filter(|(k, _)| k == "content-length")
        .flat_map(|(_, v)| v.split(','))
        .map(|v| v.trim().parse::<usize>());
    let Some(first) = lengths.next() else {
        return Ok(Vec::new());
    };
    let len = first.map_err(|_| ReadError::Bad(400))?;
    if lengths.any(|other| other != Ok(len)) {
        return Err(ReadError::Bad(400));
    }
    if len > MAX_BODY_BYTES {
        return Err(ReadError::Bad(413));
    }
    Ok(conn.read_exact(len).await?.to_vec())
}

async fn serve_connection(stream: TcpStream, id: u64, shared: Arc<Shared>) -> std::io::Result<()> {
    let mut conn = Conn {
        stream,
        buf: BytesMut::with_capacity(16 * 1024),
    };
    loop {
        let head = match read_head(&mut conn).await {
            Ok(head) => head,
            Err(ReadError::Closed) => return Ok(()),
            Err(ReadError::Bad(status)) => return send_error(&mut conn.stream, status).await,
        };
        if head.version == "HTTP/1.1" && head.has_token("expect", "100-continue") {
            conn.stream
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .await?;
        }
        let body = match read_body(&mut conn, &head).await {
            Ok(body) => body,
            Err(ReadError::Closed) => return Ok(()),
            Err(ReadError::Bad(status)) => return send_error(&mut conn.stream, status).await,
        };
        // A request with both framings is ambiguous: answer it, then close.
        let ambiguous =
            head.get("transfer-encoding").is_some() && head.get("content-length").is_some();
        let client_close = head.wants_close() || ambiguous;
        let is_head = head.method == "HEAD";
        let request = Request {
            method: head.method,
            path: head.path,
            headers: head.headers,
            body,
            received_at: Instant::now(),
            connection: id,
        };
        let reply = (shared.handler)(&request);
        shared.record(request);
        let keep_open = send_reply(conn.stream, reply, is_head, client_close).await?;
        match keep_open {
            Some(stream) => conn.stream = stream,
            None => return Ok(()),
        }
    }
}

async fn send_error(stream: &mut TcpStream, status: u16) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status} {}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        reason(status)
    );
    stream.write_all(head.as_bytes()).await?;
    let _ = stream.shutdown().await;
    Ok(())
}

/// Sends `reply`; returns the stream if the connection stays open.
async fn send_reply(
    mut stream: TcpStream,
    reply: Reply,
    is_head: bool,
    client_close: bool,
) -> std::io::Result<Option<TcpStream>> {
    if let Some(delay) = reply.delay_before_headers {
        tokio::time::sleep(delay).await;
    }
    if reply.reset {
        abort(stream);
        return Ok(None);
    }

    let status = reply.status;
    let body_len = reply.body.len();
    // 1xx, 204 and 304 responses have no body, nor a body length.
    let bodiless_status = (100..200).contains(&status) || status == 204 || status == 304;
    let send_body = !is_head && !bodiless_status;
    let user_length = reply
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-length"));
    let truncated = reply.truncate_at.is_some_and(|n| n < body_len);
    let close = client_close || reply.close || truncated;

    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in &reply.headers {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    if !bodiless_status {
        if reply.chunked {
            head.push_str("transfer-encoding: chunked\r\n");
        } else if !user_length {
            head.push_str(&format!("content-length: {body_len}\r\n"));
        }
    }
    if close {
        head.push_str("connection: close\r\n");
    }
    head.push_str("\r\n");

    let limit = if send_body {
        reply.truncate_at.map_or(body_len, |n| n.min(body_len))
    } else {
        0
    };
    let plain = reply.stall.is_none() && !reply.chunked;
    match &reply.body {
        // Fast path: small, fault-free bodies go out in one write.
        Body::Bytes(bytes) if plain && limit <= WRITE_CHUNK as u64 => {
            let mut out = Vec::with_capacity(head.len() + bytes.len());
            out.extend_from_slice(head.as_bytes());
            out.extend_from_slice(&bytes[..limit as usize]);
            stream.write_all(&out).await?;
        }
        _ => {
            stream.write_all(head.as_bytes()).await?;
            let stall = reply.stall.filter(|_| send_body);
            write_body(&mut stream, &reply.body, limit, stall, reply.chunked).await?;
            if send_body && reply.chunked && !truncated {
                stream.write_all(b"0\r\n\r\n").await?;
            }
        }
    }
    stream.flush().await?;

    if close {
        let _ = stream.shutdown().await;
        return Ok(None);
    }
    Ok(Some(stream))
}

/// Writes body bytes `0..limit`, pausing once at the stall offset.
async fn write_body(
    stream: &mut TcpStream,
    body: &Body,
    limit: u64,
    stall: Option<(u64, Duration)>,
    chunked: bool,
) -> std::io::Result<()> {
    let mut offset = 0u64;
    let mut stall = stall;
    loop {
        if let Some((at, delay)) = stall
            && offset >= at.min(limit)
        {
            stream.flush().await?;
            tokio::time::sleep(delay).await;
            stall = None;
        }
        if offset >= limit {
            return Ok(());
        }
        let mut end = limit.min(offset + WRITE_CHUNK as u64);
        if let Some((at, _)) = stall
            && at > offset
        {
            end = end.min(at);
        }
        // `end - offset` is at most WRITE_CHUNK, and offsets into a Bytes
        // body are below its in-memory length, so these casts are lossless.
        let piece: &[u8] = match body {
            Body::Bytes(bytes) => &bytes[offset as usize..end as usize],
            Body::Pattern(_) => {
                let start = (offset % PATTERN_PERIOD as u64) as usize;
                &pattern_block()[start..start + (end - offset) as usize]
            }
        };
        if chunked {
            stream
                .write_all(format!("{:x}\r\n", piece.len()).as_bytes())
                .await?;
            stream.write_all(piece).await?;
            stream.write_all(b"\r\n").await?;
        } else {
            stream.write_all(piece).await?;
        }
        offset = end;
    }
}

/// `WRITE_CHUNK + PATTERN_PERIOD` pattern bytes, so any chunk of the pattern
/// is a slice of it.
fn pattern_block() -> &'static [u8] {
    static BLOCK: OnceLock<Vec<u8>> = OnceLock::new();
    BLOCK.get_or_init(|| large_body_pattern(WRITE_CHUNK + PATTERN_PERIOD))
}

/// Drops the connection with `SO_LINGER` 0, so the peer gets an RST.
fn abort(stream: TcpStream) {
    // `set_linger` is deprecated because a non-zero linger blocks the thread
    // on close; a zero linger does not block (it is what the newer
    // `set_zero_linger` does, which older Tokio versions lack).
    #[allow(deprecated)]
    let _ = stream.set_linger(Some(Duration::ZERO));
    drop(stream);
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "Status",
    }
}
