//! The shared cache's directory: created 0700, trusted only when it is a
//! real directory (not a symlink) of this user with exactly that mode, then
//! held open so every later file operation is relative to the directory
//! that was checked. Kept small by [`tidy`].

use std::ffi::CString;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::fs;

/// Entries kept at most; beyond it, the soonest to expire go first. Fewer
/// than the process cache holds: each is a file that tidying lists.
pub(super) const MAX_ENTRIES: usize = 256;
/// A temporary file this old was left by a process that died mid-write.
const STALE_TEMP_SECONDS: i64 = 60;

pub(super) struct Dir {
    fd: OwnedFd,
    path: PathBuf,
}

impl Dir {
    /// Creates `path` (one level, mode 0700) if missing, then opens it if it
    /// can be trusted. The error says why not, for the one log note.
    pub fn open(path: &Path) -> Result<Dir, String> {
        let shown = path.display();
        let c_path = CString::new(path.as_os_str().as_bytes()).map_err(|_| format!("{shown:?} holds a NUL byte"))?;
        // SAFETY: `c_path` is NUL-terminated.
        let created = unsafe { libc::mkdir(c_path.as_ptr(), 0o700) } == 0;
        if !created {
            let error = std::io::Error::last_os_error();
            if error.kind() != std::io::ErrorKind::AlreadyExists {
                return Err(format!("cannot create {shown}: {error}"));
            }
        }
        let seen = fs::lstat(&c_path).map_err(|e| format!("cannot inspect {shown}: {e}"))?;
        if !seen.is_dir() {
            return Err(format!("{shown} is not a directory (a symlink or another file is in its place)"));
        }
        if !seen.is_ours() {
            return Err(format!("{shown} belongs to uid {}, not to this process's uid {}", seen.uid(), fs::euid()));
        }
        let fd = fs::open_at(cwd(), &c_path, libc::O_RDONLY | libc::O_DIRECTORY, 0)
            .map_err(|e| format!("cannot open {shown}: {e}"))?;
        let held = fs::fstat(fd.as_fd()).map_err(|e| format!("cannot inspect {shown}: {e}"))?;
        if !held.same_file(&seen) {
            return Err(format!("{shown} was replaced while it was being opened"));
        }
        if created && held.mode() != 0o700 {
            // The umask narrowed it; what we create is exactly 0700.
            fs::chmod(fd.as_fd(), 0o700).map_err(|e| format!("cannot set the mode of {shown}: {e}"))?;
        } else if held.mode() != 0o700 {
            return Err(format!("{shown} has mode {:04o}, not 0700: other users could read or plant tokens", held.mode()));
        }
        Ok(Dir { fd, path: path.to_path_buf() })
    }

    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn cwd() -> BorrowedFd<'static> {
    // SAFETY: AT_FDCWD is valid for the life of the process.
    unsafe { BorrowedFd::borrow_raw(libc::AT_FDCWD) }
}

/// Housekeeping after a write: removes expired entries (their modification
/// time is their token's expiry), the idle locks of entries that are gone
/// and temporary files a dead writer left, then the soonest-expiring entries
/// beyond [`MAX_ENTRIES`]. Best effort: a failure here never fails a call.
/// Racing a writer costs at most one extra mint.
pub(super) fn tidy(dir: &Dir, now: i64) {
    use super::entry::{LOCK_SUFFIX, TEMP_SUFFIX, TOKEN_SUFFIX};
    let Ok(names) = fs::names(dir.fd()) else { return };
    let (mut live, mut locks) = (Vec::new(), Vec::new());
    for name in names {
        let Ok(text) = name.to_str() else { continue };
        if let Some(stem) = text.strip_suffix(LOCK_SUFFIX) {
            locks.push(stem.to_string());
            continue;
        }
        let Ok(meta) = fs::stat_at(dir.fd(), &name) else { continue };
        if let Some(stem) = text.strip_suffix(TOKEN_SUFFIX) {
            if meta.modified() <= now {
                remove_entry(dir, stem);
            } else {
                live.push((meta.modified(), stem.to_string()));
            }
        } else if text.ends_with(TEMP_SUFFIX) && meta.modified() + STALE_TEMP_SECONDS < now {
            // Its time is its creation, or its token's expiry once written:
            // either way a live writer's file is newer than this.
            let _ = fs::unlink_at(dir.fd(), &name);
        }
    }
    if live.len() > MAX_ENTRIES {
        live.sort();
        for (_, stem) in live.drain(..live.len() - MAX_ENTRIES) {
            remove_entry(dir, &stem);
        }
    }
    let kept: std::collections::HashSet<String> = live.into_iter().map(|(_, stem)| stem).collect();
    for stem in locks {
        if !kept.contains(&stem) {
            super::lock::remove_if_idle(dir, &stem);
        }
    }
}

fn remove_entry(dir: &Dir, stem: &str) {
    let _ = fs::unlink_at(dir.fd(), &fs::c_name(&format!("{stem}{}", super::entry::TOKEN_SUFFIX)));
}
