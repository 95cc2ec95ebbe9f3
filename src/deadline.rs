//! The one deadline of a call, for the steps ureq runs on our behalf.
//!
//! A get-token call has one deadline, and every blocking step must end by
//! it. The steps we run ourselves (reading the bearer file, waiting for
//! another thread's mint, the retries) are handed it. The steps inside a
//! request — resolving, connecting, the proxy's CONNECT, TLS, sending,
//! receiving — run in ureq, which hands each a timeout relative to "now",
//! and its CONNECT handshake hands one and the same timeout to every read: a
//! proxy dripping its answer a byte at a time would restart the clock with
//! each byte. So the request's deadline is also kept here, for the thread
//! making the request (ureq runs the request on it), and every wait of our
//! resolver, connectors and transport ends at the earlier of the two.

use std::cell::Cell;
use std::time::{Duration, Instant};

thread_local! {
    static REQUEST_DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Runs `f` — one request — with `deadline` as the bound of every wait in
/// it, then restores the bound that was there before (none, outside a request).
pub(crate) fn within<T>(deadline: Instant, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Instant>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = REQUEST_DEADLINE.try_with(|cell| cell.set(self.0));
        }
    }
    let outer = REQUEST_DEADLINE.try_with(|cell| cell.replace(Some(deadline))).ok().flatten();
    let _restore = Restore(outer);
    f()
}

/// The earlier of `own` (a step's own deadline, `None` for none) and the
/// deadline of the request running on this thread.
pub(crate) fn earliest(own: Option<Instant>) -> Option<Instant> {
    let request = REQUEST_DEADLINE.try_with(Cell::get).ok().flatten();
    match (own, request) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The time left until `deadline`, or `None` once it has passed.
pub(crate) fn left(deadline: Instant) -> Option<Duration> {
    Some(deadline.saturating_duration_since(Instant::now())).filter(|left| !left.is_zero())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_bounds_its_steps_and_only_while_it_runs() {
        let soon = Instant::now() + Duration::from_secs(1);
        let later = soon + Duration::from_secs(60);
        assert_eq!(earliest(Some(later)), Some(later));
        within(soon, || {
            assert_eq!(earliest(Some(later)), Some(soon));
            assert_eq!(earliest(None), Some(soon));
            let sooner = soon - Duration::from_millis(500);
            assert_eq!(earliest(Some(sooner)), Some(sooner));
        });
        assert_eq!(earliest(None), None);
        assert!(left(Instant::now()).is_none());
    }
}
