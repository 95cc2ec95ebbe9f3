//! The transport ureq speaks HTTP/1.1 over, for both of our sockets: the
//! broker's TCP connection and the runtime-access helper's Unix socket.
//!
//! It does what ureq's own TCP transport does, less the system calls a token
//! request does not need — a cold call is one round trip, and every system
//! call around it shows in the latency:
//!
//! * A request leaves in one `send`. ureq hands over a request's head and
//!   body in two writes, which on loopback means two segments and a broker
//!   woken twice; the bytes are held until the answer is awaited. (HTTP/1.1
//!   without `Expect: 100-continue` reads nothing before the request is
//!   complete, so holding them changes nothing else.)
//! * The answer is awaited in one blocking `recv`, and the deadline kept
//!   with the socket's receive timeout — set when the connection is first
//!   used, and again only when the time left is shorter than it, rather than
//!   before every read. It is never more than a second; a wait that runs out
//!   before the deadline simply waits again. A send that would block (never,
//!   for a request this small) waits in `poll`.
//! * A pooled connection is checked with one `recv(MSG_PEEK | MSG_DONTWAIT)`,
//!   not a switch to non-blocking mode and back around a read — and once per
//!   request, when it is taken from the pool, not again as it goes back.
//!
//! And two things a library inside someone else's process owes it: `send`
//! never raises `SIGPIPE` (a broker that hangs up is an error, not the death
//! of the host process), and the request — it carries the bearer — is zeroed
//! once sent, not left in the connection's buffers.

use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::os::raw::{c_int, c_short};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use ureq::unversioned::transport::{Buffers, ConnectionDetails, LazyBuffers, NextTimeout, ShutdownHandle, Transport};
use ureq::Error;

use crate::wipe::wipe;

/// A connected stream socket the transport can own.
pub(crate) trait Socket: AsRawFd + ShutdownHandle + Send + Sync + 'static {}

impl<S: AsRawFd + ShutdownHandle + Send + Sync + 'static> Socket for S {}

pub(crate) struct SocketTransport<S> {
    /// Shared (weakly) with the agent, whose shutdown may close it from
    /// another thread.
    socket: Arc<S>,
    buffers: LazyBuffers,
    /// Written by ureq, not yet sent. Its capacity is fixed at creation, so
    /// it never reallocates (which would leave unzeroed copies behind).
    pending: Vec<u8>,
    /// Input has arrived since the last [`Transport::is_open`].
    answered: bool,
    /// The socket's receive timeout as last set; `None` while unset (no limit).
    receive_timeout: Option<Duration>,
}

/// The longest receive timeout set: how long a blocking `recv` may wait
/// before the deadline is looked at again.
const RECEIVE_SLICE: Duration = Duration::from_secs(1);

impl<S: Socket> SocketTransport<S> {
    /// Wraps a connected socket and registers it for the agent's shutdown.
    pub fn new(socket: S, details: &ConnectionDetails) -> Result<SocketTransport<S>, Error> {
        let config = details.config;
        let transport = SocketTransport::with_buffers(socket, config.input_buffer_size(), config.output_buffer_size());
        (details.register_shutdown)(Arc::downgrade(&transport.socket) as Weak<dyn ShutdownHandle>)?;
        Ok(transport)
    }

    fn with_buffers(socket: S, input_size: usize, output_size: usize) -> SocketTransport<S> {
        SocketTransport {
            socket: Arc::new(socket),
            buffers: LazyBuffers::new(input_size, output_size),
            pending: Vec::with_capacity(output_size),
            answered: false,
            receive_timeout: None,
        }
    }

    fn fd(&self) -> RawFd {
        self.socket.as_raw_fd()
    }

    /// Sends what is pending, then zeroes it.
    fn flush(&mut self, timeout: NextTimeout) -> Result<(), Error> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let timeout = timeout.for_write();
        let fd = self.fd();
        let sent = deadline(timeout).and_then(|deadline| send_all(fd, &self.pending, deadline).map_err(into_error(timeout)));
        wipe(&mut self.pending);
        self.pending.clear();
        sent
    }
}

impl<S> fmt::Debug for SocketTransport<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SocketTransport").finish_non_exhaustive()
    }
}

impl<S: Socket> Transport for SocketTransport<S> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        if self.pending.len() + amount > self.pending.capacity() {
            self.flush(timeout)?;
        }
        // Never more than the output buffer, the size of `pending`: it fits.
        let output = &mut self.buffers.output()[..amount];
        self.pending.extend_from_slice(output);
        wipe(output);
        Ok(())
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.flush(timeout)?;
        if self.buffers.can_use_input() {
            return Ok(true);
        }
        self.await_input(timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.flush(timeout)?;
        let timeout = timeout.for_read();
        let deadline = deadline(timeout)?;
        let fd = self.fd();
        let input = self.buffers.input_append_buf();
        let amount = receive(fd, &mut self.receive_timeout, input, deadline).map_err(into_error(timeout))?;
        self.buffers.input_appended(amount);
        self.answered |= amount > 0;
        Ok(amount > 0)
    }

    /// Usable for another request: nothing unsent, and nothing — not even
    /// the end of the stream — waiting to be read.
    ///
    /// ureq asks twice per request: as the connection goes back to the pool
    /// just after its answer, and as it is taken out for the next request.
    /// Whatever the first probe could see (stray bytes, a hang-up), the
    /// second sees too, so the socket is probed only when nothing has been
    /// read since the last question — on the way out of the pool.
    fn is_open(&mut self) -> bool {
        if !self.pending.is_empty() {
            return false;
        }
        std::mem::take(&mut self.answered) || is_idle(self.fd())
    }
}

