//! Hostile clients of `vd-broker serve` (loopback only, every loop bounded):
//! each gets its documented answer while a well-behaved client keeps being
//! served and the server's memory stays bounded.
#![cfg(feature = "serve")]

mod serve_support;
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serve_support::{raise_file_limit, Served, StopOnDrop};
use support::Emulator;

const VAULT: &str = "https://vault.azure.net";
const CONNECTIONS: usize = 1000;

/// The status code of the first answer on `stream` (0 if it closed first).
fn status_of(stream: &mut TcpStream) -> u16 {
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n") && head.len() < 64 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    let line = String::from_utf8_lossy(&head);
    line.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0)
}

fn token_request(served: &Served) -> String {
    format!(
        "GET /msi/token?api-version=2019-08-01&resource={VAULT} HTTP/1.1\r\nHost: {}\r\nX-IDENTITY-HEADER: {}\r\n\r\n",
        served.address, served.header
    )
}

#[test]
fn hostile_clients_get_their_status_while_others_are_served() {
    raise_file_limit();
    let emulator = Emulator::start();
    let mut served = Served::start(&emulator);
    assert_eq!(served.token(VAULT).status, 200);
    let rss_before = served.rss_kib();

    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let _stop = StopOnDrop(&done);
        // The well-behaved client, throughout.
        let others = scope.spawn(|| {
            let (started, mut served_count) = (Instant::now(), 0u32);
            while !done.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(120) {
                let reply = served.token(VAULT);
                assert_eq!(reply.status, 200, "a well-behaved client was refused: {}", reply.body);
                served_count += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            served_count
        });

        // Slowloris: a request head trickled a byte at a time is cut off
        // (the head timeout) rather than holding its connection.
        let slow = scope.spawn(|| {
            let mut stream = TcpStream::connect(&served.address).unwrap();
            stream.write_all(b"GET /msi/token HTTP/1.1\r\nHost: x\r\nX-Slow: ").unwrap();
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(60) {
                if stream.write_all(b"a").is_err() {
                    return true;
                }
                std::thread::sleep(Duration::from_millis(500));
            }
            false
        });

        let plain = |extra: &str| {
            let mut stream = TcpStream::connect(&served.address).unwrap();
            let request = token_request(&served).replace("\r\n\r\n", &format!("\r\n{extra}\r\n\r\n"));
            stream.write_all(request.as_bytes()).unwrap();
            status_of(&mut stream)
        };
        assert_eq!(plain("X-Forwarded-For: 10.0.0.1"), 400, "X-Forwarded-For");
        assert_eq!(plain("Forwarded: for=10.0.0.1"), 400, "Forwarded");
        let no_header = format!("GET /msi/token?api-version=2019-08-01&resource={VAULT} HTTP/1.1\r\nHost: x\r\n\r\n");
        let mut stream = TcpStream::connect(&served.address).unwrap();
        stream.write_all(no_header.as_bytes()).unwrap();
        assert_eq!(status_of(&mut stream), 401, "no header");
        let wrong = token_request(&served).replace(&served.header, &"f".repeat(64));
        let mut stream = TcpStream::connect(&served.address).unwrap();
        stream.write_all(wrong.as_bytes()).unwrap();
        assert_eq!(status_of(&mut stream), 401, "wrong header");
        let post = token_request(&served).replacen("GET", "POST", 1);
        let mut stream = TcpStream::connect(&served.address).unwrap();
        stream.write_all(post.as_bytes()).unwrap();
        assert_eq!(status_of(&mut stream), 405, "POST");

        // A 64 KiB header: 431, never read into memory whole.
        let mut stream = TcpStream::connect(&served.address).unwrap();
        let big = format!("X-Big: {}", "a".repeat(64 * 1024));
        let request = token_request(&served).replace("\r\n\r\n", &format!("\r\n{big}\r\n\r\n"));
        let _ = stream.write_all(request.as_bytes()); // the server may close before reading it all
        assert_eq!(status_of(&mut stream), 431, "64 KiB header");

        // 1 000 connections at once, each with a request: past the bound
        // they wait in the listen queue (the answered ones, once idle, make
        // room), and every one is answered 200.
        let mut streams: Vec<TcpStream> = (0..CONNECTIONS).map(|_| TcpStream::connect(&served.address).unwrap()).collect();
        let request = token_request(&served);
        for stream in &mut streams {
            stream.write_all(request.as_bytes()).unwrap();
        }
        let statuses: Vec<u16> = streams.into_iter().map(|mut stream| status_of(&mut stream)).collect();
        let ok = statuses.iter().filter(|s| **s == 200).count();
        assert_eq!(ok, CONNECTIONS, "statuses other than 200: {:?}", statuses.iter().filter(|s| **s != 200).collect::<Vec<_>>());

        assert!(slow.join().unwrap(), "the slowloris connection was never closed");
        done.store(true, Ordering::Relaxed);
        assert!(others.join().unwrap() > 0);
    });

    let rss_after = served.rss_kib();
    assert!(
        rss_after < rss_before + 48 * 1024,
        "RSS grew from {rss_before} KiB to {rss_after} KiB under {CONNECTIONS} connections"
    );
    eprintln!("serve RSS: {rss_before} KiB before, {rss_after} KiB after");
    // Refusals are counted, and the count is written at the latest when it stops.
    // SAFETY: kill(2) on the child this test started and has not reaped.
    assert_eq!(unsafe { libc::kill(served.child.id() as libc::pid_t, libc::SIGTERM) }, 0);
    assert_eq!(served.child.wait().unwrap().code(), Some(0));
    let log = served.log();
    assert!(log.contains("refused with 431"), "the 431 is counted: {log}");
    assert!(log.contains("refused with 401"), "the 401s are counted: {log}");
    assert!(!log.contains(&served.header));
    assert_eq!(emulator.token_requests(), 1, "one broker request for all of them");
}
