//! The one error type of the SDK.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Serialize;

use crate::decode::{self, Carried, DecodeFailure};
use crate::retry;
use crate::types;

if_execution_api! {
    {
        // What `Error::DeadlineExceeded` carries: the execution as last fetched.
        use crate::types::Execution as LastExecution;

        fn last_status(last: &LastExecution) -> &dyn fmt::Display {
            &last.status
        }
    } else {
        /// Stands in for the execution in [`Error::DeadlineExceeded`] when the spec has no
        /// execution API (no waiter exists, so the variant never occurs): it has no value.
        #[derive(Debug, Clone, PartialEq)]
        pub enum NoExecution {}

        use NoExecution as LastExecution;

        fn last_status(last: &LastExecution) -> &dyn fmt::Display {
            match *last {}
        }
    }
}

/// The result type of the SDK.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong calling the API, in one enum a caller can match on.
///
/// `E` is the typed error body of the operation's documented error statuses (for the
/// Asteroid API every operation uses [`types::ErrorBody`], `{code, message}`).
///
/// | variant | when |
/// |---|---|
/// | [`Error::Config`] | the client could not be built (missing key, bad URL, ...) |
/// | [`Error::InvalidRequest`] | a parameter could not be converted; nothing was sent |
/// | [`Error::Api`] | a documented error status (400, 401, 403, 404, 500) with its typed body |
/// | [`Error::UnexpectedStatus`] | a status the spec does not document (a 429, a proxy's 502 page) |
/// | [`Error::Decode`] | a body that does not decode into the documented type |
/// | [`Error::BodyTooLarge`] | a body over the configured limit |
/// | [`Error::Timeout`] | a request time limit ran out (`timeout`, `attempt_timeout`, or the HTTP client's own) |
/// | [`Error::Connect`] | no connection could be made |
/// | [`Error::Transport`] | the connection failed mid-request (reset, truncated body, ...) |
/// | [`Error::DeadlineExceeded`] | a waiter's deadline passed before the execution finished |
///
/// `Display` is one readable line; it never contains the API key.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E = types::ErrorBody> {
    /// The client configuration is invalid. The message names the setting or variable.
    Config(String),
    /// The request could not be built (e.g. an id that is not a UUID); nothing was sent.
    InvalidRequest(String),
    /// The server answered with a documented error status.
    Api {
        /// The response's status, request id and headers.
        response: Box<ResponseInfo>,
        /// The typed body (boxed, so that `Error` stays small).
        body: Box<E>,
        /// The body's `code`, when it has one.
        code: Option<i64>,
        /// The body's `message`, when it has one.
        message: Option<String>,
    },
    /// The server answered with a status the spec does not document.
    UnexpectedStatus {
        /// The response's status, request id and headers.
        response: Box<ResponseInfo>,
        /// At most 1 KiB of the body, as text.
        body: String,
    },
    /// The body did not decode into the documented type.
    Decode {
        /// The response's status, request id and headers (when known).
        response: Option<Box<ResponseInfo>>,
        /// The serde path of the value at fault (`$` for the whole body).
        path: String,
        /// What serde said.
        message: String,
        /// At most 1 KiB of the body, as text.
        body: String,
    },
    /// The response body was larger than the client's `max_response_bytes`.
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The call took longer than its time limit: the client's `timeout` (which covers
    /// all attempts) or `attempt_timeout`, or a timeout of the HTTP client itself (its
    /// connect timeout, or the timeouts of a `reqwest::Client` of your own).
    Timeout {
        /// The limit that ran out, when the SDK enforced it.
        after: Option<Duration>,
        /// The HTTP client's error, when the HTTP client timed out.
        source: Option<reqwest::Error>,
    },
    /// No connection could be made (refused, DNS, TLS handshake).
    Connect(reqwest::Error),
    /// The connection failed during the request or while reading the body.
    Transport(reqwest::Error),
    /// A waiter's deadline passed before the execution reached a terminal status.
    DeadlineExceeded {
        /// How long the waiter waited.
        waited: Duration,
        /// The last execution it saw, if any request succeeded.
        last: Option<Box<LastExecution>>,
    },
    /// Any other failure reported by the generated client.
    Other(String),
}

