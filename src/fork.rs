//! Surviving `fork()`.
//!
//! A forked child inherits the parent's memory as it was at that instant:
//! pooled connections whose sockets the parent still uses, and locks or
//! in-flight mints held by parent threads that do not exist in the child.
//! Python's multiprocessing and pre-forking servers do exactly this. So what
//! holds such state lives in a [`PerProcess`]: the child's first use builds a
//! fresh one (an empty cache, a new connection pool) instead of touching the
//! inherited copy, which is left alone — never locked, never freed.

use std::sync::atomic::{AtomicI64, AtomicPtr, AtomicU64, Ordering};

/// Bumped in every forked child, before fork() returns there.
static GENERATION: AtomicU64 = AtomicU64::new(0);
/// Whether the fork handler is registered: [`REGISTERED`], 0 for not yet,
/// or the pid of the process whose thread is registering it.
static WATCH_FORKS: AtomicI64 = AtomicI64::new(0);
const REGISTERED: i64 = -1;

extern "C" fn in_child() {
    // Async-signal-safe: an atomic add, nothing else.
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// Which process generation this is: changes in a forked child.
fn generation() -> u64 {
    if WATCH_FORKS.load(Ordering::Acquire) != REGISTERED {
        watch_forks();
    }
    GENERATION.load(Ordering::SeqCst)
}

/// Registers the fork handler once. Not a `Once`: a fork while another
/// thread is inside it leaves the child a `Once` that never completes,
/// and the child's first call would wait forever. Here a child that finds
/// its parent's registration unfinished (another pid) cannot know whether
/// the handler ran in it, so it counts itself a new generation and
/// registers its own.
#[cold]
fn watch_forks() {
    // SAFETY: plain system call.
    let pid = i64::from(unsafe { libc::getpid() });
    loop {
        match WATCH_FORKS.compare_exchange(0, pid, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => break,
            Err(REGISTERED) => return,
            Err(registering) if registering == pid => std::thread::yield_now(),
            Err(inherited) => {
                if WATCH_FORKS.compare_exchange(inherited, pid, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                    GENERATION.fetch_add(1, Ordering::SeqCst);
                    break;
                }
            }
        }
    }
    // SAFETY: registers a handler that only touches an atomic.
    unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
    WATCH_FORKS.store(REGISTERED, Ordering::Release);
}

struct Slot<T> {
    generation: u64,
    value: T,
}

/// A value of this process, rebuilt by `make` after a fork.
pub(crate) struct PerProcess<T, M = fn() -> T> {
    current: AtomicPtr<Slot<T>>,
    make: M,
}

impl<T, M: Fn() -> T> PerProcess<T, M> {
    pub const fn new(make: M) -> Self {
        PerProcess { current: AtomicPtr::new(std::ptr::null_mut()), make }
    }

    /// This process's value.
    pub fn get(&self) -> &T {
        let generation = generation();
        let current = self.current.load(Ordering::Acquire);
        // SAFETY: a published slot is never freed while `self` lives (see Drop).
        if let Some(slot) = unsafe { current.as_ref() } {
            if slot.generation == generation {
                return &slot.value;
            }
        }
        let fresh = Box::into_raw(Box::new(Slot { generation, value: (self.make)() }));
        match self.current.compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire) {
            // The inherited slot (if any) is the parent's: leave it, leaked.
            // SAFETY: just published, never freed while `self` lives.
            Ok(_) => unsafe { &(*fresh).value },
            Err(winner) => {
                // Another thread of this process published first: use its value.
                // SAFETY: `fresh` was never shared; `winner` is published.
                unsafe {
                    drop(Box::from_raw(fresh));
                    &(*winner).value
                }
            }
        }
    }
}

