//! Every way the bearer file rotates, seen by the next call through the
//! watch: each test reads the file as a warm call does (the digest of an
//! unchanged file, else a read), so a watch that misses an event fails it.

use std::os::unix::fs::symlink;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use std::collections::HashMap;

use super::*;

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(5)
}

/// The digest a call would key the cache with: the watch's, else a read's.
fn digest_now(file: &BearerFile) -> [u8; 32] {
    file.unchanged_digest().unwrap_or_else(|| file.read(soon()).unwrap().digest())
}

fn digest_of(bearer: &str) -> [u8; 32] {
    Sha256::digest(bearer.as_bytes()).into()
}

/// Asserts the next call sees `bearer`, then that the watch answers for it
/// (no look at the file) while nothing changes.
fn sees(file: &BearerFile, bearer: &str) {
    assert_eq!(digest_now(file), digest_of(bearer), "the call did not see {bearer}");
    assert_eq!(file.unchanged_digest(), Some(digest_of(bearer)), "the watch does not answer for {bearer}");
}

/// Rotates as the backend does: a new file renamed over the old.
fn rename_over(path: &Path, contents: &str) {
    let next = path.with_extension("next");
    fs::write(&next, contents).unwrap();
    fs::rename(&next, path).unwrap();
}

/// Rewrites in place, same inode: truncate, then write.
fn in_place(path: &Path, contents: &str) {
    fs::write(path, contents).unwrap();
}

#[test]
fn the_test_directory_is_on_a_watched_filesystem() {
    // Every test below relies on the watch answering; say so plainly if not.
    assert!(armed::is_local(&std::env::temp_dir()), "the temporary directory is not on a local filesystem");
}

#[test]
fn a_rename_over_then_an_in_place_rewrite_are_both_seen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credential");
    in_place(&path, "vd_iat_one");
    let file = BearerFile::new(&path, true);
    sees(&file, "vd_iat_one");
    rename_over(&path, "vd_iat_two");
    sees(&file, "vd_iat_two");
    // The new inode must be watched now, not the old one.
    in_place(&path, "vd_iat_three");
    sees(&file, "vd_iat_three");
    in_place(&path, "vd_iat_four");
    sees(&file, "vd_iat_four");
}

#[test]
fn a_repointed_symlink_is_seen_and_its_new_target_watched() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, link) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("credential"));
    in_place(&a, "vd_iat_a");
    in_place(&b, "vd_iat_b");
    symlink(&a, &link).unwrap();
    let file = BearerFile::new(&link, true);
    sees(&file, "vd_iat_a");
    let swap = dir.path().join("swap");
    symlink(&b, &swap).unwrap();
    fs::rename(&swap, &link).unwrap();
    sees(&file, "vd_iat_b");
    in_place(&b, "vd_iat_b2");
    sees(&file, "vd_iat_b2");
    // The old target is no longer what the path names.
    in_place(&a, "vd_iat_a2");
    assert_eq!(digest_now(&file), digest_of("vd_iat_b2"));
}

/// A Kubernetes secret volume: `credential -> ..data/credential`,
/// `..data -> ..<timestamp>`; an update writes a new timestamped directory
/// and renames a new `..data` link over the old one.
#[test]
fn a_kubernetes_style_double_link_swap_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let publish = |stamp: &str, bearer: &str| publish(root, stamp, bearer);
    publish("..2026_12_01_10_00_00.1", "vd_iat_first");
    symlink("..data/credential", root.join("credential")).unwrap();
    let file = BearerFile::new(&root.join("credential"), true);
    sees(&file, "vd_iat_first");
    for n in 2..6 {
        let bearer = format!("vd_iat_update{n}");
        publish(&format!("..2026_12_01_10_00_00.{n}"), &bearer);
        // Seen before the old directory goes: only the swapped `..data` says so.
        sees(&file, &bearer);
        fs::remove_dir_all(root.join(format!("..2026_12_01_10_00_00.{}", n - 1))).unwrap();
        sees(&file, &bearer);
    }
    // Written in place inside the current timestamped directory.
    in_place(&root.join("..2026_12_01_10_00_00.5").join("credential"), "vd_iat_in_place");
    sees(&file, "vd_iat_in_place");
}