/// What the SDK keeps of an HTTP response that ended in an error (`#[non_exhaustive]`:
/// read its fields; [`ResponseInfo::new`] makes one from a status and headers).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ResponseInfo {
    /// The HTTP status.
    pub status: StatusCode,
    /// The request id the server sent, whatever header it used.
    pub request_id: Option<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The server's `Retry-After` / `retry-after-ms`, when it sent one.
    pub retry_after: Option<Duration>,
}

impl ResponseInfo {
    /// Read the parts the SDK keeps from a status and headers.
    pub fn new(status: StatusCode, headers: &HeaderMap) -> Self {
        Self {
            status,
            request_id: crate::request_id::from_headers(headers),
            content_type: headers
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            retry_after: retry::retry_after(headers, std::time::SystemTime::now()),
        }
    }
}

impl<E> Error<E> {
    /// The HTTP status, when the error comes from a response.
    pub fn status(&self) -> Option<StatusCode> {
        self.response().map(|r| r.status)
    }

    /// The response the error comes from, when there is one.
    pub fn response(&self) -> Option<&ResponseInfo> {
        match self {
            Error::Api { response, .. } | Error::UnexpectedStatus { response, .. } => {
                Some(response)
            }
            Error::Decode { response, .. } => response.as_deref(),
            _ => None,
        }
    }

    /// The request id the server sent, whatever header it used.
    pub fn request_id(&self) -> Option<&str> {
        self.response().and_then(|r| r.request_id.as_deref())
    }

    /// The `code` of a documented error body.
    pub fn code(&self) -> Option<i64> {
        match self {
            Error::Api { code, .. } => *code,
            _ => None,
        }
    }

    /// The `message` of a documented error body.
    pub fn message(&self) -> Option<&str> {
        match self {
            Error::Api { message, .. } => message.as_deref(),
            _ => None,
        }
    }

    /// The typed body of a documented error status.
    pub fn body(&self) -> Option<&E> {
        match self {
            Error::Api { body, .. } => Some(body),
            _ => None,
        }
    }

    /// How long the server asked the client to wait (`Retry-After`, `retry-after-ms`).
    pub fn retry_after(&self) -> Option<Duration> {
        self.response().and_then(|r| r.retry_after)
    }

    /// Whether trying again later may succeed: timeouts, connection failures, and the
    /// statuses 408, 409, 429, 500, 502, 503 and 504.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Connect(_) | Error::Transport(_) => true,
            _ => self.status().is_some_and(retry::is_retryable_status),
        }
    }

    /// A 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// A 401: the API key is missing or wrong.
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(StatusCode::UNAUTHORIZED)
    }

    /// A 403: the key may not do this.
    pub fn is_forbidden(&self) -> bool {
        self.status() == Some(StatusCode::FORBIDDEN)
    }

    /// A 429 ("Too Many Requests"), whether or not the spec documents it for the
    /// operation; see [`Error::retry_after`] for how long the server asked to wait.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// A 5xx.
    pub fn is_server_error(&self) -> bool {
        self.status().is_some_and(|s| s.is_server_error())
    }

    /// A time limit ran out: the request's ([`Error::Timeout`]) or a waiter's deadline
    /// ([`Error::DeadlineExceeded`]).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. } | Error::DeadlineExceeded { .. })
    }

    /// A body that did not decode.
    pub fn is_decode(&self) -> bool {
        matches!(self, Error::Decode { .. })
    }
}

fn one_line(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if out.chars().count() > max {
        out = out.chars().take(max).collect::<String>() + "…";
    }
    out
}

