//! Reporting periods and schedules.
//!
//! A period (`2022-Q1`, `2022-H1`, `2022-Y`, `2022-M03`, `2022-A01` for an ad hoc report) has a **data window**
//! (từ ngày … đến ngày …) that is not the calendar span, and a **due date per level**: lower levels are due
//! before higher ones so each level can compile its children's reports.
//!
//! The default windows follow Nghị định 09/2019/NĐ-CP, Điều 12: month = 15th of the previous month → 14th;
//! quarter = 15th of the month before the quarter → 14th of its last month; H1 = 15/12 of the previous year →
//! 14/6, H2 = 15/6 → 14/12; year = 15/12 of the previous year → 14/12.
//!
//! Default due dates (our rule, configurable in [`SchedulePolicy`]): counted in working days after the end of
//! the data window — communes and agencies (reporting to the district) 2, districts (to the province) 3,
//! provinces (to the central level) 5. That keeps at least one working day between the end of the data and
//! the deadline (NĐ 09/2019, Điều 8 khoản 5) and one working day for each level to compile.
//!
//! A plan may set its own schedule; [`schedule_from_deadlines`] reads one from the deadlines the plan parser
//! found ("Báo cáo 6 tháng … trước ngày 05/6", "chốt số liệu từ ngày 01/12/2021 đến ngày 31/5/2022").

//!
//! The module is split along its seams: periods and data windows here, schedules (due dates per level, the
//! policy, locking) in [`schedule`], and reading a schedule from a plan's deadline texts in [`deadlines`].

mod deadlines;
mod picker;
mod schedule;

pub use deadlines::{PlanDeadline, dates_in, report_deadlines, schedule_from_deadlines, schedule_from_deadlines_with};
pub use picker::{Activity, default_period, picker_periods};
pub use schedule::{DateSource, LevelDue, Schedule, SchedulePolicy, ScheduleProblem, ScheduledPeriod};

use crate::text::vn_date_short;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use time::{Date, Month};

/// ISO `YYYY-MM-DD` (de)serialisation of dates, independent of the `time` crate's serde feature flags.
pub mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::unit::format_date(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        crate::unit::parse_date(&s).ok_or_else(|| serde::de::Error::custom(format!("ngày '{s}' không hợp lệ (cần YYYY-MM-DD)")))
    }

    /// The same for `Option<Date>` (`null` for none).
    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};
        use time::Date;

        pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.serialize_str(&crate::unit::format_date(*d)),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
            match Option::<String>::deserialize(d)? {
                None => Ok(None),
                Some(s) if s.trim().is_empty() => Ok(None),
                Some(s) => crate::unit::parse_date(&s)
                    .map(Some)
                    .ok_or_else(|| serde::de::Error::custom(format!("ngày '{s}' không hợp lệ (cần YYYY-MM-DD)"))),
            }
        }
    }
}

/// How often a kind of report comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Month,
    Quarter,
    HalfYear,
    Year,
    AdHoc,
}

/// Which report of the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodKind {
    /// Month 1–12.
    Month(u8),
    /// Quarter 1–4.
    Quarter(u8),
    /// Half 1 (6 tháng đầu năm) or 2 (6 tháng cuối năm).
    Half(u8),
    Year,
    /// An ad hoc (đột xuất, chuyên đề) report, numbered 1–99 within the year.
    AdHoc(u8),
}

impl PeriodKind {
    pub fn frequency(self) -> Frequency {
        match self {
            PeriodKind::Month(_) => Frequency::Month,
            PeriodKind::Quarter(_) => Frequency::Quarter,
            PeriodKind::Half(_) => Frequency::HalfYear,
            PeriodKind::Year => Frequency::Year,
            PeriodKind::AdHoc(_) => Frequency::AdHoc,
        }
    }

    fn is_valid(self) -> bool {
        match self {
            PeriodKind::Month(m) => (1..=12).contains(&m),
            PeriodKind::Quarter(q) => (1..=4).contains(&q),
            PeriodKind::Half(h) => (1..=2).contains(&h),
            PeriodKind::Year => true,
            PeriodKind::AdHoc(n) => (1..=99).contains(&n),
        }
    }

