//! The watches one bearer file's path needs, armed before the file is read.
//!
//! A path sees a new bearer in more ways than its file being written: a new
//! file renamed over it, a symlink on the way re-pointed (a Kubernetes
//! secret mount is `credential -> ..data/credential` and `..data ->
//! ..2026_12_01_…`, swapped by renaming `..data`), the file deleted and
//! made again. So the path is resolved link by link, and watched are: the
//! directory of every symlink met (for that link's name), the final file's
//! directory (for its name) and the final file's inode (a write through a
//! hard link elsewhere only shows there). Each directory is watched before
//! the name in it is looked at, so a change after the look-up is an event.
//! Not watched: the other directories on the way; renaming or mounting over
//! one of them is not seen.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::AtomicU64;

use super::watch::{watcher, Registered, Watcher};

/// Links followed at most (the kernel's own limit).
const MAX_LINKS: usize = 40;
/// Tries to arm while the path keeps changing under us.
const ARM_TRIES: usize = 3;

/// Filesystems whose every write goes through this kernel, so that inotify
/// sees it (`statfs` `f_type`): tmpfs, ramfs, ext2/3/4, xfs, btrfs,
/// overlayfs, f2fs, jfs, reiserfs, bcachefs, zfs. Network and user-space
/// filesystems (NFS, CIFS, FUSE, virtiofs, 9p) are written by others too
/// and never tell this kernel: they are not on the list, nor is anything
/// unknown.
const LOCAL_FILESYSTEMS: [u32; 11] = [
    0x0102_1994, // tmpfs
    0x8584_58f6, // ramfs
    0x0000_ef53, // ext2, ext3, ext4
    0x5846_5342, // xfs
    0x9123_683e, // btrfs
    0x794c_7630, // overlayfs
    0xf2f5_2010, // f2fs
    0x3153_464a, // jfs
    0x5265_4973, // reiserfs
    0xca45_1a4e, // bcachefs
    0x2fc1_2fc1, // zfs
];

/// A path's watches, and the generation taken before they were in place
/// (none of them saw an event since).
pub(crate) struct Armed {
    watcher: &'static Watcher,
    generation: u64,
    /// The generation "unchanged" was last found true at.
    verified: AtomicU64,
    watches: Vec<Registered>,
}

impl Armed {
    /// Whether nothing the path depends on changed since the arming.
    pub fn unchanged(&self) -> bool {
        self.watcher.unchanged(&self.watches, self.generation, &self.verified)
    }
}

/// Why a path is not watched.
pub(crate) enum Unwatchable {
    /// Not in this process: the reason, said once.
    Never(String),
    /// Not this time (missing, a pipe, changing while armed): try next call.
    NotNow,
}

/// Arms the watches `path` needs, before the caller reads the file: any
/// change after the arming is an event. If one of them saw an event while
/// arming (a link may have been re-pointed after it was followed), it arms
/// again.
pub(crate) fn arm(path: &Path) -> Result<Armed, Unwatchable> {
    let watcher = watcher().ok_or_else(|| Unwatchable::Never("this process has no inotify instance".into()))?;
    if !path.is_absolute() {
        // A relative path means another file after a chdir.
        return Err(Unwatchable::Never("its path is relative".into()));
    }
    let lost = || Unwatchable::Never("the watch lost events".into());
    for _ in 0..ARM_TRIES {
        let generation = watcher.generation().ok_or_else(lost)?;
        let watches = walk(watcher, path)?;
        let verified = AtomicU64::new(generation);
        if watcher.unchanged(&watches, generation, &verified) {
            return Ok(Armed { watcher, generation, verified, watches });
        }
        if watcher.generation().is_none() {
            return Err(lost());
        }
    }
    Err(Unwatchable::NotNow)
}

