//! Call deadlines without a timer per request.
//!
//! A tokio timer per request (what `reqwest`'s timeouts and `tokio::time::timeout` use)
//! is registered in the runtime's timer wheel and removed again on every call, under the
//! time driver's lock; measured on the overhead bench it costs a few percent of a
//! loopback request. Here each client has one [`Watchdog`]: a request registers its
//! deadline and waker in a slot (a short lock of the client's own mutex), and one task per
//! client sleeps until the earliest deadline, wakes the requests whose deadline has
//! passed, and sleeps again. Under steady traffic it wakes about once per timeout
//! period, whatever the number of requests.
//!
//! The watchdog task is spawned on the runtime of the first request that needs it. If
//! that runtime shuts down, the task's drop wakes every waiting request, and the next one
//! polled spawns a new watchdog on its own runtime. If the task panicked (a runtime
//! without timers: `enable_time` was not called), no other is spawned: each request then
//! waits on a timer of its own, and tokio's panic naming the cause comes in the caller's
//! task, as with any timer.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Waker};

use tokio::time::Instant;

/// A deadline passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Elapsed;

/// The deadlines of one client's requests, and its watchdog task.
#[derive(Debug, Default)]
pub(crate) struct Watchdog {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    /// A watchdog task panicked: requests use timers of their own.
    failed: AtomicBool,
    /// How many watchdog tasks have ended: a request registered under an earlier one
    /// registers again (its waker was taken and woken).
    generation: AtomicUsize,
}

#[derive(Debug, Default)]
struct State {
    /// `(deadline, waker)` of each waiting request; the waker is taken once woken.
    slots: Vec<Option<(Instant, Option<Waker>)>>,
    /// Free indices of `slots`.
    free: Vec<usize>,
    /// Whether a watchdog task is alive.
    running: bool,
    /// The deadline the watchdog sleeps until; `None` while it waits for work.
    armed: Option<Instant>,
    /// The watchdog task's waker.
    task: Option<Waker>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the slots inconsistent: keep going.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // The client is gone: let an idle watchdog task end.
        let task = self.lock().task.take();
        if let Some(task) = task {
            task.wake();
        }
    }
}

impl Watchdog {
    /// Run `fut` until it completes or `deadline` (if any) passes.
    pub(crate) fn run<F: Future>(
        &self,
        deadline: impl Into<Option<Instant>>,
        fut: F,
    ) -> Limited<'_, F> {
        Limited {
            fut,
            deadline: deadline.into(),
            slot: Slot {
                shared: &self.shared,
                index: None,
                registered: None,
            },
            own_timer: None,
        }
    }
}

pin_project_lite::pin_project! {
    /// A future run until it completes or its deadline passes ([`Watchdog::run`]).
    ///
    /// A struct rather than an `async fn`: an `async fn` would keep the future it runs
    /// twice over in its own state (as its argument, and pinned), and so double the size
    /// of every request's future.
    pub(crate) struct Limited<'a, F> {
        #[pin]
        fut: F,
        deadline: Option<Instant>,
        slot: Slot<'a>,
        // Only when the watchdog cannot run (see the module's documentation).
        own_timer: Option<Pin<Box<tokio::time::Sleep>>>,
    }
}

impl<F: Future> Future for Limited<'_, F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(value) = this.fut.poll(cx) {
            return Poll::Ready(Ok(value));
        }
        let Some(deadline) = *this.deadline else {
            return Poll::Pending;
        };
        if Instant::now() >= deadline {
            return Poll::Ready(Err(Elapsed));
        }
        if this.own_timer.is_none() && this.slot.shared.failed.load(Ordering::Relaxed) {
            *this.own_timer = Some(Box::pin(tokio::time::sleep_until(deadline)));
        }
        match this.own_timer.as_mut() {
            Some(timer) => {
                if timer.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Err(Elapsed));
                }
            }
            None => this.slot.wait(deadline, cx),
        }
        Poll::Pending
    }
}

/// A request's place in the watchdog's slots; dropping it frees the place.
struct Slot<'a> {
    shared: &'a Arc<Shared>,
    index: Option<usize>,
    /// The waker last registered and the watchdog generation then, to skip the lock while
    /// both are the same.
    registered: Option<(Waker, usize)>,
}

