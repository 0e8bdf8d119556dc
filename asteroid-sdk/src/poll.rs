//! Polling, written once: a schedule of growing, jittered delays under a deadline, and a
//! stream that polls until an acceptor says stop. The execution waiter and watcher
//! ([`crate::wait`]) are thin adapters on it.

use std::future::Future;
use std::time::Duration;

use futures_core::Stream;
use tokio::time::Instant;

/// When to poll and for how long. Build it from [`WaitOptions::default`] with the
/// `with_*` methods (it is `#[non_exhaustive]`, so a later release can add a setting).
#[derive(Debug, Clone, Copy, PartialEq)]
#[must_use]
#[non_exhaustive]
pub struct WaitOptions {
    /// The delay before the second poll (the first is immediate). Default 2 s.
    pub initial_delay: Duration,
    /// The longest delay between two polls. Default 30 s (AWS waiters use 120 s).
    pub max_delay: Duration,
    /// How much each delay grows over the previous one. Default 1.5.
    pub multiplier: f64,
    /// Whether delays are jittered (times a factor in `[0.75, 1.0]`, never below
    /// `initial_delay`). Default on.
    pub jitter: bool,
    /// The longest the whole wait may take; `None` waits forever. Default 1 hour.
    pub timeout: Option<Duration>,
    /// Whether to stop at a status that needs a human or the caller (`paused`,
    /// `paused_by_agent`, `awaiting_confirmation`). Default off: keep waiting.
    pub stop_on_attention: bool,
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            initial_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(30),
            multiplier: 1.5,
            jitter: true,
            timeout: Some(Duration::from_secs(3600)),
            stop_on_attention: false,
        }
    }
}

impl WaitOptions {
    /// Set the first and the longest delay.
    pub fn with_delays(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_delay = initial;
        self.max_delay = max.max(initial);
        self
    }

    /// Set the growth factor (at least 1).
    pub fn with_multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier.is_finite() {
            multiplier.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// Turn jitter on or off.
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// Set the overall deadline.
    pub fn with_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Stop at statuses that need attention.
    pub fn with_stop_on_attention(mut self, stop: bool) -> Self {
        self.stop_on_attention = stop;
        self
    }

    /// The delay before poll `n + 1` (`n` = 0 after the first poll), before jitter.
    pub fn base_delay(&self, n: u32) -> Duration {
        let factor = self.multiplier.max(1.0).powi(n.min(1000) as i32);
        let secs = (self.initial_delay.as_secs_f64() * factor).min(self.max_delay.as_secs_f64());
        Duration::from_secs_f64(secs.max(0.0))
    }

    /// The delay before poll `n + 1`, with jitter drawn from `unit` in `[0, 1)`.
    pub fn delay(&self, n: u32, unit: f64) -> Duration {
        let base = self.base_delay(n);
        if self.jitter {
            base.mul_f64(1.0 - 0.25 * unit.clamp(0.0, 1.0))
                .max(self.initial_delay.min(base))
        } else {
            base
        }
    }
}

/// What the acceptor says of a polled value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acceptance {
    /// Yield it and stop polling.
    Done,
    /// Keep polling.
    Continue,
}

/// Poll `fetch` on the schedule of `options`. Yields each value whose `key` differs from
/// the previous one, stops after a value the acceptor calls [`Acceptance::Done`], after an
/// error (yielded), or at the deadline (yielding `on_deadline(waited, last)`).
pub fn poll_stream<T, K, E, F, Fut>(
    options: WaitOptions,
    fetch: F,
    key: fn(&T) -> K,
    accept: impl Fn(&T) -> Acceptance + Send + 'static,
    on_deadline: fn(Duration, Option<T>) -> E,
) -> impl Stream<Item = Result<T, E>> + Send
where
    T: Clone + Send + 'static,
    K: PartialEq + Send + 'static,
    E: Send + 'static,
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, E>> + Send,
{
    struct State<T, K, F, A> {
        fetch: F,
        accept: A,
        started: Instant,
        polls: u32,
        last: Option<T>,
        last_key: Option<K>,
        done: bool,
    }
    let state = State {
        fetch,
        accept,
        started: Instant::now(),
        polls: 0,
        last: None,
        last_key: None,
        done: false,
    };
    futures_util::stream::unfold(state, move |mut s| async move {
        let deadline = options.timeout.map(|t| s.started + t);
        loop {
            if s.done {
                return None;
            }
            if s.polls > 0 {
                let mut delay = options.delay(s.polls - 1, fastrand::f64());
                if let Some(d) = deadline {
                    let now = Instant::now();
                    if now >= d {
                        s.done = true;
                        let err = on_deadline(now - s.started, s.last.take());
                        return Some((Err(err), s));
                    }
                    delay = delay.min(d - now);
                }
                tokio::time::sleep(delay).await;
            }
            s.polls += 1;
            let fetched = match deadline {
                Some(d) => match tokio::time::timeout_at(d, (s.fetch)()).await {
                    Ok(r) => r,
                    Err(_) => {
                        s.done = true;
                        let err = on_deadline(s.started.elapsed(), s.last.take());
                        return Some((Err(err), s));
                    }
                },
                None => (s.fetch)().await,
            };
            match fetched {
                Err(e) => {
                    s.done = true;
                    return Some((Err(e), s));
                }
                Ok(value) => {
                    let k = key(&value);
                    let changed = s.last_key.as_ref() != Some(&k);
                    if (s.accept)(&value) == Acceptance::Done {
                        s.done = true;
                        return Some((Ok(value), s));
                    }
                    s.last = Some(value.clone());
                    if changed {
                        s.last_key = Some(k);
                        return Some((Ok(value), s));
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_grows_to_the_cap() {
        let o = WaitOptions::default().with_jitter(false);
        let d: Vec<f64> = (0..10).map(|n| o.delay(n, 0.5).as_secs_f64()).collect();
        assert_eq!(&d[..4], &[2.0, 3.0, 4.5, 6.75]);
        assert_eq!(d[9], 30.0);
        let j = WaitOptions::default();
        for n in 0..10 {
            let x = j.delay(n, 0.99);
            assert!(
                x >= Duration::from_secs(2) && x <= j.base_delay(n),
                "{n}: {x:?}"
            );
        }
    }
}
