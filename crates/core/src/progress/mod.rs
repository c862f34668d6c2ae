//! Progress of tasks and the compilation of periodic reports up the hierarchy.
//!
//! Plain data in, plain data out: the lead fills these structs from the database and renders the results.
//! - [`derive_status`]: a task's status from its due date, the latest update and the day of reckoning.
//! - [`TaskCounts`]: per-status and per-dimension counts of a report.
//! - [`submission`] / [`SubmissionCounts`]: on time, late, missing; completeness and timeliness.
//! - [`compile`]: a parent's report compiled from its children's submitted reports and its own tasks.
//! - [`report_status`]: the `chiso report status --unit CODE --period 2022-H1 --json` document.
//!
//! - [`Deadline`]: the one judgement of "on time" and "locked" for a report, used by every caller.
//!
//! Timestamps are instants; "on time" is judged on the calendar day in Vietnam (UTC+7): a report submitted at
//! 23:59 Vietnam time on the due date is on time, even though it is already 16:59 UTC.
//!
//! Tasks and their updates are here; reports (submission, compilation, the status document) in [`reports`].

mod overview;
mod reports;

pub use overview::*;
pub use reports::*;

use crate::period::iso_date;
use crate::text::fold;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use time::{Date, UtcOffset};

/// Vietnam time, UTC+7 (no daylight saving).
pub const VIETNAM_OFFSET: UtcOffset = time::macros::offset!(+7);

/// Dimension key for tasks linked to no framework dimension.
pub const UNCLASSIFIED: &str = "unclassified";

/// The status of a task. `DoneLate` and `Overdue` are normally derived (see [`derive_status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    NotStarted,
    InProgress,
    Done,
    DoneLate,
    Overdue,
    /// Cannot be done; the update must give the reason.
    CannotDo,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 6] =
        [TaskStatus::NotStarted, TaskStatus::InProgress, TaskStatus::Done, TaskStatus::DoneLate, TaskStatus::Overdue, TaskStatus::CannotDo];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "not_started",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
            TaskStatus::DoneLate => "done_late",
            TaskStatus::Overdue => "overdue",
            TaskStatus::CannotDo => "cannot_do",
        }
    }

    pub fn parse(s: &str) -> Option<TaskStatus> {
        TaskStatus::ALL.into_iter().find(|t| t.as_str() == s.trim())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "Chưa thực hiện",
            TaskStatus::InProgress => "Đang thực hiện",
            TaskStatus::Done => "Đã hoàn thành",
            TaskStatus::DoneLate => "Hoàn thành quá hạn",
            TaskStatus::Overdue => "Quá hạn chưa hoàn thành",
            TaskStatus::CannotDo => "Không thực hiện được",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "Not started",
            TaskStatus::InProgress => "In progress",
            TaskStatus::Done => "Done",
            TaskStatus::DoneLate => "Done late",
            TaskStatus::Overdue => "Overdue",
            TaskStatus::CannotDo => "Cannot be done",
        }
    }

    pub fn is_done(self) -> bool {
        matches!(self, TaskStatus::Done | TaskStatus::DoneLate)
    }
}

/// For columns stored as text (`not_started`, …).
impl TryFrom<String> for TaskStatus {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        TaskStatus::parse(&s).ok_or_else(|| format!("trạng thái nhiệm vụ '{s}' không hợp lệ"))
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_vi())
    }
}

/// Whether an agency leads a task: the task names the agency by its record, or by a name that matches the
/// agency's (diacritics, case and spacing aside) — plans are imported before their agencies are linked.
pub fn agency_leads(lead_agency_id: Option<i64>, lead_agency: Option<&str>, agency_id: i64, agency_name: &str) -> bool {
    lead_agency_id == Some(agency_id)
        || lead_agency.is_some_and(|l| agency_leads_folded(None, Some(&fold(l)), agency_id, &fold(agency_name)))
}

/// [`agency_leads`] with the names already folded (`text::fold`), for callers matching many tasks against
/// many agencies.
pub fn agency_leads_folded(
    lead_agency_id: Option<i64>,
    lead_agency_folded: Option<&str>,
    agency_id: i64,
    agency_name_folded: &str,
) -> bool {
    lead_agency_id == Some(agency_id) || lead_agency_folded.is_some_and(|l| l == agency_name_folded)
}

