//! The shared cache's entries are sealed with the bearer: a neighbour of
//! the same uid that reads the directory (a sidecar, a container sharing
//! `/dev/shm`) finds no token in it, and a process with another bearer
//! never opens another's entry. The runtime-access helper's tokens, which
//! no bearer can seal, are not shared.

mod shared_cache_support;
mod support;

use std::path::{Path, PathBuf};

use serde_json::json;
use shared_cache_support::{files_ending, the_entry, token_from_another_process, tokens_of_eight_processes, SQL};
use support::{options, BearerFile, Emulator};
use vd_broker::{Client, Options};

/// Whether `haystack` holds any `run`-byte stretch of `needle`.
fn holds_a_run_of(haystack: &[u8], needle: &[u8], run: usize) -> bool {
    needle.windows(run).any(|stretch| haystack.windows(run).any(|w| w == stretch))
}

#[test]
fn entries_are_sealed_with_the_bearer_so_the_directory_gives_away_no_token() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let dir = emulator.cache_dir();
    emulator.settings(json!({ "delay_ms": 300 }));
    let tokens = tokens_of_eight_processes(&emulator, &file, &dir);
    assert!(tokens.iter().all(|t| *t == tokens[0]), "the processes got different tokens");
    assert_eq!(emulator.token_requests(), 1);
    let theirs = the_entry(&dir);
    // A neighbour of the same uid reads every file: no token, no 16-byte
    // run of it, no bearer.
    let (token, bearer) = (tokens[0].as_bytes(), file.bearer());
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(!files.is_empty());
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        assert!(!holds_a_run_of(&bytes, token, 16), "{} holds a run of the token", path.display());
        assert!(!holds_a_run_of(&bytes, bearer.as_bytes(), bearer.len()), "{} holds the bearer", path.display());
    }

    // A process with another bearer in the same directory mints its own...
    emulator.settings(json!({ "delay_ms": 0 }));
    let other = BearerFile::fresh();
    let its_own = token_from_another_process(&emulator, &other, &dir);
    assert_eq!(emulator.token_requests(), 2);
    assert_ne!(its_own, tokens[0]);
    // ...and never opens another bearer's entry, even one put in its own's place.
    let mine = the_entry_holding(&dir, |path| path != theirs);
    std::fs::write(&mine, std::fs::read(&theirs).unwrap()).unwrap();
    let after = token_from_another_process(&emulator, &other, &dir);
    assert_eq!(emulator.token_requests(), 3, "the planted entry was a miss");
    assert_ne!(after, tokens[0]);
}

/// The one `.token` file in `dir` that `wanted` picks.
fn the_entry_holding(dir: &Path, wanted: impl Fn(&Path) -> bool) -> PathBuf {
    let entries: Vec<_> = files_ending(dir, ".token").into_iter().filter(|p| wanted(p)).collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    entries[0].clone()
}

#[test]
fn tokens_from_the_runtime_access_helper_are_not_shared() {
    let emulator = Emulator::with_helper();
    let file = BearerFile::fresh();
    let options = Options {
        runtime_access_socket: emulator.helper_socket.clone(),
        ..options(&emulator, &file)
    };
    let client = Client::new(&options).unwrap();
    assert!(client.uses_access_helper());
    // No bearer to seal an entry with: no shared cache on this route.
    assert_eq!(client.shared_cache_dir(), None);
    client.get_token(SQL).unwrap();
    assert!(files_ending(&emulator.cache_dir(), ".token").is_empty());
}
