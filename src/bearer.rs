//! The intent bearer, read fresh from its file whenever it may have changed.
//!
//! The Studio backend rotates the `vd_iat_*` bearer by rewriting the file, so
//! no bearer is remembered between calls, only a digest (the cache key),
//! for as long as the file's watch sees no change. The bearer lives in
//! zeroed-on-drop memory and is never printed.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, ErrorKind as IoErrorKind};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::{PoisonError, RwLock};
use std::thread;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{io_reason, Error, ErrorKind};
use crate::file_bytes;
use crate::fork::PerProcess;
use crate::log;

mod armed;
mod watch;

use armed::{Armed, Unwatchable};

/// A bearer file larger than this is not a bearer file.
pub(crate) const MAX_BEARER_FILE_BYTES: usize = 8 * 1024;

/// The intent bearer. `Debug` shows no secret; memory is zeroed on drop.
pub(crate) struct Bearer(Zeroizing<String>);

impl Bearer {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// SHA-256 of the bearer: identifies it in the cache without holding it.
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

impl fmt::Debug for Bearer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Bearer(<redacted>)")
    }
}

/// The bearer file of a client, held open between calls, and watched.
///
/// Every call still sees the file as it is now. With a watch (see
/// [`armed`]), a call whose watch saw nothing since the file was last read
/// takes the digest of what it read then: one non-blocking `read` of the
/// process's inotify queue, no look at the file. Without one — no watch
/// possible, or a change seen — the path is looked up (`stat`): if it names
/// the file held open — same device and inode — that file is read in place
/// (`pread`), which shows an in-place rewrite; if it names another (the
/// usual write-then-rename, or a re-pointed symlink), that one is opened and
/// held instead. While held, a file's inode cannot be reused, so a match is
/// never stale.
pub(crate) struct BearerFile {
    path: PathBuf,
    /// Whether to watch the file (a client without a cache has no use for
    /// the digest of an unchanged file).
    watch: bool,
    /// This process's open file and watch (a forked child opens and watches
    /// its own rather than touch a lock a parent thread may have held at
    /// the fork, or read the parent's inotify queue).
    state: PerProcess<RwLock<FileState>>,
}

#[derive(Default)]
struct FileState {
    held: Option<Held>,
    /// What the file held when last read, while its watch says it is unchanged.
    snapshot: Option<Snapshot>,
    /// The file cannot be watched in this process: said once, not tried again.
    unwatchable: bool,
}

struct Held {
    file: File,
    /// (device, inode) of `file`.
    id: (u64, u64),
}

/// The digest of the bearer read after `armed` was: valid for as long as
/// `armed` sees no change. (Never the bearer itself: it is not kept.)
struct Snapshot {
    armed: Armed,
    digest: [u8; 32],
}

impl BearerFile {
    pub fn new(path: &Path, watch: bool) -> BearerFile {
        BearerFile { path: path.to_path_buf(), watch, state: PerProcess::new(RwLock::default) }
    }

    fn state(&self) -> &RwLock<FileState> {
        self.state.get()
    }

    /// The digest of the bearer the file holds, when its watch proves the
    /// file unchanged since it was last read; `None` means: read it.
    pub fn unchanged_digest(&self) -> Option<[u8; 32]> {
        let state = self.state().read().unwrap_or_else(PoisonError::into_inner);
        let snapshot = state.snapshot.as_ref()?;
        snapshot.armed.unchanged().then_some(snapshot.digest)
    }

    /// The bearer the file holds now. A pipe or device is waited on until
    /// `deadline` at most.
    ///
    /// A file caught mid-rewrite — truncated and not yet written, so blank,
    /// or not the size it had a moment before — is read again after a short
    /// pause, a few times within [`SETTLE_PAUSES`] (and the deadline), before
    /// what it holds is believed.
    pub fn read(&self, deadline: Instant) -> Result<Bearer, Error> {
        let mut pauses = SETTLE_PAUSES.iter();
        loop {
            // Armed before the read: a change after it is an event.
            let armed = self.arm();
            let result = match self.read_once(deadline)? {
                Read::Settled(bearer) => return Ok(self.remember(armed, bearer)),
                Read::Unsettled(result) => result,
            };
            match pauses.next() {
                Some(pause) if Instant::now() + *pause < deadline => thread::sleep(*pause),
                _ => return result.map(|bearer| self.remember(armed, bearer)),
            }
        }
    }

    /// The file's watches, armed now, or `None` when it is not watched.
    fn arm(&self) -> Option<Armed> {
        if !self.watch || self.state().read().unwrap_or_else(PoisonError::into_inner).unwatchable {
            return None;
        }
        match armed::arm(&self.path) {
            Ok(armed) => Some(armed),
            Err(Unwatchable::NotNow) => None,
            Err(Unwatchable::Never(why)) => {
                self.state().write().unwrap_or_else(PoisonError::into_inner).unwatchable = true;
                log::info!("credential file {} is checked with stat + pread on every call: {why}", self.path.display());
                None
            }
        }
    }

    /// Keeps the digest of `bearer`, read after `armed` was armed.
    fn remember(&self, armed: Option<Armed>, bearer: Bearer) -> Bearer {
        if let Some(armed) = armed {
            let fresh = Snapshot { armed, digest: bearer.digest() };
            // Either of two racing readers' snapshots is true for its own
            // generation; the older one just stops matching sooner.
            let old = self.state().write().unwrap_or_else(PoisonError::into_inner).snapshot.replace(fresh);
            // Released outside the lock (it takes the watcher's).
            drop(old);
        }
        bearer
    }

