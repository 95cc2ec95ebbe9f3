//! The per-key mint lock: an exclusive `flock` on `<key>.lock` in the cache
//! directory, held only while one process mints. The kernel releases it
//! when its holder dies, however it dies, so a killed minter blocks nobody.
//! `flock` itself cannot wait with a timeout: callers try it without
//! blocking and poll within their own deadline (see the module above).

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Once;

use super::dir::Dir;
use super::entry::LOCK_SUFFIX;
use super::fs;

/// A held mint lock; dropping it releases the lock.
pub(super) struct MintLock {
    fd: OwnedFd,
    slot: Option<usize>,
}

pub(super) enum Attempt {
    Held(MintLock),
    /// Another process (or thread) holds it.
    Busy,
    /// The lock file cannot be used (a symlink, another owner, an I/O
    /// error): the caller mints without it rather than fail.
    Unusable,
}

/// Tries once, without waiting, to take the lock of the entry `stem`.
pub(super) fn try_lock(dir: &Dir, stem: &str) -> Attempt {
    let name = fs::c_name(&format!("{stem}{LOCK_SUFFIX}"));
    // A lock file removed by `remove_if_idle` between our open and our
    // flock is no lock: check the name still leads to the file we hold.
    for _ in 0..3 {
        let flags = libc::O_RDWR | libc::O_CREAT | libc::O_NONBLOCK;
        let fd = match fs::open_at(dir.fd(), &name, flags, 0o600) {
            Ok(fd) => fd,
            // A symlink planted at the name: never followed, replaced.
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                let _ = fs::unlink_at(dir.fd(), &name);
                continue;
            }
            Err(_) => return Attempt::Unusable,
        };
        let Ok(held) = fs::fstat(fd.as_fd()) else { return Attempt::Unusable };
        if !held.is_file() || !held.is_ours() {
            // Not ours to trust (only root can plant it here): replace it.
            let _ = fs::unlink_at(dir.fd(), &name);
            continue;
        }
        match fs::try_flock(fd.as_fd()) {
            Ok(true) => {}
            Ok(false) => return Attempt::Busy,
            Err(_) => return Attempt::Unusable,
        }
        match fs::stat_at(dir.fd(), &name) {
            Ok(named) if named.same_file(&held) => {
                let slot = inherited::remember(fd.as_raw_fd());
                return Attempt::Held(MintLock { fd, slot });
            }
            _ => continue,
        }
    }
    Attempt::Unusable
}

/// Removes the lock file of an entry being dropped, unless someone holds it.
pub(super) fn remove_if_idle(dir: &Dir, stem: &str) {
    let name = fs::c_name(&format!("{stem}{LOCK_SUFFIX}"));
    // No O_CREAT: a missing lock file stays missing.
    let Ok(fd) = fs::open_at(dir.fd(), &name, libc::O_RDWR | libc::O_NONBLOCK, 0) else { return };
    if let Ok(true) = fs::try_flock(fd.as_fd()) {
        // Unlinked while held: whoever opened it meanwhile sees the name
        // gone after their flock and opens afresh.
        let _ = fs::unlink_at(dir.fd(), &name);
    }
}

impl MintLock {
    /// Releases the lock and removes its file: after a failed mint no entry
    /// remains for it to guard. Unlinked while held, as `remove_if_idle` does.
    pub fn release_and_remove(self, dir: &Dir, stem: &str) {
        let _ = fs::unlink_at(dir.fd(), &fs::c_name(&format!("{stem}{LOCK_SUFFIX}")));
    }
}

impl Drop for MintLock {
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            inherited::forget(slot);
        }
        // Explicitly, not just by closing: a child forked meanwhile holds a
        // copy of this descriptor, and closing ours alone would keep it locked.
        fs::unflock(self.fd.as_fd());
    }
}

/// The descriptors of locks this process holds, so a forked child can close
/// its copies at once: otherwise a child that outlives its parent's minting
/// thread (which does not exist in the child) would keep the lock until it
/// exits. Closing a copy never releases the parent's lock.
mod inherited {
    use super::*;

    const SLOTS: usize = 64;
    static HELD: [AtomicI32; SLOTS] = [const { AtomicI32::new(-1) }; SLOTS];
    static WATCH_FORKS: Once = Once::new();

    extern "C" fn in_child() {
        // Async-signal-safe: atomics and close(2) only.
        for slot in &HELD {
            let fd = slot.swap(-1, Ordering::SeqCst);
            if fd >= 0 {
                // SAFETY: a descriptor this process inherited and nothing in it uses.
                unsafe { libc::close(fd) };
            }
        }
    }

    /// Records `fd`; `None` if every slot is taken (then a forked child keeps
    /// its copy, as without this registry).
    pub(super) fn remember(fd: i32) -> Option<usize> {
        WATCH_FORKS.call_once(|| {
            // SAFETY: registers a handler that only touches atomics and closes descriptors.
            unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
        });
        HELD.iter().position(|slot| slot.compare_exchange(-1, fd, Ordering::SeqCst, Ordering::SeqCst).is_ok())
    }

    pub(super) fn forget(slot: usize) {
        HELD[slot].store(-1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_a_forked_child_drops_its_copy() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = Dir::open(&scratch.path().join("cache")).unwrap();
        let Attempt::Held(held) = try_lock(&dir, "k") else { panic!("the first try takes the lock") };
        assert!(matches!(try_lock(&dir, "k"), Attempt::Busy));
        let fd = held.fd.as_raw_fd();
        // SAFETY: the child only makes system calls and leaves with _exit.
        match unsafe { libc::fork() } {
            0 => {
                // SAFETY: F_GETFD on a number; EBADF says it is closed.
                let closed = unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1;
                unsafe { libc::_exit(if closed { 0 } else { 1 }) }
            }
            child => {
                let mut status = 0;
                unsafe { libc::waitpid(child, &mut status, 0) };
                assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "the child kept the lock's descriptor");
            }
        }
        drop(held);
        assert!(matches!(try_lock(&dir, "k"), Attempt::Held(_)));
    }

    #[test]
    fn a_removed_lock_file_is_not_a_lock() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = Dir::open(&scratch.path().join("cache")).unwrap();
        let Attempt::Held(held) = try_lock(&dir, "k") else { panic!("taken") };
        held.release_and_remove(&dir, "k");
        assert!(!scratch.path().join("cache/k.lock").exists());
        remove_if_idle(&dir, "k");
        let Attempt::Held(again) = try_lock(&dir, "k") else { panic!("taken again") };
        // Held: tidying must not remove it.
        remove_if_idle(&dir, "k");
        assert!(scratch.path().join("cache/k.lock").exists());
        drop(again);
        remove_if_idle(&dir, "k");
        assert!(!scratch.path().join("cache/k.lock").exists());
    }
}
