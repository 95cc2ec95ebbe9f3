//! The library tried as a hostile helper, bearer file and broker would: each
//! call ends by its deadline, and no message shows a secret. One test per
//! case the hardening fixed (the proxy's drip is in `proxy_deadline.rs`, a
//! process of its own; buffer lengths are in `tests/c/test_hardening.c`).

mod support;

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::json;
use support::message_log;
use support::{client, fresh_bearer, options, BearerFile, Emulator};
use vd_broker::{Client, Error, ErrorKind, Options};

const SQL: &str = "https://database.windows.net/.default";
const TIMEOUT: Duration = Duration::from_secs(2);
/// How long past its 2 s timeout a call may take to return.
const BOUND: Duration = Duration::from_millis(2500);

/// `client.get_token(SQL)` on a thread of its own, and how long it took. A
/// call that hangs fails the test (after a minute) instead of hanging it.
fn timed_call(client: Client) -> (Result<(), Error>, Duration) {
    let (done, outcome) = mpsc::channel();
    thread::spawn(move || {
        let started = Instant::now();
        let result = client.get_token(SQL).map(drop);
        done.send((result, started.elapsed())).unwrap();
    });
    outcome.recv_timeout(Duration::from_secs(60)).expect("the call returned within a minute")
}

/// Expects the call to fail with `kind` by the bound, and records its message.
fn expect_by_the_deadline(client: Client, kind: ErrorKind) -> Error {
    let (result, took) = timed_call(client);
    let error = result.expect_err("the call fails");
    message_log::message("rust", error.message());
    assert_eq!(error.kind(), kind, "{error}");
    assert!(took <= BOUND, "returned after {took:?}, timeout {TIMEOUT:?}");
    error
}

/// A broker URL on loopback where nothing listens.
fn unreachable_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("http://127.0.0.1:{port}/api")
}

/// A Unix socket listening with a full backlog: connecting to it waits for
/// an accept that never comes. The returned sockets keep it full.
fn full_helper_socket(path: &Path) -> (UnixListener, Vec<OwnedFd>) {
    let listener = UnixListener::bind(path).unwrap();
    // SAFETY: a listening socket; listen again only shrinks its backlog.
    assert_eq!(unsafe { libc::listen(listener.as_raw_fd(), 0) }, 0);
    let address = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    let mut fillers = Vec::new();
    for _ in 0..64 {
        // SAFETY: plain socket calls on a new descriptor, owned at once.
        let filler = unsafe { OwnedFd::from_raw_fd(libc::socket(libc::AF_UNIX, libc::SOCK_STREAM | libc::SOCK_NONBLOCK, 0)) };
        let mut sockaddr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
        sockaddr.sun_family = libc::AF_UNIX as libc::sa_family_t;
        for (slot, byte) in sockaddr.sun_path.iter_mut().zip(address.as_bytes_with_nul()) {
            *slot = *byte as libc::c_char;
        }
        let size = std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t;
        // SAFETY: a valid sockaddr_un and its size.
        if unsafe { libc::connect(filler.as_raw_fd(), (&raw const sockaddr).cast(), size) } != 0 {
            return (listener, fillers); // EAGAIN: the backlog is full
        }
        fillers.push(filler);
    }
    panic!("the backlog of {path:?} never filled");
}

fn helper_client(socket: &Path) -> Client {
    let options = Options { runtime_access_socket: Some(socket.to_path_buf()), timeout: Some(TIMEOUT), ..Options::default() };
    let client = Client::new(&options).unwrap();
    assert!(client.uses_access_helper());
    client
}

#[test]
fn case_1_a_helper_with_a_full_backlog_cannot_hold_the_call() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("helper.sock");
    let _full = full_helper_socket(&socket);
    let error = expect_by_the_deadline(helper_client(&socket), ErrorKind::Timeout);
    assert!(error.message().contains("runtime-access helper"), "{error}");
}

fn fifo(dir: &Path) -> PathBuf {
    let path = dir.join("credential");
    let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    path
}

fn fifo_client(path: &Path) -> Client {
    let options = Options {
        broker_url: Some(unreachable_url()),
        credential_file: Some(path.to_path_buf()),
        runtime_access_socket: Some(PathBuf::from("/nonexistent/vd-broker-test.sock")),
        timeout: Some(TIMEOUT),
        ..Options::default()
    };
    Client::new(&options).unwrap()
}

#[test]
fn case_2_a_fifo_bearer_file_without_a_writer_cannot_hold_the_call() {
    let dir = tempfile::tempdir().unwrap();
    let path = fifo(dir.path());
    let error = expect_by_the_deadline(fifo_client(&path), ErrorKind::Timeout);
    assert!(error.message().contains("gave no bearer before the timeout"), "{error}");
}

#[test]
fn case_2_a_fifo_bearer_file_with_a_silent_writer_cannot_hold_the_call() {
    let dir = tempfile::tempdir().unwrap();
    let path = fifo(dir.path());
    let _silent_writer = std::fs::OpenOptions::new().read(true).write(true).open(&path).unwrap();
    expect_by_the_deadline(fifo_client(&path), ErrorKind::Timeout);
}

#[test]
fn case_2_a_fifo_bearer_file_that_is_written_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let path = fifo(dir.path());
    let emulator = Emulator::start();
    let bearer = fresh_bearer();
    let writer = {
        let (path, bearer) = (path.clone(), bearer.clone());
        thread::spawn(move || std::fs::write(path, format!("{bearer}\n")).unwrap())
    };
    let options = Options { credential_file: Some(path.clone()), ..options(&emulator, &BearerFile::fresh()) };
    assert!(!Client::new(&options).unwrap().get_token(SQL).unwrap().secret().is_empty());
    writer.join().unwrap();
}

