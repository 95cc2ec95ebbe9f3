use super::*;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

fn probe(socket: &impl AsRawFd) -> bool {
    is_idle(socket.as_raw_fd())
}

fn within_seconds(seconds: u64) -> NextTimeout {
    use ureq::unversioned::transport::time::Duration as UreqDuration;
    NextTimeout { after: UreqDuration::from_secs(seconds), reason: ureq::Timeout::Global, ..NextTimeout::default() }
}

#[test]
fn a_request_written_in_pieces_leaves_in_one_send_and_is_not_kept() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let ours = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (mut theirs, _) = listener.accept().unwrap();
    let mut transport = SocketTransport::with_buffers(ours, 1024, 1024);
    for piece in [&b"POST / HTTP/1.1\r\n\r\n"[..], b"body"] {
        transport.buffers().output()[..piece.len()].copy_from_slice(piece);
        transport.transmit_output(piece.len(), within_seconds(5)).unwrap();
        assert!(transport.buffers().output().iter().all(|b| *b == 0), "the written bytes are zeroed");
        assert!(probe(&theirs), "nothing is sent before the answer is awaited");
    }
    let broker = std::thread::spawn(move || {
        let mut request = [0u8; 64];
        let n = theirs.read(&mut request).unwrap();
        theirs.write_all(b"answer").unwrap();
        request[..n].to_vec()
    });
    assert!(transport.await_input(within_seconds(5)).unwrap());
    assert_eq!(transport.buffers().input(), b"answer");
    assert_eq!(broker.join().unwrap(), b"POST / HTTP/1.1\r\n\r\nbody", "one read got it all");
}

#[test]
fn a_connection_is_open_only_while_idle_and_connected() {
    let (ours, mut theirs) = UnixStream::pair().unwrap();
    assert!(probe(&ours), "idle");
    theirs.write_all(b"x").unwrap();
    assert!(!probe(&ours), "unexpected bytes waiting");
    let mut byte = [0u8];
    (&ours).read_exact(&mut byte).unwrap();
    assert!(probe(&ours), "idle again once read");
    drop(theirs);
    assert!(!probe(&ours), "peer gone");
}

#[test]
fn a_wait_ends_at_its_deadline() {
    let (ours, _theirs) = UnixStream::pair().unwrap();
    let started = Instant::now();
    let error = wait(ours.as_raw_fd(), libc::POLLIN, Some(started + Duration::from_millis(30))).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    assert!(started.elapsed() >= Duration::from_millis(30));
}

#[test]
fn a_receive_ends_at_its_deadline_even_after_a_longer_one() {
    let (ours, _theirs) = UnixStream::pair().unwrap();
    let mut receive_timeout = None;
    let mut buf = [0u8; 16];
    for wait_ms in [1_300, 40] {
        let started = Instant::now();
        let deadline = started + Duration::from_millis(wait_ms);
        let error = receive(ours.as_raw_fd(), &mut receive_timeout, &mut buf, Some(deadline)).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(wait_ms), "{waited:?} < {wait_ms} ms");
        assert!(waited < Duration::from_millis(wait_ms + 500), "{waited:?} overran {wait_ms} ms");
    }
}

#[test]
fn a_tiny_receive_timeout_left_by_a_deadline_is_raised_for_the_next_wait() {
    let (ours, mut theirs) = UnixStream::pair().unwrap();
    let mut buf = [0u8; 16];
    // The end of an earlier call's wait left a microsecond set.
    let mut receive_timeout = Some(Duration::from_micros(1));
    set_receive_timeout(ours.as_raw_fd(), receive_timeout).unwrap();
    theirs.write_all(b"x").unwrap();
    let deadline = Some(Instant::now() + Duration::from_secs(5));
    assert_eq!(receive(ours.as_raw_fd(), &mut receive_timeout, &mut buf, deadline).unwrap(), 1);
    assert_eq!(receive_timeout, Some(RECEIVE_SLICE));
}

#[test]
fn a_receive_returns_what_arrived_and_then_the_end() {
    let (ours, mut theirs) = UnixStream::pair().unwrap();
    let mut receive_timeout = None;
    let mut buf = [0u8; 16];
    let deadline = Some(Instant::now() + Duration::from_secs(5));
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        theirs.write_all(b"answer").unwrap();
    });
    let n = receive(ours.as_raw_fd(), &mut receive_timeout, &mut buf, deadline).unwrap();
    assert_eq!(&buf[..n], b"answer");
    writer.join().unwrap();
    assert_eq!(receive(ours.as_raw_fd(), &mut receive_timeout, &mut buf, deadline).unwrap(), 0);
    assert!(receive_timeout.is_some_and(|t| t <= RECEIVE_SLICE));
}

#[test]
fn a_full_socket_buffer_is_waited_on_then_drained() {
    let (ours, theirs) = UnixStream::pair().unwrap();
    let data = vec![7u8; 4 * 1024 * 1024];
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        (&theirs).read_to_end(&mut got).unwrap();
        got
    });
    send_all(ours.as_raw_fd(), &data, Some(Instant::now() + Duration::from_secs(30))).unwrap();
    drop(ours);
    assert_eq!(reader.join().unwrap(), data);
}

#[test]
fn sending_to_a_closed_peer_is_an_error_not_a_signal() {
    let (ours, theirs) = UnixStream::pair().unwrap();
    drop(theirs);
    let error = send_all(ours.as_raw_fd(), b"request", None).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::BrokenPipe);
}
