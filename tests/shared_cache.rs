//! The token cache every process of one user shares: real processes (the
//! `vd-broker` command, a forked child, lock holders) against the emulator,
//! and directories and files made hostile on purpose.

mod shared_cache_support;
mod support;

use std::os::fd::AsRawFd;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::Duration;

use serde_json::json;
use shared_cache_support::{command, files_ending, the_entry, token_from_another_process, tokens_of_eight_processes, SQL};
use support::{options, BearerFile, Emulator};
use vd_broker::{Client, ErrorKind, Options, TokenRequest};

fn is_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

const NOBODY: u32 = 65534;

fn chown_to_nobody(path: &Path) {
    std::os::unix::fs::lchown(path, Some(NOBODY), Some(NOBODY)).unwrap();
}

#[test]
fn eight_processes_make_one_broker_request_and_a_rotation_one_more() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let dir = emulator.cache_dir();
    // A slow answer: all eight are started while the first mints.
    emulator.settings(json!({ "delay_ms": 300 }));
    for round in 1..=2 {
        let tokens = tokens_of_eight_processes(&emulator, &file, &dir);
        assert!(tokens.iter().all(|t| *t == tokens[0]), "round {round}: the processes got different tokens");
        assert_eq!(emulator.token_requests(), round, "round {round}");
        file.write(&support::fresh_bearer());
    }
}

#[test]
fn a_process_reads_the_token_another_minted_and_this_process_keeps_it() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let minted = token_from_another_process(&emulator, &file, &emulator.cache_dir());
    let client = support::client(&emulator, &file);
    assert_eq!(client.shared_cache_dir(), Some(emulator.cache_dir().as_path()));
    assert_eq!(client.get_token(SQL).unwrap().secret(), minted);
    // Now in this process's own cache: the file is not read again.
    std::fs::remove_file(the_entry(&emulator.cache_dir())).unwrap();
    assert_eq!(client.get_token(SQL).unwrap().secret(), minted);
    assert_eq!(emulator.token_requests(), 1);
}

#[test]
fn a_forked_child_uses_the_shared_cache_as_its_parent_does() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = support::client(&emulator, &file);
    let parent_token = client.get_token(SQL).unwrap();
    let same = support::in_a_forked_child(|| matches!(client.get_token(SQL), Ok(t) if t.secret() == parent_token.secret()));
    assert!(same, "the child did not get the parent's token");
    assert_eq!(emulator.token_requests(), 1);
}

#[test]
fn the_switch_and_the_option_turn_it_off_and_claims_bypass_it() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let off = Client::new(&Options { shared_cache: Some(false), ..options(&emulator, &file) }).unwrap();
    assert_eq!(off.shared_cache_dir(), None);
    off.get_token(SQL).unwrap();
    assert!(!emulator.cache_dir().exists(), "nothing is created when the shared cache is off");
    let no_cache = Client::new(&Options { cache: Some(false), ..options(&emulator, &file) }).unwrap();
    assert_eq!(no_cache.shared_cache_dir(), None, "no token cache means no shared one either");

    let mut switched_off = command(&emulator, &file, &emulator.cache_dir());
    switched_off.env("VD_BROKER_SHARED_CACHE", "0");
    assert!(switched_off.output().unwrap().status.success());
    assert!(!emulator.cache_dir().exists());
    assert_eq!(emulator.token_requests(), 2);

    // A claims challenge is not answered from the file; its token replaces it.
    let rotated = BearerFile::fresh();
    let minted = token_from_another_process(&emulator, &rotated, &emulator.cache_dir());
    let client = support::client(&emulator, &rotated);
    let challenge = r#"{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}"#;
    let fresh = client.request_token(&TokenRequest { claims: Some(challenge), ..TokenRequest::new(SQL) }).unwrap();
    assert_ne!(fresh.secret(), minted);
    assert_eq!(emulator.token_requests(), 4);
    assert_eq!(token_from_another_process(&emulator, &rotated, &emulator.cache_dir()), fresh.secret());
    assert_eq!(emulator.token_requests(), 4);
}

#[test]
fn no_file_in_the_directory_holds_the_bearer() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = support::client(&emulator, &file);
    for scope in [SQL, "https://storage.azure.com/.default", "https://vault.azure.net/.default"] {
        client.get_token(scope).unwrap();
    }
    let bearer = file.bearer();
    let files: Vec<_> = std::fs::read_dir(emulator.cache_dir()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 6, "an entry and a lock per audience: {files:?}");
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        assert!(!bytes.windows(bearer.len()).any(|w| w == bearer.as_bytes()), "{} holds the bearer", path.display());
        let meta = std::fs::symlink_metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o7777, 0o600, "{}", path.display());
    }
    let mode = std::fs::metadata(emulator.cache_dir()).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o700);
}

