//! Building a [`Client`]: from the environment or a builder, validated once.

use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::Client;
use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::secret::ApiKey;
use crate::transport::{Settings, Transport};

/// The variable that holds the API key.
pub const API_KEY_ENV: &str = "ASTEROID_API_KEY";
/// The variable that overrides the base URL.
pub const BASE_URL_ENV: &str = "ASTEROID_BASE_URL";
/// The spec's server.
pub const DEFAULT_BASE_URL: &str = "https://odyssey.asteroid.ai/agents/v2";
/// The `User-Agent` the SDK sends.
pub const USER_AGENT: &str = concat!("asteroid-sdk-rust/", env!("CARGO_PKG_VERSION"));
/// Default limit of one whole call, all attempts and waits between them included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default limit for establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default largest response body the client reads (64 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// Builds a [`Client`]. Every setting has a default except the API key.
///
/// ```
/// use std::time::Duration;
/// let client = asteroid_sdk::Client::builder()
///     .api_key("my-key")
///     .timeout(Duration::from_secs(30))
///     .max_retries(3)
///     .build()?;
/// # Ok::<(), asteroid_sdk::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ClientBuilder {
    api_key: Option<ApiKey>,
    require_api_key: bool,
    base_url: Option<String>,
    timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
    connect_timeout: Duration,
    retry: RetryPolicy,
    http_client: Option<reqwest::Client>,
    allow_insecure_http: bool,
    max_response_bytes: usize,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            api_key: None,
            require_api_key: true,
            base_url: None,
            timeout: Some(DEFAULT_TIMEOUT),
            attempt_timeout: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry: RetryPolicy::default(),
            http_client: None,
            allow_insecure_http: false,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

impl Client {
    /// A builder with the defaults: the spec's server, 60 s timeout per call, 10 s connect
    /// timeout, 2 retries.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `ASTEROID_API_KEY` (required) and `ASTEROID_BASE_URL`
    /// (optional).
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::default().from_env()?.build()
    }
}

impl ClientBuilder {
    /// Read `ASTEROID_API_KEY` (required, not empty) and `ASTEROID_BASE_URL` (optional)
    /// into this builder.
    pub fn from_env(self) -> Result<Self, Error> {
        let key = std::env::var(API_KEY_ENV).map_err(|e| {
            Error::Config(match e {
                std::env::VarError::NotPresent => {
                    format!("{API_KEY_ENV} is not set; set it to your Asteroid API key")
                }
                std::env::VarError::NotUnicode(_) => format!("{API_KEY_ENV} is not valid UTF-8"),
            })
        })?;
        if key.trim().is_empty() {
            return Err(Error::Config(format!(
                "{API_KEY_ENV} is empty; set it to your Asteroid API key"
            )));
        }
        let mut builder = self.api_key(key.trim());
        match std::env::var(BASE_URL_ENV) {
            Ok(url) if !url.trim().is_empty() => builder = builder.base_url(url.trim()),
            Ok(_) | Err(std::env::VarError::NotPresent) => {}
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(Error::Config(format!("{BASE_URL_ENV} is not valid UTF-8")));
            }
        }
        Ok(builder)
    }

    /// The API key, sent as `X-Asteroid-Agents-Api-Key`.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKey::new(key));
        self
    }

    /// Build a client with no API key (for servers that do not need one, such as a local
    /// mock, or to see the API's 401).
    pub fn without_api_key(mut self) -> Self {
        self.api_key = None;
        self.require_api_key = false;
        self
    }

    /// The API's base URL (default: [`DEFAULT_BASE_URL`]).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The most one call may take, all attempts and the waits between them included
    /// (default 60 s). A server that stalls fails at this limit, not later.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Remove the limit on a whole call (attempts still have `attempt_timeout`, if set).
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// The most one attempt may take (default: what is left of `timeout`). Shorter than
    /// `timeout`, it lets a stalled attempt be retried.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The most establishing a connection may take (default 10 s). Ignored with
    /// [`ClientBuilder::http_client`], whose own setting applies.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Retries after the first attempt (default 2; 0 disables retrying).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.retry.max_retries = n;
        self
    }

    /// The whole retry policy (backoff bounds, jitter, longest `Retry-After`).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Use this `reqwest::Client` (its connection pool, proxy and TLS settings). The SDK
    /// still adds the key, the `User-Agent`, the timeout and retries to each request.
    /// Build it from [`http_client_builder`], which installs the TLS crypto provider and
    /// keeps redirects within the origin (reqwest's default policy would carry the API key
    /// to another host).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Allow a plain `http://` base URL to a host other than loopback (default: refused,
    /// since the API key would cross the network in clear text).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The largest response body the client reads (default 64 MiB); a larger one ends in
    /// [`Error::BodyTooLarge`].
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Validate the settings and build the client.
    pub fn build(self) -> Result<Client, Error> {
        let raw_url = self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL);
        let base_url = validate_base_url(raw_url, self.allow_insecure_http)?;
        let api_key = match self.api_key {
            Some(key) => {
                if key.expose().trim().is_empty() {
                    return Err(Error::Config("the API key (api_key) is empty".into()));
                }
                let Ok(mut value) = HeaderValue::from_str(key.expose()) else {
                    return Err(Error::Config(
                        "the API key (api_key) contains characters that cannot be sent in an HTTP header".into(),
                    ));
                };
                // Never printed (`Debug` shows `Sensitive`), and HTTP/2 does not index it.
                value.set_sensitive(true);
                Some(value)
            }
            None if self.require_api_key => {
                return Err(Error::Config(format!(
                    "no API key: call .api_key(..) or set {API_KEY_ENV} and use Client::from_env()"
                )));
            }
            None => None,
        };
        if self.timeout == Some(Duration::ZERO) {
            return Err(Error::Config("timeout must be greater than zero".into()));
        }
        // A download's first request must come back with its redirect (not followed), so
        // that the SDK can send the key to the API's origin only. With a client of the
        // caller's, that client's own policy applies to it too.
        let (http, unfollowed) = match self.http_client {
            Some(client) => (client, None),
            None => (
                default_http_client(self.connect_timeout, same_origin_redirects())?,
                Some(default_http_client(
                    self.connect_timeout,
                    reqwest::redirect::Policy::none(),
                )?),
            ),
        };
        let settings = Settings {
            api_key,
            retry: self.retry,
            watchdog: Default::default(),
            timeout: self.timeout,
            attempt_timeout: self.attempt_timeout,
            max_response_bytes: self.max_response_bytes,
            user_agent: HeaderValue::from_static(USER_AGENT),
            unfollowed,
        };
        Ok(Client::new_with_client(
            &base_url,
            http,
            Transport::new(settings),
        ))
    }
}

