//! When to refresh a token before it expires.
//!
//! The broker's own hint wins. Otherwise MSAL's rule: a token living two hours
//! or more is refreshed at half-life; a shorter one when five minutes remain,
//! or half its lifetime for tokens shorter than ten minutes.

const TWO_HOURS: i64 = 2 * 60 * 60;
const FIVE_MINUTES: i64 = 5 * 60;

/// The Unix second at which a token minted at `now` and expiring at
/// `expires_on` should be refreshed. `hint` is the broker's `refresh_on`
/// (absolute), already resolved from `refresh_in` when that was given.
pub(crate) fn refresh_on(now: i64, expires_on: i64, hint: Option<i64>) -> i64 {
    if let Some(hint) = hint {
        return hint.clamp(now.min(expires_on), expires_on);
    }
    let lifetime = expires_on.saturating_sub(now).max(0);
    if lifetime >= TWO_HOURS {
        now + lifetime / 2
    } else {
        expires_on - FIVE_MINUTES.min(lifetime / 2)
    }
}

#[cfg(test)]
mod tests {
    use super::refresh_on;

    #[test]
    fn long_tokens_refresh_at_half_life() {
        assert_eq!(refresh_on(1000, 1000 + 4 * 3600, None), 1000 + 2 * 3600);
        assert_eq!(refresh_on(0, 7200, None), 3600);
    }

    #[test]
    fn hour_tokens_refresh_five_minutes_before_expiry() {
        assert_eq!(refresh_on(0, 3600, None), 3300);
    }

    #[test]
    fn short_tokens_refresh_at_half_life() {
        assert_eq!(refresh_on(0, 120, None), 60);
        assert_eq!(refresh_on(0, 0, None), 0);
    }

    #[test]
    fn broker_hint_wins_within_bounds() {
        assert_eq!(refresh_on(0, 3600, Some(1800)), 1800);
        assert_eq!(refresh_on(0, 3600, Some(9999)), 3600);
        assert_eq!(refresh_on(100, 3600, Some(5)), 100);
    }
}
