//! Lists: a page of rows (paging done by the store, in SQL), the sort of a list (a whitelisted column of
//! each list and a direction) and date ranges in Vietnam time. These are the types that travel between the
//! layers instead of query strings; parsing a query value gives a Vietnamese message naming what is wrong.

use crate::progress::VIETNAM_OFFSET;
use time::{Date, Duration, OffsetDateTime, Time};

/// Rows per page of every list unless asked otherwise.
pub const PAGE_SIZE: u32 = 50;
/// The largest page a request may ask for (CSV exports read the whole list page by page).
pub const MAX_PAGE_SIZE: u32 = 500;

/// Which page of a list: 1-based page number and rows per page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub size: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest { page: 1, size: PAGE_SIZE }
    }
}

impl PageRequest {
    /// Page `page` (at least 1) of `size` rows (1..=[`MAX_PAGE_SIZE`]).
    pub fn new(page: u32, size: u32) -> PageRequest {
        PageRequest { page: page.max(1), size: size.clamp(1, MAX_PAGE_SIZE) }
    }

    /// The page named by a query value: empty is the first page; anything but a whole number from 1 is
    /// refused with a message.
    pub fn parse(page: &str) -> Result<PageRequest, String> {
        let p = page.trim();
        if p.is_empty() {
            return Ok(PageRequest::default());
        }
        match p.parse::<u32>() {
            Ok(n) if (1..=1_000_000).contains(&n) => Ok(PageRequest::new(n, PAGE_SIZE)),
            _ => Err(format!("Số trang '{p}' không hợp lệ: hãy dùng một số nguyên từ 1.")),
        }
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(self.size)
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.size)
    }

    /// This request moved back onto the last page when it asks beyond a list of `total` rows.
    pub fn clamp_to(self, total: i64) -> PageRequest {
        let last = last_page(total, self.size);
        PageRequest { page: self.page.min(last), size: self.size }
    }
}

/// The number of pages of `total` rows, at least 1 (an empty list has one, empty, page).
pub fn last_page(total: i64, size: u32) -> u32 {
    let size = i64::from(size.max(1));
    let pages = (total.max(0) + size - 1) / size;
    u32::try_from(pages.max(1)).unwrap_or(u32::MAX)
}

/// One page of a list with the number of rows of the whole (filtered) list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub size: u32,
}

impl<T> Paged<T> {
    pub fn pages(&self) -> u32 {
        last_page(self.total, self.size)
    }
    pub fn has_prev(&self) -> bool {
        self.page > 1
    }
    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged { items: self.items.into_iter().map(f).collect(), total: self.total, page: self.page, size: self.size }
    }
}

/// Ascending or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDir {
    Asc,
    Desc,
}

impl SortDir {
    pub fn as_str(self) -> &'static str {
        match self {
            SortDir::Asc => "asc",
            SortDir::Desc => "desc",
        }
    }
    pub fn flip(self) -> SortDir {
        match self {
            SortDir::Asc => SortDir::Desc,
            SortDir::Desc => SortDir::Asc,
        }
    }
}

/// The columns a list may be sorted by: each list names its own, and the store maps each to a fixed SQL
/// expression (no SQL is ever built from what a request says).
pub trait SortColumn: Copy + Eq + Sized + 'static {
    /// Every column, for parsing.
    const ALL: &'static [Self];
    /// The name in a query string (`?sort=title`).
    fn key(self) -> &'static str;
    /// The direction a first click on the column's header sorts by.
    fn default_dir(self) -> SortDir {
        SortDir::Asc
    }
}

/// The sort of a list: a column and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<C> {
    pub column: C,
    pub dir: SortDir,
}

impl<C: SortColumn> Sort<C> {
    /// `?sort=COLUMN&dir=asc|desc`; empty values give `default`, an empty direction the column's own.
    pub fn parse(column: &str, dir: &str, default: Sort<C>) -> Result<Sort<C>, String> {
        let column = column.trim();
        let col = if column.is_empty() {
            None
        } else {
            Some(C::ALL.iter().copied().find(|c| c.key() == column).ok_or_else(|| format!("Không sắp xếp được theo '{column}'."))?)
        };
        let dir = match dir.trim() {
            "" => None,
            "asc" => Some(SortDir::Asc),
            "desc" => Some(SortDir::Desc),
            other => return Err(format!("Chiều sắp xếp '{other}' không hợp lệ (tăng dần: asc, giảm dần: desc).")),
        };
        Ok(match (col, dir) {
            (None, None) => default,
            (None, Some(d)) => Sort { column: default.column, dir: d },
            (Some(c), d) => Sort { column: c, dir: d.unwrap_or_else(|| c.default_dir()) },
        })
    }
}

