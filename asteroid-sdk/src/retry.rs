//! Retry settings and the retry decision, apart from the loop that uses them
//! ([`crate::transport`]).
//!
//! What is retried:
//! - connection failures (refused, reset, DNS, TLS), timeouts of one attempt, and a body
//!   that broke off mid-way;
//! - the statuses in [`RETRYABLE_STATUSES`]: 408, 409, 429, 500, 502, 503, 504.
//!
//! Other 4xx are never retried. A request that is not idempotent (POST, PATCH without an
//! `Idempotency-Key` header) is retried only when it never reached the server
//! (the connection could not be made). A request whose body is a stream (a raw upload
//! given as `reqwest::Body::wrap_stream`) is sent once: it cannot be sent again.
//!
//! The delay before retry `n` (0-based) is `initial_backoff x 2^n`, capped at
//! `max_backoff`, times a jitter factor in `[0.75, 1.0]` (so delays still grow). A
//! `Retry-After` (seconds or HTTP date) or `retry-after-ms` header replaces it when it is
//! at most `max_retry_after`; a longer wait is not retried and the error carries the
//! server's value.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

/// Statuses that are retried.
pub const RETRYABLE_STATUSES: &[u16] = &[408, 409, 429, 500, 502, 503, 504];

/// Whether a status is retried.
pub fn is_retryable_status(status: StatusCode) -> bool {
    RETRYABLE_STATUSES.contains(&status.as_u16())
}

/// How the client retries. A plain value: copy it, compare it, build it from
/// [`RetryPolicy::default`] or [`RetryPolicy::none`] with the `with_*` methods (it is
/// `#[non_exhaustive]`, so a later release can add a setting).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt; `0` disables retrying.
    pub max_retries: u32,
    /// The delay before the first retry (before jitter).
    pub initial_backoff: Duration,
    /// The longest delay between two attempts (before jitter).
    pub max_backoff: Duration,
    /// The longest `Retry-After` the client honours; a longer one ends the retries.
    pub max_retry_after: Duration,
    /// Whether delays are jittered (multiplied by a factor in `[0.75, 1.0]`).
    pub jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Set the number of retries.
    pub fn with_max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Set the first delay and the cap.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Turn jitter on or off.
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// Set the longest `Retry-After` the client honours; a longer one ends the retries
    /// (the error's `retry_after()` still says how long the server asked for).
    pub fn with_max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// The delay before retry `n` (0 for the first retry), before jitter.
    pub fn base_delay(&self, n: u32) -> Duration {
        let factor = 2u32.saturating_pow(n.min(31));
        self.initial_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }

    /// The delay before retry `n`, with jitter drawn from `unit` (a number in `[0, 1)`).
    pub fn delay(&self, n: u32, unit: f64) -> Duration {
        let base = self.base_delay(n);
        if self.jitter {
            base.mul_f64(1.0 - 0.25 * unit.clamp(0.0, 1.0))
        } else {
            base
        }
    }
}

/// Whether the request method may be sent twice without changing the outcome.
pub fn is_idempotent(method: &Method, headers: &HeaderMap) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE | Method::TRACE
    ) || headers.contains_key("idempotency-key")
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Try again after this delay.
    RetryAfter(Duration),
    /// Return this outcome to the caller.
    Stop,
}

/// What an attempt ended with, as the classifier sees it.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    /// A response with this status and headers.
    Response(StatusCode, &'a HeaderMap),
    /// No response: the connection could not be made, so the server never saw the request.
    ConnectFailed,
    /// No (complete) response: a timeout or a connection that broke during the exchange.
    Interrupted,
}

/// The retry decision for attempt `attempt` (0-based) of a request.
pub fn decide(
    policy: &RetryPolicy,
    attempt: u32,
    idempotent: bool,
    outcome: Outcome<'_>,
    now: SystemTime,
    unit: f64,
) -> Decision {
    if attempt >= policy.max_retries {
        return Decision::Stop;
    }
    match outcome {
        Outcome::ConnectFailed => Decision::RetryAfter(policy.delay(attempt, unit)),
        Outcome::Interrupted if idempotent => Decision::RetryAfter(policy.delay(attempt, unit)),
        Outcome::Interrupted => Decision::Stop,
        Outcome::Response(status, headers) => {
            if !idempotent || !is_retryable_status(status) {
                return Decision::Stop;
            }
            match retry_after(headers, now) {
                Some(wait) if wait > policy.max_retry_after => Decision::Stop,
                Some(wait) => Decision::RetryAfter(wait),
                None => Decision::RetryAfter(policy.delay(attempt, unit)),
            }
        }
    }
}

