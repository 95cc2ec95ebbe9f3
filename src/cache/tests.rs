use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use zeroize::Zeroizing;

fn key(n: u8) -> CacheKey {
    KeyScope::new("http://b/token".into(), Arc::from(&b"{}"[..])).key(Some([n; 32]))
}

fn token(secret: &str, expires_in: i64, refresh_in: i64) -> AccessToken {
    let now = unix_now();
    AccessToken::new(Zeroizing::new(secret.into()), now + expires_in, now + refresh_in)
}

fn later() -> Instant {
    Instant::now() + Duration::from_secs(5)
}

#[test]
fn hit_does_not_mint() {
    let cache = TokenCache::default();
    assert_eq!(cache.get_or_mint(&key(1), later(), |_| Ok(token("a", 3600, 3000))).unwrap().secret(), "a");
    let again = cache.get_or_mint(&key(1), later(), |_| panic!("must not mint")).unwrap();
    assert_eq!(again.secret(), "a");
    assert_eq!(cache.get_or_mint(&key(2), later(), |_| Ok(token("b", 3600, 3000))).unwrap().secret(), "b");
}

#[test]
fn failed_refresh_returns_the_valid_token_then_backs_off() {
    let cache = TokenCache::default();
    cache.get_or_mint(&key(1), later(), |_| Ok(token("old", 3600, -1))).unwrap();
    let err = |_| Err(Error::new(ErrorKind::BrokerStatus, "down"));
    assert_eq!(cache.get_or_mint(&key(1), later(), err).unwrap().secret(), "old");
    // Within the back-off the cached token is served without asking.
    assert_eq!(cache.get_or_mint(&key(1), later(), |_| panic!("backing off")).unwrap().secret(), "old");
}

#[test]
fn expired_token_is_never_returned() {
    let cache = TokenCache::default();
    cache.store(&key(1), token("dead", -1, -2));
    let err = cache.get_or_mint(&key(1), later(), |_| Err(Error::new(ErrorKind::BrokerStatus, "down"))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BrokerStatus);
    assert_eq!(cache.len(), 0);
}

#[test]
fn concurrent_misses_mint_once_and_share_errors_too() {
    let cache = Arc::new(TokenCache::default());
    for outcome in [Ok(()), Err(())] {
        let minted = Arc::new(AtomicUsize::new(0));
        let k = key(if outcome.is_ok() { 7 } else { 8 });
        let threads: Vec<_> = (0..32)
            .map(|_| {
                let (cache, minted, k) = (Arc::clone(&cache), Arc::clone(&minted), k.clone());
                std::thread::spawn(move || {
                    cache.get_or_mint(&k, later(), |_| {
                        minted.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(200));
                        outcome.map(|_| token("one", 3600, 3000)).map_err(|_| Error::new(ErrorKind::BrokerStatus, "x"))
                    })
                })
            })
            .collect();
        let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert_eq!(minted.load(Ordering::SeqCst), 1);
        assert!(results.iter().all(|r| r.is_ok() == outcome.is_ok()));
    }
}

#[test]
fn a_panicking_leader_releases_its_waiters() {
    let cache = Arc::new(TokenCache::default());
    let leader = {
        let cache = Arc::clone(&cache);
        std::thread::spawn(move || {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                cache.get_or_mint(&key(3), later(), |refresh| {
                    assert_eq!(refresh, Refresh::Needed);
                    std::thread::sleep(Duration::from_millis(200));
                    panic!("boom")
                })
            }));
        })
    };
    std::thread::sleep(Duration::from_millis(50));
    let waited = cache.get_or_mint(&key(3), later(), |_| Ok(token("late", 3600, 3000)));
    leader.join().unwrap();
    assert!(matches!(waited, Err(ref e) if e.kind() == ErrorKind::Panic) || waited.is_ok());
    assert!(!cache.get_or_mint(&key(3), later(), |_| Ok(token("next", 3600, 3000))).unwrap().secret().is_empty());
}

fn scoped(n: usize) -> CacheKey {
    KeyScope::new(format!("e{n}").into(), Arc::from(&[][..])).key(None)
}

#[test]
fn capacity_is_bounded_and_a_sweep_leaves_room() {
    let cache = TokenCache::default();
    for n in 0..(CAPACITY + 20) {
        cache.get_or_mint(&scoped(n), later(), |_| Ok(token("t", 3600, 3000))).unwrap();
    }
    // One sweep at CAPACITY + 1, down to AFTER_SWEEP; the 19 since fit.
    assert_eq!(cache.len(), AFTER_SWEEP + 19);
}

#[test]
fn a_thousand_keys_round_robin_miss_only_the_first_round() {
    let cache = TokenCache::default();
    let minted = AtomicUsize::new(0);
    for _round in 0..3 {
        for n in 0..1_000 {
            cache
                .get_or_mint(&scoped(n), later(), |_| {
                    minted.fetch_add(1, Ordering::SeqCst);
                    Ok(token("t", 3600, 3000))
                })
                .unwrap();
        }
    }
    assert_eq!(minted.load(Ordering::SeqCst), 1_000);
}

#[test]
fn the_least_recently_used_go_and_their_tokens_are_released() {
    let cache = TokenCache::default();
    let first = token("first", 3600, 3000);
    cache.store(&scoped(0), first.clone());
    let expired = token("expired", -1, -2);
    cache.store(&scoped(1), expired.clone());
    for n in 2..CAPACITY {
        cache.store(&scoped(n), token("t", 3600, 3000));
    }
    // Key 0 used again: now the most recent.
    cache.get_or_mint(&scoped(0), later(), |_| panic!("cached")).unwrap();
    assert_eq!(first.holders(), 2, "ours and the cache's");
    cache.store(&scoped(CAPACITY), token("t", 3600, 3000));
    assert_eq!(cache.len(), AFTER_SWEEP);
    assert_eq!(expired.holders(), 1, "the expired token went first: only ours is left, zeroed when dropped");
    assert_eq!(first.holders(), 2, "the recently used key stays");
    // Then the oldest: keys 2 .. 2 + CAPACITY / 8.
    let dropped = 2 + CAPACITY / 8;
    cache.get_or_mint(&scoped(dropped), later(), |_| panic!("kept")).unwrap();
    let minted = AtomicUsize::new(0);
    for n in [2, dropped - 1] {
        cache.get_or_mint(&scoped(n), later(), |_| Ok(token(&format!("again{}", minted.fetch_add(1, Ordering::SeqCst)), 3600, 3000))).unwrap();
    }
    assert_eq!(minted.load(Ordering::SeqCst), 2);
}
