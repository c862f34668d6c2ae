//! The report page's list of the units and agencies that report to the unit: filtered by name (without
//! diacritics, as every list searches) and by the state of their report, sorted by a column, 50 a page, the
//! query kept in every link so that a filtered page can be bookmarked and works without JavaScript. The list
//! comes whole from the app (`ReportPageData.children`, a unit's direct children and agencies, at most a few
//! hundred lines); the counts above it are those of every child, whatever the filter.

use chiso_core::list::{PageRequest, Paged, Sort, SortColumn, SortDir};
use chiso_core::text::fold;
use std::cmp::Ordering;
use time::Date;

/// Columns the children's list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildColumn {
    /// Agencies, then units, in the order the app gives them (the default).
    Kind,
    Name,
    State,
    Due,
    /// Tasks done (on time or late), most first.
    Done,
}

impl SortColumn for ChildColumn {
    const ALL: &'static [ChildColumn] = &[ChildColumn::Kind, ChildColumn::Name, ChildColumn::State, ChildColumn::Due, ChildColumn::Done];
    fn key(self) -> &'static str {
        match self {
            ChildColumn::Kind => "kind",
            ChildColumn::Name => "name",
            ChildColumn::State => "state",
            ChildColumn::Due => "due",
            ChildColumn::Done => "done",
        }
    }
    fn default_dir(self) -> SortDir {
        if self == ChildColumn::Done { SortDir::Desc } else { SortDir::Asc }
    }
}

impl ChildColumn {
    pub const DEFAULT: Sort<ChildColumn> = Sort { column: ChildColumn::Kind, dir: SortDir::Asc };
}

/// Where a child's report for the period stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildState {
    /// Not received and its due date has passed.
    Missing,
    /// Returned for correction and not sent again yet.
    Returned,
    Late,
    NotYetDue,
    OnTime,
    /// It owes no report of its own for the period (no due date for its level).
    NoDue,
}

impl ChildState {
    /// Order of the state column, ascending: what needs a reminder first.
    fn rank(self) -> u8 {
        match self {
            ChildState::Missing => 0,
            ChildState::Returned => 1,
            ChildState::Late => 2,
            ChildState::NotYetDue => 3,
            ChildState::OnTime => 4,
            ChildState::NoDue => 5,
        }
    }
}

/// The filter by report state the page offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    OnTime,
    Late,
    /// Not received: overdue, not due yet, or owing none.
    NotSent,
    Returned,
}

impl StateFilter {
    pub const ALL: [StateFilter; 4] = [StateFilter::OnTime, StateFilter::Late, StateFilter::NotSent, StateFilter::Returned];

    pub fn key(self) -> &'static str {
        match self {
            StateFilter::OnTime => "on_time",
            StateFilter::Late => "late",
            StateFilter::NotSent => "not_sent",
            StateFilter::Returned => "returned",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            StateFilter::OnTime => "Đã gửi đúng hạn",
            StateFilter::Late => "Đã gửi muộn",
            StateFilter::NotSent => "Chưa gửi",
            StateFilter::Returned => "Đã trả lại",
        }
    }

    pub fn matches(self, s: ChildState) -> bool {
        match self {
            StateFilter::OnTime => s == ChildState::OnTime,
            StateFilter::Late => s == ChildState::Late,
            StateFilter::NotSent => matches!(s, ChildState::Missing | ChildState::NotYetDue | ChildState::NoDue),
            StateFilter::Returned => s == ChildState::Returned,
        }
    }

    /// The query value: empty is no filter; anything else not offered is told in Vietnamese.
    pub fn parse(s: &str) -> Result<Option<StateFilter>, String> {
        match s.trim() {
            "" => Ok(None),
            v => StateFilter::ALL.iter().copied().find(|f| f.key() == v).map(Some).ok_or_else(|| {
                format!(
                    "Tình trạng báo cáo '{v}' không có (hãy chọn: {}).",
                    StateFilter::ALL.iter().map(|f| f.label_vi().to_lowercase()).collect::<Vec<_>>().join(", ")
                )
            }),
        }
    }
}

/// What the list needs of a line to filter and sort it.
pub trait ChildLineKeys {
    fn name(&self) -> &str;
    fn state(&self) -> ChildState;
    fn due(&self) -> Option<Date>;
    fn done(&self) -> u32;
}