impl<T, M> Drop for PerProcess<T, M> {
    /// Frees this process's value. A value built before a fork (the child
    /// frees a client its parent made) is the parent's: its sockets are the
    /// parent's connections (dropping one could write a TLS close_notify into
    /// the parent's stream) and its locks may be held by parent threads. So
    /// it is left alone, leaked, exactly as `get` leaves it.
    fn drop(&mut self) {
        let current = *self.current.get_mut();
        // SAFETY: published by `get`, and `&mut self` means no borrow of it is alive.
        if let Some(slot) = unsafe { current.as_ref() } {
            if slot.generation == generation() {
                drop(unsafe { Box::from_raw(current) });
            }
        }
    }
}

// The raw pointer is only ever published whole; T decides the rest.
unsafe impl<T: Send + Sync, M: Send> Send for PerProcess<T, M> {}
unsafe impl<T: Send + Sync, M: Sync> Sync for PerProcess<T, M> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_per_process() {
        static BUILT: AtomicU64 = AtomicU64::new(0);
        let value: PerProcess<u64> = PerProcess::new(|| BUILT.fetch_add(1, Ordering::SeqCst));
        let first = *value.get();
        assert_eq!(*value.get(), first);
        assert_eq!(BUILT.load(Ordering::SeqCst), 1);
    }

    /// Counts its drops: a value the child must not free.
    struct Counted;
    static DROPPED: AtomicU64 = AtomicU64::new(0);
    impl Drop for Counted {
        fn drop(&mut self) {
            DROPPED.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_forked_child_leaves_the_parents_value_alone_when_dropping() {
        let value: PerProcess<Counted> = PerProcess::new(|| Counted);
        value.get();
        // SAFETY: the child only drops the value, reads an atomic and exits without unwinding.
        match unsafe { libc::fork() } {
            0 => {
                drop(value);
                let untouched = DROPPED.load(Ordering::SeqCst) == 0;
                unsafe { libc::_exit(if untouched { 0 } else { 1 }) }
            }
            child => {
                let mut status = 0;
                unsafe { libc::waitpid(child, &mut status, 0) };
                assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "the child freed the parent's value");
                drop(value);
                assert_eq!(DROPPED.load(Ordering::SeqCst), 1, "the parent frees its own");
            }
        }
    }

    #[test]
    fn a_child_forked_while_the_fork_handler_was_being_registered_does_not_wait_for_it() {
        static BUILT: AtomicU64 = AtomicU64::new(0);
        let value: PerProcess<u64> = PerProcess::new(|| BUILT.fetch_add(1, Ordering::SeqCst));
        let in_parent = *value.get();
        // SAFETY: the child only touches atomics and exits without unwinding.
        match unsafe { libc::fork() } {
            0 => {
                // As the child of a fork during another thread's registration finds it.
                WATCH_FORKS.store(i64::from(unsafe { libc::getppid() }), Ordering::SeqCst);
                let fresh = *value.get() != in_parent && WATCH_FORKS.load(Ordering::SeqCst) == REGISTERED;
                unsafe { libc::_exit(if fresh { 0 } else { 1 }) }
            }
            child => {
                // A child waiting for a registration that never ends would hang: give it a minute.
                let mut status = 0;
                let waited = (0..600).any(|_| {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    unsafe { libc::waitpid(child, &mut status, libc::WNOHANG) == child }
                });
                if !waited {
                    unsafe { libc::kill(child, libc::SIGKILL) };
                    unsafe { libc::waitpid(child, &mut status, 0) };
                }
                assert!(waited && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "the child waited, or reused the parent's value");
            }
        }
    }

    #[test]
    fn a_forked_child_builds_its_own() {
        static BUILT: AtomicU64 = AtomicU64::new(0);
        let value: PerProcess<u64> = PerProcess::new(|| BUILT.fetch_add(1, Ordering::SeqCst));
        let in_parent = *value.get();
        // SAFETY: the child only reads atomics and exits without unwinding.
        match unsafe { libc::fork() } {
            0 => {
                let fresh = *value.get() != in_parent;
                unsafe { libc::_exit(if fresh { 0 } else { 1 }) }
            }
            child => {
                let mut status = 0;
                unsafe { libc::waitpid(child, &mut status, 0) };
                assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "the child reused the parent's value");
                assert_eq!(*value.get(), in_parent, "the parent keeps its own");
            }
        }
    }
}
