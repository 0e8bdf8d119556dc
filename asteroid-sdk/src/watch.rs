//! Following an execution's status changes as a stream.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::error::Error;
use crate::types::Execution;

/// The status changes of one execution: each item is the execution as fetched when its
/// status changed (the first fetch included). It ends after a terminal status, an error
/// (yielded), or the deadline ([`Error::DeadlineExceeded`], yielded).
///
/// No pinning and no extra import is needed: call the inherent [`next`](Self::next).
/// It is also a [`Stream`] for combinators.
///
/// ```no_run
/// # async fn f(client: asteroid_sdk::Client, id: asteroid_sdk::Uuid) -> asteroid_sdk::Result<()> {
/// let mut watch = client.watch_execution(id);
/// while let Some(execution) = watch.next().await {
///     println!("now {}", execution?.status);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a watch does nothing until polled"]
pub struct ExecutionWatch {
    inner: Pin<Box<dyn Stream<Item = Result<Execution, Error>> + Send>>,
}

impl ExecutionWatch {
    pub(crate) fn new(
        inner: impl Stream<Item = Result<Execution, Error>> + Send + 'static,
    ) -> Self {
        Self {
            inner: Box::pin(inner),
        }
    }

    /// The next status change; `None` once the watch has ended. Dropping the watch stops
    /// the polling.
    pub async fn next(&mut self) -> Option<Result<Execution, Error>> {
        std::future::poll_fn(|cx| self.inner.as_mut().poll_next(cx)).await
    }
}

impl Stream for ExecutionWatch {
    type Item = Result<Execution, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl std::fmt::Debug for ExecutionWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExecutionWatch")
    }
}
