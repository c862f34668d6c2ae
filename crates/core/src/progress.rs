//! Progress of tasks and the compilation of periodic reports up the hierarchy.
//!
//! Plain data in, plain data out: the lead fills these structs from the database and renders the results.
//! - [`derive_status`]: a task's status from its due date, the latest update and the day of reckoning.
//! - [`TaskCounts`]: per-status and per-dimension counts of a report.
//! - [`submission`] / [`SubmissionCounts`]: on time, late, missing; completeness and timeliness.
//! - [`compile`]: a parent's report compiled from its children's submitted reports and its own tasks.
//! - [`report_status`]: the `chiso report status --unit CODE --period 2022-H1 --json` document.
//!
//! Timestamps are instants; "on time" is judged on the calendar day in Vietnam (UTC+7): a report submitted at
//! 23:59 Vietnam time on the due date is on time, even though it is already 16:59 UTC.

use crate::period::{DateWindow, Period, iso_date};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use time::{Date, OffsetDateTime, UtcOffset};

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

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_vi())
    }
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
    let entered = update.and_then(|u| u.status).unwrap_or(TaskStatus::NotStarted);
    let returned = update.is_some_and(|u| u.returned.is_some());
    let percent = update.and_then(|u| u.percent).unwrap_or(0);
    if !returned {
        if entered == TaskStatus::CannotDo && non_blank(update.and_then(|u| u.reason.as_deref())) {
            return TaskStatus::CannotDo;
        }
        if entered.is_done() {
            return match (due, update.and_then(|u| u.completed_on)) {
                (Some(due), Some(done_on)) if done_on > due => TaskStatus::DoneLate,
                (Some(_), Some(_)) => TaskStatus::Done,
                _ => entered,
            };
        }
    }
    if due.is_some_and(|d| today > d) {
        return TaskStatus::Overdue;
    }
    match entered {
        TaskStatus::NotStarted => TaskStatus::NotStarted,
        TaskStatus::InProgress => TaskStatus::InProgress,
        // Returned work, an unexplained "cannot do", or "overdue" entered before the due date: not done yet.
        _ if percent > 0 || entered.is_done() => TaskStatus::InProgress,
        _ => TaskStatus::NotStarted,
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
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
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

/// Whether a report came in on time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Submission {
    OnTime,
    Late,
    /// Not received and the due date has passed.
    Missing,
    /// Not received, not due yet.
    NotYetDue,
}

impl Submission {
    pub fn label_vi(self) -> &'static str {
        match self {
            Submission::OnTime => "Đúng hạn",
            Submission::Late => "Trễ hạn",
            Submission::Missing => "Chưa gửi (quá hạn)",
            Submission::NotYetDue => "Chưa đến hạn",
        }
    }

    pub fn is_submitted(self) -> bool {
        matches!(self, Submission::OnTime | Submission::Late)
    }
}

/// On time = submitted on or before the due date, Vietnam time.
pub fn is_on_time(due: Date, submitted_at: OffsetDateTime) -> bool {
    submitted_at.to_offset(VIETNAM_OFFSET).date() <= due
}

/// A report's state on `as_of` (a report submitted after `as_of`, Vietnam time, was not yet there).
pub fn submission(due: Date, submitted_at: Option<OffsetDateTime>, as_of: Date) -> Submission {
    match submitted_at.filter(|t| t.to_offset(VIETNAM_OFFSET).date() <= as_of) {
        Some(t) if is_on_time(due, t) => Submission::OnTime,
        Some(_) => Submission::Late,
        None if as_of > due => Submission::Missing,
        None => Submission::NotYetDue,
    }
}

/// Counts of expected reports. `expected = on_time + late + missing + not_yet_due`; `submitted = on_time + late`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct SubmissionCounts {
    #[serde(default)]
    pub expected: u32,
    #[serde(default)]
    pub submitted: u32,
    #[serde(default)]
    pub on_time: u32,
    #[serde(default)]
    pub late: u32,
    #[serde(default)]
    pub missing: u32,
    #[serde(default)]
    pub not_yet_due: u32,
}

