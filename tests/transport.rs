//! The connection under the broker requests, against hand-written brokers
//! that see what arrives on their sockets: one kept-alive connection for
//! many requests, each request arriving whole, a pooled connection the
//! broker has closed never written to, answers in many small segments or
//! larger than the connection's input buffer, an answer dripped slower than
//! the timeout, and TLS for an https broker. (A CONNECT proxy from the
//! environment is in `proxy.rs`, alone in its process because it sets the
//! environment.)

mod support;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use support::BearerFile;
use vd_broker::{Client, ErrorKind, Options};

const SQL: &str = "https://database.windows.net/.default";

/// A broker's token answer, kept alive.
fn answer() -> Vec<u8> {
    answer_with("token")
}

fn answer_with(token: &str) -> Vec<u8> {
    let body = format!(r#"{{"access_token":"{token}","expires_in":3600}}"#);
    format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn client_of(url: &str, file: &BearerFile) -> Client {
    client_within(url, file, Duration::from_secs(5))
}

fn client_within(url: &str, file: &BearerFile, timeout: Duration) -> Client {
    Client::new(&Options {
        broker_url: Some(url.to_string()),
        credential_file: Some(file.path.clone()),
        runtime_access_socket: Some("/nonexistent/vd.sock".into()),
        cache: Some(false),
        timeout: Some(timeout),
        ..Options::default()
    })
    .unwrap()
}

/// A broker on loopback that reads one request, then hands the connection
/// to `respond`; the request comes back from the thread.
fn one_request_broker(respond: impl FnOnce(&mut TcpStream) + Send + 'static) -> (String, thread::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api", listener.local_addr().unwrap());
    let broker = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.set_nodelay(true).unwrap();
        let request = read_request(&mut stream, &mut Vec::new()).unwrap();
        respond(&mut stream);
        request
    });
    (url, broker)
}

/// Reads one whole request (head and Content-Length body) from `stream`;
/// `None` at the end of the stream or on a read error (a read timeout).
/// Adds to `first_reads` what the request's first read returned.
fn read_request(stream: &mut TcpStream, first_reads: &mut Vec<Vec<u8>>) -> Option<Vec<u8>> {
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        if request.is_empty() {
            first_reads.push(buf[..n].to_vec());
        }
        request.extend_from_slice(&buf[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut parsed = httparse::Request::new(&mut headers);
        if let Ok(httparse::Status::Complete(head)) = parsed.parse(&request) {
            let length = parsed
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .map(|h| std::str::from_utf8(h.value).unwrap().parse::<usize>().unwrap())
                .unwrap_or(0);
            if request.len() >= head + length {
                return Some(request);
            }
        }
    }
}

#[test]
fn requests_share_one_kept_alive_connection_and_leave_whole() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api", listener.local_addr().unwrap());
    let broker = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        listener.set_nonblocking(true).unwrap();
        let mut first_reads = Vec::new();
        while read_request(&mut stream, &mut first_reads).is_some() {
            stream.write_all(&answer()).unwrap();
        }
        // Any second connection would be waiting by now.
        (first_reads, listener.accept().is_ok())
    });
    let file = BearerFile::fresh();
    let client = client_of(&url, &file);
    for _ in 0..5 {
        assert_eq!(client.get_token(SQL).unwrap().secret(), "token");
    }
    drop(client);
    let (first_reads, second_connection) = broker.join().unwrap();
    assert!(!second_connection, "every request should reuse the first connection");
    assert_eq!(first_reads.len(), 5);
    for first in &first_reads {
        // The head and the body arrive together (that each request leaves in
        // one send is proven in the socket transport's own tests).
        let text = String::from_utf8_lossy(first);
        assert!(text.starts_with("POST /api/token HTTP/1.1\r\n"), "{text}");
        assert!(text.ends_with("\r\n\r\n{\"audience\":\"sql\"}"), "request not whole in one read: {text:?}");
    }
}