/// Resolves `path` link by link, watching as it goes (see the module).
fn walk(watcher: &'static Watcher, path: &Path) -> Result<Vec<Registered>, Unwatchable> {
    let mut watches = Vec::new();
    let mut pending: Vec<OsString> = Vec::new();
    push_components(&mut pending, path);
    let mut resolved = PathBuf::from("/");
    let mut links = 0;
    while let Some(part) = pending.pop() {
        if part == ".." {
            resolved.pop();
            continue;
        }
        let candidate = resolved.join(&part);
        let last = pending.is_empty();
        if last {
            // Watched before it is looked at: whatever it is, a change is an event.
            watches.push(watch(watcher, &resolved, Some(&part))?);
        }
        let meta = fs::symlink_metadata(&candidate).map_err(|_| Unwatchable::NotNow)?;
        if meta.file_type().is_symlink() {
            links += 1;
            if links > MAX_LINKS {
                return Err(Unwatchable::NotNow);
            }
            if !last {
                watches.push(watch(watcher, &resolved, Some(&part))?);
            }
            // Read after its directory is watched: a re-point after this is an event.
            let target = fs::read_link(&candidate).map_err(|_| Unwatchable::NotNow)?;
            if target.is_absolute() {
                resolved = PathBuf::from("/");
            }
            push_components(&mut pending, &target);
        } else if last {
            if !meta.is_file() {
                // A pipe or device is read as it is, every call.
                return Err(Unwatchable::NotNow);
            }
            watches.push(watch(watcher, &candidate, None)?);
            return Ok(watches);
        } else {
            resolved = candidate;
        }
    }
    Err(Unwatchable::NotNow)
}

/// Puts `path`'s parts on the stack so that its first part is popped first.
fn push_components(pending: &mut Vec<OsString>, path: &Path) {
    let start = pending.len();
    for component in path.components() {
        match component {
            Component::Normal(part) => pending.push(part.to_os_string()),
            Component::ParentDir => pending.push("..".into()),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    pending[start..].reverse();
}

/// One watch: the name `name` in directory `path`, or the inode `path`;
/// refused on a filesystem not known to be local.
fn watch(watcher: &'static Watcher, path: &Path, name: Option<&OsStr>) -> Result<Registered, Unwatchable> {
    // Checked before the watch is added under the watcher's lock (a hung
    // network filesystem would hold it), and again once it is: what is
    // watched is on a local filesystem.
    local(path)?;
    let registered = watcher.watch(path, name.map(OsStrExt::as_bytes)).map_err(|e| match e.raw_os_error() {
        Some(libc::ENOENT | libc::ENOTDIR) => Unwatchable::NotNow,
        Some(libc::ENOSPC) => Unwatchable::Never(format!(
            "no inotify watch could be added ({}; raise fs.inotify.max_user_watches)",
            crate::error::io_reason(&e)
        )),
        _ => Unwatchable::Never(format!("no inotify watch could be added to {} ({})", path.display(), crate::error::io_reason(&e))),
    })?;
    local(path)?;
    Ok(registered)
}

/// Whether `path` is on a filesystem whose every write this kernel sees.
fn local(path: &Path) -> Result<(), Unwatchable> {
    match filesystem(path) {
        Ok(kind) if LOCAL_FILESYSTEMS.contains(&kind) => Ok(()),
        Ok(kind) => Err(Unwatchable::Never(format!(
            "{} is on a filesystem (type {kind:#x}) whose writes may not pass through this kernel",
            path.display()
        ))),
        Err(_) => Err(Unwatchable::NotNow),
    }
}

/// The `statfs` type of the filesystem `path` is on.
fn filesystem(path: &Path) -> io::Result<u32> {
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: zeroed is a valid statfs; a valid NUL-terminated path.
    let mut stats: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statfs(c_path.as_ptr(), &mut stats) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // The magic numbers are 32-bit; the field is wider on some targets.
    Ok(stats.f_type as u32)
}

#[cfg(test)]
pub(crate) fn is_local(path: &Path) -> bool {
    local(path).is_ok()
}
