//! The process's one inotify instance, and the watches every bearer file of
//! the process shares on it.
//!
//! inotify queues an event inside the writing system call, before that call
//! returns. So "nothing is queued, and no event read since generation G was
//! about these watches" proves what they watch was not changed after G was
//! taken: that is how a warm call knows the bearer file is unchanged with
//! one non-blocking `read` and no `stat` or `pread`. The generation counts
//! the events that mattered to someone; each watch (and each name in a
//! watched directory) keeps the generation of its last one, so one bearer
//! file's rotation does not send another's calls to the file.
//!
//! Invariants that make that proof hold:
//! - Reading the queue and recording what it held happen under one lock:
//!   else a thread could find the queue empty while another has taken an
//!   event but not yet recorded it, and answer "unchanged".
//! - One instance per process (a [`PerProcess`]): a forked child shares its
//!   parent's queue through the inherited descriptor, and reading it would
//!   steal the parent's events. The child makes its own and never reads the
//!   parent's.
//! - One mask for every watch: the kernel answers the same watch descriptor
//!   for the same inode, and adding it again with another mask would replace
//!   the first. It has no access, open or close-without-write events, so our
//!   own reads of the file never count as changes.
//! - Watches are counted: a directory two bearer files live in, or one inode
//!   behind two paths, is watched once and dropped when the last goes.
//! - A watch the kernel drops (`IN_IGNORED`: its inode is gone or unmounted)
//!   is forgotten, which its holders see as a change (as they do a watch
//!   descriptor given out again: each watch has an id of its own); a lost
//!   event (`IN_Q_OVERFLOW`) ends the watching for the
//!   process: every call checks its file with `stat` + `pread` from then on.

use std::collections::HashMap;
use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::fork::PerProcess;

/// What every watch asks for: content and metadata changes of a file, and
/// names created, deleted or moved in a directory (a rename-over, a swapped
/// symlink), and the watched inode itself deleted or moved. No `IN_ACCESS`,
/// `IN_OPEN` or `IN_CLOSE_NOWRITE`: our own reads must not count. Not
/// following a symlink: the caller resolved the path and watches what it
/// looked at.
const MASK: u32 = libc::IN_MODIFY
    | libc::IN_ATTRIB
    | libc::IN_CLOSE_WRITE
    | libc::IN_CREATE
    | libc::IN_DELETE
    | libc::IN_MOVED_FROM
    | libc::IN_MOVED_TO
    | libc::IN_DELETE_SELF
    | libc::IN_MOVE_SELF
    | libc::IN_DONT_FOLLOW;

/// Events about the watched inode itself: always a change.
const SELF_EVENTS: u32 = libc::IN_DELETE_SELF | libc::IN_MOVE_SELF | libc::IN_UNMOUNT | libc::IN_IGNORED;

/// The size of an `inotify_event` before its name.
const EVENT_HEADER: usize = 16;

/// This process's instance (a forked child makes its own, see above).
static WATCHER: PerProcess<Watcher> = PerProcess::new(Watcher::new);

/// This process's watcher, or `None` when it cannot watch: no instance could
/// be made (`max_user_instances`, descriptors or memory ran out) or events
/// were lost. Callers then check the file on every call, as before.
pub(crate) fn watcher() -> Option<&'static Watcher> {
    let watcher = WATCHER.get();
    watcher.fd.as_ref().map(|_| watcher)
}

pub(crate) struct Watcher {
    fd: Option<OwnedFd>,
    state: Mutex<State>,
}

struct State {
    /// Counts the events read so far that mattered to a holder.
    generation: u64,
    /// Events were lost: nothing this instance says can be trusted again.
    lost: bool,
    watches: HashMap<i32, Watch>,
    /// Tells a watch descriptor the kernel gave out again from the one a
    /// [`Registered`] holds.
    next_id: u64,
    /// Read buffer, allocated once (not zero-filled on every call).
    buf: Box<[u8]>,
}

