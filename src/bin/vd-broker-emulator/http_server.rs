//! A small HTTP/1.1 server over TCP or a Unix socket, with keep-alive, that
//! can also misbehave on purpose (close, reset, garbage, huge answers) —
//! which is why it is ours and not a library's.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::time::Duration;

const MAX_HEAD_BYTES: usize = 64 * 1024;
const MAX_BODY_BYTES: usize = 1024 * 1024;
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, body: &serde_json::Value) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }
}

/// How to answer one request.
pub enum Reply {
    Answer(Response),
    Close,
    Reset,
    Garbage,
    Huge(u64),
}

/// A connection the server can also reset.
pub trait Connection: Read + Write {
    fn set_idle_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
    /// Closes abruptly: an RST for TCP.
    fn reset(self);
}

impl Connection for TcpStream {
    fn set_idle_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.set_read_timeout(timeout)
    }

    fn reset(self) {
        use std::os::fd::AsRawFd;
        let linger = libc::linger { l_onoff: 1, l_linger: 0 };
        // SAFETY: a valid socket descriptor and a correctly sized option value.
        unsafe {
            libc::setsockopt(
                self.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                (&linger as *const libc::linger).cast(),
                std::mem::size_of::<libc::linger>() as libc::socklen_t,
            );
        }
        drop(self);
    }
}

impl Connection for UnixStream {
    fn set_idle_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.set_read_timeout(timeout)
    }

    fn reset(self) {
        let _ = self.shutdown(std::net::Shutdown::Both);
    }
}

/// Serves requests on `conn` until the peer closes, asks to close, or a
/// reply ends the connection.
pub fn serve<C: Connection>(mut conn: C, handle: &dyn Fn(&Request) -> Reply) {
    let mut buffer = Vec::with_capacity(4096);
    loop {
        let _ = conn.set_idle_timeout(Some(IDLE_TIMEOUT));
        let request = match read_request(&mut conn, &mut buffer) {
            Ok(Some(request)) => request,
            Ok(None) => return,
            Err(response) => {
                let _ = write_response(&mut conn, &response, true);
                return;
            }
        };
        let close = request.header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"));
        match handle(&request) {
            Reply::Answer(response) => {
                if write_response(&mut conn, &response, close).is_err() || close {
                    return;
                }
            }
            Reply::Close => return,
            Reply::Reset => return conn.reset(),
            Reply::Garbage => {
                let _ = conn.write_all(b"\x00\x01 this is not HTTP \xff\xfe\r\n\r\n");
                return;
            }
            Reply::Huge(bytes) => {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {bytes}\r\n\r\n");
                if conn.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let chunk = vec![b' '; 64 * 1024];
                let mut left = bytes;
                while left > 0 {
                    let n = left.min(chunk.len() as u64) as usize;
                    if conn.write_all(&chunk[..n]).is_err() {
                        return;
                    }
                    left -= n as u64;
                }
                return;
            }
        }
    }
}

/// The next request, `None` when the peer closed, or an error answer.
fn read_request<C: Read>(conn: &mut C, buffer: &mut Vec<u8>) -> Result<Option<Request>, Response> {
    let bad = |status: u16, why: &str| Response::json(status, &serde_json::json!({ "error": why }));
    let (head_len, method, path, headers) = loop {
        let mut slots = [httparse::EMPTY_HEADER; 64];
        let mut parsed = httparse::Request::new(&mut slots);
        match parsed.parse(buffer) {
            Ok(httparse::Status::Complete(len)) => {
                let headers = parsed
                    .headers
                    .iter()
                    .map(|h| (h.name.to_string(), String::from_utf8_lossy(h.value).into_owned()))
                    .collect::<Vec<_>>();
                break (len, parsed.method.unwrap_or("").to_string(), parsed.path.unwrap_or("").to_string(), headers);
            }
            Ok(httparse::Status::Partial) => {
                if buffer.len() > MAX_HEAD_BYTES {
                    return Err(bad(431, "request head too large"));
                }
                let mut chunk = [0u8; 8192];
                match conn.read(&mut chunk) {
                    Ok(0) | Err(_) => return Ok(None),
                    Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                }
            }
            Err(_) => return Err(bad(400, "malformed HTTP request")),
        }
    };
    let header = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim());
    if header("transfer-encoding").is_some() {
        return Err(bad(411, "send a Content-Length; chunked bodies are not supported"));
    }
    let body_len = match header("content-length").map(str::parse::<usize>) {
        None => 0,
        Some(Ok(n)) if n <= MAX_BODY_BYTES => n,
        Some(Ok(_)) => return Err(bad(413, "request body too large")),
        Some(Err(_)) => return Err(bad(400, "bad Content-Length")),
    };
    while buffer.len() < head_len + body_len {
        let mut chunk = [0u8; 8192];
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => return Ok(None),
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
    let body = buffer[head_len..head_len + body_len].to_vec();
    buffer.drain(..head_len + body_len);
    Ok(Some(Request { method, path, headers, body }))
}

fn write_response<C: Write>(conn: &mut C, response: &Response, close: bool) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", response.status, reason(response.status));
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n", response.body.len()));
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&response.body);
    conn.write_all(&bytes)?;
    conn.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}