/// Publishes `bearer` as a Kubernetes secret volume update does.
fn publish(root: &Path, stamp: &str, bearer: &str) {
    fs::create_dir(root.join(stamp)).unwrap();
    in_place(&root.join(stamp).join("credential"), bearer);
    symlink(stamp, root.join("..data_tmp")).unwrap();
    fs::rename(root.join("..data_tmp"), root.join("..data")).unwrap();
}

#[test]
fn rotations_release_the_watches_of_what_the_path_no_longer_names() {
    // In a forked child, whose watches are its own: none of other tests'.
    // SAFETY: the child runs the check and leaves with `_exit`, unwinding nothing.
    match unsafe { libc::fork() } {
        0 => {
            let bounded = std::panic::catch_unwind(|| {
                let dir = tempfile::tempdir().unwrap();
                let root = dir.path();
                publish(root, "..stamp0", "vd_iat_stamp0");
                symlink("..data/credential", root.join("credential")).unwrap();
                let file = BearerFile::new(&root.join("credential"), true);
                for n in 1..=20 {
                    // The old directories stay: only we can let go of their watches.
                    publish(root, &format!("..stamp{n}"), &format!("vd_iat_stamp{n}"));
                    sees(&file, &format!("vd_iat_stamp{n}"));
                }
                // The volume's directory, the current timestamped one, the file.
                watch::watcher().unwrap().watches() == 3
            });
            unsafe { libc::_exit(if bounded.unwrap_or(false) { 0 } else { 1 }) }
        }
        child => {
            let mut status = 0;
            unsafe { libc::waitpid(child, &mut status, 0) };
            assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "watches piled up (or the child failed)");
        }
    }
}

#[test]
fn a_deleted_then_recreated_file_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credential");
    in_place(&path, "vd_iat_before");
    let file = BearerFile::new(&path, true);
    sees(&file, "vd_iat_before");
    fs::remove_file(&path).unwrap();
    assert!(file.unchanged_digest().is_none(), "a deleted file is not unchanged");
    assert_eq!(file.read(soon()).unwrap_err().kind(), ErrorKind::CredentialUnreadable);
    in_place(&path, "vd_iat_after");
    sees(&file, "vd_iat_after");
    in_place(&path, "vd_iat_after2");
    sees(&file, "vd_iat_after2");
}

#[test]
fn a_write_through_a_hard_link_elsewhere_is_seen() {
    let (dir, other) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let path = dir.path().join("credential");
    in_place(&path, "vd_iat_linked");
    let alias = other.path().join("alias");
    fs::hard_link(&path, &alias).unwrap();
    let file = BearerFile::new(&path, true);
    sees(&file, "vd_iat_linked");
    // Only the inode's own watch sees this: the directory has no event.
    in_place(&alias, "vd_iat_via_alias");
    sees(&file, "vd_iat_via_alias");
}

#[test]
fn many_clients_on_one_file_and_on_files_in_one_directory() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("credential");
    in_place(&shared, "vd_iat_shared0");
    let on_one: Vec<_> = (0..8).map(|_| BearerFile::new(&shared, true)).collect();
    let paths: Vec<_> = (0..8).map(|n| dir.path().join(format!("credential{n}"))).collect();
    for (n, path) in paths.iter().enumerate() {
        in_place(path, &format!("vd_iat_own{n}_0"));
    }
    let own: Vec<_> = paths.iter().map(|p| BearerFile::new(p, true)).collect();
    for round in 1..4 {
        for file in &on_one {
            sees(file, &format!("vd_iat_shared{}", round - 1));
        }
        if round % 2 == 0 { rename_over(&shared, &format!("vd_iat_shared{round}")) } else { in_place(&shared, &format!("vd_iat_shared{round}")) }
        // One file of the directory rotates; each client sees its own.
        let turn = round % paths.len();
        rename_over(&paths[turn], &format!("vd_iat_own{turn}_{round}"));
        for (n, file) in own.iter().enumerate() {
            let expected = if n == turn { format!("vd_iat_own{n}_{round}") } else { latest_own(n, round) };
            sees(file, &expected);
        }
    }
}