/// One watch descriptor and who relies on it.
struct Watch {
    id: u64,
    /// Holders that want every event of the inode (the bearer file itself).
    whole: usize,
    /// The generation of the last event about the inode itself (any event,
    /// with a whole-inode holder).
    changed: u64,
    /// Names in a watched directory that matter: a busy directory's other
    /// files do not count as changes.
    names: HashMap<Box<[u8]>, Name>,
}

struct Name {
    holders: usize,
    /// The generation of the last event about this name.
    changed: u64,
}

/// One holder's share of a watch: released when dropped.
pub(crate) struct Registered {
    watcher: &'static Watcher,
    wd: i32,
    id: u64,
    /// The name in the directory, or `None` for the whole inode.
    name: Option<Box<[u8]>>,
}

impl Watcher {
    fn new() -> Watcher {
        // SAFETY: plain system call; the descriptor is owned below.
        let fd = unsafe { libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC) };
        let fd = if fd >= 0 {
            // SAFETY: a fresh descriptor nobody else owns.
            Some(unsafe { OwnedFd::from_raw_fd(fd) })
        } else {
            let why = io::Error::last_os_error();
            crate::log::warning!(
                "the bearer file cannot be watched in this process (inotify: {why}); every call \
                 checks it with stat + pread instead (raise fs.inotify.max_user_instances to watch it)"
            );
            None
        };
        let state = State { generation: 0, lost: false, watches: HashMap::new(), next_id: 0, buf: vec![0; 4096].into_boxed_slice() };
        Watcher { fd, state: Mutex::new(state) }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding it; the state stays consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The generation after reading every queued event, or `None` when
    /// events were lost. Equal to an earlier answer G: no watched file
    /// changed since G was taken.
    pub fn generation(&self) -> Option<u64> {
        let (generation, newly_lost) = {
            let mut state = self.lock();
            let newly_lost = self.drain(&mut state);
            ((!state.lost).then_some(state.generation), newly_lost)
        };
        if newly_lost {
            lost_events();
        }
        generation
    }

    /// Whether none of `watches` saw an event since generation `since`.
    /// `verified` remembers the generation this was last found true at: if
    /// nothing was read since, it still is, without looking at each watch.
    pub fn unchanged(&self, watches: &[Registered], since: u64, verified: &AtomicU64) -> bool {
        let (unchanged, newly_lost) = {
            let mut state = self.lock();
            let newly_lost = self.drain(&mut state);
            let now = state.generation;
            // Relaxed: read and written under the lock only.
            let unchanged = !state.lost
                && (verified.load(Ordering::Relaxed) == now || watches.iter().all(|w| state.unchanged_since(w, since)));
            if unchanged {
                verified.store(now, Ordering::Relaxed);
            }
            (unchanged, newly_lost)
        };
        if newly_lost {
            lost_events();
        }
        unchanged
    }

    /// Watches `path` — the name `name` in the directory `path`, or with
    /// `None` the inode `path` itself — for as long as the answer is held.
    pub fn watch(&'static self, path: &Path, name: Option<&[u8]>) -> io::Result<Registered> {
        let c_path = CString::new(path.as_os_str().as_bytes())?;
        let fd = self.fd.as_ref().expect("watcher() hands out only a watcher with an instance").as_raw_fd();
        // Under the lock: a holder releasing the same inode must not remove
        // the descriptor between the kernel's answer and our count of it.
        let mut state = self.lock();
        // SAFETY: a valid NUL-terminated path.
        let wd = unsafe { libc::inotify_add_watch(fd, c_path.as_ptr(), MASK) };
        if wd < 0 {
            return Err(io::Error::last_os_error());
        }
        let next_id = state.next_id;
        let watch = state.watches.entry(wd).or_insert_with(|| Watch { id: next_id, whole: 0, changed: 0, names: HashMap::new() });
        match name {
            Some(name) => watch.names.entry(name.into()).or_insert(Name { holders: 0, changed: 0 }).holders += 1,
            None => watch.whole += 1,
        }
        let id = watch.id;
        if id == next_id {
            state.next_id += 1;
        }
        Ok(Registered { watcher: self, wd, id, name: name.map(Into::into) })
    }

