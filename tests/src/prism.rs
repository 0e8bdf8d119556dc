//! A managed [Prism](https://github.com/stoplightio/prism) mock server for tests.
//!
//! Prism (`@stoplight/prism-cli`, pinned in the workspace's `package.json`
//! and installed by `npm ci` into `<workspace root>/node_modules`) serves
//! mock responses generated from the vendored OpenAPI spec
//! (`<workspace root>/openapi.yaml`). [`Prism::start`] launches one instance
//! on a free loopback port, waits until it answers HTTP, and hands back a
//! guard; dropping the guard stops the server.
//!
//! ```ignore
//! # async fn demo() -> Result<(), String> {
//! use asteroid_sdk_tests::prism::Prism;
//! let Some(prism) = Prism::start(true).await? else {
//!     return Ok(()); // Node.js is not installed here (never happens in CI).
//! };
//! let url = format!("{}/executions/3fa85f64-5717-4562-b3fc-2c963f66afa6", prism.base_url());
//! // ... send requests with header `X-Asteroid-Agents-Api-Key: <anything>` ...
//! # let _ = url; Ok(()) }
//! ```
//!
//! # Behaviour of Prism against our spec (observed with prism-cli 5.14.2)
//!
//! * Requests without the `X-Asteroid-Agents-Api-Key` header get `401`
//!   (the spec has a global `apiKey` security scheme); any non-empty value
//!   is accepted. Such rejections carry an `sl-violations` header.
//! * A non-UUID `executionId` gets `400` (format validation).
//! * `Prefer: code=NNN` selects one of the documented responses
//!   (200/400/401/403/404/500); an undocumented code gives a `404` with an
//!   `application/problem+json` body. Unknown paths give `404` and wrong
//!   methods `405`, both `application/problem+json`.
//! * Dynamic mode (`-d`) fills *every* optional property and adds random
//!   extra properties to objects that do not forbid them. It ignores the
//!   JSON Schema 2020-12 `unevaluatedProperties` keyword, so
//!   `metadata` (declared as a map of strings) often holds numbers and
//!   booleans. Static mode is deterministic (`"string"`, fixed UUIDs,
//!   `"result": null`, `duration` = `-f64::MAX`).
//! * A single request can switch mode with `Prefer: dynamic=true|false`.
//!
//! # Process management
//!
//! Prism runs in its own process group behind a tiny `sh` watchdog that
//! kills it as soon as this test process goes away (even on `SIGKILL` or
//! Ctrl-C, which never reach a separate process group), because a guard kept
//! in a `static`, or a test process that is killed, never runs `Drop`.
//! Only `std` and `tokio` are used; Unix only.

use std::fs::File;
use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::{Child, ChildStdin, Command};

/// How long [`Prism::start`] waits for Prism to answer HTTP before failing.
///
/// Prism normally answers within about a second; the margin is for a busy
/// two-core CI machine.
pub const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How many times [`Prism::start`] retries with a new port when the one it
/// picked was taken by someone else before Prism could bind it.
const PORT_ATTEMPTS: usize = 3;

/// The `sh` program Prism is started through.
///
/// It duplicates its standard input (a pipe whose write end only this test
/// process holds) to fd 3, starts a background watchdog that blocks reading
/// fd 3 and sends `SIGTERM` to `$$` once the read returns (EOF: this process
/// closed the pipe or died), and then `exec`s Prism, which keeps the pid `$$`.
const WATCHDOG_SCRIPT: &str =
    r#"exec 3<&0; { read -r _ <&3; kill -TERM $$ 2>/dev/null; } & exec "$@" 3<&-"#;

/// A running Prism mock server, stopped when dropped.
///
/// Create one with [`Prism::start`] (the workspace's own spec and Prism
/// install) or [`Prism::start_in`] (another workspace root).
#[derive(Debug)]
pub struct Prism {
    /// The `sh` watchdog that `exec`ed into Prism; same pid as Prism.
    child: Child,
    /// Write end of the watchdog's pipe; closing it stops Prism.
    watchdog: Option<ChildStdin>,
    /// Pid of Prism, which is also the id of its process group.
    pid: Option<u32>,
    /// Loopback port Prism listens on.
    port: u16,
    /// Whether Prism was started with `-d` (random data).
    dynamic: bool,
    /// File that receives Prism's stdout and stderr.
    log_path: PathBuf,
}

