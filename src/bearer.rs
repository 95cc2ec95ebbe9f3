//! The intent bearer, read fresh from its file on every call.
//!
//! The Studio backend rotates the `vd_iat_*` bearer by rewriting the file, so
//! no bearer is remembered between calls, only a digest (the cache key). The
//! bearer lives in zeroed-on-drop memory and is never printed.

use std::cell::RefCell;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, ErrorKind as IoErrorKind, Read};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::{PoisonError, RwLock};

use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{io_reason, Error, ErrorKind};
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

thread_local! {
    /// Each thread's buffer for the file, allocated once: a warm call re-reads
    /// the file every time, and clearing 8 KiB per call would cost a good part
    /// of the read itself. Only the bytes a read filled are zeroed after it.
    static FILE_BUFFER: RefCell<Box<[u8]>> = RefCell::new(vec![0; MAX_BEARER_FILE_BYTES + 1].into_boxed_slice());
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

    /// The bearer the file holds now.
    pub fn read(&self) -> Result<Bearer, Error> {
        let path = &self.path;
        let now = fs::metadata(path).map_err(|e| unreadable(path, &e))?;
        if !now.is_file() {
            // A pipe or device cannot be read in place: read it once, as is.
            return read(path);
        }
        let held = self.held.get();
        if let Some(current) = held.read().unwrap_or_else(PoisonError::into_inner).as_ref() {
            if current.id == (now.dev(), now.ino()) {
                return with_buffer(|buf| parse(path, buf, |bytes, offset| current.file.read_at(bytes, offset)));
            }
        }
        // Not held yet, or the path names another file now: open and hold it.
        let file = File::open(path).map_err(|e| unreadable(path, &e))?;
        let opened = file.metadata().map_err(|e| unreadable(path, &e))?;
        let bearer = with_buffer(|buf| parse(path, buf, |bytes, offset| file.read_at(bytes, offset)));
        *held.write().unwrap_or_else(PoisonError::into_inner) = Some(Held { file, id: (opened.dev(), opened.ino()) });
        bearer
    }
}

/// Reads the bearer from `path` once: open, read, close.
pub(crate) fn read(path: &Path) -> Result<Bearer, Error> {
    let mut file = File::open(path).map_err(|e| unreadable(path, &e))?;
    with_buffer(|buf| parse(path, buf, |bytes, _| file.read(bytes)))
}

/// Runs `f` with this thread's file buffer, or with a new one if that is in
/// use (re-entered) or gone (the thread is exiting).
fn with_buffer<T>(f: impl FnOnce(&mut [u8]) -> T) -> T {
    // `f` runs exactly once, in whichever branch gets a buffer.
    let mut f = Some(f);
    let mut run = |buf: &mut [u8]| f.take().map(|f| f(buf));
    let done = FILE_BUFFER.try_with(|cell| cell.try_borrow_mut().ok().and_then(|mut buf| run(&mut buf)));
    match done {
        Ok(Some(done)) => done,
        _ => run(&mut vec![0; MAX_BEARER_FILE_BYTES + 1]).expect("not run yet"),
    }
}

/// Reads the file's bytes into `bytes` with `read_at(buffer, offset)`, then
/// checks them and makes them a bearer: UTF-8, surrounding whitespace stripped.
fn parse(
    path: &Path,
    bytes: &mut [u8],
    mut read_at: impl FnMut(&mut [u8], u64) -> io::Result<usize>,
) -> Result<Bearer, Error> {
    let mut buf = FileBuffer { bytes, len: 0 };
    while buf.len < buf.bytes.len() {
        let wanted = buf.bytes.len() - buf.len;
        match read_at(&mut buf.bytes[buf.len..], buf.len as u64) {
            Ok(0) => break,
            Ok(n) => {
                buf.len += n;
                // A regular file answers short only at its end: stop without
                // the extra read that would return 0.
                if n < wanted {
                    break;
                }
            }
            Err(e) if e.kind() == IoErrorKind::Interrupted => continue,
            Err(e) => return Err(unreadable(path, &e)),
        }
    }
    if buf.len > MAX_BEARER_FILE_BYTES {
        return Err(Error::new(
            ErrorKind::CredentialUnreadable,
            format!(
                "credential file {} is larger than {MAX_BEARER_FILE_BYTES} bytes: it should hold \
                 only the vd_iat_* bearer. Check VD_CREDENTIAL_FILE points at the Studio credential",
                path.display()
            ),
        ));
    }
    let text = std::str::from_utf8(&buf.bytes[..buf.len]).map_err(|_| {
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

/// The file's bytes; the part that was filled is zeroed on drop (zeroing only
/// that part keeps the per-call cost at the size of the bearer).
struct FileBuffer<'a> {
    bytes: &'a mut [u8],
    len: usize,
}

impl Drop for FileBuffer<'_> {
    fn drop(&mut self) {
        let filled = self.len.min(self.bytes.len());
        self.bytes[..filled].zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

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
        assert_eq!(file.read().unwrap().as_str(), "vd_iat_one");
        // Rewritten in place, same length, as fast as it can be.
        std::fs::write(&path, "vd_iat_two\n").unwrap();
        assert_eq!(file.read().unwrap().as_str(), "vd_iat_two");
        // Shorter, in place: nothing of the old one may remain.
        std::fs::write(&path, "vd_iat_3").unwrap();
        assert_eq!(file.read().unwrap().as_str(), "vd_iat_3");
        replace(&path, "vd_iat_four");
        assert_eq!(file.read().unwrap().as_str(), "vd_iat_four");
        std::fs::remove_file(&path).unwrap();
        let gone = file.read().unwrap_err();
        assert_eq!(gone.kind(), ErrorKind::CredentialUnreadable);
        assert!(gone.message().contains("could not read credential file"), "{gone}");
        std::fs::write(&path, "vd_iat_five").unwrap();
        assert_eq!(file.read().unwrap().as_str(), "vd_iat_five");
        std::fs::write(&path, "").unwrap();
        assert_eq!(file.read().unwrap_err().kind(), ErrorKind::CredentialBlank);
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
        assert_eq!(file.read().unwrap().as_str(), "vd_iat_old");
        let swap = dir.path().join("swap");
        std::os::unix::fs::symlink(&new, &swap).unwrap();
        std::fs::rename(&swap, &link).unwrap();
        assert_eq!(file.read().unwrap().as_str(), "vd_iat_new");
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
        assert_eq!(BearerFile::new(&path).read().unwrap().as_str(), "vd_iat_piped");
        writer.join().unwrap();
    }

    #[test]
    fn digest_identifies_the_bearer() {
        let a = read(file_with(b"vd_iat_a").path()).unwrap();
        let b = read(file_with(b"vd_iat_b\n").path()).unwrap();
        assert_ne!(a.digest(), b.digest());
        assert_eq!(a.digest(), read(file_with(b"vd_iat_a").path()).unwrap().digest());
    }
}