#[test]
fn a_pooled_connection_the_broker_closed_is_never_written_to() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api", listener.local_addr().unwrap());
    let (close_first, closed_first) = (mpsc::channel::<()>(), mpsc::channel::<()>());
    let broker = thread::spawn(move || {
        let mut first_reads = Vec::new();
        let (mut first, _) = listener.accept().unwrap();
        read_request(&mut first, &mut first_reads).unwrap();
        first.write_all(&answer()).unwrap();
        // Hang up while the client holds the connection in its pool, but
        // keep listening on it: a request sent on it would still arrive.
        close_first.1.recv().unwrap();
        first.shutdown(Shutdown::Write).unwrap();
        closed_first.0.send(()).unwrap();
        let (mut second, _) = listener.accept().unwrap();
        read_request(&mut second, &mut first_reads).unwrap();
        second.write_all(&answer()).unwrap();
        drop(second);
        first.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        let late = read_request(&mut first, &mut Vec::new());
        (first_reads.len(), late)
    });
    let file = BearerFile::fresh();
    let client = client_of(&url, &file);
    client.get_token(SQL).unwrap();
    close_first.0.send(()).unwrap();
    closed_first.1.recv().unwrap();
    // The hang-up is seen before anything is sent: a new connection, no error.
    assert_eq!(client.get_token(SQL).unwrap().secret(), "token");
    drop(client);
    let (requests, late) = broker.join().unwrap();
    assert_eq!(requests, 2);
    assert!(late.is_none(), "a request was sent on the closed connection");
}

#[test]
fn an_https_broker_is_spoken_to_in_tls() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}/api", listener.local_addr().unwrap());
    let broker = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut record = [0u8; 6];
        stream.read_exact(&mut record).unwrap();
        // Not a TLS server: answer in plain HTTP, which no TLS client accepts.
        let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        record
    });
    let file = BearerFile::fresh();
    let err = client_of(&url, &file).get_token(SQL).unwrap_err();
    let record = broker.join().unwrap();
    // A TLS handshake record (0x16), version 3.x, carrying a ClientHello (1).
    assert_eq!((record[0], record[1], record[5]), (0x16, 0x03, 0x01), "{record:?}");
    assert_eq!(err.kind(), ErrorKind::BrokerUnreachable, "{err}");
    assert!(err.message().contains(&format!("the credential broker at {url}/token")), "{err}");
    assert!(!err.message().contains(&file.bearer()), "{err}");
}

#[test]
fn an_answer_in_many_small_segments_is_read_whole() {
    let (url, broker) = one_request_broker(|stream| {
        // Each piece its own segment: the client must wait for every one.
        for piece in answer_with("token-in-pieces").chunks(7) {
            stream.write_all(piece).unwrap();
            thread::sleep(Duration::from_millis(1));
        }
    });
    let file = BearerFile::fresh();
    assert_eq!(client_of(&url, &file).get_token(SQL).unwrap().secret(), "token-in-pieces");
    let request = String::from_utf8(broker.join().unwrap()).unwrap();
    // The Host header is made once per client, as ureq would make it.
    let authority = url.trim_start_matches("http://").trim_end_matches("/api");
    assert!(request.to_ascii_lowercase().contains(&format!("\r\nhost: {authority}\r\n")), "{request}");
}

#[test]
fn an_answer_bigger_than_the_input_buffer_is_read_whole() {
    // The connection's input buffer is 16 KiB; this answer is 100 KB.
    let token: String = (0..100_000).map(|i| char::from(b'A' + (i % 26) as u8)).collect();
    let sent = token.clone();
    let (url, broker) = one_request_broker(move |stream| stream.write_all(&answer_with(&sent)).unwrap());
    let file = BearerFile::fresh();
    assert_eq!(client_of(&url, &file).get_token(SQL).unwrap().secret(), token);
    broker.join().unwrap();
}

#[test]
fn an_answer_dripped_slower_than_the_timeout_ends_at_the_deadline() {
    let (url, broker) = one_request_broker(|stream| {
        // A byte at a time, each well inside the timeout, the whole far outside it.
        for byte in answer() {
            if stream.write_all(&[byte]).is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
    });
    let file = BearerFile::fresh();
    let timeout = Duration::from_millis(400);
    let started = Instant::now();
    let err = client_within(&url, &file, timeout).get_token(SQL).unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    // Nothing restarts the clock: not each byte, not each step of the read.
    assert!(took < timeout + Duration::from_millis(500), "took {took:?} for a {timeout:?} timeout");
    broker.join().unwrap();
}
