//! A successful response: the decoded body, its status and headers.

use std::ops::{Deref, DerefMut};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// A successful response: the decoded body with the HTTP status and headers it came with.
///
/// It dereferences to the body, so fields read directly (`execution.status`); take the
/// body out with [`Response::into_inner`].
///
/// ```no_run
/// # async fn f(client: asteroid_sdk::Client, id: asteroid_sdk::uuid::Uuid) -> asteroid_sdk::Result<()> {
/// let execution = client.execution_get().execution_id(id).send().await?;
/// println!("{} (request id {:?})", execution.status, execution.request_id());
/// let execution: asteroid_sdk::Execution = execution.into_inner();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Response<T> {
    inner: T,
    status: StatusCode,
    headers: HeaderMap,
}

impl<T> Response<T> {
    pub(crate) fn new(inner: T, status: StatusCode, headers: HeaderMap) -> Self {
        Self {
            inner,
            status,
            headers,
        }
    }

    /// The decoded body.
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// The HTTP status (a 2xx).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The request id the server sent, whatever header it used (`x-request-id`,
    /// `request-id`, `cf-ray`, ...); quote it when you report a problem.
    pub fn request_id(&self) -> Option<&str> {
        crate::request_id::find(&self.headers)
    }

    /// The same response with its body transformed.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            inner: f(self.inner),
            status: self.status,
            headers: self.headers,
        }
    }
}

impl Response<()> {
    /// A response without a body (called by operations whose success has none).
    #[allow(dead_code)]
    pub(crate) fn empty(response: crate::buffered::Buffered) -> Self {
        let (status, headers, _) = response.into_parts();
        Self::new((), status, headers)
    }
}

impl<T> Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for Response<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}
