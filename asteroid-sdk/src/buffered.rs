//! A response read whole inside its attempt: what the transport hands to the generated
//! code, which decodes the body from memory without rebuilding a `reqwest::Response`.

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::error::BodyLimitExceeded;

/// The status, headers and whole body of a response (or that its body was over the
/// client's `max_response_bytes`).
#[derive(Debug)]
pub(crate) struct Buffered {
    status: StatusCode,
    version: reqwest::Version,
    headers: HeaderMap,
    /// The body, or the limit it went over.
    body: Result<Bytes, usize>,
}

impl Buffered {
    pub(crate) fn new(
        status: StatusCode,
        version: reqwest::Version,
        headers: HeaderMap,
        body: Result<Bytes, usize>,
    ) -> Self {
        Self {
            status,
            version,
            headers,
            body,
        }
    }

    /// The HTTP status.
    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The status, the headers and the body (or the limit it went over).
    pub(crate) fn into_parts(self) -> (StatusCode, HeaderMap, Result<Bytes, usize>) {
        (self.status, self.headers, self.body)
    }

    /// As a `reqwest::Response` again, for progenitor's error path of an undocumented
    /// status; its body fails with [`BodyLimitExceeded`] when it was over the limit.
    pub(crate) fn into_reqwest(self) -> reqwest::Response {
        let body = match self.body {
            Ok(bytes) => reqwest::Body::from(bytes),
            Err(limit) => reqwest::Body::wrap_stream(futures_util::stream::once(async move {
                Err::<Bytes, _>(BodyLimitExceeded { limit })
            })),
        };
        let mut response = http::Response::new(body);
        *response.status_mut() = self.status;
        *response.version_mut() = self.version;
        *response.headers_mut() = self.headers;
        reqwest::Response::from(response)
    }
}
