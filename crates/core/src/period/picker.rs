//! Choosing a period to show: the periods a picker offers (those a schedule defines, completed with every
//! quarter, both half-years and the year), and the default one — the most recent period that has data.

use super::schedule::{Schedule, SchedulePolicy, ScheduledPeriod};
use super::{Frequency, Period, PeriodKind};
use crate::calendar::Calendar;
use time::Date;

/// The kinds every picker offers for a year, whatever the schedule sets: quarters I–IV, both half-years, the
/// year. A schedule may add others (months, ad hoc reports).
const STANDARD: [PeriodKind; 7] = [
    PeriodKind::Quarter(1),
    PeriodKind::Quarter(2),
    PeriodKind::Half(1),
    PeriodKind::Quarter(3),
    PeriodKind::Quarter(4),
    PeriodKind::Half(2),
    PeriodKind::Year,
];

/// The periods of one year's schedule a picker offers: the schedule's own, then the standard kinds it does not
/// set with their Nghị định 09 windows (the same default the report pages use for them), in calendar order:
/// by the end of the calendar span, the shorter first (quý I, quý II, 6 tháng đầu năm, quý III, quý IV, 6 tháng
/// cuối năm, năm) — a plan's own data windows may end in another order, which would read as a jumble.
pub fn picker_periods(schedule: &Schedule, cal: &Calendar) -> Vec<ScheduledPeriod> {
    let mut s = schedule.clone();
    for k in STANDARD {
        if let Some(p) = Period::new(schedule.year, k)
            && s.get(p).is_none()
            && let Some(sp) = ScheduledPeriod::nd09(p, &SchedulePolicy::default(), cal)
        {
            s.upsert(sp);
        }
    }
    let mut ps = s.periods;
    ps.sort_by_key(|sp| {
        let w = sp.period.calendar_window();
        (w.map(|w| w.to), w.map(|w| w.days()), sp.period)
    });
    ps
}

/// What a unit has recorded: the days task updates were made (with the year of the plan the task belongs to:
/// an update is data for that year's periods only), and the periods reports were filed for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    pub update_days: Vec<(i32, Date)>,
    pub reported: Vec<Period>,
}

impl Activity {
    /// The last day of data a period holds: the latest update of a plan of its year made within its data
    /// window (what the pages show: progress as of the end of the window), or the end of its window when a
    /// report was filed for it. None when the period has no data.
    pub fn last_data(&self, sp: &ScheduledPeriod) -> Option<Date> {
        let year = sp.period.year();
        let updates = self.update_days.iter().filter(|(y, d)| *y == year && sp.window.contains(*d)).map(|(_, d)| *d).max();
        let report = self.reported.contains(&sp.period).then_some(sp.window.to);
        updates.max(report)
    }

    pub fn has_data(&self, sp: &ScheduledPeriod) -> bool {
        self.last_data(sp).is_some()
    }
}

/// Which frequency is preferred when several periods hold the same latest data (the half-year, the usual
/// report, first).
fn preference(f: Frequency) -> u8 {
    match f {
        Frequency::HalfYear => 4,
        Frequency::Quarter => 3,
        Frequency::Year => 2,
        Frequency::Month => 1,
        Frequency::AdHoc => 0,
    }
}

