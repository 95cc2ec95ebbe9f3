//! The bearer file read fresh: contents, failures, rotation.

use super::*;
use std::io::Write;

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(5)
}

fn read(path: &Path) -> Result<Bearer, Error> {
    BearerFile::new(path, true).read(soon())
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
    let file = BearerFile::new(&path, true);
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
    let file = BearerFile::new(&link, true);
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
    assert_eq!(BearerFile::new(&path, true).read(soon()).unwrap().as_str(), "vd_iat_piped");
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
    let error = within_a_minute(move || BearerFile::new(&path, true).read(deadline)).unwrap_err();
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
    let error = within_a_minute(move || BearerFile::new(&path, true).read(deadline)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
}

#[test]
fn a_file_caught_between_truncate_and_write_is_read_again() {
    // The backend rewriting the file in place: truncate, then write —
    // two system calls, and a reader may come between them.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credential");
    std::fs::write(&path, "vd_iat_rotation_0\n").unwrap();
    let file = BearerFile::new(&path, true);
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
