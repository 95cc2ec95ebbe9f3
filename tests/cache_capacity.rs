//! The process cache holds a thousand keys without a cliff: after the first
//! round, round robin over them never asks the broker. Its own process (its
//! own test binary), so no other test's keys share the cache.

mod support;

use std::sync::Arc;

use support::{client, BearerFile, Emulator};
use vd_broker::Client;

const SQL: &str = "https://database.windows.net/.default";
const KEYS: usize = 1_000;
const THREADS: usize = 4;

#[test]
fn a_thousand_keys_round_robin_ask_the_broker_once_each() {
    let emulator = Emulator::start();
    // One bearer per key: each is its own cache key.
    let files: Vec<BearerFile> = (0..KEYS).map(|_| BearerFile::fresh()).collect();
    let clients: Arc<Vec<Client>> = Arc::new(files.iter().map(|file| client(&emulator, file)).collect());
    // The first round from several threads at once, all in the same order:
    // they race for every key, and single-flight still mints each once.
    let first_round: Vec<_> = (0..THREADS)
        .map(|_| {
            let clients = Arc::clone(&clients);
            std::thread::spawn(move || clients.iter().map(|c| c.get_token(SQL).unwrap().secret().to_string()).collect::<Vec<_>>())
        })
        .collect();
    let seen: Vec<Vec<String>> = first_round.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(seen.iter().all(|tokens| *tokens == seen[0]), "every thread got the one token of each key");
    assert_eq!(emulator.token_requests(), KEYS);
    for _round in 0..3 {
        for (client, token) in clients.iter().zip(&seen[0]) {
            assert_eq!(client.get_token(SQL).unwrap().secret(), token);
        }
    }
    assert_eq!(emulator.token_requests(), KEYS, "no broker request after the first round");
}
