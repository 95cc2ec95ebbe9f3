//! The bearer file's bytes, in a per-thread buffer zeroed after each read:
//! a regular file read in place, a pipe or device read to its end without
//! blocking past the call's deadline.

use std::cell::RefCell;
use std::fs::{File, OpenOptions};
use std::io::{self, ErrorKind, Read};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::Instant;

use zeroize::Zeroize;

use crate::bearer::MAX_BEARER_FILE_BYTES;
use crate::socket_transport::wait;

thread_local! {
    /// Each thread's buffer for the file, allocated once: a warm call re-reads
    /// the file every time, and clearing 8 KiB per call would cost a good part
    /// of the read itself. Only the bytes a read filled are zeroed after it.
    static FILE_BUFFER: RefCell<Box<[u8]>> = RefCell::new(vec![0; MAX_BEARER_FILE_BYTES + 1].into_boxed_slice());
}

/// Opens `path` for reading without blocking: opening a FIFO no one writes
/// to would otherwise wait for a writer forever. (A regular file reads the
/// same either way.)
pub(crate) fn open(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)
}

/// Reads a regular file with `read_at(buffer, offset)` and hands its bytes
/// (at most one more than a bearer file may hold) to `parse`. Also says
/// whether they are not the `size` bytes its metadata said a moment ago:
/// the file was being rewritten.
pub(crate) fn read_regular<T>(
    size: u64,
    mut read_at: impl FnMut(&mut [u8], u64) -> io::Result<usize>,
    parse: impl FnOnce(&[u8]) -> T,
) -> io::Result<(T, bool)> {
    with_buffer(|bytes| {
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
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        let torn = buf.len as u64 != size.min(buf.bytes.len() as u64);
        Ok((parse(&buf.bytes[..buf.len]), torn))
    })
}

/// Reads a pipe or device (opened non-blocking) to its end, waiting for
/// input until `deadline` at most (then `TimedOut`), and hands its bytes to
/// `parse`.
pub(crate) fn read_stream<T>(mut file: File, deadline: Instant, parse: impl FnOnce(&[u8]) -> T) -> io::Result<T> {
    with_buffer(|bytes| {
        let mut buf = FileBuffer { bytes, len: 0 };
        while buf.len < buf.bytes.len() {
            // Waited on before every read: a FIFO reads as ended while no
            // writer has opened it yet.
            wait(file.as_raw_fd(), libc::POLLIN, Some(deadline))?;
            match file.read(&mut buf.bytes[buf.len..]) {
                Ok(0) => break,
                Ok(n) => buf.len += n,
                Err(e) if matches!(e.kind(), ErrorKind::Interrupted | ErrorKind::WouldBlock) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(parse(&buf.bytes[..buf.len]))
    })
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
