//! Time, handed in so that expiry is testable. Times are microseconds since the Unix epoch.

use std::fmt::Debug;
use std::sync::atomic::{AtomicI64, Ordering};

/// A source of the current time.
pub trait Clock: Send + Sync + Debug + 'static {
    /// Microseconds since the Unix epoch.
    fn now(&self) -> i64;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        chrono::Utc::now().timestamp_micros()
    }
}

/// A clock tests move by hand.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn starting_at(micros: i64) -> ManualClock {
        ManualClock(AtomicI64::new(micros))
    }

    pub fn advance_secs(&self, secs: i64) {
        self.0.fetch_add(secs * 1_000_000, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Seconds as microseconds.
pub const fn secs(value: i64) -> i64 {
    value * 1_000_000
}

/// RFC 3339 in UTC the way protobuf's JSON mapping writes timestamps: 0, 3, 6 or 9 fractional
/// digits, whichever is shortest without losing precision.
pub fn rfc3339(micros: i64) -> String {
    use chrono::{DateTime, SecondsFormat};
    let Some(time) = DateTime::from_timestamp_micros(micros) else {
        return String::new();
    };
    let format = if micros % 1_000_000 == 0 {
        SecondsFormat::Secs
    } else if micros % 1_000 == 0 {
        SecondsFormat::Millis
    } else {
        SecondsFormat::Micros
    };
    time.to_rfc3339_opts(format, true)
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn timestamps_use_the_shortest_exact_fraction() {
        assert_eq!(rfc3339(1_759_395_716_000_000), "2025-10-02T09:01:56Z");
        assert_eq!(rfc3339(1_759_395_716_123_000), "2025-10-02T09:01:56.123Z");
        assert_eq!(
            rfc3339(1_759_395_716_649_257),
            "2025-10-02T09:01:56.649257Z"
        );
    }
}
