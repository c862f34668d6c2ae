//! Working-day calendar: weekly days off plus Vietnamese public holidays, kept as data
//! (`data/holidays_vn.toml`, embedded; an administrator can load an edited copy with [`Calendar::from_toml`]).
//!
//! Due dates "N ngày làm việc" count only working days: not a weekly day off, not a holiday or compensatory
//! day (nghỉ bù), but a Saturday the Government swapped into a working day (làm bù) does count.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use time::{Date, Month, Weekday};

/// The Vietnamese holiday data shipped with chiso.
pub const VIETNAM_HOLIDAYS_TOML: &str = include_str!("../data/holidays_vn.toml");

/// How well a year's days off are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum YearStatus {
    /// Every day off of the year is as announced or as the law fixes it.
    Official,
    /// Some days off are assumed (not yet announced).
    PartlyAssumed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearInfo {
    pub year: i32,
    pub status: YearStatus,
    pub source: String,
}

/// A holiday with a fixed solar date, used for years the data does not list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FixedHoliday {
    pub month: Month,
    pub day: u8,
    pub name: String,
}

/// A day off or a swapped working day as listed in the data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayEntry {
    pub name: String,
    /// Not yet announced: the data's author guessed it.
    pub assumed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// Indexed by `Weekday::number_days_from_monday`.
    weekend: [bool; 7],
    days_off: BTreeMap<Date, DayEntry>,
    working_weekends: BTreeMap<Date, DayEntry>,
    years: BTreeMap<i32, YearInfo>,
    fixed: Vec<FixedHoliday>,
}

