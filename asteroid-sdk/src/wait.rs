//! Waiting for an execution to finish, and watching its status change.
//!
//! Both poll the generated `ExecutionGet` (so they inherit auth, retries, timeouts and
//! tracing) on the schedule of [`WaitOptions`], through [`crate::poll`].

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use futures_core::Stream;
use uuid::Uuid;

use crate::Client;
use crate::ExecutionWatch;
use crate::error::Error;
use crate::poll::{Acceptance, WaitOptions, poll_stream};
use crate::types::{Execution, ExecutionStatus};

/// How an execution ended (or paused, with [`WaitOptions::stop_on_attention`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ExecutionOutcome {
    /// `completed`: see [`ExecutionOutcome::result`].
    Completed(Execution),
    /// `failed`: see [`ExecutionOutcome::reasoning`].
    Failed(Execution),
    /// `cancelled`.
    Cancelled(Execution),
    /// A status that waits for a human or the caller (only with `stop_on_attention`).
    NeedsAttention(Execution),
}

impl ExecutionOutcome {
    fn from_execution(e: Execution) -> Self {
        match e.status.as_str() {
            "completed" => Self::Completed(e),
            "failed" => Self::Failed(e),
            "cancelled" => Self::Cancelled(e),
            _ => Self::NeedsAttention(e),
        }
    }

    /// The execution as last fetched.
    pub fn execution(&self) -> &Execution {
        match self {
            Self::Completed(e) | Self::Failed(e) | Self::Cancelled(e) | Self::NeedsAttention(e) => {
                e
            }
        }
    }

    /// The execution, owned.
    pub fn into_execution(self) -> Execution {
        match self {
            Self::Completed(e) | Self::Failed(e) | Self::Cancelled(e) | Self::NeedsAttention(e) => {
                e
            }
        }
    }

    /// The final status.
    pub fn status(&self) -> &ExecutionStatus {
        &self.execution().status
    }

    /// Whether the execution completed.
    pub fn is_completed(&self) -> bool {
        matches!(self, Self::Completed(_))
    }

    /// The result data, if the execution has one.
    pub fn result(&self) -> Option<&serde_json::Value> {
        self.execution().result()
    }

    /// The agent's reasoning, if the execution has one.
    pub fn reasoning(&self) -> Option<&str> {
        self.execution().reasoning()
    }
}

fn deadline_error(waited: Duration, last: Option<Execution>) -> Error {
    Error::DeadlineExceeded {
        waited,
        last: last.map(Box::new),
    }
}

impl Client {
    /// Wait until execution `id` reaches a terminal status, polling politely (2 s growing
    /// to 30 s, with jitter, for up to an hour by default). Configure it before `.await`:
    ///
    /// ```no_run
    /// # async fn f(client: asteroid_sdk::Client, id: uuid::Uuid) -> asteroid_sdk::Result<()> {
    /// use std::time::Duration;
    /// let outcome = client
    ///     .wait_for_execution(id)
    ///     .timeout(Duration::from_secs(600))
    ///     .stop_on_attention(true)
    ///     .await?;
    /// println!("{}: {:?}", outcome.status(), outcome.result());
    /// # Ok(()) }
    /// ```
    ///
    /// Errors: [`Error::DeadlineExceeded`] with the last execution seen, or the API error
    /// that ended the wait (after the client's own retries). Dropping the future stops
    /// the polling.
    pub fn wait_for_execution(&self, id: Uuid) -> WaitForExecution<'_> {
        WaitForExecution {
            client: self,
            id,
            options: WaitOptions::default(),
        }
    }

    /// Follow execution `id`: an [`ExecutionWatch`] that yields it each time its status
    /// changes (the first fetch included) and ends after a terminal status, an error, or
    /// the deadline (default options: see [`WaitOptions`]).
    ///
    /// ```no_run
    /// # async fn f(client: asteroid_sdk::Client, id: asteroid_sdk::Uuid) -> asteroid_sdk::Result<()> {
    /// let mut watch = client.watch_execution(id);
    /// while let Some(execution) = watch.next().await {
    ///     let execution = execution?;
    ///     println!("{}", execution.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn watch_execution(&self, id: Uuid) -> ExecutionWatch {
        self.watch_execution_with(id, WaitOptions::default())
    }

    /// [`Client::watch_execution`] with explicit options (delays, deadline, whether to
    /// stop at a status that needs attention).
    pub fn watch_execution_with(&self, id: Uuid, options: WaitOptions) -> ExecutionWatch {
        ExecutionWatch::new(self.execution_stream(id, options))
    }

    fn execution_stream(
        &self,
        id: Uuid,
        options: WaitOptions,
    ) -> impl Stream<Item = Result<Execution, Error>> + Send + 'static {
        let client = self.clone();
        let stop_on_attention = options.stop_on_attention;
        poll_stream(
            options,
            move || {
                let client = client.clone();
                async move {
                    client
                        .execution_get()
                        .execution_id(id)
                        .send()
                        .await
                        .map(crate::Response::into_inner)
                }
            },
            |e: &Execution| e.status.clone(),
            move |e: &Execution| {
                if e.status.is_terminal() || (stop_on_attention && e.status.needs_attention()) {
                    Acceptance::Done
                } else {
                    Acceptance::Continue
                }
            },
            deadline_error,
        )
    }
}

/// A configurable wait; `.await` it. See [`Client::wait_for_execution`].
#[derive(Debug)]
#[must_use = "a wait does nothing until awaited"]
pub struct WaitForExecution<'a> {
    client: &'a Client,
    id: Uuid,
    options: WaitOptions,
}

impl WaitForExecution<'_> {
    /// All options at once.
    pub fn options(mut self, options: WaitOptions) -> Self {
        self.options = options;
        self
    }

    /// The overall deadline (default 1 hour).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// The first and the longest delay between polls (default 2 s and 30 s).
    pub fn delays(mut self, initial: Duration, max: Duration) -> Self {
        self.options = self.options.with_delays(initial, max);
        self
    }

    /// Stop at `paused`, `paused_by_agent` or `awaiting_confirmation` (default: keep
    /// waiting).
    pub fn stop_on_attention(mut self, stop: bool) -> Self {
        self.options.stop_on_attention = stop;
        self
    }
}

impl<'a> IntoFuture for WaitForExecution<'a> {
    type Output = Result<ExecutionOutcome, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let mut stream = self.client.watch_execution_with(self.id, self.options);
            let mut last = None;
            while let Some(item) = stream.next().await {
                let execution = item?;
                let done = execution.status.is_terminal()
                    || (self.options.stop_on_attention && execution.status.needs_attention());
                if done {
                    return Ok(ExecutionOutcome::from_execution(execution));
                }
                last = Some(execution);
            }
            // The stream only ends without a final value if it was empty, which it never
            // is; report it as a deadline with what was seen.
            Err(deadline_error(Duration::ZERO, last))
        })
    }
}