    /// The part of a period code after the year: `Q1`, `H1`, `Y`, `M03`, `A01`.
    pub fn code(self) -> String {
        match self {
            PeriodKind::Month(m) => format!("M{m:02}"),
            PeriodKind::Quarter(q) => format!("Q{q}"),
            PeriodKind::Half(h) => format!("H{h}"),
            PeriodKind::Year => "Y".to_string(),
            PeriodKind::AdHoc(n) => format!("A{n:02}"),
        }
    }

    pub fn parse(s: &str) -> Option<PeriodKind> {
        let s = s.trim().to_ascii_uppercase();
        let (head, num) = s.split_at(s.chars().next().map_or(0, char::len_utf8));
        let n = || -> Option<u8> {
            if num.is_empty() || num.len() > 2 || !num.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            num.parse().ok()
        };
        let k = match head {
            "Y" if num.is_empty() => PeriodKind::Year,
            "M" => PeriodKind::Month(n()?),
            "Q" => PeriodKind::Quarter(n()?),
            "H" => PeriodKind::Half(n()?),
            "A" => PeriodKind::AdHoc(n()?),
            _ => return None,
        };
        k.is_valid().then_some(k)
    }
}

impl Serialize for PeriodKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

impl<'de> Deserialize<'de> for PeriodKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PeriodKind::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("loại kỳ '{s}' không hợp lệ (Q1…Q4, H1, H2, Y, M01…M12, A01…)")))
    }
}

/// A reporting period: a year and a kind. Serialised as its code, e.g. `"2022-H1"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    year: i32,
    kind: PeriodKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodError {
    pub input: String,
}

impl fmt::Display for PeriodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "mã kỳ báo cáo '{}' không hợp lệ: cần dạng 2022-Q1 (quý 1–4), 2022-H1 (H1, H2), 2022-Y (năm), 2022-M03 (tháng) hoặc 2022-A01 (đột xuất)",
            self.input
        )
    }
}

impl std::error::Error for PeriodError {}

/// Years accepted in period codes.
pub(crate) const YEARS: std::ops::RangeInclusive<i32> = 1900..=2999;

impl Period {
    pub fn new(year: i32, kind: PeriodKind) -> Option<Period> {
        (YEARS.contains(&year) && kind.is_valid()).then_some(Period { year, kind })
    }
    pub fn month(year: i32, m: u8) -> Option<Period> {
        Period::new(year, PeriodKind::Month(m))
    }
    pub fn quarter(year: i32, q: u8) -> Option<Period> {
        Period::new(year, PeriodKind::Quarter(q))
    }
    pub fn half(year: i32, h: u8) -> Option<Period> {
        Period::new(year, PeriodKind::Half(h))
    }
    pub fn year_period(year: i32) -> Option<Period> {
        Period::new(year, PeriodKind::Year)
    }
    pub fn ad_hoc(year: i32, n: u8) -> Option<Period> {
        Period::new(year, PeriodKind::AdHoc(n))
    }

    pub fn year(self) -> i32 {
        self.year
    }
    pub fn kind(self) -> PeriodKind {
        self.kind
    }
    pub fn frequency(self) -> Frequency {
        self.kind.frequency()
    }

    /// `2022-Q1`, `2022-H1`, `2022-Y`, `2022-M03`, `2022-A01`.
    pub fn code(self) -> String {
        format!("{}-{}", self.year, self.kind.code())
    }

    /// Parse a period code (case-insensitive, surrounding spaces ignored).
    pub fn parse(s: &str) -> Result<Period, PeriodError> {
        let bad = || PeriodError { input: s.to_string() };
        let t = s.trim();
        let (y, k) = t.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let kind = PeriodKind::parse(k).ok_or_else(bad)?;
        Period::new(year, kind).ok_or_else(bad)
    }

    /// The Vietnamese name as a picker or a heading starts it: "Quý I năm 2022", "6 tháng đầu năm 2022",
    /// "Năm 2022".
    pub fn label_vi_title(self) -> String {
        let l = self.label_vi();
        let mut c = l.chars();
        match c.next() {
            Some(f) => f.to_uppercase().chain(c).collect(),
            None => l,
        }
    }

