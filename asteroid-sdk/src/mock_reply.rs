//! Answers a typed mock gives in turn (feature `mock`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use httpmock::{HttpMockRequest, HttpMockResponse};
use serde::Serialize;

/// One answer of a mock that answers several times differently, for
/// `then.sequence([..])`: a status, headers, and a body.
///
/// ```
/// # #[cfg(feature = "mock")] {
/// use std::time::Duration;
/// use asteroid_sdk::mock::Reply;
/// let replies = [
///     Reply::status(503),
///     Reply::rate_limited(Duration::from_secs(1)),
///     Reply::json(200, &serde_json::json!({"ok": true})),
/// ];
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Reply {
    /// A JSON body with this status (and `content-type: application/json`).
    ///
    /// # Panics
    /// If the value cannot be serialized (a map with non-string keys): a test bug.
    pub fn json(status: u16, value: &impl Serialize) -> Self {
        let body = serde_json::to_vec(value)
            .unwrap_or_else(|e| panic!("asteroid_sdk::mock::Reply::json: {e}"));
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Some(body),
        }
    }

    /// This status and no body.
    pub fn status(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: None,
        }
    }

    /// `429 Too Many Requests` with `Retry-After` (whole seconds, rounded up) and a
    /// `{code, message}` body.
    pub fn rate_limited(retry_after: Duration) -> Self {
        let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
        Self::json(
            429,
            &serde_json::json!({"code": 429, "message": "Too Many Requests"}),
        )
        .with_header("retry-after", secs.to_string())
    }

    /// The same reply with one more header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    fn response(&self) -> HttpMockResponse {
        let mut b = HttpMockResponse::builder().status(self.status);
        for (k, v) in &self.headers {
            b = b.header(k.clone(), v.clone());
        }
        match &self.body {
            Some(body) => b.body(body.clone()).build(),
            None => b.no_body().build(),
        }
    }
}

/// A responder that gives `replies` in turn, the last one to every later request.
pub(crate) fn in_turn(
    replies: Vec<Reply>,
) -> impl Fn(&HttpMockRequest) -> HttpMockResponse + Send + Sync + 'static {
    let next = Arc::new(AtomicUsize::new(0));
    move |_| {
        let i = next.fetch_add(1, Ordering::SeqCst);
        match replies.get(i).or_else(|| replies.last()) {
            Some(reply) => reply.response(),
            None => HttpMockResponse::builder().status(404).no_body().build(),
        }
    }
}