/// The lines whose name holds `text` (diacritics and case aside) and whose state passes `state`, sorted by
/// `sort` (ties: the app's order), page `page` of them (moved back onto the last page when it asks beyond).
pub fn page_of<T: ChildLineKeys>(
    lines: Vec<T>,
    text: &str,
    state: Option<StateFilter>,
    sort: Sort<ChildColumn>,
    page: PageRequest,
) -> Paged<T> {
    let needle = fold(text.trim());
    let mut rows: Vec<(usize, String, T)> = lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| (i, fold(l.name()), l))
        .filter(|(_, name, l)| name.contains(&needle) && state.is_none_or(|f| f.matches(l.state())))
        .collect();
    rows.sort_by(|(ia, na, a), (ib, nb, b)| {
        let by = match sort.column {
            ChildColumn::Kind => Ordering::Equal,
            ChildColumn::Name => na.cmp(nb).then_with(|| a.name().cmp(b.name())),
            ChildColumn::State => a.state().rank().cmp(&b.state().rank()),
            // Lines without a due date last, whichever the direction.
            ChildColumn::Due => match (a.due(), b.due()) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => return Ordering::Less,
                (None, Some(_)) => return Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            ChildColumn::Done => a.done().cmp(&b.done()),
        };
        let by = if sort.dir == SortDir::Desc { by.reverse() } else { by };
        by.then_with(|| na.cmp(nb)).then(ia.cmp(ib))
    });
    // The default order is the app's (agencies, then units); a name tie-break would undo it.
    if sort.column == ChildColumn::Kind {
        rows.sort_by_key(|(i, _, _)| *i);
        if sort.dir == SortDir::Desc {
            rows.reverse();
        }
    }
    let total = rows.len() as i64;
    let page = page.clamp_to(total);
    let items = rows.into_iter().skip(page.offset() as usize).take(page.size as usize).map(|(_, _, l)| l).collect();
    Paged { items, total, page: page.page, size: page.size }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[derive(Debug, Clone, PartialEq)]
    struct L(&'static str, ChildState, Option<Date>, u32);
    impl ChildLineKeys for L {
        fn name(&self) -> &str {
            self.0
        }
        fn state(&self) -> ChildState {
            self.1
        }
        fn due(&self) -> Option<Date> {
            self.2
        }
        fn done(&self) -> u32 {
            self.3
        }
    }

    fn lines() -> Vec<L> {
        vec![
            L("Phòng Nội vụ", ChildState::OnTime, Some(date!(2022 - 06 - 05)), 3),
            L("Xã Đồng Tâm", ChildState::Missing, Some(date!(2022 - 06 - 10)), 1),
            L("Xã Chiềng Sơn", ChildState::Late, Some(date!(2022 - 06 - 10)), 5),
            L("Xã Dồng Văn", ChildState::Returned, None, 0),
        ]
    }

    fn names(p: &Paged<L>) -> Vec<&'static str> {
        p.items.iter().map(|l| l.0).collect()
    }

    #[test]
    fn names_are_found_without_diacritics_and_states_filter() {
        let all = PageRequest::default();
        let p = page_of(lines(), "dong", None, ChildColumn::DEFAULT, all);
        assert_eq!(names(&p), ["Xã Đồng Tâm", "Xã Dồng Văn"]);
        let p = page_of(lines(), "  XA  ", Some(StateFilter::NotSent), ChildColumn::DEFAULT, all);
        assert_eq!((names(&p), p.total), (vec!["Xã Đồng Tâm"], 1));
        assert_eq!(names(&page_of(lines(), "", Some(StateFilter::Returned), ChildColumn::DEFAULT, all)), ["Xã Dồng Văn"]);
        assert_eq!(StateFilter::parse(" late "), Ok(Some(StateFilter::Late)));
        assert!(StateFilter::parse("x'; DROP").expect_err("unknown").contains("Tình trạng báo cáo"));
    }

    #[test]
    fn columns_sort_both_ways_and_pages_are_clamped() {
        let all = PageRequest::default();
        let by = |c, d| names(&page_of(lines(), "", None, Sort { column: c, dir: d }, all));
        assert_eq!(by(ChildColumn::Kind, SortDir::Asc), ["Phòng Nội vụ", "Xã Đồng Tâm", "Xã Chiềng Sơn", "Xã Dồng Văn"]);
        assert_eq!(by(ChildColumn::Name, SortDir::Asc), ["Phòng Nội vụ", "Xã Chiềng Sơn", "Xã Đồng Tâm", "Xã Dồng Văn"]);
        assert_eq!(by(ChildColumn::Done, SortDir::Desc), ["Xã Chiềng Sơn", "Phòng Nội vụ", "Xã Đồng Tâm", "Xã Dồng Văn"]);
        assert_eq!(by(ChildColumn::State, SortDir::Asc), ["Xã Đồng Tâm", "Xã Dồng Văn", "Xã Chiềng Sơn", "Phòng Nội vụ"]);
        assert_eq!(by(ChildColumn::Due, SortDir::Desc), ["Xã Chiềng Sơn", "Xã Đồng Tâm", "Phòng Nội vụ", "Xã Dồng Văn"], "no date last");
        let p = page_of(lines(), "", None, ChildColumn::DEFAULT, PageRequest::new(9, 3));
        assert_eq!((p.page, p.pages(), names(&p)), (2, 2, vec!["Xã Dồng Văn"]));
    }
}