/// A problem in a holiday file: where (line, column, field) and what, in Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarError {
    pub line: usize,
    pub column: usize,
    pub field: String,
    pub message: String,
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tệp ngày nghỉ, dòng {}, cột {}", self.line, self.column)?;
        if !self.field.is_empty() {
            write!(f, " ({})", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for CalendarError {}

impl Default for Calendar {
    fn default() -> Self {
        Calendar::vietnam()
    }
}

impl Calendar {
    /// The Vietnamese calendar from the embedded data. The data is checked by the tests; should it ever fail to
    /// parse, the calendar falls back to weekends only rather than panicking.
    pub fn vietnam() -> Calendar {
        Calendar::from_toml(VIETNAM_HOLIDAYS_TOML).unwrap_or_else(|_| Calendar::weekends_only())
    }

    /// Saturdays and Sundays off, no holidays.
    pub fn weekends_only() -> Calendar {
        let mut weekend = [false; 7];
        weekend[Weekday::Saturday.number_days_from_monday() as usize] = true;
        weekend[Weekday::Sunday.number_days_from_monday() as usize] = true;
        Calendar { weekend, days_off: BTreeMap::new(), working_weekends: BTreeMap::new(), years: BTreeMap::new(), fixed: Vec::new() }
    }

    /// Read a holiday file (the format of `data/holidays_vn.toml`). Errors name line, column and field.
    pub fn from_toml(text: &str) -> Result<Calendar, CalendarError> {
        let raw: RawCalendar = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((0, 0), |s| line_col(text, s.start));
            CalendarError { line, column, field: String::new(), message: format!("TOML không hợp lệ: {}", e.message()) }
        })?;
        let err = |span: std::ops::Range<usize>, field: String, message: String| {
            let (line, column) = line_col(text, span.start);
            CalendarError { line, column, field, message }
        };

        let weekend = match &raw.weekend {
            None => Calendar::weekends_only().weekend,
            Some(w) => {
                let mut weekend = [false; 7];
                for name in w.get_ref() {
                    let Some(day) = weekday_from_name(name) else {
                        return Err(err(w.span(), "weekend".into(), format!("'{name}' không phải tên ngày trong tuần (monday … sunday)")));
                    };
                    weekend[day.number_days_from_monday() as usize] = true;
                }
                weekend
            }
        };
        build(raw, weekend, text)
    }

    pub fn is_weekend(&self, d: Date) -> bool {
        self.weekend[d.weekday().number_days_from_monday() as usize]
    }

    /// Whether state agencies work on `d`.
    pub fn is_working_day(&self, d: Date) -> bool {
        if self.working_weekends.contains_key(&d) {
            return true;
        }
        if self.days_off.contains_key(&d) || self.is_weekend(d) {
            return false;
        }
        if self.years.contains_key(&d.year()) {
            return true;
        }
        !self.fixed_days_off(d.year()).contains_key(&d)
    }

    /// Why `d` is a day off (holiday or compensatory day), if it is one.
    pub fn holiday_name(&self, d: Date) -> Option<String> {
        if self.working_weekends.contains_key(&d) {
            return None;
        }
        if let Some(e) = self.days_off.get(&d) {
            return Some(e.name.clone());
        }
        if self.years.contains_key(&d.year()) {
            return None;
        }
        self.fixed_days_off(d.year()).remove(&d)
    }

    /// Whether the data lists the year's days off (lunar holidays included). For other years only the
    /// fixed-date holidays are known.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    pub fn year_info(&self, year: i32) -> Option<&YearInfo> {
        self.years.get(&year)
    }

    /// The listed days off of a year (holidays, compensatory and swapped days), in date order.
    pub fn days_off_in(&self, year: i32) -> Vec<(Date, DayEntry)> {
        if !self.covers(year) {
            return self.fixed_days_off(year).into_iter().map(|(d, name)| (d, DayEntry { name, assumed: false })).collect();
        }
        self.days_off.iter().filter(|(d, _)| d.year() == year).map(|(d, e)| (*d, e.clone())).collect()
    }

    /// The `n`-th working day after `d` (`d` itself is not counted); for negative `n`, the `|n|`-th working day
    /// before `d`; `d` for 0. Saturates at the ends of the representable date range.
    pub fn add_working_days(&self, d: Date, n: i32) -> Date {
        let mut cur = d;
        let mut left = n.unsigned_abs();
        while left > 0 {
            let step = if n > 0 { cur.next_day() } else { cur.previous_day() };
            let Some(next) = step else { return cur };
            cur = next;
            if self.is_working_day(cur) {
                left -= 1;
            }
        }
        cur
    }

    /// Working days in `(a, b]` — so that `working_days_between(a, add_working_days(a, n)) == n`. Negative when
    /// `b` is before `a`.
    pub fn working_days_between(&self, a: Date, b: Date) -> i32 {
        let (from, to, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let mut count = 0i32;
        let mut cur = from;
        while cur < to {
            let Some(next) = cur.next_day() else { break };
            cur = next;
            if self.is_working_day(cur) {
                count = count.saturating_add(1);
            }
        }
        sign * count
    }

    /// `d` if it is a working day, else the next working day.
    pub fn on_or_after(&self, d: Date) -> Date {
        if self.is_working_day(d) { d } else { self.add_working_days(d, 1) }
    }

    /// `d` if it is a working day, else the previous working day.
    pub fn on_or_before(&self, d: Date) -> Date {
        if self.is_working_day(d) { d } else { self.add_working_days(d, -1) }
    }

    /// Fixed-date holidays of an unlisted year, each holiday on a weekly day off made up on the next
    /// working day (Bộ luật Lao động 2019, Điều 112 khoản 3).
    fn fixed_days_off(&self, year: i32) -> BTreeMap<Date, String> {
        let mut out = BTreeMap::new();
        let mut on_weekend = Vec::new();
        for h in &self.fixed {
            if let Ok(d) = Date::from_calendar_date(year, h.month, h.day) {
                out.insert(d, h.name.clone());
                if self.is_weekend(d) {
                    on_weekend.push((d, h.name.clone()));
                }
            }
        }
        for (d, name) in on_weekend {
            let mut c = d;
            while let Some(n) = c.next_day() {
                c = n;
                if !self.is_weekend(c) && !out.contains_key(&c) {
                    out.insert(c, format!("Nghỉ bù {name}"));
                    break;
                }
            }
        }
        out
    }
}

