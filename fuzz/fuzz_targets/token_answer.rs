//! The broker's answer is untrusted input: any bytes must give a token that
//! can travel in a header, or an error — never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(token) = vd_broker::fuzzing::parse_token_answer(body) {
        assert!(!token.secret().is_empty());
        assert!(token.secret().bytes().all(|b| b.is_ascii_graphic()));
        assert!(token.refresh_on() <= token.expires_on());
    }
});
