//! A blocking client, for code without an async runtime: scripts, CLIs, `build.rs`
//! (feature `blocking`).
//!
//! Every operation has the same builder calls as the async [`crate::Client`], ending in a
//! synchronous `send()`; waiting and watching block too. The program needs no tokio
//! dependency and no runtime of its own.
//!
//! ```no_run
//! use asteroid_sdk::blocking::Client;
//!
//! fn main() -> asteroid_sdk::Result<()> {
//!     let client = Client::from_env()?;
//!     let id: asteroid_sdk::Uuid = "0b7c2f3e-5d1a-4c7e-9f1e-2a3b4c5d6e7f".parse().unwrap();
//!     let execution = client.execution_get().execution_id(id).send()?;
//!     println!("{}", execution.status);
//!     for change in client.watch_execution(id) {
//!         println!("now {}", change?.status);
//!     }
//!     let outcome = client
//!         .wait_for_execution(id)
//!         .timeout(std::time::Duration::from_secs(600))
//!         .wait()?;
//!     println!("ended as {}", outcome.status());
//!     Ok(())
//! }
//! ```
//!
//! Each client owns a small background runtime (one thread, shared by its clones) that
//! drives the connections. Calls may come from any thread, and also from inside an async
//! runtime (the call then runs on a helper thread and blocks the calling one, so prefer
//! the async client there).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::error::Error;

#[rustfmt::skip]
#[allow(
    unused_imports,
    deprecated,
    clippy::all,
    clippy::pedantic,
)]
#[path = "../generated/blocking.rs"]
mod generated;

mod paginate;

pub use generated::builder;
pub use paginate::{Items, Pages};

/// A blocking client of the API; see the [module docs](self). Cheap to clone (clones
/// share the connection pool and the background runtime).
#[derive(Clone, Debug)]
pub struct Client {
    inner: crate::Client,
    runtime: Arc<Runtime>,
}

/// Builds a blocking [`Client`]: the same settings as [`crate::ClientBuilder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ClientBuilder(crate::ClientBuilder);

impl Client {
    /// A builder with the defaults (see [`crate::Client::builder`]).
    pub fn builder() -> ClientBuilder {
        ClientBuilder(crate::Client::builder())
    }

    /// A client configured from `ASTEROID_API_KEY` (required) and `ASTEROID_BASE_URL`
    /// (optional).
    pub fn from_env() -> Result<Self, Error> {
        Self::builder().from_env()?.build()
    }

    /// The async client this one drives.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// Run a future of the async client to completion on this client's runtime.
    pub(crate) fn block_on<F>(&self, future: F) -> F::Output
    where
        F: Future + Send,
        F::Output: Send,
    {
        self.runtime.block_on(future)
    }
}

if_execution_api! {
impl Client {
    /// Wait until execution `id` reaches a terminal status (see
    /// [`crate::Client::wait_for_execution`]); configure it, then call
    /// [`wait`](WaitForExecution::wait).
    pub fn wait_for_execution(&self, id: crate::Uuid) -> WaitForExecution<'_> {
        WaitForExecution {
            client: self,
            inner: self.inner.wait_for_execution(id),
        }
    }

    /// The status changes of execution `id`, as an [`Iterator`] (see
    /// [`crate::Client::watch_execution`]).
    pub fn watch_execution(&self, id: crate::Uuid) -> ExecutionWatch {
        self.watch_execution_with(id, WaitOptions::default())
    }

    /// [`Client::watch_execution`] with explicit options.
    pub fn watch_execution_with(&self, id: crate::Uuid, options: WaitOptions) -> ExecutionWatch {
        ExecutionWatch {
            inner: self.inner.watch_execution_with(id, options),
            client: self.clone(),
        }
    }
}
}

