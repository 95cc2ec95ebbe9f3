//! A CONNECT proxy that drips its answer a byte at a time cannot stretch a
//! call past its timeout: every read of the handshake waits only for the
//! time left. Alone in its own test process: it sets the environment, which
//! every client built in the process would read.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use support::{message_log, options, BearerFile, Emulator};
use vd_broker::{Client, ErrorKind, Options};

/// A proxy that reads a CONNECT request, then answers one byte every 50 ms,
/// never finishing the answer's head.
fn dripping_proxy() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    thread::spawn(move || {
        for client in listener.incoming() {
            thread::spawn(move || {
                let client = client.unwrap();
                let mut reader = BufReader::new(client.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap_or(0) > 2 {
                    line.clear();
                }
                let head = b"HTTP/1.1 200 Connection established\r\nX-Drip: ";
                for byte in head.iter().chain(std::iter::repeat(&b'a')) {
                    if (&client).write_all(&[*byte]).is_err() {
                        return; // the client gave up
                    }
                    thread::sleep(Duration::from_millis(50));
                }
            });
        }
    });
    url
}

#[test]
fn case_3_a_proxy_dripping_its_answer_cannot_outlast_the_timeout() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");
    std::env::set_var("HTTP_PROXY", dripping_proxy());
    let timeout = Duration::from_secs(2);
    let client = Client::new(&Options { timeout: Some(timeout), ..options(&emulator, &file) }).unwrap();

    let (done, outcome) = mpsc::channel();
    thread::spawn(move || {
        let started = Instant::now();
        let result = client.get_token("https://database.windows.net/.default").map(drop);
        done.send((result, started.elapsed())).unwrap();
    });
    let (result, took) = outcome.recv_timeout(Duration::from_secs(60)).expect("the call returned within a minute");
    let error = result.unwrap_err();
    message_log::message("rust", error.message());
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    assert!(took <= Duration::from_millis(2500), "returned after {took:?}, timeout {timeout:?}");
    assert_eq!(emulator.token_requests(), 0);
}