/// The latest update of a task, as agency staff entered it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TaskUpdate {
    pub status: Option<TaskStatus>,
    #[serde(default)]
    pub percent: Option<u8>,
    #[serde(default, with = "iso_date::option")]
    pub completed_on: Option<Date>,
    /// Why the task cannot be done (required with `CannotDo`).
    #[serde(default)]
    pub reason: Option<String>,
    /// Set when a higher level returned the update for correction (the reason it gave); cleared when the
    /// agency submits a correction. A returned update counts as not done until corrected.
    #[serde(default)]
    pub returned: Option<String>,
}

fn non_blank(s: Option<&str>) -> bool {
    s.is_some_and(|s| !s.trim().is_empty())
}

/// A task's status on `today` (for a report: the last day of its data window, with the latest update made by
/// then).
/// - Done with a completion date after the due date → `DoneLate`.
/// - Not done (not started, in progress, returned for correction, "cannot do" without a reason) and `today`
///   after the due date → `Overdue`; the due date itself is not overdue.
/// - "Cannot do" with a reason stays `CannotDo`: it is accounted for, not late.
/// - No due date (a continuous task): never overdue.
pub fn derive_status(due: Option<Date>, update: Option<&TaskUpdate>, today: Date) -> TaskStatus {
    StatusFacts::of(due, update, today).status()
}

/// What [`derive_status`] looks at, reduced to yes/no facts, so that a store can count tasks by these facts in
/// one grouped query (no row per task) and still leave the rule here: the status of every task with the same
/// facts is the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct StatusFacts {
    /// The status the latest update entered (`NotStarted` when there is no update).
    pub entered: Option<TaskStatus>,
    /// The latest update was returned for correction.
    pub returned: bool,
    /// The latest update gives a reason (not blank).
    pub reason_given: bool,
    /// The latest update gives a percent above 0.
    pub percent_given: bool,
    /// The task has a due date and the latest update a completion date: whether it was completed after the due
    /// date. None when either date is missing.
    pub completed_late: Option<bool>,
    /// The task has a due date and the day of reckoning is after it.
    pub past_due: bool,
}

impl StatusFacts {
    pub fn of(due: Option<Date>, update: Option<&TaskUpdate>, today: Date) -> StatusFacts {
        StatusFacts {
            entered: update.and_then(|u| u.status),
            returned: update.is_some_and(|u| u.returned.is_some()),
            reason_given: non_blank(update.and_then(|u| u.reason.as_deref())),
            percent_given: update.and_then(|u| u.percent).unwrap_or(0) > 0,
            completed_late: match (due, update.and_then(|u| u.completed_on)) {
                (Some(due), Some(done_on)) => Some(done_on > due),
                _ => None,
            },
            past_due: due.is_some_and(|d| today > d),
        }
    }

    /// The status (see [`derive_status`]).
    pub fn status(&self) -> TaskStatus {
        let entered = self.entered.unwrap_or(TaskStatus::NotStarted);
        if !self.returned {
            if entered == TaskStatus::CannotDo && self.reason_given {
                return TaskStatus::CannotDo;
            }
            if entered.is_done() {
                return match self.completed_late {
                    Some(true) => TaskStatus::DoneLate,
                    Some(false) => TaskStatus::Done,
                    None => entered,
                };
            }
        }
        if self.past_due {
            return TaskStatus::Overdue;
        }
        match entered {
            TaskStatus::NotStarted => TaskStatus::NotStarted,
            TaskStatus::InProgress => TaskStatus::InProgress,
            // Returned work, an unexplained "cannot do", or "overdue" entered before the due date: not done yet.
            _ if self.percent_given || entered.is_done() => TaskStatus::InProgress,
            _ => TaskStatus::NotStarted,
        }
    }
}

