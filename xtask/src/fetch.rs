//! Where `regen --from` reads the new spec: a file or an `http(s)` URL.
//!
//! A download has a timeout for the whole call ([`DEFAULT_TIMEOUT`], or
//! `XTASK_FETCH_TIMEOUT` seconds, or `--timeout`) and a size limit
//! ([`DEFAULT_MAX_BYTES`]); every failure is one error naming the URL: the status of a
//! non-2xx answer, a refused connection, a timeout, a body too large.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Result, XtaskError};

/// Where Asteroid publishes the spec.
pub const PUBLISHED_URL: &str = "https://odyssey.asteroid.ai/agents/v2/openapi.yaml";

/// How long a download may take, in all.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The environment variable that sets the timeout, in seconds (fractions allowed).
pub const TIMEOUT_ENV: &str = "XTASK_FETCH_TIMEOUT";

/// The largest spec accepted, from a file or a URL.
pub const DEFAULT_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// A spec to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A local file.
    File(PathBuf),
    /// An `http://` or `https://` URL.
    Url(String),
}

impl Source {
    /// A URL if it starts with `http://` or `https://`, else a file path.
    pub fn parse(text: &str) -> Source {
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Source::Url(text.to_string())
        } else {
            Source::File(PathBuf::from(text))
        }
    }

    /// The file or URL, as errors name it.
    pub fn name(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Url(u) => u.clone(),
        }
    }
}

/// Limits of a read.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The whole download's timeout.
    pub timeout: Duration,
    /// The largest body accepted.
    pub max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: DEFAULT_TIMEOUT,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// Parse a timeout in seconds (`30`, `0.5`).
pub fn parse_timeout(text: &str) -> Result<Duration> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| XtaskError::msg(format!("timeout {text:?} is not a number of seconds")))?;
    if !(secs.is_finite() && secs > 0.0 && secs <= 86_400.0) {
        return Err(XtaskError::msg(format!(
            "timeout {text:?} must be more than 0 and at most 86400 seconds"
        )));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// The timeout from [`TIMEOUT_ENV`], if set.
pub fn timeout_from_env() -> Result<Option<Duration>> {
    match std::env::var(TIMEOUT_ENV) {
        Ok(v) if !v.trim().is_empty() => parse_timeout(&v)
            .map(Some)
            .map_err(|e| XtaskError::msg(format!("{TIMEOUT_ENV}: {}", e.message))),
        _ => Ok(None),
    }
}

/// The bytes of the spec, exactly as read.
pub fn read(source: &Source, limits: Limits) -> Result<Vec<u8>> {
    match source {
        Source::File(path) => read_file(path, limits.max_bytes),
        Source::Url(url) => download(url, limits),
    }
}

fn read_file(path: &PathBuf, max: u64) -> Result<Vec<u8>> {
    let fail =
        |e: std::io::Error| XtaskError::msg(format!("cannot read the spec: {e}")).in_file(path);
    let meta = std::fs::metadata(path).map_err(fail)?;
    if meta.len() > max {
        return Err(XtaskError::msg(format!(
            "the spec is {} bytes, more than the limit of {max}",
            meta.len()
        ))
        .in_file(path));
    }
    std::fs::read(path).map_err(fail)
}

fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split(']').next().unwrap_or("").trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or("")
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn download(url: &str, limits: Limits) -> Result<Vec<u8>> {
    let mut config = ureq::Agent::config_builder()
        .timeout_global(Some(limits.timeout))
        .http_status_as_error(false)
        .max_redirects(5)
        .user_agent(concat!("asteroid-sdk-xtask/", env!("CARGO_PKG_VERSION")));
    if is_loopback(url) {
        // A proxy from the environment has no business with a local server.
        config = config.proxy(None);
    }
    let agent: ureq::Agent = config.build().into();
    let fail = |what: String| XtaskError::msg(format!("cannot fetch {url}: {what}"));
    let mut response = agent
        .get(url)
        .call()
        .map_err(|e| fail(describe(&e, limits)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(fail(format!(
            "the server answered HTTP {}{}",
            status.as_u16(),
            status
                .canonical_reason()
                .map(|r| format!(" {r}"))
                .unwrap_or_default()
        )));
    }
    response
        .body_mut()
        .with_config()
        .limit(limits.max_bytes)
        .read_to_vec()
        .map_err(|e| fail(describe(&e, limits)))
}

fn describe(e: &ureq::Error, limits: Limits) -> String {
    use std::io::ErrorKind;
    match e {
        ureq::Error::Timeout(_) => format!(
            "timed out after {:.1} s (set {TIMEOUT_ENV} or --timeout to wait longer)",
            limits.timeout.as_secs_f64()
        ),
        ureq::Error::Io(io) if io.kind() == ErrorKind::ConnectionRefused => {
            "connection refused (no server listens there)".into()
        }
        ureq::Error::Io(io) if matches!(io.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => {
            format!("timed out after {:.1} s", limits.timeout.as_secs_f64())
        }
        ureq::Error::Io(io) => format!("connection failed: {io}"),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::ConnectionFailed => "connection failed".into(),
        ureq::Error::BodyExceedsLimit(_) => format!(
            "the body is larger than the limit of {} bytes",
            limits.max_bytes
        ),
        ureq::Error::TooManyRedirects => "too many redirects".into(),
        ureq::Error::BadUri(u) => format!("not a valid URL ({u})"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_files_or_urls() {
        assert_eq!(
            Source::parse("https://x/openapi.yaml"),
            Source::Url("https://x/openapi.yaml".into())
        );
        assert_eq!(Source::parse("HTTP://x"), Source::Url("HTTP://x".into()));
        assert_eq!(
            Source::parse("specs/openapi.yaml"),
            Source::File("specs/openapi.yaml".into())
        );
    }

    #[test]
    fn timeouts_parse_in_seconds() {
        assert_eq!(parse_timeout("30").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_timeout("0.25").unwrap(), Duration::from_millis(250));
        for bad in ["", "abc", "0", "-1", "NaN", "1e9"] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback("http://127.0.0.1:8080/x"));
        assert!(is_loopback("http://localhost/x"));
        assert!(is_loopback("http://[::1]:80/x"));
        assert!(!is_loopback(
            "https://odyssey.asteroid.ai/agents/v2/openapi.yaml"
        ));
        assert!(!is_loopback("http://127.0.0.1.evil.example/"));
    }

    #[test]
    fn a_file_over_the_limit_or_missing_is_named() {
        let dir = std::env::temp_dir().join(format!("xtask-fetch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("big.yaml");
        std::fs::write(&f, "x".repeat(100)).unwrap();
        let e = read(
            &Source::File(f.clone()),
            Limits {
                timeout: DEFAULT_TIMEOUT,
                max_bytes: 10,
            },
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("big.yaml") && e.message.contains("limit"),
            "{e}"
        );
        assert_eq!(
            read(&Source::File(f.clone()), Limits::default())
                .unwrap()
                .len(),
            100
        );
        let e = read(&Source::File(dir.join("none.yaml")), Limits::default()).unwrap_err();
        assert!(e.to_string().contains("none.yaml"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_refused_connection_names_the_url() {
        // A port nobody listens on: bind one, then free it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/openapi.yaml");
        let e = read(&Source::Url(url.clone()), Limits::default()).unwrap_err();
        assert!(e.message.contains(&url), "{e}");
        assert!(
            e.message.contains("refused") || e.message.contains("connection"),
            "{e}"
        );
    }
}