    /// Reads the queue to its end, recording the events that matter.
    /// Says whether events were found lost just now.
    fn drain(&self, state: &mut State) -> bool {
        let Some(fd) = self.fd.as_ref() else { return false };
        let was_lost = state.lost;
        while !state.lost {
            // SAFETY: the buffer is ours and `len` bytes long.
            let n = unsafe { libc::read(fd.as_raw_fd(), state.buf.as_mut_ptr().cast(), state.buf.len()) };
            if n < 0 {
                match io::Error::last_os_error().raw_os_error() {
                    Some(libc::EAGAIN) => break,
                    Some(libc::EINTR) => continue,
                    // A queue we cannot read may hold changes: trust it no more.
                    _ => state.lost = true,
                }
                continue;
            }
            if n == 0 {
                // Not an answer inotify gives; nothing more to read, at least.
                break;
            }
            let (buf, n) = (std::mem::take(&mut state.buf), n as usize);
            let mut at = 0;
            while at + EVENT_HEADER <= n {
                let field = |i: usize| u32::from_ne_bytes(buf[at + 4 * i..at + 4 * i + 4].try_into().expect("4 bytes"));
                let (wd, mask, len) = (field(0) as i32, field(1), field(3) as usize);
                let name = &buf[at + EVENT_HEADER..(at + EVENT_HEADER + len).min(n)];
                let name = &name[..name.iter().position(|b| *b == 0).unwrap_or(name.len())];
                if mask & libc::IN_Q_OVERFLOW != 0 {
                    state.lost = true;
                } else {
                    state.record(wd, mask, name);
                }
                at += EVENT_HEADER + len;
            }
            state.buf = buf;
        }
        state.lost && !was_lost
    }
}

/// Said once per process, outside every lock (a log handler may call the library).
fn lost_events() {
    crate::log::warning!(
        "the bearer file watch lost events (the inotify queue overflowed, or could not be read); \
         every call checks the file with stat + pread from now on"
    );
}

impl State {
    /// Records one event on the watches it is about. An event of a watch
    /// nobody holds any more (ours released, its last events and the
    /// `IN_IGNORED` our removal queues) matters to no one.
    fn record(&mut self, wd: i32, mask: u32, name: &[u8]) {
        let Some(watch) = self.watches.get_mut(&wd) else { return };
        let generation = self.generation + 1;
        if mask & SELF_EVENTS != 0 || watch.whole > 0 {
            watch.changed = generation;
        } else if let Some(name) = watch.names.get_mut(name) {
            name.changed = generation;
        } else {
            return;
        }
        self.generation = generation;
        if mask & libc::IN_IGNORED != 0 {
            // The kernel dropped the watch: its holders find it gone.
            self.watches.remove(&wd);
        }
    }

    /// Whether `held`'s watch is still there and saw nothing since `since`.
    fn unchanged_since(&self, held: &Registered, since: u64) -> bool {
        let Some(watch) = self.watches.get(&held.wd).filter(|w| w.id == held.id) else { return false };
        let name_changed = match &held.name {
            Some(name) => watch.names.get(name).map_or(u64::MAX, |n| n.changed),
            None => 0,
        };
        watch.changed <= since && name_changed <= since
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut state = self.watcher.lock();
        // Gone (the kernel dropped it), or the descriptor given out again: not ours.
        let Some(watch) = state.watches.get_mut(&self.wd).filter(|w| w.id == self.id) else { return };
        match &self.name {
            Some(name) => {
                if let Some(entry) = watch.names.get_mut(name) {
                    entry.holders -= 1;
                    if entry.holders == 0 {
                        watch.names.remove(name);
                    }
                }
            }
            None => watch.whole -= 1,
        }
        if watch.whole == 0 && watch.names.is_empty() {
            state.watches.remove(&self.wd);
            if let Some(fd) = self.watcher.fd.as_ref() {
                // SAFETY: our instance and a descriptor it gave us.
                unsafe { libc::inotify_rm_watch(fd.as_raw_fd(), self.wd) };
            }
        }
    }
}

#[cfg(test)]
impl Watcher {
    /// How many watch descriptors this process holds.
    pub fn watches(&self) -> usize {
        self.lock().watches.len()
    }
}
