//! The one place that reads the system time. Rules take dates and times as arguments; the service layer
//! asks its clock, so tests, the demo and `chiso --today` can set what "today" is.

use chiso_core::progress::VIETNAM_OFFSET;
use time::{Date, OffsetDateTime};

/// What "now" is for the application.
#[derive(Clone, Copy, Debug, Default)]
pub enum Clock {
    /// The system time.
    #[default]
    System,
    /// The system time shifted by a fixed amount: "today" is as set, and time still moves (timestamps of
    /// successive writes stay ordered).
    Shifted { offset_ms: i64 },
    /// A frozen instant (tests).
    Fixed { now_ms: i64 },
}

impl Clock {
    /// A clock on which today (Vietnam time) is `today`, at the current time of day.
    pub fn starting_on(today: Date) -> Clock {
        let now = OffsetDateTime::now_utc().to_offset(VIETNAM_OFFSET);
        let offset_days = (today - now.date()).whole_days();
        Clock::Shifted { offset_ms: offset_days * 86_400_000 }
    }

    /// A clock frozen at noon, Vietnam time, of `day`.
    pub fn fixed_on(day: Date) -> Clock {
        let noon = day.with_hms(12, 0, 0).map(|t| t.assume_offset(VIETNAM_OFFSET)).unwrap_or_else(|_| day.midnight().assume_utc());
        Clock::Fixed { now_ms: (noon.unix_timestamp_nanos() / 1_000_000) as i64 }
    }

    /// Now, in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        let system = || (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
        match *self {
            Clock::System => system(),
            Clock::Shifted { offset_ms } => system() + offset_ms,
            Clock::Fixed { now_ms } => now_ms,
        }
    }

    /// Now, in Vietnam time.
    pub fn now(&self) -> OffsetDateTime {
        datetime_vn(self.now_ms()).unwrap_or_else(|| OffsetDateTime::now_utc().to_offset(VIETNAM_OFFSET))
    }

    /// Today's date in Vietnam.
    pub fn today(&self) -> Date {
        self.now().date()
    }

    /// The current year in Vietnam.
    pub fn year(&self) -> i32 {
        self.today().year()
    }
}

/// A Unix-millisecond timestamp as a Vietnam-time date and time.
pub fn datetime_vn(ms: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).ok().map(|t| t.to_offset(VIETNAM_OFFSET))
}

/// The Vietnam-time date of a Unix-millisecond timestamp.
pub fn date_vn(ms: i64) -> Option<Date> {
    datetime_vn(ms).map(|t| t.date())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_set_day_is_today_and_time_still_moves() {
        let c = Clock::starting_on(date!(2022 - 06 - 20));
        assert_eq!(c.today(), date!(2022 - 06 - 20));
        let a = c.now_ms();
        std::thread::sleep(std::time::Duration::from_millis(2));
        assert!(c.now_ms() > a);
    }

    #[test]
    fn a_fixed_clock_is_noon_in_vietnam() {
        let c = Clock::fixed_on(date!(2024 - 01 - 05));
        assert_eq!(c.today(), date!(2024 - 01 - 05));
        assert_eq!(c.now().hour(), 12);
        assert_eq!(c.now_ms(), c.now_ms());
    }
}
