//! The few system calls the shared cache makes, relative to its directory's
//! open descriptor (`openat` and friends): once the directory is checked,
//! nothing swapped in at its path later can redirect a read or a write.

use std::ffi::{CStr, CString};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

/// What `fstat` says about a file.
pub(super) struct Meta(libc::stat);

impl Meta {
    pub fn is_dir(&self) -> bool {
        self.0.st_mode & libc::S_IFMT == libc::S_IFDIR
    }

    pub fn is_file(&self) -> bool {
        self.0.st_mode & libc::S_IFMT == libc::S_IFREG
    }

    /// Owned by this process's effective uid.
    pub fn is_ours(&self) -> bool {
        self.0.st_uid == euid()
    }

    pub fn uid(&self) -> u32 {
        self.0.st_uid
    }

    /// The permission bits.
    pub fn mode(&self) -> u32 {
        self.0.st_mode & 0o7777
    }

    pub fn size(&self) -> u64 {
        self.0.st_size as u64
    }

    /// Unix seconds; an entry's is set to its token's `expires_on`.
    pub fn modified(&self) -> i64 {
        self.0.st_mtime
    }

    pub fn same_file(&self, other: &Meta) -> bool {
        (self.0.st_dev, self.0.st_ino) == (other.0.st_dev, other.0.st_ino)
    }
}

pub(super) fn euid() -> u32 {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() }
}