impl Slot<'_> {
    /// Register (or refresh) this request's deadline and waker.
    fn wait(&mut self, deadline: Instant, cx: &Context<'_>) {
        let generation = self.shared.generation.load(Ordering::Acquire);
        if self
            .registered
            .as_ref()
            .is_some_and(|(w, g)| *g == generation && w.will_wake(cx.waker()))
        {
            // Registered with this waker already, and the watchdog that knows the
            // deadline is still the same.
            return;
        }
        self.registered = Some((cx.waker().clone(), generation));
        let mut st = self.shared.lock();
        match self.index {
            Some(i) => {
                if let Some(Some((_, waker))) = st.slots.get_mut(i) {
                    match waker {
                        Some(w) if w.will_wake(cx.waker()) => {}
                        _ => *waker = Some(cx.waker().clone()),
                    }
                }
            }
            None => {
                let entry = Some((deadline, Some(cx.waker().clone())));
                let i = match st.free.pop() {
                    Some(i) => {
                        st.slots[i] = entry;
                        i
                    }
                    None => {
                        st.slots.push(entry);
                        st.slots.len() - 1
                    }
                };
                self.index = Some(i);
            }
        }
        if !st.running {
            if self.shared.failed.load(Ordering::Relaxed) {
                // No new watchdog after one panicked; the caller's next poll uses its
                // own timer.
                drop(st);
                cx.waker().wake_by_ref();
                return;
            }
            st.running = true;
            st.armed = None;
            drop(st);
            spawn_watchdog(Arc::downgrade(self.shared));
        } else if st.armed.is_none_or(|armed| deadline < armed)
            && let Some(task) = st.task.take()
        {
            // The watchdog sleeps past this deadline, or waits for work: wake it.
            drop(st);
            task.wake();
        }
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let Some(i) = self.index {
            let mut st = self.shared.lock();
            if let Some(slot) = st.slots.get_mut(i) {
                *slot = None;
                st.free.push(i);
            }
        }
    }
}

fn spawn_watchdog(shared: Weak<Shared>) {
    // Requests run inside a tokio runtime (reqwest needs one): spawn there.
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            handle.spawn(watch(shared));
        }
        Err(_) => {
            if let Some(shared) = shared.upgrade() {
                shared.lock().running = false;
            }
        }
    }
}

/// Marks the watchdog gone when its task ends or is dropped (its runtime shut down), and
/// wakes the waiting requests so that one of them starts another.
struct Gone(Weak<Shared>);

impl Drop for Gone {
    fn drop(&mut self) {
        let Some(shared) = self.0.upgrade() else {
            return;
        };
        if std::thread::panicking() {
            shared.failed.store(true, Ordering::Relaxed);
        }
        shared.generation.fetch_add(1, Ordering::Release);
        let wakers: Vec<Waker> = {
            let mut st = shared.lock();
            st.running = false;
            st.armed = None;
            st.task = None;
            st.slots
                .iter_mut()
                .flatten()
                .filter_map(|(_, w)| w.take())
                .collect()
        };
        for w in wakers {
            w.wake();
        }
    }
}