fn write_response(f: &mut fmt::Formatter<'_>, r: &ResponseInfo) -> fmt::Result {
    write!(f, "HTTP {}", r.status)?;
    let mut extra = Vec::new();
    if let Some(id) = &r.request_id {
        extra.push(format!("request id {id}"));
    }
    if let Some(ct) = &r.content_type {
        extra.push(format!("content-type {ct}"));
    }
    if let Some(ra) = r.retry_after {
        extra.push(format!("retry after {:.1}s", ra.as_secs_f64()));
    }
    if !extra.is_empty() {
        write!(f, " ({})", extra.join(", "))?;
    }
    Ok(())
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(m) => write!(f, "invalid client configuration: {m}"),
            Error::InvalidRequest(m) => write!(f, "invalid request (nothing was sent): {m}"),
            Error::Api {
                response,
                code,
                message,
                ..
            } => {
                write_response(f, response)?;
                match message {
                    Some(m) => write!(f, ": {}", one_line(m, 300))?,
                    None => write!(f, ": the server reported an error")?,
                }
                if let Some(c) = code {
                    write!(f, " [code {c}]")?;
                }
                Ok(())
            }
            Error::UnexpectedStatus { response, body } => {
                write!(f, "unexpected ")?;
                write_response(f, response)?;
                if body.trim().is_empty() {
                    write!(f, " with an empty body")
                } else {
                    write!(f, ": {}", one_line(body, 200))
                }
            }
            Error::Decode {
                response,
                path,
                message,
                body,
            } => {
                write!(f, "could not decode the response")?;
                if let Some(r) = response {
                    write!(f, " (")?;
                    write_response(f, r)?;
                    write!(f, ")")?;
                }
                write!(f, " at `{path}`: {}", one_line(message, 200))?;
                if !body.is_empty() {
                    write!(f, "; body starts: {}", one_line(body, 120))?;
                }
                Ok(())
            }
            Error::BodyTooLarge { limit } => {
                write!(
                    f,
                    "the response body is larger than the limit of {limit} bytes (max_response_bytes)"
                )
            }
            Error::Timeout {
                after: Some(after), ..
            } => write!(
                f,
                "the request timed out after {:.1}s (timeout / attempt_timeout)",
                after.as_secs_f64()
            ),
            Error::Timeout {
                source: Some(e), ..
            } => write!(
                f,
                "the request timed out: {}",
                one_line(&e.to_string(), 200)
            ),
            Error::Timeout { .. } => write!(f, "the request timed out"),
            Error::Connect(e) => write!(f, "could not connect: {}", one_line(&chain(e), 300)),
            Error::Transport(e) => write!(f, "the connection failed: {}", one_line(&chain(e), 300)),
            Error::DeadlineExceeded { waited, last } => {
                write!(
                    f,
                    "the execution did not finish within {:.1}s",
                    waited.as_secs_f64()
                )?;
                if let Some(l) = last {
                    write!(f, " (last status: {})", last_status(l))?;
                }
                Ok(())
            }
            Error::Other(m) => write!(f, "{m}"),
        }
    }
}

/// An error and its causes, `: `-separated.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Timeout {
                source: Some(e), ..
            }
            | Error::Connect(e)
            | Error::Transport(e) => Some(e),
            _ => None,
        }
    }
}

/// The marker error a body stream fails with when a response is over the size limit.
#[derive(Debug)]
pub(crate) struct BodyLimitExceeded {
    pub limit: usize,
}

impl fmt::Display for BodyLimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "response body over the limit of {} bytes", self.limit)
    }
}

impl std::error::Error for BodyLimitExceeded {}

impl<E> Error<E> {
    /// Classify a reqwest error: timeout, connect, body limit, or other transport failure.
    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(s) = source {
            if let Some(limit) = s.downcast_ref::<BodyLimitExceeded>() {
                return Error::BodyTooLarge { limit: limit.limit };
            }
            source = s.source();
        }
        if e.is_timeout() {
            Error::Timeout {
                after: None,
                source: Some(e),
            }
        } else if e.is_connect() {
            Error::Connect(e)
        } else if e.is_builder() || e.is_request() && e.status().is_none() && e.url().is_none() {
            Error::InvalidRequest(chain(&e))
        } else {
            Error::Transport(e)
        }
    }
}

/// Convert the generated client's result into the SDK's. Every generated `send` ends here
/// (the xtask routes it), so every operation reports errors the same way.
pub fn from_result<T, E: Serialize>(
    result: std::result::Result<T, progenitor_client::Error<E>>,
) -> Result<T, Error<E>> {
    match result {
        Ok(v) => Ok(v),
        Err(e) => Err(from_progenitor(e)),
    }
}