/// A problem with an update, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Check an update before it is stored; returns every problem.
pub fn validate_update(u: &TaskUpdate, today: Date) -> Result<(), Vec<FieldError>> {
    let mut errs = Vec::new();
    let status = u.status.unwrap_or(TaskStatus::NotStarted);
    if let Some(p) = u.percent {
        if p > 100 {
            errs.push(FieldError { field: "percent", message: format!("tiến độ {p}% vượt quá 100%") });
        } else if status == TaskStatus::NotStarted && p > 0 {
            errs.push(FieldError { field: "percent", message: format!("nhiệm vụ chưa thực hiện nhưng tiến độ là {p}%") });
        }
    }
    if status == TaskStatus::CannotDo && !non_blank(u.reason.as_deref()) {
        errs.push(FieldError { field: "reason", message: "cần nêu lý do không thực hiện được".into() });
    }
    if let Some(d) = u.completed_on {
        if d > today {
            errs.push(FieldError {
                field: "completed_on",
                message: format!("ngày hoàn thành {} ở tương lai", crate::text::vn_date_short(d)),
            });
        }
        if !status.is_done() {
            errs.push(FieldError {
                field: "completed_on", message: "chỉ ghi ngày hoàn thành khi nhiệm vụ đã hoàn thành".into()
            });
        }
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

/// A task's derived status with the dimensions it serves (framework dimension codes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskState {
    pub code: String,
    #[serde(default)]
    pub dimensions: Vec<String>,
    pub status: TaskStatus,
}

/// Number of tasks in each status. Serialised with a `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct StatusCounts {
    #[serde(default)]
    pub not_started: u32,
    #[serde(default)]
    pub in_progress: u32,
    #[serde(default)]
    pub done: u32,
    #[serde(default)]
    pub done_late: u32,
    #[serde(default)]
    pub overdue: u32,
    #[serde(default)]
    pub cannot_do: u32,
}

impl StatusCounts {
    pub fn add(&mut self, s: TaskStatus) {
        let c = match s {
            TaskStatus::NotStarted => &mut self.not_started,
            TaskStatus::InProgress => &mut self.in_progress,
            TaskStatus::Done => &mut self.done,
            TaskStatus::DoneLate => &mut self.done_late,
            TaskStatus::Overdue => &mut self.overdue,
            TaskStatus::CannotDo => &mut self.cannot_do,
        };
        *c = c.saturating_add(1);
    }

    /// Add `n` tasks of one status.
    pub fn add_n(&mut self, s: TaskStatus, n: u32) {
        let c = match s {
            TaskStatus::NotStarted => &mut self.not_started,
            TaskStatus::InProgress => &mut self.in_progress,
            TaskStatus::Done => &mut self.done,
            TaskStatus::DoneLate => &mut self.done_late,
            TaskStatus::Overdue => &mut self.overdue,
            TaskStatus::CannotDo => &mut self.cannot_do,
        };
        *c = c.saturating_add(n);
    }

    pub fn get(&self, s: TaskStatus) -> u32 {
        match s {
            TaskStatus::NotStarted => self.not_started,
            TaskStatus::InProgress => self.in_progress,
            TaskStatus::Done => self.done,
            TaskStatus::DoneLate => self.done_late,
            TaskStatus::Overdue => self.overdue,
            TaskStatus::CannotDo => self.cannot_do,
        }
    }

    pub fn merge(&mut self, o: &StatusCounts) {
        for s in TaskStatus::ALL {
            let c = match s {
                TaskStatus::NotStarted => &mut self.not_started,
                TaskStatus::InProgress => &mut self.in_progress,
                TaskStatus::Done => &mut self.done,
                TaskStatus::DoneLate => &mut self.done_late,
                TaskStatus::Overdue => &mut self.overdue,
                TaskStatus::CannotDo => &mut self.cannot_do,
            };
            *c = c.saturating_add(o.get(s));
        }
    }

    pub fn total(&self) -> u32 {
        TaskStatus::ALL.iter().fold(0u32, |a, s| a.saturating_add(self.get(*s)))
    }

    /// Done, on time or late.
    pub fn done_all(&self) -> u32 {
        self.done.saturating_add(self.done_late)
    }
}