    /// Vietnamese name as used in report titles: "quý I năm 2022", "6 tháng đầu năm 2022", "năm 2022",
    /// "tháng 3 năm 2022", "đột xuất số 01 năm 2022".
    pub fn label_vi(self) -> String {
        let y = self.year;
        match self.kind {
            PeriodKind::Month(m) => format!("tháng {m} năm {y}"),
            PeriodKind::Quarter(q) => format!("quý {} năm {y}", roman(q)),
            PeriodKind::Half(1) => format!("6 tháng đầu năm {y}"),
            PeriodKind::Half(_) => format!("6 tháng cuối năm {y}"),
            PeriodKind::Year => format!("năm {y}"),
            PeriodKind::AdHoc(n) => format!("đột xuất số {n:02} năm {y}"),
        }
    }

    /// English name: "Q1 2022", "first half of 2022", "2022", "March 2022", "ad hoc report 01 of 2022".
    pub fn label_en(self) -> String {
        let y = self.year;
        match self.kind {
            PeriodKind::Month(m) => {
                let name = Month::try_from(m).map_or_else(|_| m.to_string(), |mm| mm.to_string());
                format!("{name} {y}")
            }
            PeriodKind::Quarter(q) => format!("Q{q} {y}"),
            PeriodKind::Half(1) => format!("first half of {y}"),
            PeriodKind::Half(_) => format!("second half of {y}"),
            PeriodKind::Year => format!("{y}"),
            PeriodKind::AdHoc(n) => format!("ad hoc report {n:02} of {y}"),
        }
    }

    /// The calendar span (1st of the first month → last day of the last month). None for ad hoc reports.
    pub fn calendar_window(self) -> Option<DateWindow> {
        let (first, last) = self.months()?;
        let (ly, lm) = last;
        let from = ymd(first.0, first.1, 1)?;
        let to = ymd(ly, lm, days_in_month(ly, lm)?)?;
        Some(DateWindow { from, to })
    }

    /// The data window of Nghị định 09/2019/NĐ-CP, Điều 12: from the 15th of the month before the first month
    /// to the 14th of the last month. None for ad hoc reports (their window is set by whoever asks).
    pub fn nd09_window(self) -> Option<DateWindow> {
        let ((fy, fm), (ly, lm)) = self.months()?;
        let (py, pm) = if fm == 1 { (fy - 1, 12) } else { (fy, fm - 1) };
        Some(DateWindow { from: ymd(py, pm, 15)?, to: ymd(ly, lm, 14)? })
    }

    /// First and last month (year, month) of the period.
    fn months(self) -> Option<((i32, u8), (i32, u8))> {
        let y = self.year;
        let (a, b) = match self.kind {
            PeriodKind::Month(m) => (m, m),
            PeriodKind::Quarter(q) => (3 * q - 2, 3 * q),
            PeriodKind::Half(h) => (6 * h - 5, 6 * h),
            PeriodKind::Year => (1, 12),
            PeriodKind::AdHoc(_) => return None,
        };
        Some(((y, a), (y, b)))
    }

    /// The period of a frequency whose Nghị định 09 data window holds `d` (a date from the 15th on belongs to
    /// the next month's report; 20/12/2022 is in 2023-Q1 and 2023-Y). None for ad hoc.
    pub fn containing_nd09(d: Date, freq: Frequency) -> Option<Period> {
        let (mut y, mut m) = (d.year(), u8::from(d.month()));
        if d.day() >= 15 {
            if m == 12 {
                y += 1;
                m = 1;
            } else {
                m += 1;
            }
        }
        Period::of_month(y, m, freq)
    }

    /// The period of a frequency whose calendar span holds `d`. None for ad hoc.
    pub fn containing_calendar(d: Date, freq: Frequency) -> Option<Period> {
        Period::of_month(d.year(), u8::from(d.month()), freq)
    }

    fn of_month(y: i32, m: u8, freq: Frequency) -> Option<Period> {
        match freq {
            Frequency::Month => Period::month(y, m),
            Frequency::Quarter => Period::quarter(y, m.div_ceil(3)),
            Frequency::HalfYear => Period::half(y, if m <= 6 { 1 } else { 2 }),
            Frequency::Year => Period::year_period(y),
            Frequency::AdHoc => None,
        }
    }