fn weekday_from_name(s: &str) -> Option<Weekday> {
    let k = crate::text::fold(s);
    Some(match k.as_str() {
        "monday" | "mon" | "thu hai" | "t2" => Weekday::Monday,
        "tuesday" | "tue" | "thu ba" | "t3" => Weekday::Tuesday,
        "wednesday" | "wed" | "thu tu" | "t4" => Weekday::Wednesday,
        "thursday" | "thu" | "thu nam" | "t5" => Weekday::Thursday,
        "friday" | "fri" | "thu sau" | "t6" => Weekday::Friday,
        "saturday" | "sat" | "thu bay" | "t7" => Weekday::Saturday,
        "sunday" | "sun" | "chu nhat" | "cn" => Weekday::Sunday,
        _ => return None,
    })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut off = offset.min(text.len());
    while !text.is_char_boundary(off) {
        off -= 1;
    }
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    #[serde(default)]
    weekend: Option<toml::Spanned<Vec<String>>>,
    #[serde(default)]
    fixed: Vec<toml::Spanned<RawFixed>>,
    #[serde(default)]
    year: Vec<toml::Spanned<RawYear>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFixed {
    month: toml::Spanned<i64>,
    day: toml::Spanned<i64>,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: toml::Spanned<i64>,
    #[serde(default)]
    source: String,
    #[serde(default)]
    off: Vec<toml::Spanned<RawDay>>,
    #[serde(default)]
    work: Vec<toml::Spanned<RawDay>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDay {
    #[serde(default)]
    date: Option<toml::Spanned<toml::Value>>,
    #[serde(default)]
    from: Option<toml::Spanned<toml::Value>>,
    #[serde(default)]
    to: Option<toml::Spanned<toml::Value>>,
    name: String,
    #[serde(default)]
    assumed: bool,
}

/// A date written as a string "2022-01-03" or a bare TOML date 2022-01-03.
fn toml_date(v: &toml::Value) -> Option<Date> {
    match v {
        toml::Value::String(s) => crate::unit::parse_date(s),
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            let d = dt.date?;
            Date::from_calendar_date(i32::from(d.year), Month::try_from(d.month).ok()?, d.day).ok()
        }
        _ => None,
    }
}

fn build(raw: RawCalendar, weekend: [bool; 7], text: &str) -> Result<Calendar, CalendarError> {
    let err = |span: std::ops::Range<usize>, field: String, message: String| {
        let (line, column) = line_col(text, span.start);
        CalendarError { line, column, field, message }
    };
    let mut fixed = Vec::new();
    for (i, f) in raw.fixed.iter().enumerate() {
        let r = f.get_ref();
        let month = u8::try_from(*r.month.get_ref()).ok().and_then(|m| Month::try_from(m).ok());
        let Some(month) = month else {
            return Err(err(r.month.span(), format!("fixed[{i}].month"), format!("tháng {} không hợp lệ (1–12)", r.month.get_ref())));
        };
        let day = u8::try_from(*r.day.get_ref()).ok().filter(|d| (1..=31).contains(d));
        // 2000 is a leap year, so 29/2 is accepted here and simply skipped in other years.
        let Some(day) = day.filter(|d| Date::from_calendar_date(2000, month, *d).is_ok()) else {
            return Err(err(
                r.day.span(),
                format!("fixed[{i}].day"),
                format!("ngày {} không có trong tháng {}", r.day.get_ref(), u8::from(month)),
            ));
        };
        fixed.push(FixedHoliday { month, day, name: r.name.trim().to_string() });
    }

    let mut years = BTreeMap::new();
    let mut days_off: BTreeMap<Date, DayEntry> = BTreeMap::new();
    let mut working_weekends: BTreeMap<Date, DayEntry> = BTreeMap::new();
    for (yi, y) in raw.year.iter().enumerate() {
        let ry = y.get_ref();
        let year = i32::try_from(*ry.year.get_ref()).ok().filter(|y| (1900..=2999).contains(y));
        let Some(year) = year else {
            return Err(err(ry.year.span(), format!("year[{yi}].year"), format!("năm {} không hợp lệ", ry.year.get_ref())));
        };
        if years.contains_key(&year) {
            return Err(err(ry.year.span(), format!("year[{yi}].year"), format!("năm {year} được khai báo hai lần")));
        }
        let mut assumed_any = false;
        for (list_name, list, is_off) in [("off", &ry.off, true), ("work", &ry.work, false)] {
            for (di, d) in list.iter().enumerate() {
                let rd = d.get_ref();
                let field = format!("year[{yi}].{list_name}[{di}]");
                let one = |v: &toml::Spanned<toml::Value>, sub: &str| {
                    toml_date(v.get_ref()).ok_or_else(|| {
                        err(v.span(), format!("{field}.{sub}"), format!("ngày '{}' không hợp lệ (cần YYYY-MM-DD)", value_text(v.get_ref())))
                    })
                };
                let (from, to) = match (&rd.date, &rd.from, &rd.to) {
                    (Some(v), None, None) => {
                        let x = one(v, "date")?;
                        (x, x)
                    }
                    (None, Some(f), Some(t)) => (one(f, "from")?, one(t, "to")?),
                    _ => {
                        return Err(err(d.span(), field, "cần 'date', hoặc cả 'from' và 'to'".into()));
                    }
                };
                if to < from {
                    return Err(err(d.span(), field, format!("ngày kết thúc {to} trước ngày bắt đầu {from}")));
                }
                if (to - from).whole_days() > 31 {
                    return Err(err(d.span(), field, "một đợt nghỉ dài quá 31 ngày".into()));
                }
                if from.year() != year || to.year() != year {
                    return Err(err(d.span(), field, format!("ngày {from}…{to} không thuộc năm {year}")));
                }
                assumed_any |= rd.assumed;
                let entry = DayEntry { name: rd.name.trim().to_string(), assumed: rd.assumed };
                let mut cur = from;
                loop {
                    if is_off {
                        if working_weekends.contains_key(&cur) {
                            return Err(err(d.span(), field, format!("ngày {cur} vừa là ngày nghỉ vừa là ngày làm bù")));
                        }
                        days_off.insert(cur, entry.clone());
                    } else {
                        if !weekend[cur.weekday().number_days_from_monday() as usize] {
                            return Err(err(d.span(), field, format!("ngày làm bù {cur} không phải ngày nghỉ hằng tuần")));
                        }
                        if days_off.contains_key(&cur) {
                            return Err(err(d.span(), field, format!("ngày {cur} vừa là ngày nghỉ vừa là ngày làm bù")));
                        }
                        working_weekends.insert(cur, entry.clone());
                    }
                    match cur.next_day() {
                        Some(n) if n <= to => cur = n,
                        _ => break,
                    }
                }
            }
        }
        let status = if assumed_any { YearStatus::PartlyAssumed } else { YearStatus::Official };
        years.insert(year, YearInfo { year, status, source: ry.source.trim().to_string() });
    }
    if weekend.iter().all(|w| *w) {
        return Err(CalendarError {
            line: 1, column: 1, field: "weekend".into(), message: "mọi ngày trong tuần đều là ngày nghỉ".into()
        });
    }
    Ok(Calendar { weekend, days_off, working_weekends, years, fixed })
}

fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn cal() -> Calendar {
        Calendar::from_toml(VIETNAM_HOLIDAYS_TOML).expect("embedded holiday data parses")
    }

    #[test]
    fn embedded_data_parses_and_covers_2020_to_2027() {
        let c = cal();
        for y in 2020..=2027 {
            assert!(c.covers(y), "year {y}");
        }
        assert!(!c.covers(2019));
        assert_eq!(c.year_info(2022).map(|y| y.status), Some(YearStatus::Official));
        assert_eq!(c.year_info(2027).map(|y| y.status), Some(YearStatus::PartlyAssumed));
    }

    #[test]
    fn weekends_are_off() {
        let c = cal();
        assert!(!c.is_working_day(date!(2022 - 03 - 12))); // Saturday
        assert!(!c.is_working_day(date!(2022 - 03 - 13))); // Sunday
        assert!(c.is_working_day(date!(2022 - 03 - 14))); // Monday
    }

    #[test]
    fn tet_of_a_given_year_is_off() {
        let c = cal();
        // Tết Nhâm Dần: 29/01–06/02/2022; Monday 31/01 to Friday 04/02 are working days lost.
        for d in [date!(2022 - 01 - 31), date!(2022 - 02 - 01), date!(2022 - 02 - 04)] {
            assert!(!c.is_working_day(d), "{d}");
            assert!(c.holiday_name(d).is_some_and(|n| n.contains("Tết Nguyên đán")), "{d}");
        }
        assert!(c.is_working_day(date!(2022 - 01 - 28)));
        assert!(c.is_working_day(date!(2022 - 02 - 07)));
        // Tết Ất Tỵ 2025 with the swapped working Saturday 08/02/2025.
        assert!(!c.is_working_day(date!(2025 - 01 - 27)));
        assert!(c.is_working_day(date!(2025 - 02 - 08)));
        assert_eq!(c.working_days_between(date!(2025 - 01 - 24), date!(2025 - 02 - 03)), 1);
    }

    #[test]
    fn national_day_is_a_two_day_block_from_2021() {
        let c = cal();
        // 2022: Thursday 1/9 and Friday 2/9 off.
        assert!(!c.is_working_day(date!(2022 - 09 - 01)));
        assert!(!c.is_working_day(date!(2022 - 09 - 02)));
        assert!(c.is_working_day(date!(2022 - 08 - 31)));
        assert!(c.is_working_day(date!(2022 - 09 - 05)));
        // 2023: 2/9 on Saturday, Friday 1/9 and the compensatory Monday 4/9 off.
        assert!(!c.is_working_day(date!(2023 - 09 - 01)));
        assert!(!c.is_working_day(date!(2023 - 09 - 04)));
        // 2020 (Bộ luật Lao động 2012): one day only.
        assert!(!c.is_working_day(date!(2020 - 09 - 02)));
        assert!(c.is_working_day(date!(2020 - 09 - 03)));
        assert!(c.is_working_day(date!(2020 - 09 - 01)));
    }

    #[test]
    fn add_working_days_skips_holidays() {
        let c = cal();
        // Friday 29/4/2022 + 1 working day: 30/4, 1/5 weekend, 2/5 and 3/5 compensatory → Wednesday 4/5.
        assert_eq!(c.add_working_days(date!(2022 - 04 - 29), 1), date!(2022 - 05 - 04));
        assert_eq!(c.add_working_days(date!(2022 - 05 - 04), -1), date!(2022 - 04 - 29));
        // Across Tết 2022: Friday 28/01 + 3 → 07, 08, 09 February.
        assert_eq!(c.add_working_days(date!(2022 - 01 - 28), 3), date!(2022 - 02 - 09));
        assert_eq!(c.add_working_days(date!(2022 - 01 - 28), 0), date!(2022 - 01 - 28));
        // The 2024 swap: Saturday 4/5 is worked, Monday 29/4 is not.
        assert_eq!(c.add_working_days(date!(2024 - 04 - 26), 1), date!(2024 - 05 - 02));
        assert_eq!(c.add_working_days(date!(2024 - 05 - 03), 1), date!(2024 - 05 - 04));
    }

    #[test]
    fn working_days_between_is_the_inverse_of_add() {
        let c = cal();
        let a = date!(2022 - 01 - 20);
        for n in [-30, -7, -1, 0, 1, 5, 12, 40] {
            let b = c.add_working_days(a, n);
            assert_eq!(c.working_days_between(a, b), n, "n = {n}");
        }
        // A plain week: Monday → next Monday is 5 working days.
        assert_eq!(c.working_days_between(date!(2022 - 03 - 07), date!(2022 - 03 - 14)), 5);
    }

    #[test]
    fn unlisted_years_use_fixed_holidays_with_compensation() {
        let c = cal();
        // 2028: 1/1 is a Saturday → Monday 3/1 off; 30/4 Sunday → Tuesday 2/5 (1/5 Monday is itself a holiday).
        assert!(!c.is_working_day(date!(2028 - 01 - 03)));
        assert!(!c.is_working_day(date!(2028 - 05 - 01)));
        assert!(!c.is_working_day(date!(2028 - 05 - 02)));
        assert!(c.is_working_day(date!(2028 - 05 - 03)));
        assert!(!c.covers(2028));
    }

    #[test]
    fn bad_files_give_line_and_field() {
        let e = Calendar::from_toml("weekend = [\"saturday\"]\n[[year]]\nyear = 2022\noff = [ { date = \"2022-13-01\", name = \"x\" } ]\n")
            .expect_err("bad date");
        assert_eq!(e.line, 4);
        assert!(e.field.contains("off[0].date"), "{e}");
        assert!(e.to_string().contains("2022-13-01"));

        let e = Calendar::from_toml("weekend = [\"caturday\"]\n").expect_err("bad weekday");
        assert_eq!((e.line, e.field.as_str()), (1, "weekend"));

        let e = Calendar::from_toml("[[year]]\nyear = 2022\nwork = [ { date = 2022-05-04, name = \"x\" } ]\n").expect_err("weekday work");
        assert!(e.message.contains("không phải ngày nghỉ hằng tuần"), "{e}");

        let e = Calendar::from_toml("[[year]]\nyear = 2022\nholidays = []\n").expect_err("unknown key");
        assert!(e.line >= 1 && e.message.contains("holidays"), "{e}");

        assert!(Calendar::from_toml("[[year]]\nyear = 2022\n[[year]]\nyear = 2022\n").is_err());
        assert!(Calendar::from_toml("[[year]\n").is_err());
        assert!(Calendar::from_toml("fixed = [ { month = 2, day = 30, name = \"x\" } ]").is_err());
    }

    #[test]
    fn bare_toml_dates_and_ranges_are_accepted() {
        let c = Calendar::from_toml("[[year]]\nyear = 2030\noff = [ { from = 2030-02-04, to = 2030-02-06, name = \"Tết\" } ]\n")
            .expect("valid");
        assert!(!c.is_working_day(date!(2030 - 02 - 05)));
        assert!(c.is_working_day(date!(2030 - 02 - 07)));
        // Listed years do not also apply the fixed rules (the list is complete).
        assert!(c.is_working_day(date!(2030 - 01 - 01)));
    }
}