macro_rules! delegate {
    ($( $(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) ),* $(,)?) => {
        impl ClientBuilder {
            $(
                $(#[$doc])*
                pub fn $name(self, $($arg: $ty),*) -> Self {
                    Self(self.0.$name($($arg),*))
                }
            )*
        }
    };
}

delegate! {
    /// See [`crate::ClientBuilder::api_key`].
    api_key(key: impl Into<String>),
    /// See [`crate::ClientBuilder::without_api_key`].
    without_api_key(),
    /// See [`crate::ClientBuilder::base_url`].
    base_url(url: impl Into<String>),
    /// See [`crate::ClientBuilder::timeout`].
    timeout(timeout: Duration),
    /// See [`crate::ClientBuilder::no_timeout`].
    no_timeout(),
    /// See [`crate::ClientBuilder::attempt_timeout`].
    attempt_timeout(timeout: Duration),
    /// See [`crate::ClientBuilder::connect_timeout`].
    connect_timeout(timeout: Duration),
    /// See [`crate::ClientBuilder::max_retries`].
    max_retries(n: u32),
    /// See [`crate::ClientBuilder::retry_policy`].
    retry_policy(policy: crate::RetryPolicy),
    /// See [`crate::ClientBuilder::http_client`].
    http_client(client: reqwest::Client),
    /// See [`crate::ClientBuilder::allow_insecure_http`].
    allow_insecure_http(allow: bool),
    /// See [`crate::ClientBuilder::max_response_bytes`].
    max_response_bytes(limit: usize),
}

impl ClientBuilder {
    /// See [`crate::ClientBuilder::from_env`].
    pub fn from_env(self) -> Result<Self, Error> {
        Ok(Self(self.0.from_env()?))
    }

    /// Validate the settings, start the background runtime and build the client.
    pub fn build(self) -> Result<Client, Error> {
        let runtime = Runtime::new()?;
        // The HTTP client is made inside the runtime (reqwest registers its timers and
        // connections with the runtime it runs on).
        let inner = runtime.block_on(async move { self.0.build() })?;
        Ok(Client {
            inner,
            runtime: Arc::new(runtime),
        })
    }
}

if_execution_api! {
use crate::types::Execution;
use crate::{ExecutionOutcome, WaitOptions};

/// A configurable blocking wait; call [`wait`](Self::wait). The settings are those of
/// [`crate::WaitForExecution`].
#[derive(Debug)]
#[must_use = "a wait does nothing until `wait()` is called"]
pub struct WaitForExecution<'a> {
    client: &'a Client,
    inner: crate::WaitForExecution<'a>,
}

impl WaitForExecution<'_> {
    /// All options at once.
    pub fn options(self, options: WaitOptions) -> Self {
        Self {
            inner: self.inner.options(options),
            ..self
        }
    }

    /// The overall deadline (default 1 hour).
    pub fn timeout(self, timeout: Duration) -> Self {
        Self {
            inner: self.inner.timeout(timeout),
            ..self
        }
    }

    /// The first and the longest delay between polls (default 2 s and 30 s).
    pub fn delays(self, initial: Duration, max: Duration) -> Self {
        Self {
            inner: self.inner.delays(initial, max),
            ..self
        }
    }

    /// Stop at `paused`, `paused_by_agent` or `awaiting_confirmation` (default: keep
    /// waiting).
    pub fn stop_on_attention(self, stop: bool) -> Self {
        Self {
            inner: self.inner.stop_on_attention(stop),
            ..self
        }
    }

    /// Block until the execution ends (or the deadline passes:
    /// [`Error::DeadlineExceeded`]).
    pub fn wait(self) -> Result<ExecutionOutcome, Error> {
        self.client
            .block_on(std::future::IntoFuture::into_future(self.inner))
    }
}

/// The status changes of one execution, as an [`Iterator`]: each item is the execution
/// as fetched when its status changed. It ends after a terminal status, an error, or the
/// deadline. Dropping it stops the polling.
pub struct ExecutionWatch {
    inner: crate::ExecutionWatch,
    client: Client,
}

impl Iterator for ExecutionWatch {
    type Item = Result<Execution, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let Self { inner, client } = self;
        client.block_on(inner.next())
    }
}

impl std::fmt::Debug for ExecutionWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExecutionWatch")
    }
}
}

/// The background runtime of a blocking client.
struct Runtime {
    runtime: Option<tokio::runtime::Runtime>,
}

impl Runtime {
    fn new() -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("asteroid-sdk-blocking")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::Config(format!(
                    "the blocking client's runtime could not start: {e}"
                ))
            })?;
        Ok(Self {
            runtime: Some(runtime),
        })
    }

    fn block_on<F>(&self, future: F) -> F::Output
    where
        F: Future + Send,
        F::Output: Send,
    {
        let Some(runtime) = &self.runtime else {
            unreachable!("the runtime lives as long as the client")
        };
        let handle = runtime.handle();
        if tokio::runtime::Handle::try_current().is_ok() {
            // Inside an async runtime, blocking this thread on another runtime is not
            // allowed: run the future on a helper thread and wait for it there.
            std::thread::scope(|scope| {
                scope
                    .spawn(|| handle.block_on(future))
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
        } else {
            handle.block_on(future)
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // Dropping a runtime blocks until its tasks stop, which panics inside an async
        // context; let it stop in the background instead.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Runtime")
    }
}
