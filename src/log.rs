//! The core's events — a token minted, one served from the cache, a retry
//! and why, a proactive refresh, a refresh that failed and served the cached
//! token, the route a client chose, a failure — for a caller who asks to see
//! them (the C ABI's log callback, the command line's `-v`).
//!
//! Silent by default: with no handler an event costs one relaxed atomic load
//! and its message is never formatted. Every message is redacted before a
//! handler sees it, so none carries a bearer, a token or URL userinfo.
//!
//! What a handler can count on:
//! - Events reach it on the thread that caused them, and never while the core
//!   holds a lock: a handler may call the library (the events of that call
//!   are dropped, not delivered recursively).
//! - Replacing or clearing the handler waits for deliveries in progress on
//!   other threads: once it returns, the old handler is neither running nor
//!   called again, so what it points at may be freed. Doing so from inside a
//!   handler is refused (it would wait for itself).
//! - A panic in a handler is caught there; the event is dropped.
//! - A forked child keeps the handler (its memory is the parent's) but not
//!   the parent's lock, which a parent thread may have held at the fork.
//!
//! Not the `log` crate: its logger is set once per process and never
//! replaced, and this hook's contract (replace at any time, wait for running
//! deliveries, survive fork) is part of the C ABI.

pub(crate) mod events;

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::null_mut;
use std::sync::atomic::{AtomicPtr, AtomicU8, Ordering};
use std::sync::{PoisonError, RwLock};

use crate::error::Error;
use crate::fork::PerProcess;
use crate::redact::redact;

/// How much an event matters; a handler receives the levels up to the most
/// verbose one it asked for. The values are the C ABI's `VD_BROKER_LOG_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Level {
    /// A bug caught at the C boundary.
    Error = 1,
    /// A failed call, or a failed refresh that served the cached token.
    Warning = 2,
    /// A fresh token, a retry, a proactive refresh, a client's route.
    Info = 3,
    /// A token served from the cache.
    Debug = 4,
}

impl Level {
    /// The level with this C value, if any.
    pub fn from_c(value: i32) -> Option<Level> {
        [Level::Error, Level::Warning, Level::Info, Level::Debug].into_iter().find(|l| *l as i32 == value)
    }

    /// The level's name as logging libraries print it.
    pub fn name(self) -> &'static str {
        match self {
            Level::Error => "ERROR",
            Level::Warning => "WARNING",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
        }
    }
}

/// What receives the events: called with each event's level and its
/// redacted, single-line message.
type Handler = Box<dyn Fn(Level, &str) + Send + Sync>;

struct Registration {
    max_level: Level,
    handler: Handler,
}

/// The most verbose level delivered; 0 while no handler is set.
static MAX_LEVEL: AtomicU8 = AtomicU8::new(0);
/// The handler in force, or null. One pointer, so a forked child always
/// inherits a whole registration. Swapped only under DELIVERING's write lock.
static CURRENT: AtomicPtr<Registration> = AtomicPtr::new(null_mut());
/// Read-held while a handler runs; write-held to replace it.
static DELIVERING: PerProcess<RwLock<()>> = PerProcess::new(unlocked);

fn unlocked() -> RwLock<()> {
    RwLock::new(())
}

thread_local! {
    /// Whether this thread is inside a handler (or delivering to one).
    static IN_HANDLER: Cell<bool> = const { Cell::new(false) };
}

/// Routes the core's events up to `max_level` to `handler`, replacing any
/// handler set before (see the module's notes for what that waits for).
pub fn set_handler(max_level: Level, handler: impl Fn(Level, &str) + Send + Sync + 'static) -> Result<(), Error> {
    replace(Some(Box::new(Registration { max_level, handler: Box::new(handler) })))
}

/// Makes the library silent again.
pub fn clear_handler() -> Result<(), Error> {
    replace(None)
}

fn replace(registration: Option<Box<Registration>>) -> Result<(), Error> {
    if IN_HANDLER.try_with(Cell::get).unwrap_or(false) {
        return Err(Error::invalid_argument(
            "the log handler cannot be replaced from inside a log handler (it would wait for itself to \
             return); replace it from outside the callback",
        ));
    }
    let max_level = registration.as_ref().map_or(0, |r| r.max_level as u8);
    let fresh = registration.map_or(null_mut(), Box::into_raw);
    let _no_delivery_running = DELIVERING.get().write().unwrap_or_else(PoisonError::into_inner);
    let old = CURRENT.swap(fresh, Ordering::AcqRel);
    MAX_LEVEL.store(max_level, Ordering::Relaxed);
    if !old.is_null() {
        // SAFETY: from Box::into_raw above; no delivery holds it (write lock).
        drop(unsafe { Box::from_raw(old) });
    }
    Ok(())
}