/// The watchdog task: wake the requests whose deadline passed, sleep until the next one.
async fn watch(shared: Weak<Shared>) {
    let _gone = Gone(shared.clone());
    let mut sleep = pin!(tokio::time::sleep_until(Instant::now()));
    let mut sleeping_until: Option<Instant> = None;
    std::future::poll_fn(|cx| {
        loop {
            let Some(strong) = shared.upgrade() else {
                return Poll::Ready(());
            };
            let now = Instant::now();
            let mut due: Vec<Waker> = Vec::new();
            let earliest = {
                let mut st = strong.lock();
                let mut earliest: Option<Instant> = None;
                for (deadline, waker) in st.slots.iter_mut().flatten() {
                    if *deadline <= now {
                        due.extend(waker.take());
                    } else if waker.is_some() {
                        earliest = Some(earliest.map_or(*deadline, |e| e.min(*deadline)));
                    }
                }
                st.armed = earliest;
                st.task = Some(cx.waker().clone());
                earliest
            };
            drop(strong);
            for w in due {
                w.wake();
            }
            let Some(at) = earliest else {
                // Nothing to watch: wait until a request registers (or the client goes).
                sleeping_until = None;
                return Poll::Pending;
            };
            if sleeping_until != Some(at) {
                sleep.as_mut().reset(at);
                sleeping_until = Some(at);
            }
            if sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            // The deadline came: look again.
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A future that never completes, run with a deadline 200 ms from now, ends with
    /// `Elapsed` at the deadline: not before it, and not seconds after.
    async fn ends_at_its_deadline(wd: &Watchdog) {
        let started = Instant::now();
        let late = wd
            .run(
                started + Duration::from_millis(200),
                std::future::pending::<()>(),
            )
            .await;
        assert_eq!(late, Err(Elapsed));
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(200) && took < Duration::from_secs(3),
            "{took:?}"
        );
    }

    #[tokio::test]
    async fn a_future_past_its_deadline_ends_and_one_in_time_completes() {
        let wd = Watchdog::default();
        ends_at_its_deadline(&wd).await;
        let quick = wd
            .run(Instant::now() + Duration::from_secs(5), async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                7
            })
            .await;
        assert_eq!(quick, Ok(7));
        // The slots are free again.
        let st = wd.shared.lock();
        assert!(st.slots.iter().all(Option::is_none), "{:?}", st.slots);
    }

    #[tokio::test]
    async fn an_earlier_deadline_wakes_the_watchdog_early() {
        let wd = Arc::new(Watchdog::default());
        let long = {
            let wd = wd.clone();
            tokio::spawn(async move {
                wd.run(
                    Instant::now() + Duration::from_secs(60),
                    std::future::pending::<()>(),
                )
                .await
            })
        };
        // The watchdog now sleeps until the 60 s deadline.
        tokio::time::sleep(Duration::from_millis(50)).await;
        ends_at_its_deadline(&wd).await;
        long.abort();
    }

    #[test]
    fn without_timers_the_panic_names_the_cause_in_the_callers_task() {
        let wd = Watchdog::default();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .unwrap();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // Far enough for the first panic's backtrace to be printed in time.
            rt.block_on(wd.run(
                Instant::now() + Duration::from_secs(30),
                std::future::pending::<()>(),
            ))
        }));
        let panic = caught.expect_err("a runtime without timers cannot time out");
        let message = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        assert!(message.contains("enable_time"), "{message}");
        assert!(wd.shared.failed.load(Ordering::Relaxed));
        assert!(!wd.shared.lock().running);
    }

    #[test]
    fn a_call_waiting_when_the_watchdogs_runtime_shuts_down_still_times_out() {
        let wd = Arc::new(Watchdog::default());
        let first = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        // The watchdog is spawned on `first` (by a call that waits once).
        let done = first.block_on(wd.run(Instant::now() + Duration::from_secs(60), async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            1
        }));
        assert_eq!(done, Ok(1));
        assert!(wd.shared.lock().running);
        let second = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let started = std::time::Instant::now();
        let waiting = {
            let wd = wd.clone();
            second.spawn(async move {
                let call = wd.run(
                    Instant::now() + Duration::from_millis(300),
                    std::future::pending::<()>(),
                );
                tokio::time::timeout(Duration::from_secs(5), call).await
            })
        };
        std::thread::sleep(Duration::from_millis(100));
        drop(first);
        let result = second.block_on(waiting).unwrap();
        assert_eq!(result, Ok(Err(Elapsed)));
        // Woken by a new watchdog at its deadline, not by the outer timeout's poll.
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(300) && took < Duration::from_secs(3),
            "{took:?}"
        );
    }

    #[test]
    fn a_watchdog_on_a_runtime_that_shut_down_is_replaced() {
        let wd = Arc::new(Watchdog::default());
        // The first request spawns the watchdog on a runtime that then shuts down.
        let first = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let done = first.block_on(wd.run(Instant::now() + Duration::from_millis(50), async { 1 }));
        assert_eq!(done, Ok(1));
        let _ = first.block_on(wd.run(Instant::now() + Duration::from_secs(60), async {
            tokio::time::sleep(Duration::from_millis(10)).await
        }));
        drop(first);
        assert!(!wd.shared.lock().running, "the task went with its runtime");
        // A request on another runtime still times out.
        let second = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let started = std::time::Instant::now();
        let late = second.block_on(wd.run(
            Instant::now() + Duration::from_millis(200),
            std::future::pending::<()>(),
        ));
        assert_eq!(late, Err(Elapsed));
        assert!(started.elapsed() >= Duration::from_millis(200));
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