impl SubmissionCounts {
    pub fn add(&mut self, s: Submission) {
        self.expected = self.expected.saturating_add(1);
        let c = match s {
            Submission::OnTime => &mut self.on_time,
            Submission::Late => &mut self.late,
            Submission::Missing => &mut self.missing,
            Submission::NotYetDue => &mut self.not_yet_due,
        };
        *c = c.saturating_add(1);
        if s.is_submitted() {
            self.submitted = self.submitted.saturating_add(1);
        }
    }

    pub fn merge(&mut self, o: &SubmissionCounts) {
        self.expected = self.expected.saturating_add(o.expected);
        self.submitted = self.submitted.saturating_add(o.submitted);
        self.on_time = self.on_time.saturating_add(o.on_time);
        self.late = self.late.saturating_add(o.late);
        self.missing = self.missing.saturating_add(o.missing);
        self.not_yet_due = self.not_yet_due.saturating_add(o.not_yet_due);
    }

    /// Completeness: share of expected reports received (None when none is expected).
    pub fn completeness(&self) -> Option<f64> {
        (self.expected > 0).then(|| f64::from(self.submitted) / f64::from(self.expected))
    }

    /// Timeliness: share of expected reports received on time (None when none is expected).
    pub fn timeliness(&self) -> Option<f64> {
        (self.expected > 0).then(|| f64::from(self.on_time) / f64::from(self.expected))
    }
}

impl Serialize for SubmissionCounts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("SubmissionCounts", 8)?;
        st.serialize_field("expected", &self.expected)?;
        st.serialize_field("submitted", &self.submitted)?;
        st.serialize_field("on_time", &self.on_time)?;
        st.serialize_field("late", &self.late)?;
        st.serialize_field("missing", &self.missing)?;
        st.serialize_field("not_yet_due", &self.not_yet_due)?;
        st.serialize_field("completeness", &self.completeness())?;
        st.serialize_field("timeliness", &self.timeliness())?;
        st.end()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReporterKind {
    Unit,
    Agency,
}

/// One report a unit or agency owes for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedReport {
    /// Unit or agency code.
    pub code: String,
    pub name: String,
    pub kind: ReporterKind,
    /// Unit level code ("commune", "district", …); for an agency, the level of the unit it belongs to.
    pub level: String,
    pub period: Period,
    #[serde(with = "iso_date")]
    pub due: Date,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
}

impl ExpectedReport {
    pub fn submission(&self, as_of: Date) -> Submission {
        submission(self.due, self.submitted_at, as_of)
    }

    /// The key used for "per level" statistics: the level, or `agency:<level>` for agencies.
    pub fn level_key(&self) -> String {
        match self.kind {
            ReporterKind::Unit => self.level.clone(),
            ReporterKind::Agency => format!("agency:{}", self.level),
        }
    }
}

/// Completeness and timeliness overall, per period, per level, and per period and level.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct SubmissionStats {
    pub all: SubmissionCounts,
    pub by_period: BTreeMap<String, SubmissionCounts>,
    pub by_level: BTreeMap<String, SubmissionCounts>,
    pub by_period_level: BTreeMap<String, BTreeMap<String, SubmissionCounts>>,
}

pub fn submission_stats(reports: &[ExpectedReport], as_of: Date) -> SubmissionStats {
    let mut st = SubmissionStats::default();
    for r in reports {
        let s = r.submission(as_of);
        let (p, l) = (r.period.code(), r.level_key());
        st.all.add(s);
        st.by_period.entry(p.clone()).or_default().add(s);
        st.by_level.entry(l.clone()).or_default().add(s);
        st.by_period_level.entry(p).or_default().entry(l).or_default().add(s);
    }
    st
}

/// A child's report as its parent receives it: who, when due, when submitted, and its task counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildReport {
    #[serde(flatten)]
    pub report: ExpectedReport,
    #[serde(default)]
    pub tasks: TaskCounts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompiledChild {
    pub code: String,
    pub name: String,
    pub kind: ReporterKind,
    pub level: String,
    #[serde(with = "iso_date")]
    pub due: Date,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    pub submission: Submission,
    /// The child's counts, when its report was received.
    pub tasks: Option<TaskCounts>,
}