/// Whether an event at `level` would reach a handler: the warm path's only cost.
#[inline]
pub(crate) fn enabled(level: Level) -> bool {
    level as u8 <= MAX_LEVEL.load(Ordering::Relaxed)
}

/// Emits an event; `message` is formatted only when a handler wants it.
#[inline]
pub(crate) fn emit(level: Level, message: impl FnOnce() -> String) {
    if enabled(level) {
        deliver(level, &message());
    }
}

#[cold]
fn deliver(level: Level, message: &str) {
    // An event raised by a handler's own call into the library is dropped.
    let Some(_inside) = Inside::enter() else {
        return;
    };
    let message = redact(message, None);
    let _running = DELIVERING.get().read().unwrap_or_else(PoisonError::into_inner);
    // SAFETY: replaced and freed only under the write lock, which the read guard excludes.
    if let Some(registration) = unsafe { CURRENT.load(Ordering::Acquire).as_ref() } {
        if level <= registration.max_level {
            let _ = catch_unwind(AssertUnwindSafe(|| (registration.handler)(level, &message)));
        }
    }
}

/// This thread's being inside a delivery, until dropped (even by a panic).
struct Inside;

impl Inside {
    /// `None` when this thread already is inside one (or is being torn down).
    fn enter() -> Option<Inside> {
        let was_inside = IN_HANDLER.try_with(|inside| inside.replace(true)).unwrap_or(true);
        (!was_inside).then_some(Inside)
    }
}

impl Drop for Inside {
    fn drop(&mut self) {
        let _ = IN_HANDLER.try_with(|inside| inside.set(false));
    }
}

/// `emit` at each level, formatting like `format!`.
macro_rules! error {
    ($($arg:tt)+) => { $crate::log::emit($crate::log::Level::Error, || format!($($arg)+)) };
}
macro_rules! warning {
    ($($arg:tt)+) => { $crate::log::emit($crate::log::Level::Warning, || format!($($arg)+)) };
}
macro_rules! info {
    ($($arg:tt)+) => { $crate::log::emit($crate::log::Level::Info, || format!($($arg)+)) };
}
macro_rules! debug {
    ($($arg:tt)+) => { $crate::log::emit($crate::log::Level::Debug, || format!($($arg)+)) };
}
pub(crate) use {debug, error, info, warning};

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicU64};
    use std::sync::{Arc, Condvar, Mutex};

    #[test]
    fn levels_are_ordered_by_verbosity_and_round_trip() {
        assert!(Level::Error < Level::Warning && Level::Warning < Level::Info && Level::Info < Level::Debug);
        for level in [Level::Error, Level::Warning, Level::Info, Level::Debug] {
            assert_eq!(Level::from_c(level as i32), Some(level));
        }
        assert_eq!(Level::from_c(0), None);
        assert_eq!(Level::from_c(5), None);
    }

    #[test]
    fn a_forked_child_keeps_the_handler_but_not_a_lock_held_at_the_fork() {
        static IN_CHILD: AtomicU64 = AtomicU64::new(0);
        // An atomic, not a channel: the child drops the handler (and what it
        // holds), and a channel's internal lock may be held by a parent
        // thread at the fork.
        static ENTERED: AtomicBool = AtomicBool::new(false);
        let release = Arc::new((Mutex::new(false), Condvar::new()));
        let released = Arc::clone(&release);
        set_handler(Level::Info, move |_, message| match message {
            // Blocks inside a delivery, holding the lock, until told to return.
            "hold the lock" => {
                ENTERED.store(true, Ordering::SeqCst);
                let (done, told) = &*released;
                let _unused = told.wait_while(done.lock().unwrap(), |done| !*done).unwrap();
            }
            "in the child" => drop(IN_CHILD.fetch_add(1, Ordering::SeqCst)),
            _ => {}
        })
        .unwrap();
        let holder = std::thread::spawn(|| emit(Level::Info, || "hold the lock".to_string()));
        while !ENTERED.load(Ordering::SeqCst) {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        // SAFETY: the child only emits, replaces the handler and exits without unwinding.
        match unsafe { libc::fork() } {
            0 => {
                // A lock inherited held would make clear_handler wait forever: the alarm ends that.
                unsafe { libc::alarm(10) };
                emit(Level::Info, || "in the child".to_string());
                let ok = IN_CHILD.load(Ordering::SeqCst) == 1 && clear_handler().is_ok();
                unsafe { libc::_exit(if ok { 0 } else { 1 }) }
            }
            child => {
                *release.0.lock().unwrap() = true;
                release.1.notify_all();
                holder.join().unwrap();
                let mut status = 0;
                unsafe { libc::waitpid(child, &mut status, 0) };
                clear_handler().unwrap();
                assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "the child: status {status:#x}");
                assert_eq!(IN_CHILD.load(Ordering::SeqCst), 0, "the parent's memory is its own");
            }
        }
    }
}