fn check(result: libc::c_int) -> io::Result<libc::c_int> {
    if result < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

pub(super) fn c_name(name: &str) -> CString {
    CString::new(name).expect("cache file names hold no NUL")
}

/// `openat(dir, name, flags | O_NOFOLLOW | O_CLOEXEC, mode)`: a symlink at
/// `name` is refused (ELOOP), never followed.
pub(super) fn open_at(dir: BorrowedFd<'_>, name: &CStr, flags: libc::c_int, mode: libc::mode_t) -> io::Result<OwnedFd> {
    let flags = flags | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    // SAFETY: `name` is NUL-terminated; the descriptor returned is ours alone.
    let fd = check(unsafe { libc::openat(dir.as_raw_fd(), name.as_ptr(), flags, libc::c_uint::from(mode)) })?;
    // SAFETY: just opened, owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

pub(super) fn fstat(fd: BorrowedFd<'_>) -> io::Result<Meta> {
    // SAFETY: a zeroed stat is a valid out-parameter.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `fd` is open; `stat` is writable.
    check(unsafe { libc::fstat(fd.as_raw_fd(), &mut stat) })?;
    Ok(Meta(stat))
}

/// `lstat` of `name` in `dir`: a symlink is described, not followed.
pub(super) fn stat_at(dir: BorrowedFd<'_>, name: &CStr) -> io::Result<Meta> {
    // SAFETY: as in `fstat`.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `name` is NUL-terminated; `stat` is writable.
    check(unsafe { libc::fstatat(dir.as_raw_fd(), name.as_ptr(), &mut stat, libc::AT_SYMLINK_NOFOLLOW) })?;
    Ok(Meta(stat))
}

pub(super) fn lstat(path: &CStr) -> io::Result<Meta> {
    // SAFETY: as in `fstat`.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `path` is NUL-terminated; `stat` is writable.
    check(unsafe { libc::lstat(path.as_ptr(), &mut stat) })?;
    Ok(Meta(stat))
}

pub(super) fn unlink_at(dir: BorrowedFd<'_>, name: &CStr) -> io::Result<()> {
    // SAFETY: `name` is NUL-terminated.
    check(unsafe { libc::unlinkat(dir.as_raw_fd(), name.as_ptr(), 0) }).map(drop)
}

/// Atomically replaces `to` with `from`, both in `dir`.
pub(super) fn rename_at(dir: BorrowedFd<'_>, from: &CStr, to: &CStr) -> io::Result<()> {
    // SAFETY: both names are NUL-terminated.
    check(unsafe { libc::renameat(dir.as_raw_fd(), from.as_ptr(), dir.as_raw_fd(), to.as_ptr()) }).map(drop)
}

pub(super) fn chmod(fd: BorrowedFd<'_>, mode: libc::mode_t) -> io::Result<()> {
    // SAFETY: `fd` is open.
    check(unsafe { libc::fchmod(fd.as_raw_fd(), mode) }).map(drop)
}

/// Sets a file's modification time to `unix_seconds`.
pub(super) fn set_modified(fd: BorrowedFd<'_>, unix_seconds: i64) -> io::Result<()> {
    let times = [
        libc::timespec { tv_sec: 0, tv_nsec: libc::UTIME_NOW },
        libc::timespec { tv_sec: unix_seconds as libc::time_t, tv_nsec: 0 },
    ];
    // SAFETY: `fd` is open; `times` holds two timespecs.
    check(unsafe { libc::futimens(fd.as_raw_fd(), times.as_ptr()) }).map(drop)
}

/// `flock`, never waiting: `Ok(false)` when another open file holds it.
pub(super) fn try_flock(fd: BorrowedFd<'_>) -> io::Result<bool> {
    // SAFETY: `fd` is open.
    match check(unsafe { libc::flock(fd.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) }) {
        Ok(_) => Ok(true),
        Err(e) if e.raw_os_error() == Some(libc::EWOULDBLOCK) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Releases the lock for every descriptor sharing this open file — also
/// the copies a forked child inherited.
pub(super) fn unflock(fd: BorrowedFd<'_>) {
    // SAFETY: `fd` is open.
    unsafe { libc::flock(fd.as_raw_fd(), libc::LOCK_UN) };
}

pub(super) fn write_all(fd: BorrowedFd<'_>, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        // SAFETY: `bytes` is readable for its length.
        let written = unsafe { libc::write(fd.as_raw_fd(), bytes.as_ptr().cast(), bytes.len()) };
        if written < 0 {
            let error = io::Error::last_os_error();
            if error.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(error);
        }
        bytes = &bytes[written as usize..];
    }
    Ok(())
}

/// Reads exactly `buf.len()` bytes from offset 0; a file that is shorter
/// now than `fstat` said is an error.
pub(super) fn read_exact(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        // SAFETY: the range written is inside `buf`.
        let read = unsafe { libc::pread(fd.as_raw_fd(), buf[done..].as_mut_ptr().cast(), buf.len() - done, done as libc::off_t) };
        match read {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n if n < 0 => {
                let error = io::Error::last_os_error();
                if error.kind() != io::ErrorKind::Interrupted {
                    return Err(error);
                }
            }
            n => done += n as usize,
        }
    }
    Ok(())
}

/// The names in the directory `dir` (read through a descriptor of its own,
/// so `dir`'s offset is untouched).
pub(super) fn names(dir: BorrowedFd<'_>) -> io::Result<Vec<CString>> {
    let own = open_at(dir, c".", libc::O_RDONLY | libc::O_DIRECTORY, 0)?;
    // SAFETY: fdopendir takes over the descriptor; closedir closes it.
    let stream = unsafe { libc::fdopendir(own.as_raw_fd()) };
    if stream.is_null() {
        return Err(io::Error::last_os_error());
    }
    std::mem::forget(own);
    let mut names = Vec::new();
    loop {
        // SAFETY: `stream` is an open directory stream.
        let entry = unsafe { libc::readdir(stream) };
        if entry.is_null() {
            break;
        }
        // SAFETY: d_name is NUL-terminated within the entry readdir returned.
        let name = unsafe { CStr::from_ptr((*entry).d_name.as_ptr()) };
        if name != c"." && name != c".." {
            names.push(name.to_owned());
        }
    }
    // SAFETY: opened above, closed once.
    unsafe { libc::closedir(stream) };
    Ok(names)
}