/// A parent's report compiled from its own tasks and its children's submitted reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Compilation {
    /// The parent's own tasks.
    pub own: TaskCounts,
    /// Own tasks plus every received child report (on time or late).
    pub totals: TaskCounts,
    pub reports: SubmissionCounts,
    /// Codes of the children in each state, in input order.
    pub on_time: Vec<String>,
    pub late: Vec<String>,
    pub missing: Vec<String>,
    pub not_yet_due: Vec<String>,
    pub children: Vec<CompiledChild>,
}

/// Compile a parent's report on `as_of`. A child's counts enter the totals only if its report was received by
/// then; missing reports are listed, not guessed.
pub fn compile(own: &TaskCounts, children: &[ChildReport], as_of: Date) -> Compilation {
    let mut c = Compilation {
        own: own.clone(),
        totals: own.clone(),
        reports: SubmissionCounts::default(),
        on_time: Vec::new(),
        late: Vec::new(),
        missing: Vec::new(),
        not_yet_due: Vec::new(),
        children: Vec::with_capacity(children.len()),
    };
    for ch in children {
        let r = &ch.report;
        let s = r.submission(as_of);
        c.reports.add(s);
        let list = match s {
            Submission::OnTime => &mut c.on_time,
            Submission::Late => &mut c.late,
            Submission::Missing => &mut c.missing,
            Submission::NotYetDue => &mut c.not_yet_due,
        };
        list.push(r.code.clone());
        if s.is_submitted() {
            c.totals.merge(&ch.tasks);
        }
        c.children.push(CompiledChild {
            code: r.code.clone(),
            name: r.name.clone(),
            kind: r.kind,
            level: r.level.clone(),
            due: r.due,
            submitted_at: r.submitted_at,
            submission: s,
            tasks: s.is_submitted().then(|| ch.tasks.clone()),
        });
    }
    c
}

/// A unit's own report to its parent for the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnReport {
    #[serde(with = "iso_date")]
    pub due: Date,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
}

/// Input of [`report_status`]: a unit (or agency) with its own tasks and its children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusNode {
    pub code: String,
    pub name: String,
    pub kind: ReporterKind,
    pub level: String,
    /// This node's report to its parent (None when it owes none this period).
    #[serde(default)]
    pub own_report: Option<OwnReport>,
    /// The states of the tasks this node itself is responsible for (not its children's).
    #[serde(default)]
    pub tasks: TaskCounts,
    #[serde(default)]
    pub children: Vec<StatusNode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnReportStatus {
    #[serde(with = "iso_date")]
    pub due: Date,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    pub submission: Submission,
}

/// One line of the status document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusLine {
    pub code: String,
    pub name: String,
    pub kind: ReporterKind,
    pub level: String,
    pub own_report: Option<OwnReportStatus>,
    /// For the queried unit: the reports it receives from its whole subtree. For a child: its own report plus
    /// those of its subtree. So the unit's counts are the sum of its children's.
    pub reports: SubmissionCounts,
    /// Tasks of the node and its whole subtree, by status and by dimension (live, whether reported or not).
    pub tasks: TaskCounts,
}

/// The document printed by `chiso report status --unit CODE --period 2022-H1 --json`:
///
/// ```json
/// { "period": "2022-H1", "period_label": "6 tháng đầu năm 2022",
///   "window": {"from": "2021-12-01", "to": "2022-05-31"}, "as_of": "2022-06-20",
///   "unit": { "code": "…", "name": "…", "kind": "unit", "level": "district",
///             "own_report": {"due": "2022-06-10", "submitted_at": null, "submission": "missing"},
///             "reports": {"expected": 4, "submitted": 3, "on_time": 2, "late": 1, "missing": 1,
///                         "not_yet_due": 0, "completeness": 0.75, "timeliness": 0.5},
///             "tasks": {"by_status": {"not_started": 1, …, "total": 9}, "by_dimension": {"D1": {…}}} },
///   "children": [ { …the same fields for each child… } ] }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportStatus {
    pub period: Period,
    pub period_label: String,
    pub window: Option<DateWindow>,
    #[serde(with = "iso_date")]
    pub as_of: Date,
    pub unit: StatusLine,
    pub children: Vec<StatusLine>,
}

