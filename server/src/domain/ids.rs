//! Ids shaped like ZITADEL's: decimal strings of 18 digits, roughly ordered by creation time.

use rand::Rng;
use std::sync::atomic::{AtomicU64, Ordering};

/// 2020-01-01T00:00:00Z in milliseconds since the Unix epoch.
const EPOCH_MILLIS: i64 = 1_577_836_800_000;
const SMALLEST_18_DIGITS: i64 = 100_000_000_000_000_000;

/// Counts ids made by this process, so two ids of one millisecond never collide here; the
/// random low bits keep instances apart, and unique constraints catch the rest.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Makes a new id for the given time (µs since the Unix epoch). Below the timestamp (ms since
/// 2020) sit 10 bits of a per-process counter and 10 random bits; that stays 18 digits until
/// about 2050.
pub fn new_id(now_micros: i64) -> String {
    let millis = (now_micros / 1_000 - EPOCH_MILLIS).max(0);
    let counter = (COUNTER.fetch_add(1, Ordering::Relaxed) & 0x3FF) as i64;
    let random: i64 = rand::rng().random_range(0..1_024);
    let mut id = (millis << 20) | (counter << 10) | random;
    if id < SMALLEST_18_DIGITS {
        id += SMALLEST_18_DIGITS;
    }
    id.to_string()
}

#[cfg(test)]
mod tests {
    use super::new_id;

    #[test]
    fn ids_are_decimal_with_eighteen_digits_and_grow_with_time() {
        let early = new_id(1_759_395_716_000_000);
        let later = new_id(1_759_395_717_000_000);
        assert_eq!(early.len(), 18);
        assert!(early.bytes().all(|byte| byte.is_ascii_digit()));
        assert!(later > early);
    }

    #[test]
    fn ids_of_one_millisecond_differ() {
        let ids: std::collections::HashSet<String> =
            (0..1_000).map(|_| new_id(1_759_395_716_000_000)).collect();
        assert_eq!(ids.len(), 1_000);
    }
}
