//! Periodic reports: the deadline of a report and its judgement (on time, late, locked), the state of a
//! stored report, submission counts, a parent's compilation and the status document.

use super::{TaskCounts, VIETNAM_OFFSET};
use crate::access::{Permission, Scope};
use crate::calendar::Calendar;
use crate::period::{DateWindow, Period, iso_date};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};

/// Where a stored report stands. Serialised (and stored) as `submitted` / `returned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    Submitted,
    /// Returned for correction by a higher level: counts as not received until submitted again.
    Returned,
}

impl ReportState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::Submitted => "submitted",
            ReportState::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<ReportState> {
        [ReportState::Submitted, ReportState::Returned].into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn is_submitted(self) -> bool {
        self == ReportState::Submitted
    }
}

impl TryFrom<String> for ReportState {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        ReportState::parse(&s).ok_or_else(|| format!("trạng thái báo cáo '{s}' không hợp lệ"))
    }
}

/// The deadline of one report: the last day it is on time, and the last day it is still accepted (late).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub due: Date,
    pub locked_after: Date,
}

impl Deadline {
    /// Due on `due`, accepted late for `grace_working_days` working days more.
    pub fn new(due: Date, grace_working_days: u32, cal: &Calendar) -> Deadline {
        Deadline { due, locked_after: cal.add_working_days(due, i32::try_from(grace_working_days).unwrap_or(i32::MAX)) }
    }

    /// Whether a report submitted at `at` is on time (see [`is_on_time`]).
    pub fn is_on_time(&self, at: OffsetDateTime) -> bool {
        is_on_time(self.due, at)
    }

    /// Whether submissions are refused on `day` (Vietnam time): the grace after the due date has passed.
    pub fn is_locked_on(&self, day: Date) -> bool {
        day > self.locked_after
    }

    /// Whether a report is accepted on `day` (Vietnam time), given where the stored one stands: before the
    /// lock always (the caller refuses a second submission of a report that stands submitted); after it only a
    /// report that a higher level returned for correction — the reviewer asked for it again, so the lock does
    /// not shut it out. Its lateness is then recorded ([`days_late`]).
    pub fn accepts(&self, day: Date, stored: Option<ReportState>) -> bool {
        !self.is_locked_on(day) || stored == Some(ReportState::Returned)
    }

    /// How many days after the due date a report submitted at `at` came in (see [`days_late`]).
    pub fn days_late(&self, at: OffsetDateTime) -> u32 {
        days_late(self.due, at)
    }
}

/// Whether `scope` may return for correction a report of the unit at `unit_path` (an agency's report when
/// `agency_report`): a reviewer (one who may appraise) of the level the report goes to — a unit's own report
/// goes to its parent, so the unit's own accounts never return it; an agency's report goes to its unit.
pub fn may_return_report(scope: &Scope, unit_path: &str, agency_report: bool) -> bool {
    scope.can(Permission::Appraise) && (agency_report || scope.path_prefix() != unit_path)
}

/// How many calendar days after the due date a report submitted at `at` came in, Vietnam time: 0 when on
/// time (on or before the due date), 1 the day after, and so on.
pub fn days_late(due: Date, at: OffsetDateTime) -> u32 {
    let day = at.to_offset(VIETNAM_OFFSET).date();
    u32::try_from((day - due).whole_days()).unwrap_or(0)
}

/// Whether a report came in on time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
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

// The JSON that `SubmissionCounts` serialises to, for the OpenAPI schema only.
/// Counts of expected reports: `expected = on_time + late + missing + not_yet_due`, `submitted = on_time + late`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code, reason = "describes the JSON written by the Serialize impl; never built")]
struct SubmissionCountsJson {
    expected: u32,
    submitted: u32,
    on_time: u32,
    late: u32,
    missing: u32,
    not_yet_due: u32,
    /// Share of expected reports received; null when none is expected.
    completeness: Option<f64>,
    /// Share of expected reports received on time; null when none is expected.
    timeliness: Option<f64>,
}

impl utoipa::PartialSchema for SubmissionCounts {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <SubmissionCountsJson as utoipa::PartialSchema>::schema()
    }
}

impl utoipa::ToSchema for SubmissionCounts {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("SubmissionCounts")
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OwnReportStatus {
    #[serde(with = "iso_date")]
    pub due: Date,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    pub submission: Submission,
}

/// One line of the status document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReportStatus {
    /// The period's code, e.g. `2022-H1`.
    #[schema(value_type = String, example = "2022-H1")]
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
    use crate::progress::{TaskState, TaskStatus};
    use time::macros::{date, datetime};

    fn st(code: &str, dims: &[&str], status: TaskStatus) -> TaskState {
        TaskState { code: code.into(), dimensions: dims.iter().map(|d| d.to_string()).collect(), status }
    }

    #[test]
    fn the_deadline_judges_on_time_and_locked() {
        let cal = Calendar::vietnam();
        // Due Friday 10/6/2022; ten working days of grace end on Friday 24/6/2022.
        let d = Deadline::new(date!(2022 - 06 - 10), 10, &cal);
        assert_eq!(d.locked_after, date!(2022 - 06 - 24));
        assert!(d.is_on_time(datetime!(2022-06-10 23:30 +7)) && !d.is_on_time(datetime!(2022-06-11 00:10 +7)));
        assert!(!d.is_locked_on(date!(2022 - 06 - 24)) && d.is_locked_on(date!(2022 - 06 - 25)));
        assert_eq!(ReportState::parse("submitted"), Some(ReportState::Submitted));
        assert_eq!(serde_json::to_string(&ReportState::Returned).ok().as_deref(), Some("\"returned\""));
        assert!(ReportState::try_from("draft".to_string()).is_err());
    }

    #[test]
    fn a_returned_report_is_accepted_after_the_lock_and_its_lateness_counted_in_days() {
        let cal = Calendar::vietnam();
        let d = Deadline::new(date!(2022 - 06 - 10), 10, &cal);
        let (before, after) = (date!(2022 - 06 - 24), date!(2022 - 07 - 04));
        assert!(d.accepts(before, None) && d.accepts(before, Some(ReportState::Returned)));
        assert!(!d.accepts(after, None), "nothing new after the lock");
        assert!(!d.accepts(after, Some(ReportState::Submitted)), "a submitted report is not sent again");
        assert!(d.accepts(after, Some(ReportState::Returned)), "a returned report can be corrected after the lock");
        // Days after the due date, Vietnam time: 23:30 on the due date is on time; 00:10 the day after is 1 day.
        assert_eq!(d.days_late(datetime!(2022-06-10 23:30 +7)), 0);
        assert_eq!(d.days_late(datetime!(2022-06-09 08:00 +7)), 0, "early is not negative");
        assert_eq!(d.days_late(datetime!(2022-06-11 00:10 +7)), 1);
        assert_eq!(d.days_late(datetime!(2022-06-10 17:10 UTC)), 1, "00:10 on 11 June in Hà Nội");
        assert_eq!(d.days_late(datetime!(2022-07-04 09:00 +7)), 24);
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