/// The bearer file `n` holds after `round` rounds of the test above.
fn latest_own(n: usize, round: usize) -> String {
    let last = (1..=round).rev().find(|r| r % 8 == n).unwrap_or(0);
    format!("vd_iat_own{n}_{last}")
}

#[test]
fn unrelated_files_in_the_directory_leave_the_watch_answering() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credential");
    in_place(&path, "vd_iat_calm");
    let file = BearerFile::new(&path, true);
    sees(&file, "vd_iat_calm");
    for n in 0..20 {
        let other = dir.path().join(format!("scratch{n}"));
        in_place(&other, "noise");
        fs::remove_file(&other).unwrap();
    }
    assert_eq!(file.unchanged_digest(), Some(digest_of("vd_iat_calm")), "a busy directory invalidated the watch");
    in_place(&path, "vd_iat_moved");
    sees(&file, "vd_iat_moved");
}

#[test]
fn a_client_without_a_cache_never_watches() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credential");
    in_place(&path, "vd_iat_unwatched");
    let file = BearerFile::new(&path, false);
    assert_eq!(file.read(soon()).unwrap().as_str(), "vd_iat_unwatched");
    assert!(file.unchanged_digest().is_none());
}

#[test]
fn a_relative_path_is_checked_on_every_call() {
    // A relative path names another file after a chdir: never watched.
    let file = BearerFile::new(Path::new("relative/credential"), true);
    assert!(file.read(soon()).is_err());
    assert!(file.unchanged_digest().is_none());
}

/// Writers rotate the file as fast as they can, publishing each bearer's
/// number once its write returned; readers check that a call started after
/// that never sees an older one. A drain not atomic with its count (or a
/// watch missing an event) lets a reader see a stale digest.
#[test]
fn a_call_that_starts_after_a_write_returns_sees_it_under_contention() {
    const ROTATIONS: usize = 300;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credential");
    let bearer = |n: usize| format!("vd_iat_race{n:05}");
    in_place(&path, &bearer(0));
    let digests: Arc<HashMap<[u8; 32], usize>> = Arc::new((0..=ROTATIONS).map(|n| (digest_of(&bearer(n)), n)).collect());
    let file = Arc::new(BearerFile::new(&path, true));
    let published = Arc::new(AtomicUsize::new(0));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (file, published, digests) = (Arc::clone(&file), Arc::clone(&published), Arc::clone(&digests));
            thread::spawn(move || {
                let mut calls = 0;
                loop {
                    let floor = published.load(Ordering::SeqCst);
                    // A torn read may fail; a settled one must be this new.
                    let Some(digest) = file.unchanged_digest().or_else(|| file.read(soon()).ok().map(|b| b.digest())) else { continue };
                    let seen = digests[&digest];
                    assert!(seen >= floor, "a call started after bearer {floor} was written saw bearer {seen}");
                    calls += 1;
                    if floor == ROTATIONS {
                        return calls;
                    }
                }
            })
        })
        .collect();
    for n in 1..=ROTATIONS {
        if n % 2 == 0 { rename_over(&path, &bearer(n)) } else { in_place(&path, &bearer(n)) }
        published.store(n, Ordering::SeqCst);
    }
    for reader in readers {
        assert!(reader.join().unwrap() > 0);
    }
}

#[test]
fn a_file_on_a_filesystem_not_known_to_be_local_is_checked_on_every_call() {
    // procfs: its files change with no write through this kernel's VFS and
    // no inotify event, as a network filesystem's would.
    let file = BearerFile::new(Path::new("/proc/sys/kernel/ostype"), true);
    assert_eq!(file.read(soon()).unwrap().as_str(), "Linux");
    assert!(file.unchanged_digest().is_none(), "no watch is trusted there");
    assert!(file.state().read().unwrap().unwatchable, "and it is not tried again");
    assert_eq!(file.read(soon()).unwrap().as_str(), "Linux");
}