/// The wait a server asked for: `retry-after-ms` (milliseconds), else `Retry-After` as
/// seconds or as an HTTP date (relative to `now`; a date in the past means no wait).
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(ms) = headers
        .get("retry-after-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|ms| ms.is_finite() && *ms >= 0.0)
    {
        return Some(Duration::from_secs_f64((ms / 1000.0).min(1e9)));
    }
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e9)));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let at = SystemTime::UNIX_EPOCH
        .checked_add(Duration::from_secs(u64::try_from(date.timestamp()).ok()?))?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, v.parse().unwrap());
        }
        m
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RetryPolicy::default()
            .with_jitter(false)
            .with_max_retries(10);
        let d: Vec<u64> = (0..6).map(|n| p.delay(n, 0.9).as_millis() as u64).collect();
        assert_eq!(d, [500, 1000, 2000, 4000, 8000, 8000]);
        let j = RetryPolicy::default();
        assert_eq!(j.delay(0, 0.0), Duration::from_millis(500));
        assert_eq!(
            j.delay(0, 0.9999),
            Duration::from_millis(500).mul_f64(1.0 - 0.25 * 0.9999)
        );
        // Jittered delays still grow.
        assert!(j.delay(1, 0.9999) > j.delay(0, 0.0));
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(
            retry_after(&h(&[("retry-after", "2")]), now),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            retry_after(&h(&[("retry-after-ms", "250")]), now),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            retry_after(&h(&[("retry-after", "Sun, 06 Nov 1994 08:49:47 GMT")]), now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            retry_after(&h(&[("retry-after", "Sun, 06 Nov 1994 08:49:00 GMT")]), now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&h(&[("retry-after", "soon")]), now), None);
        assert_eq!(retry_after(&h(&[("retry-after", "-1")]), now), None);
    }

    #[test]
    fn decisions() {
        let p = RetryPolicy::default().with_jitter(false);
        let now = SystemTime::now();
        let empty = HeaderMap::new();
        let r = |s: u16| Outcome::Response(StatusCode::from_u16(s).unwrap(), &empty);
        for s in RETRYABLE_STATUSES {
            assert_eq!(
                decide(&p, 0, true, r(*s), now, 0.0),
                Decision::RetryAfter(Duration::from_millis(500))
            );
        }
        for s in [400, 401, 403, 404, 422] {
            assert_eq!(decide(&p, 0, true, r(s), now, 0.0), Decision::Stop, "{s}");
        }
        assert_eq!(decide(&p, 2, true, r(503), now, 0.0), Decision::Stop);
        assert_eq!(
            decide(&RetryPolicy::none(), 0, true, r(503), now, 0.0),
            Decision::Stop
        );
        // Not idempotent: only a connection that was never made is retried.
        assert_eq!(decide(&p, 0, false, r(503), now, 0.0), Decision::Stop);
        assert_eq!(
            decide(&p, 0, false, Outcome::Interrupted, now, 0.0),
            Decision::Stop
        );
        assert!(matches!(
            decide(&p, 0, false, Outcome::ConnectFailed, now, 0.0),
            Decision::RetryAfter(_)
        ));
        let long = h(&[("retry-after", "61")]);
        assert_eq!(
            decide(
                &p,
                0,
                true,
                Outcome::Response(StatusCode::TOO_MANY_REQUESTS, &long),
                now,
                0.0
            ),
            Decision::Stop
        );
        let short = h(&[("retry-after", "1")]);
        assert_eq!(
            decide(
                &p,
                0,
                true,
                Outcome::Response(StatusCode::TOO_MANY_REQUESTS, &short),
                now,
                0.0
            ),
            Decision::RetryAfter(Duration::from_secs(1))
        );
        assert!(is_idempotent(
            &Method::POST,
            &h(&[("idempotency-key", "k")])
        ));
        assert!(!is_idempotent(&Method::POST, &empty));
    }
}