    /// All periods of a frequency in a year, in order (none for ad hoc).
    pub fn all_in_year(year: i32, freq: Frequency) -> Vec<Period> {
        let kinds: Vec<PeriodKind> = match freq {
            Frequency::Month => (1..=12).map(PeriodKind::Month).collect(),
            Frequency::Quarter => (1..=4).map(PeriodKind::Quarter).collect(),
            Frequency::HalfYear => (1..=2).map(PeriodKind::Half).collect(),
            Frequency::Year => vec![PeriodKind::Year],
            Frequency::AdHoc => Vec::new(),
        };
        kinds.into_iter().filter_map(|k| Period::new(year, k)).collect()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Period::parse(&s).map_err(serde::de::Error::custom)
    }
}

fn roman(q: u8) -> &'static str {
    match q {
        1 => "I",
        2 => "II",
        3 => "III",
        _ => "IV",
    }
}

pub(crate) fn ymd(y: i32, m: u8, d: u8) -> Option<Date> {
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

fn days_in_month(y: i32, m: u8) -> Option<u8> {
    Some(Month::try_from(m).ok()?.length(y))
}

/// An inclusive span of dates: "từ ngày … đến ngày …".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DateWindow {
    #[serde(with = "iso_date")]
    pub from: Date,
    #[serde(with = "iso_date")]
    pub to: Date,
}

impl DateWindow {
    pub fn new(from: Date, to: Date) -> Option<DateWindow> {
        (from <= to).then_some(DateWindow { from, to })
    }

    pub fn contains(&self, d: Date) -> bool {
        self.from <= d && d <= self.to
    }

    /// Number of days, both ends included.
    pub fn days(&self) -> i64 {
        (self.to - self.from).whole_days() + 1
    }