fn from_progenitor<E: Serialize>(e: progenitor_client::Error<E>) -> Error<E> {
    use progenitor_client::Error as P;
    match e {
        P::InvalidRequest(m) => Error::InvalidRequest(m),
        P::CommunicationError(e) | P::InvalidUpgrade(e) | P::ResponseBodyError(e) => {
            Error::from_reqwest(e)
        }
        P::ErrorResponse(rv) => {
            let response = Box::new(ResponseInfo::new(rv.status(), rv.headers()));
            let body = rv.into_inner();
            let json = serde_json::to_value(&body).unwrap_or_default();
            let code = json.get("code").and_then(|c| {
                c.as_i64()
                    .or_else(|| c.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            });
            let message = json
                .get("message")
                .and_then(|m| m.as_str())
                .map(str::to_string);
            Error::Api {
                response,
                body: Box::new(body),
                code,
                message,
            }
        }
        P::InvalidResponsePayload(bytes, json_error) => match decode::carried(json_error) {
            Ok(Carried::TooLarge(limit)) => Error::BodyTooLarge { limit },
            Ok(Carried::TimedOut(after)) => Error::Timeout {
                after: Some(after),
                source: None,
            },
            Ok(Carried::Decode(DecodeFailure {
                response,
                path,
                message,
                snippet,
            })) => Error::Decode {
                response: Some(Box::new(response)),
                path,
                message,
                body: snippet,
            },
            Err(other) => Error::Decode {
                response: None,
                path: "$".into(),
                message: other.to_string(),
                body: decode::snippet(&bytes),
            },
        },
        P::UnexpectedResponse(response) => {
            let info = Box::new(ResponseInfo::new(response.status(), response.headers()));
            match read_prefix(response, decode::SNIPPET_LIMIT) {
                Ok(body) => Error::UnexpectedStatus {
                    response: info,
                    body,
                },
                Err(e) => Error::from_reqwest(e),
            }
        }
        P::Custom(m) => Error::Other(m),
    }
}

/// Read at most `limit` bytes of a body, as text. The transport read the whole body
/// inside the attempt, so every chunk is ready: a chunk that is not (which cannot happen)
/// ends the snippet.
fn read_prefix(mut response: reqwest::Response, limit: usize) -> reqwest::Result<String> {
    use futures_util::FutureExt;
    let mut buf = Vec::new();
    while let Some(chunk) = response.chunk().now_or_never().unwrap_or(Ok(None))? {
        buf.extend_from_slice(&chunk);
        if buf.len() > limit {
            break;
        }
    }
    Ok(decode::snippet(&buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_line_with_status_request_id_and_message() {
        let e: Error = Error::Api {
            response: Box::new(ResponseInfo {
                status: StatusCode::NOT_FOUND,
                request_id: Some("req-1".into()),
                content_type: None,
                retry_after: None,
            }),
            body: types::ErrorBody::builder()
                .code(404)
                .message("no such\nexecution")
                .build()
                .map(Box::new)
                .unwrap(),
            code: Some(404),
            message: Some("no such\nexecution".into()),
        };
        assert_eq!(
            e.to_string(),
            "HTTP 404 Not Found (request id req-1): no such execution [code 404]"
        );
        assert!(e.is_not_found() && !e.is_retryable());
        assert_eq!(e.request_id(), Some("req-1"));
    }

    #[test]
    fn unexpected_status_shows_a_short_snippet() {
        let e: Error = Error::UnexpectedStatus {
            response: Box::new(ResponseInfo {
                status: StatusCode::BAD_GATEWAY,
                request_id: None,
                content_type: Some("text/html".into()),
                retry_after: None,
            }),
            body: format!("<html>\n<body>{}</body></html>", "x".repeat(2000)),
        };
        let s = e.to_string();
        assert!(
            s.starts_with(
                "unexpected HTTP 502 Bad Gateway (content-type text/html): <html> <body>xx"
            ),
            "{s}"
        );
        assert!(!s.contains('\n') && s.chars().count() < 320, "{s}");
        assert!(e.is_retryable() && e.is_server_error());
    }
}