// The JSON that `StatusCounts` serialises to, for the OpenAPI schema only.
/// Number of tasks in each status, and their total.
#[derive(utoipa::ToSchema)]
#[allow(dead_code, reason = "describes the JSON written by the Serialize impl; never built")]
struct StatusCountsJson {
    not_started: u32,
    in_progress: u32,
    done: u32,
    done_late: u32,
    overdue: u32,
    cannot_do: u32,
    total: u32,
}

impl utoipa::PartialSchema for StatusCounts {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <StatusCountsJson as utoipa::PartialSchema>::schema()
    }
}

impl utoipa::ToSchema for StatusCounts {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("StatusCounts")
    }
}

impl Serialize for StatusCounts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("StatusCounts", 7)?;
        st.serialize_field("not_started", &self.not_started)?;
        st.serialize_field("in_progress", &self.in_progress)?;
        st.serialize_field("done", &self.done)?;
        st.serialize_field("done_late", &self.done_late)?;
        st.serialize_field("overdue", &self.overdue)?;
        st.serialize_field("cannot_do", &self.cannot_do)?;
        st.serialize_field("total", &self.total())?;
        st.end()
    }
}

/// Task counts of a report: by status, and by status within each dimension. A task serving two dimensions
/// counts once in `by_status` and once in each of its dimensions.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaskCounts {
    pub by_status: StatusCounts,
    #[serde(default)]
    pub by_dimension: BTreeMap<String, StatusCounts>,
}

impl TaskCounts {
    pub fn from_states(states: &[TaskState]) -> TaskCounts {
        let mut c = TaskCounts::default();
        for t in states {
            c.by_status.add(t.status);
            let dims: BTreeSet<&str> = t.dimensions.iter().map(|d| d.trim()).filter(|d| !d.is_empty()).collect();
            if dims.is_empty() {
                c.by_dimension.entry(UNCLASSIFIED.to_string()).or_default().add(t.status);
            }
            for d in dims {
                c.by_dimension.entry(d.to_string()).or_default().add(t.status);
            }
        }
        c
    }