pub fn report_status(period: Period, window: Option<DateWindow>, root: &StatusNode, as_of: Date) -> ReportStatus {
    let children: Vec<StatusLine> = root.children.iter().map(|c| line(c, as_of, true)).collect();
    let mut unit = line(root, as_of, false);
    // The unit's own report goes to its parent; it is shown but not counted among what the unit receives.
    unit.reports = SubmissionCounts::default();
    for c in &children {
        unit.reports.merge(&c.reports);
    }
    ReportStatus { period, period_label: period.label_vi(), window, as_of, unit, children }
}

fn line(n: &StatusNode, as_of: Date, count_own: bool) -> StatusLine {
    let own_report = n.own_report.as_ref().map(|r| OwnReportStatus {
        due: r.due,
        submitted_at: r.submitted_at,
        submission: submission(r.due, r.submitted_at, as_of),
    });
    let mut reports = SubmissionCounts::default();
    if count_own && let Some(o) = &own_report {
        reports.add(o.submission);
    }
    let mut tasks = n.tasks.clone();
    for c in &n.children {
        let l = line(c, as_of, true);
        reports.merge(&l.reports);
        tasks.merge(&l.tasks);
    }
    StatusLine { code: n.code.clone(), name: n.name.clone(), kind: n.kind, level: n.level.clone(), own_report, reports, tasks }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

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
    fn on_time_is_judged_in_vietnam_time() {
        let due = date!(2022 - 06 - 05);
        // 23:30 in Hà Nội on the due date is 16:30 UTC: on time.
        assert!(is_on_time(due, datetime!(2022-06-05 16:30 UTC)));
        // 00:10 on 6 June in Hà Nội is still 5 June in UTC: late.
        assert!(!is_on_time(due, datetime!(2022-06-05 17:10 UTC)));
        assert_eq!(submission(due, None, date!(2022 - 06 - 05)), Submission::NotYetDue);
        assert_eq!(submission(due, None, date!(2022 - 06 - 06)), Submission::Missing);
        // As of 5 June, a report sent on 7 June was not there yet.
        assert_eq!(submission(due, Some(datetime!(2022-06-07 02:00 +7)), date!(2022 - 06 - 06)), Submission::Missing);
    }

    fn child(code: &str, kind: ReporterKind, level: &str, submitted: Option<OffsetDateTime>, tasks: TaskCounts) -> ChildReport {
        ChildReport {
            report: ExpectedReport {
                code: code.into(),
                name: format!("Đơn vị {code}"),
                kind,
                level: level.into(),
                period: Period::half(2022, 1).expect("H1"),
                due: date!(2022 - 06 - 05),
                submitted_at: submitted,
            },
            tasks,
        }
    }

    /// A district with three communes and one agency, due 05/06/2022, compiled on 20/06/2022:
    /// X1 on time (04/06), X2 on time (05/06 23:30 Hà Nội), X3 late (06/06 00:10 Hà Nội), A1 missing.
    /// Expected 4, submitted 3, on time 2, late 1, missing 1 → completeness 3/4 = 0.75, timeliness 2/4 = 0.5.
    fn example() -> (TaskCounts, Vec<ChildReport>) {
        let own = TaskCounts::from_states(&[st("d1", &["D1"], TaskStatus::Done)]);
        let x1 = TaskCounts::from_states(&[st("a", &["D1"], TaskStatus::Done), st("b", &["D2"], TaskStatus::Overdue)]);
        let x2 = TaskCounts::from_states(&[st("a", &["D1"], TaskStatus::InProgress)]);
        let x3 = TaskCounts::from_states(&[st("a", &["D2"], TaskStatus::Done), st("b", &["D2"], TaskStatus::NotStarted)]);
        let a1 = TaskCounts::from_states(&[st("a", &["D1"], TaskStatus::Done)]);
        let children = vec![
            child("X1", ReporterKind::Unit, "commune", Some(datetime!(2022-06-04 10:00 +7)), x1),
            child("X2", ReporterKind::Unit, "commune", Some(datetime!(2022-06-05 16:30 UTC)), x2),
            child("X3", ReporterKind::Unit, "commune", Some(datetime!(2022-06-05 17:10 UTC)), x3),
            child("A1", ReporterKind::Agency, "district", None, a1),
        ];
        (own, children)
    }

    #[test]
    fn compilation_arithmetic_by_hand() {
        let (own, children) = example();
        let c = compile(&own, &children, date!(2022 - 06 - 20));
        assert_eq!(c.on_time, ["X1", "X2"]);
        assert_eq!(c.late, ["X3"]);
        assert_eq!(c.missing, ["A1"]);
        let r = c.reports;
        assert_eq!((r.expected, r.submitted, r.on_time, r.late, r.missing, r.not_yet_due), (4, 3, 2, 1, 1, 0));
        assert_eq!(r.completeness(), Some(0.75));
        assert_eq!(r.timeliness(), Some(0.5));
        // Totals: own (1 done) + X1 (done, overdue) + X2 (in progress) + X3 (done, not started); A1 not received.
        let t = c.totals.by_status;
        assert_eq!((t.done, t.overdue, t.in_progress, t.not_started, t.total()), (3, 1, 1, 1, 6));
        assert_eq!(c.totals.by_dimension["D1"].total(), 3);
        assert_eq!(c.totals.by_dimension["D2"].total(), 3);
        assert!(c.children[3].tasks.is_none());
        // Before the due date nothing is missing yet.
        let early = compile(&own, &children, date!(2022 - 06 - 04));
        assert_eq!((early.reports.on_time, early.reports.not_yet_due, early.reports.missing), (1, 3, 0));

        let stats = submission_stats(&children.iter().map(|c| c.report.clone()).collect::<Vec<_>>(), date!(2022 - 06 - 20));
        assert_eq!(stats.all, r);
        assert_eq!(stats.by_period["2022-H1"], r);
        assert_eq!(stats.by_level["commune"].on_time, 2);
        assert_eq!(stats.by_level["commune"].completeness(), Some(1.0));
        assert_eq!(stats.by_level["agency:district"].completeness(), Some(0.0));
        assert_eq!(stats.by_period_level["2022-H1"]["commune"].late, 1);
    }

    #[test]
    fn status_document_shape() {
        let (own, children) = example();
        let node = |c: &ChildReport| StatusNode {
            code: c.report.code.clone(),
            name: c.report.name.clone(),
            kind: c.report.kind,
            level: c.report.level.clone(),
            own_report: Some(OwnReport { due: c.report.due, submitted_at: c.report.submitted_at }),
            tasks: c.tasks.clone(),
            children: Vec::new(),
        };
        let root = StatusNode {
            code: "D".into(),
            name: "Huyện D".into(),
            kind: ReporterKind::Unit,
            level: "district".into(),
            own_report: Some(OwnReport { due: date!(2022 - 06 - 10), submitted_at: None }),
            tasks: own,
            children: children.iter().map(node).collect(),
        };
        let window = DateWindow::new(date!(2021 - 12 - 01), date!(2022 - 05 - 31));
        let s = report_status(Period::half(2022, 1).expect("H1"), window, &root, date!(2022 - 06 - 20));
        assert_eq!(s.unit.reports.expected, 4);
        assert_eq!(s.unit.reports.on_time, 2);
        assert_eq!(s.unit.own_report.as_ref().map(|o| o.submission), Some(Submission::Missing));
        assert_eq!(s.children.len(), 4);
        assert_eq!(s.children[2].reports.late, 1);
        assert_eq!(s.unit.tasks.by_status.total(), 7, "live counts include the missing agency's task");
        let v = serde_json::to_value(&s).expect("json");
        assert_eq!(v["period"], "2022-H1");
        assert_eq!(v["period_label"], "6 tháng đầu năm 2022");
        assert_eq!(v["window"]["from"], "2021-12-01");
        assert_eq!(v["unit"]["reports"]["completeness"], 0.75);
        assert_eq!(v["unit"]["reports"]["timeliness"], 0.5);
        assert_eq!(v["unit"]["reports"]["missing"], 1);
        assert_eq!(v["children"][0]["reports"]["expected"], 1);
        assert_eq!(v["children"][3]["own_report"]["submission"], "missing");
        assert_eq!(v["children"][1]["own_report"]["submitted_at"], "2022-06-05T16:30:00Z");
        assert_eq!(v["unit"]["tasks"]["by_dimension"]["D2"]["total"], 3);
        // Inputs round-trip through JSON (the lead builds them from the database).
        let back: StatusNode = serde_json::from_str(&serde_json::to_string(&root).expect("ser")).expect("de");
        assert_eq!(back, root);
    }
}
