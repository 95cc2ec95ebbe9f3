//! What the endpoint writes on stderr, and what it never lets a stranger
//! decide: one line per answered token request (the caller had the secret),
//! and every refusal only as a count per interval, so that clients without
//! the secret cannot set the log's volume. No write can stop the server: a
//! line that cannot be written (a closed pipe) is dropped.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::security::HEAD_TIMEOUT;

/// How often the refusals are summed up (a quiet interval writes nothing).
pub const REFUSAL_INTERVAL: Duration = Duration::from_secs(10);

/// `vd-broker serve: MESSAGE` on stderr; a failed write is dropped.
pub fn line(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "vd-broker serve: {message}");
}

/// The statuses refused before a token is asked for: `protocol::check`'s
/// and hyper's own (431, and 400 for a malformed request).
const COUNTED: [u16; 5] = [400, 401, 404, 405, 431];

/// Refusals and closed connections since the last summary.
#[derive(Default)]
pub struct Tally {
    refused: [AtomicU64; COUNTED.len()],
    /// Connections closed with no complete request head within `HEAD_TIMEOUT`.
    timed_out: AtomicU64,
    /// Idle connections closed to make room for a new one.
    evicted: AtomicU64,
}

impl Tally {
    pub fn refused(&self, status: u16) {
        if let Some(at) = COUNTED.iter().position(|counted| *counted == status) {
            self.refused[at].fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn timed_out(&self) {
        self.timed_out.fetch_add(1, Ordering::Relaxed);
    }

    pub fn evicted(&self) {
        self.evicted.fetch_add(1, Ordering::Relaxed);
    }

    /// Writes one line per kind counted since the last summary (see
    /// [`Tally::summary`]); the counts restart.
    pub fn report(&self, span: &str) {
        for summary in self.summary(span) {
            line(&summary);
        }
    }

    /// One line per kind counted since the last summary, e.g.
    /// `312 requests refused with 401 in the last 10 s` (`span` says over
    /// what time); the counts restart.
    fn summary(&self, span: &str) -> Vec<String> {
        let mut lines = Vec::new();
        for (status, count) in COUNTED.iter().zip(&self.refused) {
            match count.swap(0, Ordering::Relaxed) {
                0 => {}
                1 => lines.push(format!("1 request refused with {status} {span}")),
                n => lines.push(format!("{n} requests refused with {status} {span}")),
            }
        }
        let timed_out = self.timed_out.swap(0, Ordering::Relaxed);
        if timed_out > 0 {
            lines.push(format!(
                "{timed_out} connection(s) closed with no complete request head within {} s, {span}",
                HEAD_TIMEOUT.as_secs()
            ));
        }
        let evicted = self.evicted.swap(0, Ordering::Relaxed);
        if evicted > 0 {
            lines.push(format!("{evicted} idle connection(s) closed to make room for new ones, {span}"));
        }
        lines
    }
}

/// Sums the refusals up every [`REFUSAL_INTERVAL`], for as long as the runtime runs.
pub async fn report_every_interval(tally: std::sync::Arc<Tally>) {
    let mut ticks = tokio::time::interval(REFUSAL_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        tally.report(&format!("in the last {} s", REFUSAL_INTERVAL.as_secs()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_kind_and_the_counts_restart() {
        let tally = Tally::default();
        for _ in 0..3 {
            tally.refused(401);
        }
        tally.refused(431);
        tally.refused(200);
        tally.evicted();
        assert_eq!(
            tally.summary("in the last 10 s"),
            [
                "3 requests refused with 401 in the last 10 s",
                "1 request refused with 431 in the last 10 s",
                "1 idle connection(s) closed to make room for new ones, in the last 10 s",
            ]
        );
        assert!(tally.summary("again").is_empty());
    }
}