    pub fn merge(&mut self, o: &TaskCounts) {
        self.by_status.merge(&o.by_status);
        for (k, v) in &o.by_dimension {
            self.by_dimension.entry(k.clone()).or_default().merge(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn upd(status: TaskStatus) -> TaskUpdate {
        TaskUpdate { status: Some(status), ..TaskUpdate::default() }
    }

    #[test]
    fn derived_statuses() {
        let due = Some(date!(2022 - 06 - 30));
        let done_on = |d: Date| TaskUpdate { completed_on: Some(d), percent: Some(100), ..upd(TaskStatus::Done) };
        assert_eq!(derive_status(due, Some(&done_on(date!(2022 - 06 - 20))), date!(2022 - 07 - 10)), TaskStatus::Done);
        assert_eq!(derive_status(due, Some(&done_on(date!(2022 - 06 - 30))), date!(2022 - 07 - 10)), TaskStatus::Done);
        assert_eq!(derive_status(due, Some(&done_on(date!(2022 - 07 - 05))), date!(2022 - 07 - 10)), TaskStatus::DoneLate);
        // Not done: overdue the day after the due date, not on it.
        let wip = TaskUpdate { percent: Some(40), ..upd(TaskStatus::InProgress) };
        assert_eq!(derive_status(due, Some(&wip), date!(2022 - 06 - 30)), TaskStatus::InProgress);
        assert_eq!(derive_status(due, Some(&wip), date!(2022 - 07 - 01)), TaskStatus::Overdue);
        assert_eq!(derive_status(due, None, date!(2022 - 06 - 01)), TaskStatus::NotStarted);
        assert_eq!(derive_status(due, None, date!(2022 - 07 - 01)), TaskStatus::Overdue);
        // Continuous tasks are never overdue.
        assert_eq!(derive_status(None, Some(&wip), date!(2030 - 01 - 01)), TaskStatus::InProgress);
        // Returned for correction: not done until corrected.
        let returned = TaskUpdate { returned: Some("Thiếu tài liệu kiểm chứng".into()), ..done_on(date!(2022 - 06 - 20)) };
        assert_eq!(derive_status(due, Some(&returned), date!(2022 - 06 - 25)), TaskStatus::InProgress);
        assert_eq!(derive_status(due, Some(&returned), date!(2022 - 07 - 01)), TaskStatus::Overdue);
        let corrected = TaskUpdate { returned: None, ..returned };
        assert_eq!(derive_status(due, Some(&corrected), date!(2022 - 07 - 01)), TaskStatus::Done);
        // "Cannot do" needs a reason to be accepted.
        let cannot = TaskUpdate { reason: Some("Chưa được bố trí kinh phí".into()), ..upd(TaskStatus::CannotDo) };
        assert_eq!(derive_status(due, Some(&cannot), date!(2022 - 12 - 31)), TaskStatus::CannotDo);
        let no_reason = TaskUpdate { reason: Some("  ".into()), ..upd(TaskStatus::CannotDo) };
        assert_eq!(derive_status(due, Some(&no_reason), date!(2022 - 12 - 31)), TaskStatus::Overdue);
        assert_eq!(derive_status(due, Some(&no_reason), date!(2022 - 06 - 01)), TaskStatus::NotStarted);
        // Done without dates keeps what staff entered.
        assert_eq!(derive_status(None, Some(&upd(TaskStatus::DoneLate)), date!(2022 - 06 - 01)), TaskStatus::DoneLate);
    }

    #[test]
    fn labels_and_codes() {
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_string(&s).ok(), Some(format!("\"{}\"", s.as_str())));
            assert!(!s.label_vi().is_empty());
        }
        assert_eq!(TaskStatus::CannotDo.label_vi(), "Không thực hiện được");
        assert_eq!(TaskStatus::parse("finished"), None);
    }

    #[test]
    fn update_validation_names_fields() {
        let today = date!(2022 - 06 - 10);
        let bad = TaskUpdate { percent: Some(120), completed_on: Some(date!(2022 - 06 - 11)), ..upd(TaskStatus::CannotDo) };
        let errs = validate_update(&bad, today).expect_err("invalid");
        let fields: Vec<&str> = errs.iter().map(|e| e.field).collect();
        assert!(fields.contains(&"percent") && fields.contains(&"reason") && fields.contains(&"completed_on"), "{fields:?}");
        assert!(validate_update(&TaskUpdate { percent: Some(100), completed_on: Some(today), ..upd(TaskStatus::Done) }, today).is_ok());
    }

    fn st(code: &str, dims: &[&str], status: TaskStatus) -> TaskState {
        TaskState { code: code.into(), dimensions: dims.iter().map(|d| d.to_string()).collect(), status }
    }

    #[test]
    fn counts_by_status_and_dimension() {
        let c = TaskCounts::from_states(&[
            st("1", &["D1"], TaskStatus::Done),
            st("2", &["D1", "D3", "D1"], TaskStatus::Overdue),
            st("3", &["D3"], TaskStatus::InProgress),
            st("4", &[], TaskStatus::NotStarted),
            st("5", &["D1"], TaskStatus::DoneLate),
        ]);
        assert_eq!(c.by_status.total(), 5);
        assert_eq!(c.by_status.done_all(), 2);
        assert_eq!(c.by_status.overdue, 1);
        let d1 = c.by_dimension["D1"];
        assert_eq!((d1.done, d1.done_late, d1.overdue, d1.total()), (1, 1, 1, 3));
        assert_eq!(c.by_dimension["D3"].total(), 2);
        assert_eq!(c.by_dimension[UNCLASSIFIED].not_started, 1);
        let json = serde_json::to_value(c.by_status).expect("json");
        assert_eq!(json["total"], 5);
    }

    #[test]
    fn an_agency_leads_by_record_or_by_name() {
        assert!(agency_leads(Some(7), None, 7, "Phòng Nội vụ"));
        assert!(agency_leads(None, Some("phòng  NỘI VỤ"), 7, "Phòng Nội vụ"));
        assert!(!agency_leads(Some(8), Some("Phòng Tư pháp"), 7, "Phòng Nội vụ"));
        assert!(!agency_leads(None, None, 7, "Phòng Nội vụ"));
    }
}
