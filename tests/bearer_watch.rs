//! The bearer file's watch across processes and when it must give up:
//! a forked child and its parent rotating the same file, a queue that
//! overflowed, no inotify instance at all. Each runs in a forked child (or
//! makes one), so the process-wide watch it breaks is that child's alone.
//!
//! A fallback is shown by what only `stat` + `pread` sees: a write through a
//! shared `mmap`, which sends inotify no event. A process still trusting its
//! watch would serve the old bearer's token.

mod support;

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::path::Path;

use support::{claims, fresh_bearer, options, sha256_hex, BearerFile, Emulator};
use vd_broker::{Client, Options};

const SQL: &str = "https://database.windows.net/.default";

/// The process cache alone: a token a call gets was minted for the bearer
/// its own process read (the shared cache would hand over another's).
fn client(emulator: &Emulator, file: &BearerFile) -> Client {
    Client::new(&Options { shared_cache: Some(false), ..options(emulator, file) }).unwrap()
}

/// Whether the next call's token was minted for `bearer`.
fn serves(client: &Client, bearer: &str) -> bool {
    match client.get_token(SQL) {
        Ok(token) => claims(token.secret())["vd_bearer"] == sha256_hex(bearer)[..16],
        Err(_) => false,
    }
}

/// A new file renamed over the bearer file, as the backend rotates it.
fn rename_over(path: &Path, bearer: &str) {
    let next = path.with_extension("next");
    fs::write(&next, bearer).unwrap();
    fs::rename(&next, path).unwrap();
}

/// Overwrites the bearer file's bytes through a shared mapping: no system
/// call writes it, so inotify says nothing. `bearer` is as long as the old.
fn write_through_mmap(path: &Path, bearer: &str) {
    let file = OpenOptions::new().read(true).write(true).open(path).unwrap();
    assert_eq!(file.metadata().unwrap().len(), bearer.len() as u64, "same length, so no truncate is needed");
    // SAFETY: a fresh shared mapping of the whole file, unmapped below.
    unsafe {
        let map = libc::mmap(std::ptr::null_mut(), bearer.len(), libc::PROT_READ | libc::PROT_WRITE, libc::MAP_SHARED, file.as_raw_fd(), 0);
        assert_ne!(map, libc::MAP_FAILED);
        std::ptr::copy_nonoverlapping(bearer.as_ptr(), map.cast::<u8>(), bearer.len());
        libc::munmap(map, bearer.len());
    }
}

/// One byte through a pipe: the two processes take turns.
struct Turn {
    read: fs::File,
    write: fs::File,
}

fn pipe() -> (fs::File, fs::File) {
    let mut fds = [0; 2];
    // SAFETY: two descriptors written on success, owned below.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    use std::os::fd::FromRawFd;
    unsafe { (fs::File::from_raw_fd(fds[0]), fs::File::from_raw_fd(fds[1])) }
}

impl Turn {
    fn pass(&mut self) {
        self.write.write_all(b"x").unwrap();
    }

    fn wait(&mut self) -> bool {
        let mut byte = [0u8; 1];
        self.read.read_exact(&mut byte).is_ok()
    }
}

#[test]
fn a_forked_child_and_its_parent_each_see_their_own_and_each_others_rotations() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = client(&emulator, &file);
    let (first, by_parent, by_child) = (file.bearer(), fresh_bearer(), fresh_bearer());
    assert!(serves(&client, &first) && serves(&client, &first), "the parent's watch is armed");
    let ((to_child_r, to_child_w), (to_parent_r, to_parent_w)) = (pipe(), pipe());
    let path = file.path.clone();
    let child_ok = {
        let client = &client;
        let by_parent = by_parent.clone();
        let by_child = by_child.clone();
        let (first, path) = (first.clone(), path.clone());
        move || {
            let mut turn = Turn { read: to_child_r, write: to_parent_w };
            // The child's own watch, armed on its first call.
            let armed = serves(client, &first) && serves(client, &first);
            turn.pass();
            // The parent rotates in place; then the child's next call must see it.
            let saw_parent = turn.wait() && serves(client, &by_parent);
            rename_over(&path, &by_child);
            let saw_own = serves(client, &by_child);
            turn.pass();
            armed && saw_parent && saw_own
        }
    };
    // SAFETY: the child runs only `child_ok` and leaves with `_exit`.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let ok = child_ok();
        unsafe { libc::_exit(if ok { 0 } else { 1 }) }
    }
    let mut turn = Turn { read: to_parent_r, write: to_child_w };
    assert!(turn.wait(), "the child got ready");
    fs::write(&path, &by_parent).unwrap();
    assert!(serves(&client, &by_parent), "the parent saw its own rotation");
    turn.pass();
    assert!(turn.wait(), "the child rotated");
    // A child reading the inherited inotify queue would have taken this event.
    assert!(serves(&client, &by_child), "the parent saw the child's rotation");
    let mut status = 0;
    unsafe { libc::waitpid(pid, &mut status, 0) };
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "the child saw its parent's rotation and its own");
}

#[test]
fn an_overflowed_queue_falls_back_and_the_next_call_still_sees_a_rotation() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = client(&emulator, &file);
    let queue: usize = fs::read_to_string("/proc/sys/fs/inotify/max_queued_events").map_or(16_384, |s| s.trim().parse().unwrap());
    let fell_back = support::in_a_forked_child(|| {
        let first = file.bearer();
        let armed = serves(&client, &first) && serves(&client, &first);
        // Between two calls: more events in the watched directory than the
        // queue holds (a create, a close and a delete per file).
        let dir = file.path.parent().unwrap();
        for n in 0..queue / 2 + 64 {
            let scratch = dir.join(format!("flood{n}"));
            fs::write(&scratch, "").unwrap();
            fs::remove_file(&scratch).unwrap();
        }
        let rotated = fresh_bearer();
        rename_over(&file.path, &rotated);
        let saw_rotation = serves(&client, &rotated);
        // Falling back, the process checks the file itself: even this is seen.
        let unseen = fresh_bearer();
        write_through_mmap(&file.path, &unseen);
        armed && saw_rotation && serves(&client, &unseen)
    });
    assert!(fell_back, "after an overflow the child saw the rotation and fell back to checking the file");
}

#[test]
fn with_no_inotify_instance_every_call_checks_the_file() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = client(&emulator, &file);
    let checked = support::in_a_forked_child(|| {
        // No descriptor left: the child's first call cannot make its inotify
        // instance (nor open the file: that call fails, as it must).
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: plain system calls on this (child) process's limits.
        unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
        // The lowest free descriptor (a new one always takes it), whatever
        // is open or closed below it.
        let lowest_free = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDONLY) };
        if lowest_free < 0 {
            return false;
        }
        unsafe { libc::close(lowest_free) };
        let lowered = libc::rlimit { rlim_cur: lowest_free as libc::rlim_t, rlim_max: limit.rlim_max };
        unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lowered) };
        let failed = client.get_token(SQL).is_err();
        unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
        // Descriptors again, but the process has no watch: the file is checked.
        let first = file.bearer();
        let served = serves(&client, &first) && serves(&client, &first);
        let rotated = fresh_bearer();
        rename_over(&file.path, &rotated);
        let saw_rotation = serves(&client, &rotated);
        let in_place = fresh_bearer();
        write_through_mmap(&file.path, &in_place);
        failed && served && saw_rotation && serves(&client, &in_place)
    });
    assert!(checked, "without an inotify instance the child checked the file on every call");
}