/// Every run of 8 characters of `secret`.
fn runs_of(secret: &str) -> Vec<String> {
    secret.as_bytes().windows(8).map(|w| String::from_utf8(w.to_vec()).unwrap()).collect()
}

fn assert_shows_none_of(message: &str, secret: &str) {
    let squeezed: String = message.chars().filter(|c| !c.is_whitespace()).collect();
    for run in runs_of(secret) {
        assert!(!squeezed.contains(&run), "{message:?} shows {run:?} of a secret");
    }
}

#[test]
fn case_4_a_broker_echoing_the_bearer_never_gets_it_shown() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let bearer = file.bearer();
    message_log::secret(&bearer);
    let (head, tail) = bearer.split_at(12);
    let echoes = [
        format!("bearer {head}\u{1}{tail} is revoked"),
        format!("bearer {head}\u{7f}{tail} is revoked"),
        format!("bearer {head}\\u0000{tail} is revoked"),
        format!("bearer {head}%0A{tail} is revoked"),
        format!("bearer {head}\u{200b}{tail} is revoked"),
        format!("bearer {} is revoked", &bearer[..bearer.len() - 3]),
        format!("bearer …{} is revoked", &bearer["vd_iat_".len()..bearer.len() - 2]),
    ];
    for (status, kind) in [(403, ErrorKind::BrokerRejected), (400, ErrorKind::BrokerStatus)] {
        for echo in &echoes {
            emulator.fault(json!({ "status": status, "body": { "error_description": echo } }));
            let error = client(&emulator, &file).get_token(SQL).unwrap_err();
            message_log::message("rust", error.message());
            assert_eq!(error.kind(), kind, "{error}");
            assert!(error.message().contains("<redacted>"), "{echo:?}: {error}");
            assert_shows_none_of(error.message(), &bearer);
        }
    }
}

#[test]
fn case_5_a_url_password_is_never_shown() {
    const PASSWORD: &str = "pw-Zq7hU2xk9T";
    message_log::secret(PASSWORD);
    let file = BearerFile::fresh();
    let with_password = |url: &str| url.replacen("http://", &format!("http://studio:{PASSWORD}@"), 1);

    // Unreachable: the message names the broker, without the password.
    let url = unreachable_url();
    let options = Options {
        broker_url: Some(with_password(&url)),
        credential_file: Some(file.path.clone()),
        runtime_access_socket: Some(PathBuf::from("/nonexistent/vd-broker-test.sock")),
        timeout: Some(TIMEOUT),
        ..Options::default()
    };
    let error = Client::new(&options).unwrap().get_token(SQL).unwrap_err();
    message_log::message("rust", error.message());
    assert_eq!(error.kind(), ErrorKind::BrokerUnreachable, "{error}");
    assert!(error.message().contains(&format!("{url}/token")), "{error}");
    assert_shows_none_of(error.message(), PASSWORD);

    // Answered: the same.
    let emulator = Emulator::start();
    emulator.fault(json!({ "status": 400 }));
    let options = Options { broker_url: Some(with_password(&emulator.url)), ..options.clone() };
    let error = Client::new(&options).unwrap().get_token(SQL).unwrap_err();
    message_log::message("rust", error.message());
    assert!(error.message().contains(&format!("{}/token answered HTTP 400", emulator.url)), "{error}");
    assert_shows_none_of(error.message(), PASSWORD);

    // Refused as invalid: the refusal shows the URL without it.
    for invalid in [format!("http://studio:{PASSWORD}@/api?x=1"), format!("ftp://studio:{PASSWORD}@host/api")] {
        let options = Options { broker_url: Some(invalid), ..options.clone() };
        let error = Client::new(&options).err().expect("refused");
        message_log::message("rust", error.message());
        assert_eq!(error.kind(), ErrorKind::Configuration, "{error}");
        assert_shows_none_of(error.message(), PASSWORD);
    }
}

#[test]
fn case_7_a_leftover_file_at_the_helper_path_does_not_divert_the_client() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let dir = tempfile::tempdir().unwrap();
    let leftover = dir.path().join("program.sock");
    std::fs::write(&leftover, "").unwrap();
    let options = Options { runtime_access_socket: Some(leftover), ..options(&emulator, &file) };
    let client = Client::new(&options).unwrap();
    assert!(!client.uses_access_helper());
    assert!(!client.get_token(SQL).unwrap().secret().is_empty());
    assert_eq!(emulator.token_requests(), 1);
}

#[test]
fn case_8_a_bearer_file_rewritten_in_place_is_not_read_as_blank() {
    use std::io::Write;
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = client(&emulator, &file);
    for _ in 0..5 {
        // Truncated, and written a moment later, as `echo > file` does.
        let mut rewrite = std::fs::OpenOptions::new().write(true).truncate(true).open(&file.path).unwrap();
        let bearer = fresh_bearer();
        let writer = thread::spawn(move || {
            thread::sleep(Duration::from_millis(1));
            rewrite.write_all(format!("{bearer}\n").as_bytes()).unwrap();
        });
        let token = client.get_token(SQL).map_err(|e| e.to_string());
        writer.join().unwrap();
        assert!(token.is_ok(), "{token:?}");
    }
}