/// The period a page opens on when none is asked for: among `periods`, the one holding the most recent data
/// (ties: half-year, then quarter, then year; periods not yet begun are skipped); when none has data, the half-year whose window holds `today`,
/// else any period whose window holds it. None when nothing fits (the caller picks its own fallback).
pub fn default_period(periods: &[ScheduledPeriod], activity: &Activity, today: Date) -> Option<Period> {
    let with_data = periods
        .iter()
        .filter(|sp| sp.window.from <= today)
        .filter_map(|sp| activity.last_data(sp).map(|d| (d, sp)))
        .max_by_key(|(d, sp)| (*d, preference(sp.period.frequency()), std::cmp::Reverse(sp.window.to)));
    if let Some((_, sp)) = with_data {
        return Some(sp.period);
    }
    let current = periods.iter().filter(|sp| sp.window.contains(today));
    current.max_by_key(|sp| (preference(sp.period.frequency()), std::cmp::Reverse(sp.window.to))).map(|sp| sp.period)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> Calendar {
        Calendar::vietnam()
    }

    fn d(y: i32, m: u8, day: u8) -> Date {
        super::super::ymd(y, m, day).expect("valid")
    }

    fn codes(ps: &[ScheduledPeriod]) -> Vec<String> {
        ps.iter().map(|p| p.period.code()).collect()
    }

    #[test]
    fn picker_offers_every_quarter_both_halves_and_the_year() {
        let s = Schedule::nd09(2022, &SchedulePolicy::default(), &cal());
        let ps = picker_periods(&s, &cal());
        let c = codes(&ps);
        for want in ["2022-Q1", "2022-Q2", "2022-H1", "2022-Q3", "2022-Q4", "2022-H2", "2022-Y"] {
            assert!(c.contains(&want.to_string()), "{want} missing from {c:?}");
        }
        assert_eq!(c, ["2022-Q1", "2022-Q2", "2022-H1", "2022-Q3", "2022-Q4", "2022-H2", "2022-Y"], "calendar order");
    }

    #[test]
    fn picker_keeps_the_schedule_own_windows() {
        let mut s = Schedule::nd09(2022, &SchedulePolicy::default(), &cal());
        let mut h1 = s.get(Period::half(2022, 1).expect("valid")).expect("valid").clone();
        h1.window.to = d(2022, 5, 31);
        s.upsert(h1);
        let ps = picker_periods(&s, &cal());
        let h1 = ps.iter().find(|p| p.period == Period::half(2022, 1).expect("valid")).expect("valid");
        assert_eq!(h1.window.to, d(2022, 5, 31));
    }

    #[test]
    fn default_is_the_period_with_the_latest_data() {
        let ps = picker_periods(&Schedule::nd09(2022, &SchedulePolicy::default(), &cal()), &cal());
        let today = d(2026, 12, 5);
        // An update in February: Q1, H1 and the year hold it; the half-year is preferred.
        let a = Activity { update_days: vec![(2022, d(2022, 2, 10))], reported: vec![] };
        assert_eq!(default_period(&ps, &a, today), Period::half(2022, 1));
        // An update in September too: Q3, H2 and the year hold the latest; H2.
        let a = Activity { update_days: vec![(2022, d(2022, 2, 10)), (2022, d(2022, 9, 1))], reported: vec![] };
        assert_eq!(default_period(&ps, &a, today), Period::half(2022, 2));
        // A report filed for Q1 beats an earlier update.
        let a = Activity { update_days: vec![(2022, d(2022, 2, 10))], reported: vec![Period::quarter(2022, 1).expect("valid")] };
        assert_eq!(default_period(&ps, &a, today), Period::quarter(2022, 1));
    }

    #[test]
    fn default_without_data_is_the_current_half_year() {
        let ps = picker_periods(&Schedule::nd09(2026, &SchedulePolicy::default(), &cal()), &cal());
        assert_eq!(default_period(&ps, &Activity::default(), d(2026, 12, 5)), Period::half(2026, 2));
        assert_eq!(default_period(&ps, &Activity::default(), d(2026, 2, 5)), Period::half(2026, 1));
        assert_eq!(default_period(&[], &Activity::default(), d(2026, 2, 5)), None);
    }

    #[test]
    fn data_outside_every_window_is_no_data() {
        let ps = picker_periods(&Schedule::nd09(2022, &SchedulePolicy::default(), &cal()), &cal());
        let a = Activity { update_days: vec![(2019, d(2019, 1, 1))], reported: vec![Period::half(2019, 1).expect("valid")] };
        assert!(ps.iter().all(|p| !a.has_data(p)));
        // An update of a 2021 plan's task made in 2022 is not 2022's data.
        let a = Activity { update_days: vec![(2021, d(2022, 2, 10))], reported: vec![] };
        assert!(ps.iter().all(|p| !a.has_data(p)));
    }
}
