//! Retries: connection failures, 408, 429 and 5xx are tried again with
//! exponential backoff and jitter, honouring `Retry-After`, all within the
//! caller's one overall deadline. Other failures are final at once.

use std::thread;
use std::time::{Duration, Instant};

use crate::error::{Error, ErrorKind};
use crate::token::AccessToken;

/// At most this many tries per `get_token`.
pub(crate) const MAX_ATTEMPTS: u32 = 4;
/// A proactive refresh (the cached token is still valid) tries once: on
/// failure the caller gets the cached token now, not after the backoff.
pub(crate) const REFRESH_ATTEMPTS: u32 = 1;
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(4);

/// One failed try, and whether another may help.
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: Error,
    pub retryable: bool,
    /// What the server asked for in `Retry-After`.
    pub retry_after: Option<Duration>,
}

impl Failure {
    pub fn fatal(error: Error) -> Self {
        Failure { error, retryable: false, retry_after: None }
    }

    pub fn transient(error: Error, retry_after: Option<Duration>) -> Self {
        Failure { error, retryable: true, retry_after }
    }

    /// A failure answered with HTTP `status`: transient when the status says so.
    pub fn answered(error: Error, status: u16, retry_after: Option<Duration>) -> Self {
        if retryable_status(status) {
            Failure::transient(error.with_http_status(status), retry_after)
        } else {
            Failure::fatal(error.with_http_status(status))
        }
    }
}

/// Whether an HTTP status is worth another try.
pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

/// Calls `attempt` with the time left until `deadline` until it succeeds, fails
/// for good, has been tried `max_attempts` times or the next try would start
/// after the deadline.
pub(crate) fn with_retries(
    deadline: Instant,
    max_attempts: u32,
    mut attempt: impl FnMut(Duration) -> Result<AccessToken, Failure>,
) -> Result<AccessToken, Error> {
    let max_attempts = max_attempts.max(1);
    let mut last_status = None;
    for attempts in 1..=max_attempts {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(Error::new(ErrorKind::Timeout, "the timeout ran out before the broker could be asked"));
        }
        let failure = match attempt(remaining) {
            Ok(token) => return Ok(token),
            Err(failure) => failure,
        };
        last_status = failure.error.http_status().or(last_status);
        if !failure.retryable && attempts == 1 {
            return Err(failure.error);
        }
        let wait = backoff(attempts).max(failure.retry_after.unwrap_or_default());
        let remaining = deadline.saturating_duration_since(Instant::now());
        let stop = if !failure.retryable || attempts == max_attempts {
            None
        } else if wait >= remaining {
            Some(match failure.retry_after {
                Some(after) if after >= remaining => {
                    format!("the broker asked to retry after {} s, past the timeout", after.as_secs_f64().ceil())
                }
                _ => "the next retry would pass the timeout".to_string(),
            })
        } else {
            crate::log::info!("attempt {attempts} of {max_attempts} failed ({}); retrying in {} ms", failure.error.message(), wait.as_millis());
            thread::sleep(wait);
            continue;
        };
        return Err(gave_up(failure.error, attempts, last_status, stop));
    }
    unreachable!("the last attempt always returns")
}

fn gave_up(error: Error, attempts: u32, last_status: Option<u16>, why: Option<String>) -> Error {
    let mut note = format!("{attempts} attempt{}", if attempts == 1 { "" } else { "s" });
    if let Some(status) = last_status.filter(|_| error.http_status().is_none()) {
        note.push_str(&format!(", last status {status}"));
    }
    if let Some(why) = why {
        note.push_str("; ");
        note.push_str(&why);
    }
    let message = format!("{} ({note})", error.message());
    let error = error.with_message(message);
    match last_status {
        Some(status) if error.http_status().is_none() => error.with_http_status(status),
        _ => error,
    }
}

/// Exponential backoff with jitter: half the step fixed, half random.
fn backoff(attempts: u32) -> Duration {
    let step = FIRST_BACKOFF.saturating_mul(1 << (attempts - 1).min(16)).min(MAX_BACKOFF);
    step / 2 + step.mul_f64(fastrand::f64() / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    fn token() -> AccessToken {
        AccessToken::new(Zeroizing::new("t".into()), 10, 5)
    }

    fn unavailable() -> Failure {
        Failure::transient(Error::new(ErrorKind::BrokerStatus, "503").with_http_status(503), None)
    }

    #[test]
    fn transient_then_success() {
        let mut calls = 0;
        let result = with_retries(Instant::now() + Duration::from_secs(5), MAX_ATTEMPTS, |_| {
            calls += 1;
            if calls < 3 { Err(unavailable()) } else { Ok(token()) }
        });
        assert!(result.is_ok());
        assert_eq!(calls, 3);
    }

    #[test]
    fn fatal_is_not_retried() {
        let mut calls = 0;
        let err = with_retries(Instant::now() + Duration::from_secs(5), MAX_ATTEMPTS, |_| {
            calls += 1;
            Err(Failure::fatal(Error::new(ErrorKind::BrokerRejected, "401").with_http_status(401)))
        })
        .unwrap_err();
        assert_eq!((calls, err.message()), (1, "401"));
    }

    #[test]
    fn persistent_failure_names_attempts_and_status() {
        let mut calls = 0;
        let err = with_retries(Instant::now() + Duration::from_secs(30), MAX_ATTEMPTS, |_| {
            calls += 1;
            Err(unavailable())
        })
        .unwrap_err();
        assert_eq!(calls, MAX_ATTEMPTS);
        assert_eq!(err.message(), "503 (4 attempts)");
        assert_eq!(err.http_status(), Some(503));
    }

    #[test]
    fn retry_after_past_deadline_gives_up_early() {
        let started = Instant::now();
        let err = with_retries(started + Duration::from_secs(1), MAX_ATTEMPTS, |_| {
            Err(Failure::transient(Error::new(ErrorKind::BrokerStatus, "429").with_http_status(429), Some(Duration::from_secs(30))))
        })
        .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(err.message().contains("retry after 30 s"), "{}", err.message());
    }

    #[test]
    fn backoff_grows_and_is_bounded() {
        for attempts in 1..10 {
            let step = FIRST_BACKOFF.saturating_mul(1 << (attempts - 1)).min(MAX_BACKOFF);
            let wait = backoff(attempts);
            assert!(wait >= step / 2 && wait <= step, "{attempts}: {wait:?}");
        }
    }
}