/// Whether nothing — no byte, no end of stream, no error — waits on a
/// connected socket: one non-blocking peek.
fn is_idle(fd: RawFd) -> bool {
    let mut byte = 0u8;
    // SAFETY: one writable byte, its length passed with it.
    let n = unsafe { libc::recv(fd, (&raw mut byte).cast(), 1, libc::MSG_PEEK | libc::MSG_DONTWAIT) };
    n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::WouldBlock
}

/// When the wait `timeout` allows runs out — never after the deadline of the
/// request it is part of, however often ureq hands over the same timeout —
/// or `None` for never; an error if it already has.
pub(crate) fn deadline(timeout: NextTimeout) -> Result<Option<Instant>, Error> {
    // A timeout too large to add to now is none.
    let own = match timeout.after.is_not_happening() {
        true => None,
        false => Instant::now().checked_add(*timeout.after),
    };
    match crate::deadline::earliest(own) {
        Some(deadline) if crate::deadline::left(deadline).is_none() => Err(Error::Timeout(timeout.reason)),
        deadline => Ok(deadline),
    }
}


/// An I/O error as ureq's error, a timed-out wait as a timeout for `timeout`'s reason.
pub(crate) fn into_error(timeout: NextTimeout) -> impl Fn(io::Error) -> Error {
    move |e| match e.kind() {
        io::ErrorKind::TimedOut => Error::Timeout(timeout.reason),
        _ => Error::Io(e),
    }
}

/// Sends all of `data`, waiting for room in the socket buffer if it fills.
fn send_all(fd: RawFd, mut data: &[u8], deadline: Option<Instant>) -> io::Result<()> {
    while !data.is_empty() {
        // SAFETY: `data` is readable for its length.
        let n = unsafe { libc::send(fd, data.as_ptr().cast(), data.len(), libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT) };
        if n >= 0 {
            data = &data[n as usize..];
            continue;
        }
        let error = io::Error::last_os_error();
        match error.kind() {
            io::ErrorKind::WouldBlock => wait(fd, libc::POLLOUT, deadline)?,
            io::ErrorKind::Interrupted => {}
            _ => return Err(error),
        }
    }
    Ok(())
}

/// Reads what has arrived into `buf`, waiting for it until the deadline: the
/// number of bytes, 0 at the end of the stream. `receive_timeout` is the
/// socket's receive timeout, changed only when it would outlast the time
/// left or is far shorter than it need be (never past [`RECEIVE_SLICE`]).
fn receive(fd: RawFd, receive_timeout: &mut Option<Duration>, buf: &mut [u8], deadline: Option<Instant>) -> io::Result<usize> {
    if buf.is_empty() {
        return Ok(0);
    }
    loop {
        let wanted = match deadline {
            None => None,
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::ErrorKind::TimedOut.into());
                }
                let best = left.min(RECEIVE_SLICE);
                match *receive_timeout {
                    // Still good: it cannot outlast the deadline, and it is
                    // not so short (as the end of an earlier wait leaves
                    // it) that waiting would mean spinning.
                    Some(set) if set <= left && set >= best / 2 => Some(set),
                    _ => Some(best),
                }
            }
        };
        if wanted != *receive_timeout {
            set_receive_timeout(fd, wanted)?;
            *receive_timeout = wanted;
        }
        // SAFETY: `buf` is writable for its length.
        let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let error = io::Error::last_os_error();
        // WouldBlock: the receive timeout ran out; the top of the loop
        // decides whether the deadline has.
        if !matches!(error.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted) {
            return Err(error);
        }
    }
}

/// Sets `SO_RCVTIMEO`; `None` for no limit.
fn set_receive_timeout(fd: RawFd, timeout: Option<Duration>) -> io::Result<()> {
    set_timeout(fd, libc::SO_RCVTIMEO, timeout)
}

/// Sets the socket timeout `option` (`SO_RCVTIMEO`, `SO_SNDTIMEO`); `None`
/// for no limit.
pub(crate) fn set_timeout(fd: RawFd, option: c_int, timeout: Option<Duration>) -> io::Result<()> {
    let timeval = match timeout {
        None => libc::timeval { tv_sec: 0, tv_usec: 0 },
        // At least a microsecond: zero would mean no limit.
        Some(t) => {
            let t = t.max(Duration::from_micros(1));
            libc::timeval { tv_sec: t.as_secs() as libc::time_t, tv_usec: t.subsec_micros() as libc::suseconds_t }
        }
    };
    // SAFETY: a valid timeval, its size passed with it.
    let status = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            option,
            (&raw const timeval).cast(),
            std::mem::size_of::<libc::timeval>() as libc::socklen_t,
        )
    };
    if status == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

/// Waits until the socket is ready for `events` (or has an error or hang-up
/// to report), or fails with `TimedOut` at the deadline.
pub(crate) fn wait(fd: RawFd, events: c_short, deadline: Option<Instant>) -> io::Result<()> {
    loop {
        let timeout_ms: c_int = match deadline {
            None => -1,
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::ErrorKind::TimedOut.into());
                }
                // Rounded up, so that the last fraction of a millisecond is
                // waited for rather than spun on.
                left.as_nanos().div_ceil(1_000_000).min(c_int::MAX as u128) as c_int
            }
        };
        let mut pollfd = libc::pollfd { fd, events, revents: 0 };
        // SAFETY: one valid pollfd, and a count of one.
        match unsafe { libc::poll(&mut pollfd, 1, timeout_ms) } {
            0 => continue, // the top of the loop decides whether time is up
            n if n > 0 => return Ok(()),
            _ => {
                let error = io::Error::last_os_error();
                if error.kind() != io::ErrorKind::Interrupted {
                    return Err(error);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
