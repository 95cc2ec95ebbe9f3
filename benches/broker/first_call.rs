//! The first call of a new process: what a multiprocessing worker, a dbt
//! thread pool's fork or a shell step's `vd-broker token` pays. Each sample
//! forks this process (the child starts with an empty process cache and no
//! broker connection, as `fork.rs` arranges), times one get-token call in
//! the child and reports it through a pipe. With the shared cache on, the
//! token another process minted is read from its file; off, the child asks
//! the broker on a connection of its own.

use std::time::{Duration, Instant};

use crate::cabi::NativeClient;

/// Median first-call times: (token in the shared cache, shared cache off).
pub fn shared_against_broker(samples: u32, shared: &NativeClient, unshared: &NativeClient, buf: &mut [u8]) -> (Duration, Duration) {
    // The token this process mints is what every child finds in the file.
    shared.get_token(buf);
    let (mut from_file, mut from_broker): (Vec<_>, Vec<_>) =
        (0..samples).map(|_| (in_a_child(shared), in_a_child(unshared))).unzip();
    from_file.sort();
    from_broker.sort();
    (from_file[from_file.len() / 2], from_broker[from_broker.len() / 2])
}

/// How long `client`'s first call took in a forked child.
fn in_a_child(client: &NativeClient) -> Duration {
    let mut ends = [0i32; 2];
    // SAFETY: a pipe into a fresh array.
    assert_eq!(unsafe { libc::pipe(ends.as_mut_ptr()) }, 0, "pipe");
    // SAFETY: the child makes one library call (the library is fork-safe),
    // writes to the pipe and leaves with _exit, running no Rust cleanup.
    match unsafe { libc::fork() } {
        0 => {
            let mut buf = vec![0u8; 16384];
            let started = Instant::now();
            client.get_token(&mut buf);
            let nanos = (started.elapsed().as_nanos() as u64).to_ne_bytes();
            // SAFETY: writes 8 bytes from a live array, then exits.
            unsafe {
                libc::write(ends[1], nanos.as_ptr().cast(), nanos.len());
                libc::_exit(0)
            }
        }
        child => {
            let mut nanos = [0u8; 8];
            // SAFETY: our end of the pipe; the child's write end is closed first
            // so a child that died early ends the read.
            let read = unsafe {
                libc::close(ends[1]);
                let read = libc::read(ends[0], nanos.as_mut_ptr().cast(), nanos.len());
                libc::close(ends[0]);
                let mut status = 0;
                libc::waitpid(child, &mut status, 0);
                read
            };
            assert_eq!(read, 8, "the child reported its time");
            Duration::from_nanos(u64::from_ne_bytes(nanos))
        }
    }
}
