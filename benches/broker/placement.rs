//! Which CPU the benchmark and the broker run on.
//!
//! A loopback round trip costs very different amounts depending on whether
//! the broker's thread wakes on the caller's core or on another one, and
//! left to the scheduler that choice differs between two clients measured
//! side by side — enough to make a ratio between them mean nothing. So the
//! emulator is pinned to one CPU, and each comparison runs with the caller
//! pinned first to another CPU, then to the same one.

use std::io;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// The CPUs this process may run on.
pub fn allowed() -> Vec<usize> {
    // SAFETY: a zeroed cpu_set_t is an empty set; the kernel fills it.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a valid cpu_set_t of the size passed.
    if unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) } != 0 {
        return Vec::new();
    }
    // SAFETY: CPU_ISSET reads the set within its size.
    (0..libc::CPU_SETSIZE as usize).filter(|cpu| unsafe { libc::CPU_ISSET(*cpu, &set) }).collect()
}

fn set_of(cpus: &[usize]) -> libc::cpu_set_t {
    // SAFETY: as above; CPU_SET writes within the set for cpus < CPU_SETSIZE.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    for cpu in cpus {
        unsafe { libc::CPU_SET(*cpu, &mut set) };
    }
    set
}

/// Runs the calling thread (and threads and processes it starts) on `cpus`.
pub fn run_this_thread_on(cpus: &[usize]) -> io::Result<()> {
    let set = set_of(cpus);
    // SAFETY: a valid set of the size passed; 0 is the calling thread.
    match unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) } {
        0 => Ok(()),
        _ => Err(io::Error::last_os_error()),
    }
}

/// Makes `command`'s process run on `cpu` only.
pub fn pin_command(command: &mut Command, cpu: usize) {
    let set = set_of(&[cpu]);
    // SAFETY: sched_setaffinity is async-signal-safe and touches only `set`, copied in.
    unsafe {
        command.pre_exec(move || match libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) {
            0 => Ok(()),
            _ => Err(io::Error::last_os_error()),
        });
    }
}
