//! `-v`: the library's events on stderr, one line each, as
//! `vd-broker: INFO: attempt 1 of 4 failed (...); retrying in 180 ms`.

use std::io::Write;

use vd_broker::log::{self, Level};

/// `-v` shows errors, warnings and information (fresh tokens, retries,
/// refreshes, the route); `-vv` adds the cache hits.
pub fn show_events(count: u8) {
    let max_level = if count >= 2 { Level::Debug } else { Level::Info };
    // Not from inside a handler, so it cannot fail.
    let _ = log::set_handler(max_level, |level, message| {
        // A closed stderr must not end the command: the event is dropped.
        let _ = writeln!(std::io::stderr(), "vd-broker: {}: {message}", level.name());
    });
}