impl Prism {
    /// Directory of the cargo workspace this crate belongs to (the parent of
    /// the `tests/` crate), where `package.json`, `node_modules/` and
    /// `openapi.yaml` live.
    pub fn workspace_root() -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
    }

    /// Path of the Prism executable that `npm ci` installs under `root`:
    /// `<root>/node_modules/.bin/prism`.
    pub fn binary_in(root: &Path) -> PathBuf {
        root.join("node_modules").join(".bin").join("prism")
    }

    /// Path of the OpenAPI spec that Prism serves from `root`:
    /// `<root>/openapi.yaml`.
    pub fn spec_in(root: &Path) -> PathBuf {
        root.join("openapi.yaml")
    }

    /// Starts Prism on the workspace's `openapi.yaml`, as
    /// [`Prism::start_in`] with [`Prism::workspace_root`].
    ///
    /// `dynamic` selects Prism's dynamic mode (`-d`: random data on every
    /// request) instead of its static mode (deterministic data).
    ///
    /// Returns `Ok(None)`, after printing a warning to stderr, when `node`
    /// is not on `PATH` and the `CI` environment variable is unset; in CI
    /// that is an error instead, since CI never skips.
    pub async fn start(dynamic: bool) -> Result<Option<Prism>, String> {
        Self::start_in(&Self::workspace_root(), dynamic).await
    }

    /// Starts `<root>/node_modules/.bin/prism` on `<root>/openapi.yaml` and
    /// waits (up to [`START_TIMEOUT`]) until it answers HTTP on a free
    /// `127.0.0.1` port.
    ///
    /// * `Ok(None)`: `node` is not on `PATH` and `CI` is unset (a warning
    ///   is printed to stderr); the caller should skip its test.
    /// * `Err(_)`: `node` is missing in CI; the Prism binary or the spec is
    ///   missing (run `npm ci`); Prism exited or did not answer in time
    ///   (the message includes Prism's output).
    pub async fn start_in(root: &Path, dynamic: bool) -> Result<Option<Prism>, String> {
        match Command::new("node")
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .await
        {
            Ok(out) if out.status.success() => {}
            Ok(out) => {
                return Err(format!(
                    "`node --version` failed ({}): {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            Err(e) if e.kind() == ErrorKind::NotFound => {
                if is_ci() {
                    return Err(
                        "Node.js (`node`) is not on PATH, but CI is set: the Prism tests must \
                         run in CI. Install Node.js and run `npm ci` in the workspace root."
                            .to_string(),
                    );
                }
                eprintln!(
                    "\n==================== PRISM TESTS SKIPPED ====================\n\
                     Node.js (`node`) is not on PATH, so the Prism mock server cannot run.\n\
                     Install Node.js, then run `npm ci` in {}.\n\
                     (With CI set, this is an error instead of a skip.)\n\
                     =============================================================\n",
                    root.display()
                );
                return Ok(None);
            }
            Err(e) => return Err(format!("cannot run `node --version`: {e}")),
        }

        let binary = Self::binary_in(root);
        if !binary.is_file() {
            return Err(format!(
                "Prism is not installed: {} does not exist. Run `npm ci` in {}.",
                binary.display(),
                root.display()
            ));
        }
        let spec = Self::spec_in(root);
        if !spec.is_file() {
            return Err(format!("OpenAPI spec {} does not exist", spec.display()));
        }

        let mut last_error = String::new();
        for _ in 0..PORT_ATTEMPTS {
            match Self::launch(&binary, &spec, dynamic).await {
                Ok(prism) => return Ok(Some(prism)),
                Err(Launch::PortTaken(msg)) => last_error = msg,
                Err(Launch::Failed(msg)) => return Err(msg),
            }
        }
        Err(last_error)
    }

    /// Base URL of the server, without a trailing slash, e.g.
    /// `http://127.0.0.1:40123`. The spec's paths go right after it.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Loopback port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the server runs in dynamic mode (random data per request).
    pub fn is_dynamic(&self) -> bool {
        self.dynamic
    }

    /// Everything Prism has printed so far (it logs each request and how it
    /// was validated and answered); useful in assertion messages.
    pub fn output(&self) -> String {
        read_log(&self.log_path)
    }

    /// File that collects Prism's output. It is deleted on drop, unless the
    /// thread is panicking (a failing test), in which case it is kept and
    /// its path printed.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// Spawns Prism once on a fresh port and waits for it to answer.
    async fn launch(binary: &Path, spec: &Path, dynamic: bool) -> Result<Prism, Launch> {
        let port = free_port().map_err(|e| Launch::Failed(format!("no free port: {e}")))?;
        let log_path = std::env::temp_dir().join(format!(
            "asteroid-sdk-prism-{}-{port}.log",
            std::process::id()
        ));
        let failed = |msg: String| Launch::Failed(msg);
        let log = File::create(&log_path)
            .map_err(|e| failed(format!("cannot create {}: {e}", log_path.display())))?;
        let log_err = log
            .try_clone()
            .map_err(|e| failed(format!("cannot clone log file handle: {e}")))?;

        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(WATCHDOG_SCRIPT)
            .arg("prism-watchdog") // $0 of the script
            .arg(binary)
            .arg("mock");
        if dynamic {
            cmd.arg("-d");
        }
        cmd.args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .arg(spec)
            .stdin(Stdio::piped())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .kill_on_drop(true)
            .process_group(0);
        let mut child = cmd.spawn().map_err(|e| {
            let _ = std::fs::remove_file(&log_path);
            failed(format!("cannot start {}: {e}", binary.display()))
        })?;

        // From here on, dropping `prism` stops the process and cleans up.
        let mut prism = Prism {
            watchdog: child.stdin.take(),
            pid: child.id(),
            child,
            port,
            dynamic,
            log_path,
        };

        let started = Instant::now();
        loop {
            match prism.child.try_wait() {
                Ok(None) => {}
                Ok(Some(status)) => {
                    let output = prism.output();
                    let msg = format!(
                        "Prism exited during startup ({status}) on port {port}. Output:\n{output}"
                    );
                    return Err(if output.contains("EADDRINUSE") {
                        Launch::PortTaken(msg)
                    } else {
                        Launch::Failed(msg)
                    });
                }
                Err(e) => return Err(failed(format!("cannot poll the Prism process: {e}"))),
            }
            if probe(port).await {
                return Ok(prism);
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(failed(format!(
                    "Prism did not answer on port {port} within {START_TIMEOUT:?}. Output:\n{}",
                    prism.output()
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Prism {
    /// Stops Prism: `SIGTERM` to its whole process group (Prism and its
    /// watchdog), `SIGKILL` to Prism itself (`kill_on_drop` would do the
    /// same), closes the watchdog pipe, and removes the log file unless the
    /// thread is panicking.
    fn drop(&mut self) {
        if let Some(pid) = self.pid {
            // procps-ng `kill` needs `--` before a negative (group) id:
            // without it, `kill -TERM -PID` exits 0 and signals nothing.
            let _ = std::process::Command::new("kill")
                .args(["-TERM", "--", &format!("-{pid}")])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.start_kill();
        self.watchdog.take();
        if std::thread::panicking() {
            eprintln!("Prism output kept in {}", self.log_path.display());
        } else {
            let _ = std::fs::remove_file(&self.log_path);
        }
    }
}

/// Why one launch attempt failed.
enum Launch {
    /// Another process bound the chosen port first; worth retrying.
    PortTaken(String),
    /// Anything else; retrying would not help.
    Failed(String),
}

/// Whether the `CI` environment variable says this is a CI run (set to
/// anything but empty, `0` or `false`).
fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// Asks the OS for a free loopback port. The listener is dropped at once,
/// so another process may grab the port before Prism does (hence retries).
fn free_port() -> std::io::Result<u16> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    Ok(listener.local_addr()?.port())
}

/// Whether something on `127.0.0.1:port` answers a plain HTTP request with
/// an HTTP status line. Prism answers a path absent from the spec with 404.
async fn probe(port: u16) -> bool {
    let attempt = async {
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).await?;
        let request = format!(
            "GET /__prism_readiness_probe__ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
             Connection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).await?;
        Ok::<bool, std::io::Error>(head.starts_with(b"HTTP/1."))
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(5), attempt).await,
        Ok(Ok(true))
    )
}

/// Reads the log file lossily; an unreadable file yields a note instead.
fn read_log(path: &Path) -> String {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => format!("<cannot read {}: {e}>", path.display()),
    }
}
