//! A hostile neighbour of `vd-broker serve` on the same machine, without the
//! secret, tries to starve it or to flood its log; and the ways its own
//! surroundings can go wrong (a closed stderr, a half-closed client). Each
//! case has a bound (loopback only, every loop bounded in time); the cases
//! run in parallel, the longest (idle connections) for 30 s.
#![cfg(feature = "serve")]

mod serve_support;
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use serve_support::{command, raise_file_limit, KillOnDrop, Served, StopOnDrop};
use support::{BearerFile, Emulator};

const VAULT: &str = "https://vault.azure.net";
const STORAGE: &str = "https://storage.azure.com";

/// A token request for `resource`, as raw HTTP/1.1.
fn raw_request(address: &str, header: &str, resource: &str) -> String {
    format!("GET /msi/token?api-version=2019-08-01&resource={resource} HTTP/1.1\r\nHost: {address}\r\nX-IDENTITY-HEADER: {header}\r\n\r\n")
}

/// Sends `request` on a new connection (shutting the write side down after
/// it when `half_close`) and returns the answer's status (0 if none came).
fn status_of(address: &str, request: &str, half_close: bool) -> u16 {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    if half_close {
        stream.shutdown(Shutdown::Write).unwrap();
    }
    let mut head = [0u8; 12];
    match stream.read_exact(&mut head) {
        Ok(()) => std::str::from_utf8(&head[9..12]).ok().and_then(|code| code.parse().ok()).unwrap_or(0),
        Err(_) => 0,
    }
}

/// Whether the peer closed `stream` (it is non-blocking).
fn closed(stream: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
    }
}

#[test]
fn idle_connections_held_open_cannot_keep_a_client_waiting() {
    const IDLE: usize = 300;
    raise_file_limit();
    let emulator = Emulator::start();
    let served = Served::start(&emulator);
    assert_eq!(served.token(VAULT).status, 200);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let _stop = StopOnDrop(&stop);
        // 300 connections that never send a byte, each opened again as
        // soon as the server closes it.
        scope.spawn(|| {
            let open = || {
                let stream = TcpStream::connect(&served.address).unwrap();
                stream.set_nonblocking(true).unwrap();
                stream
            };
            let mut idle: Vec<TcpStream> = (0..IDLE).map(|_| open()).collect();
            while !stop.load(Ordering::Relaxed) {
                for stream in &mut idle {
                    if closed(stream) {
                        *stream = open();
                    }
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        std::thread::sleep(Duration::from_millis(500));
        let (started, mut served_count, mut slowest) = (Instant::now(), 0, Duration::ZERO);
        while started.elapsed() < Duration::from_secs(30) {
            let asked = Instant::now();
            let reply = served.token(VAULT);
            let took = asked.elapsed();
            assert_eq!(reply.status, 200, "{}", reply.body);
            assert!(took <= Duration::from_secs(1), "a token took {took:?} behind {IDLE} idle connections");
            slowest = slowest.max(took);
            served_count += 1;
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!("{served_count} tokens behind {IDLE} idle connections in 30 s, the slowest in {slowest:?}");
    });
}

#[test]
fn a_cache_hit_never_waits_behind_a_slow_mint() {
    const WAITERS: usize = 24;
    let emulator = Emulator::start();
    let served = Served::start(&emulator);
    assert_eq!(served.token(STORAGE).status, 200);
    emulator.settings(json!({ "delay_ms": 6000 }));
    std::thread::scope(|scope| {
        let waiters: Vec<_> = (0..WAITERS).map(|_| scope.spawn(|| served.token(VAULT))).collect();
        std::thread::sleep(Duration::from_millis(500));
        let hit = raw_request(&served.address, &served.header, STORAGE);
        for _ in 0..3 {
            let asked = Instant::now();
            assert_eq!(status_of(&served.address, &hit, false), 200);
            let took = asked.elapsed();
            assert!(took <= Duration::from_millis(50), "a cache hit took {took:?} behind {WAITERS} waiters on a 6 s mint");
        }
        let tokens: Vec<String> = waiters
            .into_iter()
            .map(|waiter| {
                let reply = waiter.join().unwrap();
                assert_eq!(reply.status, 200, "{}", reply.body);
                reply.json()["access_token"].as_str().unwrap().to_string()
            })
            .collect();
        assert!(tokens.windows(2).all(|w| w[0] == w[1]), "every waiter got the one token");
    });
    assert_eq!(emulator.token_requests(), 2, "one mint per resource");
}

#[test]
fn a_closed_stderr_stops_no_answer() {
    let emulator = Emulator::start();
    let bearer = BearerFile::fresh();
    let mut served = KillOnDrop(command(&emulator, &bearer).arg("serve").stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap());
    let mut stdout = BufReader::new(served.0.stdout.take().unwrap());
    let (mut endpoint, mut header) = (String::new(), String::new());
    stdout.read_line(&mut endpoint).unwrap();
    stdout.read_line(&mut header).unwrap();
    let address = endpoint.trim().trim_start_matches("IDENTITY_ENDPOINT=http://").split('/').next().unwrap().to_string();
    let header = header.trim().trim_start_matches("IDENTITY_HEADER=").to_string();
    // The reader of its log goes away: every later write to stderr fails.
    drop(served.0.stderr.take());
    let statuses: Vec<u16> = (0..20)
        .map(|i| status_of(&address, &raw_request(&address, &header, if i % 2 == 0 { VAULT } else { STORAGE }), false))
        .collect();
    assert!(statuses.iter().all(|s| *s == 200), "answers with stderr closed: {statuses:?}");
    assert_eq!(status_of(&address, &raw_request(&address, "wrong", VAULT), false), 401);
    assert!(served.0.try_wait().unwrap().is_none(), "serve ended");
}

#[test]
fn a_half_closed_request_gets_its_answer() {
    let emulator = Emulator::start();
    let served = Served::start(&emulator);
    let request = raw_request(&served.address, &served.header, VAULT);
    let answered = (0..200).filter(|_| status_of(&served.address, &request, true) == 200).count();
    assert_eq!(answered, 200, "half-closed requests answered");
}

#[test]
fn a_flood_of_refusals_grows_the_log_by_a_bounded_amount() {
    let emulator = Emulator::start();
    let served = Served::start(&emulator);
    assert_eq!(served.token(VAULT).status, 200);
    let before = served.log().len();
    let refused = raw_request(&served.address, &"0".repeat(64), VAULT);
    let started = Instant::now();
    let count: usize = std::thread::scope(|scope| {
        let floods: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    let mut count = 0;
                    while started.elapsed() < Duration::from_secs(2) {
                        assert_eq!(status_of(&served.address, &refused, false), 401);
                        count += 1;
                    }
                    count
                })
            })
            .collect();
        floods.into_iter().map(|flood| flood.join().unwrap()).sum()
    });
    let grown = served.log().len() - before;
    assert!(count > 200, "only {count} refusals sent");
    assert!(grown <= 512, "{count} refusals wrote {grown} bytes of log");
    // They are counted, in one line per interval.
    let deadline = Instant::now() + Duration::from_secs(15);
    while !served.log().contains("requests refused with 401 in the last 10 s") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let log = served.log();
    assert!(log.contains("requests refused with 401 in the last 10 s"), "{log}");
    assert!(log.len() - before <= 1024, "{log}");
    eprintln!("{count} refusals in 2 s: {grown} bytes of log, then the count: {}", log.lines().last().unwrap_or(""));
}