/// A client for `dir` refuses it: calls still work, nothing is written there.
fn assert_refused(emulator: &Emulator, dir: &Path, look_in: &Path) {
    let file = BearerFile::fresh();
    let client = Client::new(&Options { shared_cache_dir: Some(dir.to_path_buf()), ..options(emulator, &file) }).unwrap();
    assert_eq!(client.shared_cache_dir(), None, "{} was trusted", dir.display());
    client.get_token(SQL).unwrap();
    assert_eq!(std::fs::read_dir(look_in).unwrap().count(), 0, "something was written into {}", look_in.display());
}

#[test]
fn a_symlink_at_the_directory_path_is_refused() {
    let emulator = Emulator::start();
    let scratch = tempfile::tempdir().unwrap();
    let target = scratch.path().join("elsewhere");
    std::fs::create_dir(&target).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o700)).unwrap();
    let link = scratch.path().join("cache");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    assert_refused(&emulator, &link, &target);
}

#[test]
fn a_loose_directory_is_refused() {
    let emulator = Emulator::start();
    let scratch = tempfile::tempdir().unwrap();
    for mode in [0o777, 0o750, 0o701] {
        let dir = scratch.path().join(format!("cache-{mode:o}"));
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(mode)).unwrap();
        assert_refused(&emulator, &dir, &dir);
    }
}

#[test]
fn a_directory_of_another_owner_is_refused() {
    if !is_root() {
        eprintln!("skipped: chown to another uid needs root");
        return;
    }
    let emulator = Emulator::start();
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("cache");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    chown_to_nobody(&dir);
    assert_refused(&emulator, &dir, &dir);
}

#[test]
fn a_file_that_is_not_an_entry_of_ours_is_ignored_and_replaced() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let dir = emulator.cache_dir();
    token_from_another_process(&emulator, &file, &dir);
    let entry = the_entry(&dir);
    let whole = std::fs::read(&entry).unwrap();
    type Damage<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let mut damages: Vec<Damage> = vec![
        ("truncated", Box::new(|| std::fs::write(&entry, &whole[..whole.len() / 2]).unwrap())),
        ("empty", Box::new(|| std::fs::write(&entry, b"").unwrap())),
        ("corrupt", Box::new(|| {
            let mut bent = whole.clone();
            let at = bent.len() / 2;
            bent[at] ^= 0x20;
            std::fs::write(&entry, bent).unwrap()
        })),
        ("another version", Box::new(|| {
            let mut other = whole.clone();
            let at = other.windows(4).position(|w| w == b" v2\n").expect("the format version");
            other[at + 2] = b'9';
            std::fs::write(&entry, other).unwrap()
        })),
        ("world-readable", Box::new(|| std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o644)).unwrap())),
    ];
    if is_root() {
        damages.push(("another owner's", Box::new(|| chown_to_nobody(&entry))));
    } else {
        eprintln!("skipped the other owner's file: chown to another uid needs root");
    }
    for (round, (what, damage)) in damages.iter().enumerate() {
        damage();
        // Ignored: the next process asks the broker, and the file is replaced...
        token_from_another_process(&emulator, &file, &dir);
        assert_eq!(emulator.token_requests(), round + 2, "{what} file");
        let meta = std::fs::symlink_metadata(&entry).unwrap();
        assert_eq!((meta.uid(), meta.mode() & 0o7777), (std::fs::metadata(&dir).unwrap().uid(), 0o600), "{what}");
        // ...so the one after reads it again.
        token_from_another_process(&emulator, &file, &dir);
        assert_eq!(emulator.token_requests(), round + 2, "{what} file, replaced");
    }
}

#[test]
fn symlinks_in_the_directory_are_never_followed() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let dir = emulator.cache_dir();
    token_from_another_process(&emulator, &file, &dir);
    let entry = the_entry(&dir);
    let lock = files_ending(&dir, ".lock").pop().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let bait = outside.path().join("bait");
    std::fs::write(&bait, "untouched").unwrap();
    for planted in [&entry, &lock] {
        std::fs::remove_file(planted).unwrap();
        std::os::unix::fs::symlink(&bait, planted).unwrap();
    }
    token_from_another_process(&emulator, &file, &dir);
    assert_eq!(emulator.token_requests(), 2, "the planted entry was not read");
    assert_eq!(std::fs::read_to_string(&bait).unwrap(), "untouched");
    for replaced in [&entry, &lock] {
        assert!(std::fs::symlink_metadata(replaced).unwrap().file_type().is_file(), "{} was followed", replaced.display());
    }
}

