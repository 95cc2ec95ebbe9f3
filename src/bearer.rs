//! The intent bearer, read fresh from its file on every call.
//!
//! The Studio backend rotates the `vd_iat_*` bearer by rewriting the file, so
//! no bearer is remembered between calls, only a digest (the cache key). The
//! bearer lives in zeroed-on-drop memory and is never printed.

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

/// The bearer file of a client, held open between calls.
///
/// Every call still sees the file as it is now. The path is looked up
/// (`stat`): if it names the file held open — same device and inode — that
/// file is read in place (`pread`), which shows an in-place rewrite; if it
/// names another (the usual write-then-rename, or a re-pointed symlink),
/// that one is opened and held instead. Two system calls where open, read
/// and close are three, and cheaper ones: the warm path's floor is this.
/// While held, a file's inode cannot be reused, so a match is never stale.
pub(crate) struct BearerFile {
    path: PathBuf,
    /// This process's open file (a forked child opens its own rather than
    /// touch a lock a parent thread may have held at the fork).
    held: PerProcess<RwLock<Option<Held>>>,
}

struct Held {
    file: File,
    /// (device, inode) of `file`.
    id: (u64, u64),
}

impl BearerFile {
    pub fn new(path: &Path) -> BearerFile {
        BearerFile { path: path.to_path_buf(), held: PerProcess::new(|| RwLock::new(None)) }
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
            let result = match self.read_once(deadline)? {
                Read::Settled(bearer) => return Ok(bearer),
                Read::Unsettled(result) => result,
            };
            match pauses.next() {
                Some(pause) if Instant::now() + *pause < deadline => thread::sleep(*pause),
                _ => return result,
            }
        }
    }

    fn read_once(&self, deadline: Instant) -> Result<Read, Error> {
        let path = &self.path;
        let now = fs::metadata(path).map_err(|e| unreadable(path, &e))?;
        if !now.is_file() {
            // A pipe or device cannot be read in place: read it once, as is.
            return read_stream(path, open(path)?, deadline).map(Read::Settled);
        }
        let held = self.held.get();
        if let Some(current) = held.read().unwrap_or_else(PoisonError::into_inner).as_ref() {
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
        *held.write().unwrap_or_else(PoisonError::into_inner) = Some(Held { file, id: (opened.dev(), opened.ino()) });
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
mod tests {
    use super::*;
    use std::io::Write;

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    fn read(path: &Path) -> Result<Bearer, Error> {
        BearerFile::new(path).read(soon())
    }

    fn file_with(contents: &[u8]) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(contents).unwrap();
        file
    }

    #[test]
    fn strips_surrounding_whitespace() {
        let file = file_with(b"  vd_iat_abc\r\n");
        let bearer = read(file.path()).unwrap();
        assert_eq!(bearer.as_str(), "vd_iat_abc");
        assert_eq!(format!("{bearer:?}"), "Bearer(<redacted>)");
    }

    #[test]
    fn failures_are_classified() {
        assert_eq!(read(file_with(b" \n\t").path()).unwrap_err().kind(), ErrorKind::CredentialBlank);
        assert_eq!(read(file_with(b"").path()).unwrap_err().kind(), ErrorKind::CredentialBlank);
        assert_eq!(read(file_with(b"\xff\xfe").path()).unwrap_err().kind(), ErrorKind::CredentialUnreadable);
        assert_eq!(read(file_with(b"vd_iat_a\nvd_iat_b").path()).unwrap_err().kind(), ErrorKind::CredentialUnreadable);
        let big = vec![b'a'; MAX_BEARER_FILE_BYTES + 1];
        assert_eq!(read(file_with(&big).path()).unwrap_err().kind(), ErrorKind::CredentialUnreadable);
        let exact = vec![b'a'; MAX_BEARER_FILE_BYTES];
        assert_eq!(read(file_with(&exact).path()).unwrap().as_str().len(), MAX_BEARER_FILE_BYTES);
        let missing = read(Path::new("/nonexistent/vd/credential")).unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::CredentialUnreadable);
        assert!(missing.message().contains("/nonexistent/vd/credential"), "{missing}");
        assert!(missing.message().contains("Is the Studio intent session active?"));
    }

    #[test]
    fn secret_never_in_messages() {
        let err = read(file_with(b"vd_iat_SECRET\x01").path()).unwrap_err();
        assert!(!err.message().contains("SECRET"));
    }

    /// Writes `contents` to `path` as the backend rotates: a new file renamed over the old.
    fn replace(path: &Path, contents: &str) {
        let next = path.with_extension("next");
        std::fs::write(&next, contents).unwrap();
        std::fs::rename(&next, path).unwrap();
    }

    #[test]
    fn a_held_file_sees_every_rewrite_and_replacement() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credential");
        std::fs::write(&path, "vd_iat_one\n").unwrap();
        let file = BearerFile::new(&path);
        assert_eq!(file.read(soon()).unwrap().as_str(), "vd_iat_one");
        // Rewritten in place, same length, as fast as it can be.
        std::fs::write(&path, "vd_iat_two\n").unwrap();
        assert_eq!(file.read(soon()).unwrap().as_str(), "vd_iat_two");
        // Shorter, in place: nothing of the old one may remain.
        std::fs::write(&path, "vd_iat_3").unwrap();
        assert_eq!(file.read(soon()).unwrap().as_str(), "vd_iat_3");
        replace(&path, "vd_iat_four");
        assert_eq!(file.read(soon()).unwrap().as_str(), "vd_iat_four");
        std::fs::remove_file(&path).unwrap();
        let gone = file.read(soon()).unwrap_err();
        assert_eq!(gone.kind(), ErrorKind::CredentialUnreadable);
        assert!(gone.message().contains("could not read credential file"), "{gone}");
        std::fs::write(&path, "vd_iat_five").unwrap();
        assert_eq!(file.read(soon()).unwrap().as_str(), "vd_iat_five");
        std::fs::write(&path, "").unwrap();
        assert_eq!(file.read(soon()).unwrap_err().kind(), ErrorKind::CredentialBlank);
    }

    #[test]
    fn a_held_file_follows_a_repointed_symlink() {
        // How mounted secrets rotate: a symlink swapped to a new target.
        let dir = tempfile::tempdir().unwrap();
        let (old, new, link) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("credential"));
        std::fs::write(&old, "vd_iat_old").unwrap();
        std::fs::write(&new, "vd_iat_new").unwrap();
        std::os::unix::fs::symlink(&old, &link).unwrap();
        let file = BearerFile::new(&link);
        assert_eq!(file.read(soon()).unwrap().as_str(), "vd_iat_old");
        let swap = dir.path().join("swap");
        std::os::unix::fs::symlink(&new, &swap).unwrap();
        std::fs::rename(&swap, &link).unwrap();
        assert_eq!(file.read(soon()).unwrap().as_str(), "vd_iat_new");
    }

    #[test]
    fn a_pipe_is_read_once_as_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fifo");
        let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        let writer = {
            let path = path.clone();
            std::thread::spawn(move || std::fs::write(path, "vd_iat_piped\n").unwrap())
        };
        assert_eq!(BearerFile::new(&path).read(soon()).unwrap().as_str(), "vd_iat_piped");
        writer.join().unwrap();
    }

    /// Runs `read` on a thread of its own: a read that hangs fails the test
    /// instead of hanging it.
    fn within_a_minute<T: Send + 'static>(read: impl FnOnce() -> T + Send + 'static) -> T {
        let (done, result) = std::sync::mpsc::channel();
        std::thread::spawn(move || done.send(read()).unwrap());
        result.recv_timeout(Duration::from_secs(60)).expect("the read returned")
    }

    fn fifo(dir: &tempfile::TempDir) -> PathBuf {
        let path = dir.path().join("fifo");
        let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        path
    }

    #[test]
    fn a_fifo_nobody_writes_to_ends_at_the_deadline() {
        let dir = tempfile::tempdir().unwrap();
        let path = fifo(&dir);
        let deadline = Instant::now() + Duration::from_millis(300);
        let error = within_a_minute(move || BearerFile::new(&path).read(deadline)).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
        assert!(error.message().contains("gave no bearer before the timeout"), "{error}");
        assert!(Instant::now() >= deadline);
    }

    #[test]
    fn a_fifo_whose_writer_is_silent_ends_at_the_deadline() {
        let dir = tempfile::tempdir().unwrap();
        let path = fifo(&dir);
        // Opened for reading and writing: a writer that never writes (and
        // does not wait for a reader to open).
        let _writer = std::fs::OpenOptions::new().read(true).write(true).open(&path).unwrap();
        let deadline = Instant::now() + Duration::from_millis(300);
        let error = within_a_minute(move || BearerFile::new(&path).read(deadline)).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    }

    #[test]
    fn a_file_caught_between_truncate_and_write_is_read_again() {
        // The backend rewriting the file in place: truncate, then write —
        // two system calls, and a reader may come between them.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credential");
        std::fs::write(&path, "vd_iat_rotation_0\n").unwrap();
        let file = BearerFile::new(&path);
        assert_eq!(file.read(soon()).unwrap().as_str(), "vd_iat_rotation_0");
        for n in 1..=10 {
            let mut rewrite = std::fs::OpenOptions::new().write(true).truncate(true).open(&path).unwrap();
            let writer = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(1));
                rewrite.write_all(format!("vd_iat_rotation_{n}\n").as_bytes()).unwrap();
            });
            let bearer = file.read(soon()).unwrap_or_else(|e| panic!("rewrite {n}: {e}"));
            assert_eq!(bearer.as_str(), format!("vd_iat_rotation_{n}"));
            writer.join().unwrap();
        }
    }

    #[test]
    fn digest_identifies_the_bearer() {
        let a = read(file_with(b"vd_iat_a").path()).unwrap();
        let b = read(file_with(b"vd_iat_b\n").path()).unwrap();
        assert_ne!(a.digest(), b.digest());
        assert_eq!(a.digest(), read(file_with(b"vd_iat_a").path()).unwrap().digest());
    }
}
