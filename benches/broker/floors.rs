//! The floors our calls are held to: reading the bearer file, plainly or
//! with `stat` + `pread` (what a warm hit did before its file was watched),
//! and a bare keep-alive HTTP round trip to the same broker
//! (what a cold call must do anyway).

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// One open + read + close of the bearer file.
pub fn read_bearer_file(path: &Path) {
    let mut buf = [0u8; 1024];
    let mut file = File::open(path).expect("bearer file opens");
    let n = file.read(&mut buf).expect("bearer file reads");
    std::hint::black_box(&buf[..n]);
}

/// One `stat()` of the bearer file's path and one `pread()` of it held
/// open: what a warm call did before its file was watched.
pub fn stat_and_pread(path: &Path, held: &File) {
    let mut buf = [0u8; 1024];
    let meta = std::fs::metadata(path).expect("bearer file found");
    let n = held.read_at(&mut buf, 0).expect("bearer file reads");
    std::hint::black_box((meta.len(), &buf[..n]));
}

/// A minimal HTTP/1.1 client on one kept-alive connection, sending the
/// request our library sends (the same headers, less `User-Agent`).
pub struct RawClient {
    reader: BufReader<TcpStream>,
    request: Vec<u8>,
}

impl RawClient {
    pub fn connect(token_url: &str, bearer: &str) -> RawClient {
        let rest = token_url.strip_prefix("http://").expect("http URL");
        let (authority, path) = rest.split_at(rest.find('/').expect("path"));
        let stream = TcpStream::connect(authority).expect("broker reachable");
        stream.set_nodelay(true).unwrap();
        let body = r#"{"audience":"sql"}"#;
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {bearer}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes();
        RawClient { reader: BufReader::new(stream), request }
    }

    /// A client sending `GET url` with one extra header on one kept-alive
    /// connection (the local endpoint's request).
    pub fn get(url: &str, header: (&str, &str)) -> RawClient {
        let rest = url.strip_prefix("http://").expect("http URL");
        let (authority, path) = rest.split_at(rest.find('/').expect("path"));
        let stream = TcpStream::connect(authority).expect("endpoint reachable");
        stream.set_nodelay(true).unwrap();
        let request = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\n{}: {}\r\n\r\n", header.0, header.1).into_bytes();
        RawClient { reader: BufReader::new(stream), request }
    }

    /// One request and its whole answer.
    pub fn round_trip(&mut self) {
        self.reader.get_mut().write_all(&self.request).expect("request sent");
        let mut length = 0usize;
        let mut line = String::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("answer head");
            if line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().expect("length");
            }
        }
        let mut body = vec![0u8; length];
        self.reader.read_exact(&mut body).expect("answer body");
        std::hint::black_box(body);
    }
}