/// Parse and check a base URL: `https`, or `http` to a loopback host (or anywhere with
/// `allow_insecure_http`). The trailing `/` is removed.
fn validate_base_url(raw: &str, allow_insecure_http: bool) -> Result<String, Error> {
    let url = reqwest::Url::parse(raw.trim()).map_err(|e| {
        Error::Config(format!(
            "base URL {raw:?} (base_url / {BASE_URL_ENV}) does not parse: {e}"
        ))
    })?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&url) => {}
        "http" => {
            return Err(Error::Config(format!(
                "base URL {raw:?} is plain http to a host that is not loopback: the API key would be sent in clear text; use https, or .allow_insecure_http(true) if you must"
            )));
        }
        other => {
            return Err(Error::Config(format!(
                "base URL {raw:?} has scheme {other:?}; use https"
            )));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::Config(format!("base URL {raw:?} has no host")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "base URL {raw:?} must not have a query or fragment"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The redirect policy the SDK uses: follow up to 10 redirects within the same origin
/// (scheme, host and port); stop at one that leaves it, so the API key never reaches
/// another origin. The 3xx response is then returned as an error.
pub fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let Some(first) = attempt.previous().first() else {
            return attempt.stop();
        };
        let next = attempt.url();
        let same = first.scheme() == next.scheme()
            && first.host_str() == next.host_str()
            && first.port_or_known_default() == next.port_or_known_default();
        if !same || attempt.previous().len() > 10 {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

/// A `reqwest::ClientBuilder` set up as the SDK sets up its own: the SDK's TLS crypto
/// provider installed, a 10 s connect timeout, and [`same_origin_redirects`]. Start from it
/// when you pass your own client to [`ClientBuilder::http_client`]: with the default
/// `rustls` feature, reqwest has no crypto provider of its own, and
/// `reqwest::Client::builder().build()` would fail unless some crate installed one.
pub fn http_client_builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
        .connect_timeout(DEFAULT_CONNECT_TIMEOUT)
        .redirect(same_origin_redirects())
}

/// Install ring as the process's rustls crypto provider, unless one is installed.
fn install_crypto_provider() {
    #[cfg(feature = "rustls")]
    {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

fn default_http_client(
    connect_timeout: Duration,
    redirects: reqwest::redirect::Policy,
) -> Result<reqwest::Client, Error> {
    http_client_builder()
        .connect_timeout(connect_timeout)
        .redirect(redirects)
        .build()
        .map_err(|e| Error::Config(format!("the HTTP client could not be built: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            validate_base_url("https://x.example/v2/", false).unwrap(),
            "https://x.example/v2"
        );
        assert!(validate_base_url("http://127.0.0.1:8080", false).is_ok());
        assert!(validate_base_url("http://localhost:8080", false).is_ok());
        assert!(validate_base_url("http://[::1]:8080", false).is_ok());
        let e = validate_base_url("http://api.example.com", false).unwrap_err();
        assert!(e.to_string().contains("clear text"), "{e}");
        assert!(validate_base_url("http://api.example.com", true).is_ok());
        assert!(
            validate_base_url("not a url", false)
                .unwrap_err()
                .to_string()
                .contains("does not parse")
        );
        assert!(validate_base_url("ftp://x", false).is_err());
    }

    #[test]
    fn keys_are_validated_without_being_printed() {
        let e = Client::builder()
            .api_key("bad\nkey-sentinel")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("cannot be sent"), "{e}");
        assert!(!format!("{e} {e:?}").contains("sentinel"));
        assert!(Client::builder().api_key("  ").build().is_err());
        assert!(
            Client::builder()
                .build()
                .unwrap_err()
                .to_string()
                .contains(API_KEY_ENV)
        );
        let c = Client::builder().api_key("sk-sentinel").build().unwrap();
        assert!(!format!("{c:?}").contains("sk-sentinel"));
    }
}