/// Waits until some process holds the lock of the one entry being minted in `dir`.
fn wait_for_a_held_lock(dir: &Path) {
    for _ in 0..500 {
        if let Some(lock) = files_ending(dir, ".lock").pop() {
            let probe = std::fs::OpenOptions::new().read(true).open(&lock).unwrap();
            // SAFETY: an open descriptor; a refused non-blocking flock changes nothing.
            let held = unsafe { libc::flock(probe.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0;
            if held {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("no process took the mint lock in {}", dir.display());
}

#[test]
fn a_lock_holder_blocks_a_waiter_only_until_its_deadline_and_not_at_all_once_killed() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let dir = emulator.cache_dir();
    // Another process mints under the lock, and the broker is slow to answer.
    emulator.settings(json!({ "delay_ms": 60_000 }));
    let mut holder = command(&emulator, &file, &dir).arg("--timeout=90").spawn().unwrap();
    wait_for_a_held_lock(&dir);
    let client = support::client(&emulator, &file);
    let short = TokenRequest { timeout: Some(Duration::from_millis(300)), ..TokenRequest::new(SQL) };
    let waited = client.request_token(&short).unwrap_err();
    assert_eq!(waited.kind(), ErrorKind::Timeout);
    assert!(waited.message().contains("another process"), "{waited}");
    // Killed while holding the lock: the kernel releases it.
    holder.kill().unwrap();
    holder.wait().unwrap();
    emulator.settings(json!({ "delay_ms": 0 }));
    client.get_token(SQL).unwrap();
    // Ours; the killed holder's is recorded only when its delay ends.
    assert_eq!(emulator.token_requests(), 1);
}

#[test]
fn expired_entries_go_and_the_directory_stays_bounded() {
    let emulator = Emulator::start();
    let dir = emulator.cache_dir();
    emulator.settings(json!({ "expires_in": 1 }));
    support::client(&emulator, &BearerFile::fresh()).get_token(SQL).unwrap();
    let expired = the_entry(&dir);
    std::thread::sleep(Duration::from_millis(2100));
    emulator.settings(json!({ "expires_in": 3600 }));
    // The next write tidies: the expired entry and its lock go.
    let file = BearerFile::fresh();
    let client = support::client(&emulator, &file);
    client.get_token(SQL).unwrap();
    assert_ne!(the_entry(&dir), expired);
    assert_eq!(files_ending(&dir, ".lock").len(), 1);
    // 300 more keys (a bearer each): the soonest to expire make room.
    for _ in 0..300 {
        file.write(&support::fresh_bearer());
        client.get_token(SQL).unwrap();
    }
    assert_eq!(files_ending(&dir, ".token").len(), 256);
    assert!(files_ending(&dir, ".lock").len() <= 256);
    assert!(files_ending(&dir, ".tmp").is_empty());
}

#[test]
fn a_due_refresh_is_made_by_one_process_while_the_others_serve_the_valid_token() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let dir = emulator.cache_dir();
    // Due for refresh at once, valid for an hour.
    emulator.settings(json!({ "refresh_in": 0 }));
    let client = support::client(&emulator, &file);
    let first = client.get_token(SQL).unwrap();
    // Another process takes the lock to refresh it; the broker is slow.
    emulator.settings(json!({ "refresh_in": 0, "delay_ms": 2000 }));
    let refresher = command(&emulator, &file, &dir).spawn().unwrap();
    wait_for_a_held_lock(&dir);
    // Meanwhile this process and a new one are served the valid token at
    // once, without waiting for the refresh.
    assert_eq!(client.get_token(SQL).unwrap().secret(), first.secret());
    assert_eq!(token_from_another_process(&emulator, &file, &dir), first.secret());
    let refreshed = refresher.wait_with_output().unwrap();
    assert!(refreshed.status.success());
    assert_ne!(String::from_utf8(refreshed.stdout).unwrap().trim(), first.secret());
    assert_eq!(emulator.token_requests(), 2, "the first mint and the one refresh");
}

#[test]
fn a_failed_mint_leaves_nothing_behind() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    emulator.fault(json!({ "status": 403 }));
    let err = support::client(&emulator, &file).get_token(SQL).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BrokerRejected);
    assert_eq!(std::fs::read_dir(emulator.cache_dir()).unwrap().count(), 0, "no entry, no lock");
}
