//! The intent bearer, read fresh from its file on every call.
//!
//! The Studio backend rotates the `vd_iat_*` bearer by rewriting the file, so
//! nothing is remembered between calls but a digest (the cache key). The
//! bearer lives in zeroed-on-drop memory and is never printed.

use std::cell::RefCell;
use std::fmt;
use std::fs::File;
use std::io::{ErrorKind as IoErrorKind, Read};
use std::path::Path;

use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{io_reason, Error, ErrorKind};

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

/// Reads the bearer from `path`: UTF-8, surrounding whitespace stripped.
pub(crate) fn read(path: &Path) -> Result<Bearer, Error> {
    let with_own_buffer = || read_into(path, &mut vec![0; MAX_BEARER_FILE_BYTES + 1]);
    FILE_BUFFER
        .try_with(|cell| match cell.try_borrow_mut() {
            Ok(mut buffer) => read_into(path, &mut buffer),
            Err(_) => with_own_buffer(),
        })
        .unwrap_or_else(|_| with_own_buffer())
}

fn read_into(path: &Path, bytes: &mut [u8]) -> Result<Bearer, Error> {
    let mut buf = FileBuffer { bytes, len: 0 };
    let mut file = File::open(path).map_err(|e| unreadable(path, &e))?;
    while buf.len < buf.bytes.len() {
        let wanted = buf.bytes.len() - buf.len;
        match file.read(&mut buf.bytes[buf.len..]) {
            Ok(0) => break,
            Ok(n) => {
                buf.len += n;
                // A regular file answers short only at its end: stop without
                // the extra read that would return 0 (a warm call is held to
                // the cost of one open, read and close).
                if n < wanted {
                    break;
                }
            }
            Err(e) if e.kind() == IoErrorKind::Interrupted => continue,
            Err(e) => return Err(unreadable(path, &e)),
        }
    }
    drop(file);
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

    #[test]
    fn digest_identifies_the_bearer() {
        let a = read(file_with(b"vd_iat_a").path()).unwrap();
        let b = read(file_with(b"vd_iat_b\n").path()).unwrap();
        assert_ne!(a.digest(), b.digest());
        assert_eq!(a.digest(), read(file_with(b"vd_iat_a").path()).unwrap().digest());
    }
}