    fn read_once(&self, deadline: Instant) -> Result<Read, Error> {
        let path = &self.path;
        let now = fs::metadata(path).map_err(|e| unreadable(path, &e))?;
        if !now.is_file() {
            // A pipe or device cannot be read in place: read it once, as is.
            return read_stream(path, open(path)?, deadline).map(Read::Settled);
        }
        let state = self.state();
        if let Some(current) = state.read().unwrap_or_else(PoisonError::into_inner).held.as_ref() {
            if current.id == (now.dev(), now.ino()) {
                return read_regular(path, now.len(), |bytes, offset| current.file.read_at(bytes, offset));
            }
        }
        // Not held yet, or the path names another file now: open and hold it.
        let file = open(path)?;
        let opened = file.metadata().map_err(|e| unreadable(path, &e))?;
        if !opened.is_file() {
            // Swapped for a pipe between the look-up and the open.
            return read_stream(path, file, deadline).map(Read::Settled);
        }
        let read = read_regular(path, opened.len(), |bytes, offset| file.read_at(bytes, offset));
        let old = state.write().unwrap_or_else(PoisonError::into_inner).held.replace(Held { file, id: (opened.dev(), opened.ino()) });
        drop(old);
        read
    }
}

/// The pauses before each re-read of a file that looks mid-rewrite: four
/// re-reads within 20 ms. A rewrite in place (truncate, then write) is two
/// system calls; a file still blank after this is blank.
const SETTLE_PAUSES: [Duration; 4] =
    [Duration::from_millis(1), Duration::from_millis(3), Duration::from_millis(6), Duration::from_millis(10)];

/// What one read found.
enum Read {
    Settled(Bearer),
    /// The file may have been caught mid-rewrite: what it held, worth a re-read.
    Unsettled(Result<Bearer, Error>),
}

/// A regular file's bearer, read with `read_at`; `size` is what its
/// metadata said a moment ago.
fn read_regular(
    path: &Path,
    size: u64,
    read_at: impl FnMut(&mut [u8], u64) -> io::Result<usize>,
) -> Result<Read, Error> {
    let (result, torn) = file_bytes::read_regular(size, read_at, |bytes| parse(path, bytes)).map_err(|e| unreadable(path, &e))?;
    Ok(match result {
        Err(blank) if blank.kind() == ErrorKind::CredentialBlank => Read::Unsettled(Err(blank)),
        result if torn => Read::Unsettled(result),
        Ok(bearer) => Read::Settled(bearer),
        Err(error) => return Err(error),
    })
}

/// The bearer of a pipe or device, waited for until `deadline` at most.
fn read_stream(path: &Path, file: File, deadline: Instant) -> Result<Bearer, Error> {
    file_bytes::read_stream(file, deadline, |bytes| parse(path, bytes)).map_err(|e| match e.kind() {
        IoErrorKind::TimedOut => Error::new(
            ErrorKind::Timeout,
            format!(
                "credential file {} is a pipe or device that gave no bearer before the timeout. \
                 Point VD_CREDENTIAL_FILE at the Studio credential file",
                path.display()
            ),
        ),
        _ => unreadable(path, &e),
    })?
}

/// Opens `path` without blocking (see [`file_bytes::open`]).
fn open(path: &Path) -> Result<File, Error> {
    file_bytes::open(path).map_err(|e| unreadable(path, &e))
}

/// Checks the file's bytes and makes them a bearer: UTF-8, surrounding
/// whitespace stripped.
fn parse(path: &Path, bytes: &[u8]) -> Result<Bearer, Error> {
    if bytes.len() > MAX_BEARER_FILE_BYTES {
        return Err(Error::new(
            ErrorKind::CredentialUnreadable,
            format!(
                "credential file {} is larger than {MAX_BEARER_FILE_BYTES} bytes: it should hold \
                 only the vd_iat_* bearer. Check VD_CREDENTIAL_FILE points at the Studio credential",
                path.display()
            ),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| {
        Error::new(
            ErrorKind::CredentialUnreadable,
            format!(
                "credential file {} is not UTF-8 text: it should hold only the vd_iat_* bearer. \
                 Check VD_CREDENTIAL_FILE points at the Studio credential",
                path.display()
            ),
        )
    })?;
    let bearer = text.trim();
    if bearer.is_empty() {
        return Err(Error::new(
            ErrorKind::CredentialBlank,
            format!(
                "credential file {} is empty. Is the Studio intent session active?",
                path.display()
            ),
        ));
    }
    // It travels in an Authorization header: one token of visible ASCII.
    if !bearer.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::new(
            ErrorKind::CredentialUnreadable,
            format!(
                "credential file {} holds whitespace, control or non-ASCII characters inside the \
                 bearer: it should hold exactly one vd_iat_* bearer",
                path.display()
            ),
        ));
    }
    Ok(Bearer(Zeroizing::new(bearer.to_string())))
}

fn unreadable(path: &Path, error: &std::io::Error) -> Error {
    Error::new(
        ErrorKind::CredentialUnreadable,
        format!(
            "could not read credential file {} ({}). Is the Studio intent session active?",
            path.display(),
            io_reason(error)
        ),
    )
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod rotation_tests;