    /// "từ ngày 01/12/2021 đến ngày 31/05/2022".
    pub fn label_vi(&self) -> String {
        format!("từ ngày {} đến ngày {}", vn_date_short(self.from), vn_date_short(self.to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use time::macros::date;

    fn w(p: &str) -> DateWindow {
        Period::parse(p).ok().and_then(|p| p.nd09_window()).expect("window")
    }

    #[test]
    fn nd09_windows_for_each_kind() {
        // Quarter I starts in the previous year: 15/12/2021 → 14/3/2022.
        assert_eq!(w("2022-Q1"), DateWindow { from: date!(2021 - 12 - 15), to: date!(2022 - 03 - 14) });
        assert_eq!(w("2022-Q2"), DateWindow { from: date!(2022 - 03 - 15), to: date!(2022 - 06 - 14) });
        assert_eq!(w("2022-Q4"), DateWindow { from: date!(2022 - 09 - 15), to: date!(2022 - 12 - 14) });
        assert_eq!(w("2022-H1"), DateWindow { from: date!(2021 - 12 - 15), to: date!(2022 - 06 - 14) });
        assert_eq!(w("2022-H2"), DateWindow { from: date!(2022 - 06 - 15), to: date!(2022 - 12 - 14) });
        assert_eq!(w("2022-Y"), DateWindow { from: date!(2021 - 12 - 15), to: date!(2022 - 12 - 14) });
        assert_eq!(w("2022-M01"), DateWindow { from: date!(2021 - 12 - 15), to: date!(2022 - 01 - 14) });
        assert_eq!(w("2022-M03"), DateWindow { from: date!(2022 - 02 - 15), to: date!(2022 - 03 - 14) });
        assert!(Period::ad_hoc(2022, 1).and_then(|p| p.nd09_window()).is_none());
        // Calendar spans are different from data windows.
        let cal_q1 = Period::quarter(2022, 1).and_then(|p| p.calendar_window()).expect("q1");
        assert_eq!((cal_q1.from, cal_q1.to), (date!(2022 - 01 - 01), date!(2022 - 03 - 31)));
        let feb = Period::month(2024, 2).and_then(|p| p.calendar_window()).expect("feb");
        assert_eq!(feb.to, date!(2024 - 02 - 29));
    }

    #[test]
    fn period_codes_round_trip() {
        let mut all = Vec::new();
        for y in [1999, 2022, 2031] {
            for f in [Frequency::Month, Frequency::Quarter, Frequency::HalfYear, Frequency::Year] {
                all.extend(Period::all_in_year(y, f));
            }
            all.extend((1..=12).filter_map(|n| Period::ad_hoc(y, n)));
        }
        assert_eq!(all.len(), 3 * (12 + 4 + 2 + 1 + 12));
        for p in all {
            let code = p.code();
            assert_eq!(Period::parse(&code), Ok(p), "{code}");
            assert_eq!(Period::parse(&code.to_lowercase()), Ok(p), "{code}");
            let json = serde_json::to_string(&p).expect("serialise");
            assert_eq!(json, format!("\"{code}\""));
            assert_eq!(serde_json::from_str::<Period>(&json).ok(), Some(p));
        }
        assert_eq!(Period::parse(" 2022-m3 ").map(Period::code), Ok("2022-M03".to_string()));
        for bad in [
            "",
            "2022",
            "2022-",
            "2022-Q5",
            "2022-Q0",
            "2022-H3",
            "2022-M13",
            "2022-A00",
            "22-Q1",
            "2022-YY",
            "2022-Q1-",
            "năm-Q1",
            "2022–Q1",
        ] {
            let e = Period::parse(bad).expect_err(bad);
            assert!(e.to_string().contains("không hợp lệ"));
        }
        assert!(serde_json::from_str::<Period>("\"2022-Q9\"").is_err());
    }

    #[test]
    fn labels() {
        let p = |s: &str| Period::parse(s).expect("valid");
        assert_eq!(p("2022-H1").label_vi(), "6 tháng đầu năm 2022");
        assert_eq!(p("2022-H2").label_vi(), "6 tháng cuối năm 2022");
        assert_eq!(p("2022-Q3").label_vi(), "quý III năm 2022");
        assert_eq!(p("2022-Y").label_vi(), "năm 2022");
        assert_eq!(p("2022-M03").label_vi(), "tháng 3 năm 2022");
        assert_eq!(p("2022-M03").label_en(), "March 2022");
        assert_eq!(p("2022-Q1").label_vi_title(), "Quý I năm 2022");
        assert_eq!(p("2022-Y").label_vi_title(), "Năm 2022");
        assert_eq!(p("2022-H1").label_vi_title(), "6 tháng đầu năm 2022");
        assert_eq!(w("2022-H1").label_vi(), "từ ngày 15/12/2021 đến ngày 14/06/2022");
    }

    #[test]
    fn which_period_a_date_falls_in() {
        let f = |d: Date, fr: Frequency| Period::containing_nd09(d, fr).map(Period::code);
        assert_eq!(f(date!(2022 - 12 - 20), Frequency::Quarter).as_deref(), Some("2023-Q1"));
        assert_eq!(f(date!(2022 - 12 - 20), Frequency::Year).as_deref(), Some("2023-Y"));
        assert_eq!(f(date!(2022 - 12 - 14), Frequency::Year).as_deref(), Some("2022-Y"));
        assert_eq!(f(date!(2022 - 03 - 14), Frequency::Quarter).as_deref(), Some("2022-Q1"));
        assert_eq!(f(date!(2022 - 03 - 15), Frequency::Quarter).as_deref(), Some("2022-Q2"));
        assert_eq!(f(date!(2022 - 06 - 15), Frequency::HalfYear).as_deref(), Some("2022-H2"));
        assert_eq!(f(date!(2022 - 03 - 15), Frequency::Month).as_deref(), Some("2022-M04"));
        assert_eq!(Period::containing_calendar(date!(2022 - 03 - 15), Frequency::Quarter).map(Period::code).as_deref(), Some("2022-Q1"));
        // Every day of a year falls in exactly one period of each frequency, and inside its window.
        let mut d = date!(2021 - 12 - 15);
        while d <= date!(2022 - 12 - 14) {
            for fr in [Frequency::Month, Frequency::Quarter, Frequency::HalfYear, Frequency::Year] {
                let p = Period::containing_nd09(d, fr).expect("period");
                assert!(p.nd09_window().is_some_and(|w| w.contains(d)), "{d} {p}");
            }
            d = d.next_day().expect("next");
        }

        let cal = Calendar::vietnam();
        let s = Schedule::nd09(2022, &SchedulePolicy::default(), &cal);
        let codes: Vec<String> = s.periods_containing(date!(2022 - 02 - 01)).iter().map(|p| p.period.code()).collect();
        assert_eq!(codes, ["2022-Q1", "2022-H1", "2022-Y"]);
        assert_eq!(s.period_containing(date!(2022 - 08 - 01), Frequency::Quarter).map(|p| p.period.code()).as_deref(), Some("2022-Q3"));
    }
}