/// A range of days, both ends included, in Vietnam time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DateRange {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl DateRange {
    /// From the two query values (`YYYY-MM-DD`, as a date field sends it, or `dd/mm/yyyy`); a message when
    /// either is not a date or the range ends before it starts.
    pub fn parse(from: &str, to: &str) -> Result<DateRange, String> {
        let from_d = parse_day(from).map_err(|v| format!("Ngày bắt đầu '{v}' không hợp lệ (ngày/tháng/năm, vd. 05/01/2024)."))?;
        let to_d = parse_day(to).map_err(|v| format!("Ngày kết thúc '{v}' không hợp lệ (ngày/tháng/năm, vd. 05/01/2024)."))?;
        if let (Some(a), Some(b)) = (from_d, to_d)
            && b < a
        {
            return Err("Khoảng thời gian không hợp lệ: ngày kết thúc trước ngày bắt đầu.".into());
        }
        Ok(DateRange { from: from_d, to: to_d })
    }

    pub fn is_empty(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    /// The first instant of the range (midnight at its first day, Vietnam time) in Unix milliseconds.
    pub fn start_ms(&self) -> Option<i64> {
        self.from.map(midnight_ms)
    }

    /// The first instant after the range (midnight after its last day, Vietnam time) in Unix milliseconds.
    pub fn end_ms(&self) -> Option<i64> {
        self.to.map(|d| midnight_ms(d) + Duration::DAY.whole_milliseconds() as i64)
    }
}

/// Midnight at the start of `day`, Vietnam time, in Unix milliseconds.
pub fn midnight_ms(day: Date) -> i64 {
    let t = OffsetDateTime::new_in_offset(day, Time::MIDNIGHT, VIETNAM_OFFSET);
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// A day as typed: `YYYY-MM-DD` or `dd/mm/yyyy`; empty is none; anything else is the value back.
fn parse_day(s: &str) -> Result<Option<Date>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if let Some(d) = crate::unit::parse_date(s) {
        return Ok(Some(d));
    }
    let parts: Vec<&str> = s.split('/').collect();
    if let [d, m, y] = parts.as_slice()
        && let (Ok(d), Ok(m), Ok(y)) = (d.parse::<u8>(), m.parse::<u8>(), y.parse::<i32>())
        && let Ok(month) = time::Month::try_from(m)
        && let Ok(date) = Date::from_calendar_date(y, month, d)
    {
        return Ok(Some(date));
    }
    Err(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Col {
        Name,
        When,
    }
    impl SortColumn for Col {
        const ALL: &'static [Col] = &[Col::Name, Col::When];
        fn key(self) -> &'static str {
            match self {
                Col::Name => "name",
                Col::When => "when",
            }
        }
        fn default_dir(self) -> SortDir {
            if self == Col::When { SortDir::Desc } else { SortDir::Asc }
        }
    }

    #[test]
    fn pages_are_numbered_from_one_and_bad_numbers_are_refused_in_vietnamese() {
        assert_eq!(PageRequest::parse("").expect("empty"), PageRequest::default());
        let p = PageRequest::parse(" 3 ").expect("3");
        assert_eq!((p.page, p.offset(), p.limit()), (3, 100, 50));
        for bad in ["0", "-1", "abc", "2.5"] {
            let e = PageRequest::parse(bad).expect_err(bad);
            assert!(e.contains("Số trang") && e.contains(bad), "{e}");
        }
        assert_eq!(last_page(0, 50), 1);
        assert_eq!(last_page(50, 50), 1);
        assert_eq!(last_page(51, 50), 2);
        assert_eq!(PageRequest::new(9, 50).clamp_to(120).page, 3);
    }

    #[test]
    fn sorts_are_whitelisted_columns_with_a_direction() {
        let default = Sort { column: Col::When, dir: SortDir::Desc };
        assert_eq!(Sort::parse("", "", default), Ok(default));
        assert_eq!(Sort::parse("name", "", default), Ok(Sort { column: Col::Name, dir: SortDir::Asc }));
        assert_eq!(Sort::parse("name", "desc", default), Ok(Sort { column: Col::Name, dir: SortDir::Desc }));
        assert_eq!(Sort::parse("", "asc", default), Ok(Sort { column: Col::When, dir: SortDir::Asc }));
        assert!(Sort::parse("name; DROP TABLE x", "", default).expect_err("column").contains("Không sắp xếp được"));
        assert!(Sort::parse("name", "up", default).expect_err("dir").contains("Chiều sắp xếp"));
    }

    #[test]
    fn date_ranges_are_whole_days_in_vietnam_time() {
        let r = DateRange::parse("2022-02-18", "18/02/2022").expect("range");
        assert_eq!(r.from, r.to);
        // 2022-02-18 00:00 +07 = 2022-02-17 17:00 UTC.
        assert_eq!(r.start_ms(), Some(1_645_117_200_000));
        assert_eq!(r.end_ms(), Some(1_645_117_200_000 + 86_400_000));
        assert!(DateRange::parse("31/02/2022", "").expect_err("bad").contains("Ngày bắt đầu '31/02/2022'"));
        assert!(DateRange::parse("2022-03-01", "2022-02-01").expect_err("order").contains("trước ngày bắt đầu"));
        assert!(DateRange::parse("", "").expect("none").is_empty());
    }
}
