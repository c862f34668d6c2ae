//! The overview of a unit's children (the Ministry's view of the provinces, a province's view of its
//! communes): for each child, its plans issued on time, its tasks by dimension and its reports — counted from
//! grouped facts, judged by the rules of this crate (`plan::issued_late`, [`StatusFacts::status`],
//! [`submission`]).

use super::{StatusCounts, StatusFacts, Submission, SubmissionCounts, TaskCounts, TaskStatus, UNCLASSIFIED};
use crate::plan::{PlanStatus, issued_late};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::Date;

/// Where a unit stands with its plan of the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanIssue {
    /// Issued on or before the deadline its parent plan set.
    OnTime,
    /// Issued, and no deadline was set for it (nothing to be late against).
    NoDeadline,
    /// Issued after the deadline its parent plan set.
    Late,
    /// Being drafted.
    Draft,
    /// No plan for the year.
    Missing,
}

impl PlanIssue {
    /// One plan's state: `deadline` is the date the parent plan required it by.
    pub fn of(status: PlanStatus, issued_on: Option<Date>, deadline: Option<Date>) -> PlanIssue {
        match status {
            PlanStatus::Draft => PlanIssue::Draft,
            PlanStatus::Issued if issued_late(issued_on, deadline) => PlanIssue::Late,
            // Issued with no known issue date but a deadline: `issued_late` cannot say it was late.
            PlanStatus::Issued if deadline.is_some() => PlanIssue::OnTime,
            PlanStatus::Issued => PlanIssue::NoDeadline,
        }
    }

    /// A unit's state from all its plans of the year: the best of them (a unit with an issued plan has
    /// issued, whatever drafts it also has), `Missing` when it has none.
    pub fn best(plans: impl IntoIterator<Item = PlanIssue>) -> PlanIssue {
        plans.into_iter().min().unwrap_or(PlanIssue::Missing)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            PlanIssue::OnTime => "Ban hành đúng hạn",
            PlanIssue::NoDeadline => "Đã ban hành (không đặt hạn)",
            PlanIssue::Late => "Ban hành muộn",
            PlanIssue::Draft => "Đang soạn thảo",
            PlanIssue::Missing => "Chưa có kế hoạch",
        }
    }

    pub fn is_issued(self) -> bool {
        matches!(self, PlanIssue::OnTime | PlanIssue::NoDeadline | PlanIssue::Late)
    }
}

/// How many units of a subtree stand where with their plan of the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanIssueCounts {
    /// Units expected to have a plan (every unit in force in the year).
    pub expected: u32,
    pub on_time: u32,
    pub no_deadline: u32,
    pub late: u32,
    pub draft: u32,
    pub missing: u32,
}

impl PlanIssueCounts {
    pub fn add(&mut self, s: PlanIssue) {
        self.expected = self.expected.saturating_add(1);
        let c = match s {
            PlanIssue::OnTime => &mut self.on_time,
            PlanIssue::NoDeadline => &mut self.no_deadline,
            PlanIssue::Late => &mut self.late,
            PlanIssue::Draft => &mut self.draft,
            PlanIssue::Missing => &mut self.missing,
        };
        *c = c.saturating_add(1);
    }

    pub fn merge(&mut self, o: &PlanIssueCounts) {
        self.expected = self.expected.saturating_add(o.expected);
        self.on_time = self.on_time.saturating_add(o.on_time);
        self.no_deadline = self.no_deadline.saturating_add(o.no_deadline);
        self.late = self.late.saturating_add(o.late);
        self.draft = self.draft.saturating_add(o.draft);
        self.missing = self.missing.saturating_add(o.missing);
    }

    /// Issued, on time or late or with no deadline.
    pub fn issued(&self) -> u32 {
        self.on_time.saturating_add(self.no_deadline).saturating_add(self.late)
    }

    /// Share of the expected plans issued and not late (None when none is expected).
    pub fn on_time_share(&self) -> Option<f64> {
        (self.expected > 0).then(|| f64::from(self.on_time.saturating_add(self.no_deadline)) / f64::from(self.expected))
    }
}

/// Add `n` tasks with the same facts serving the dimensions `dimensions` (already reduced to dimension codes)
/// to `counts`: once by status, once in each distinct dimension (or "unclassified"), as
/// [`TaskCounts::from_states`] counts one task.
pub fn add_tasks(counts: &mut TaskCounts, facts: &StatusFacts, dimensions: &[String], n: u32) {
    let status = facts.status();
    counts.by_status.add_n(status, n);
    let dims: BTreeSet<&str> = dimensions.iter().map(|d| d.trim()).filter(|d| !d.is_empty()).collect();
    if dims.is_empty() {
        counts.by_dimension.entry(UNCLASSIFIED.to_string()).or_default().add_n(status, n);
    }
    for d in dims {
        counts.by_dimension.entry(d.to_string()).or_default().add_n(status, n);
    }
}

/// The shares of a dimension's (or a unit's) tasks done (on time or late), in progress and overdue, in
/// percent of all its tasks (None when it has none).
pub fn task_shares(c: &StatusCounts) -> Option<(f64, f64, f64)> {
    let total = c.total();
    (total > 0).then(|| {
        let pct = |n: u32| 100.0 * f64::from(n) / f64::from(total);
        (pct(c.done_all()), pct(c.get(TaskStatus::InProgress)), pct(c.get(TaskStatus::Overdue)))
    })
}

/// One line of the overview: a child of the unit looked at, with its own plan and report, and the counts of
/// its whole subtree (itself included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OverviewLine {
    pub code: String,
    pub name: String,
    pub level: String,
    /// Its own plan of the year.
    pub plan: PlanIssue,
    /// The plans of its subtree (itself included).
    pub plans: PlanIssueCounts,
    /// The tasks of the issued plans of its subtree, as of the period's day of reckoning.
    pub tasks: TaskCounts,
    /// Its own report for the period (None when it owes none).
    pub own_report: Option<Submission>,
    /// The reports its subtree owes for the period (its own, its agencies', its children's …).
    pub reports: SubmissionCounts,
}

/// The totals line of an overview: the sum of its lines.
pub fn overview_totals(lines: &[OverviewLine]) -> (PlanIssueCounts, TaskCounts, SubmissionCounts) {
    let mut plans = PlanIssueCounts::default();
    let mut tasks = TaskCounts::default();
    let mut reports = SubmissionCounts::default();
    for l in lines {
        plans.merge(&l.plans);
        tasks.merge(&l.tasks);
        reports.merge(&l.reports);
    }
    (plans, tasks, reports)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::{TaskState, TaskUpdate, derive_status};
    use time::macros::date;

    #[test]
    fn a_plan_is_on_time_when_issued_by_its_deadline() {
        let d = Some(date!(2025 - 02 - 20));
        assert_eq!(PlanIssue::of(PlanStatus::Issued, Some(date!(2025 - 02 - 20)), d), PlanIssue::OnTime);
        assert_eq!(PlanIssue::of(PlanStatus::Issued, Some(date!(2025 - 02 - 21)), d), PlanIssue::Late);
        assert_eq!(PlanIssue::of(PlanStatus::Issued, Some(date!(2025 - 02 - 21)), None), PlanIssue::NoDeadline);
        assert_eq!(PlanIssue::of(PlanStatus::Draft, None, d), PlanIssue::Draft);
        assert_eq!(PlanIssue::best([PlanIssue::Draft, PlanIssue::Late]), PlanIssue::Late);
        assert_eq!(PlanIssue::best([]), PlanIssue::Missing);
        let mut c = PlanIssueCounts::default();
        for s in [PlanIssue::OnTime, PlanIssue::Late, PlanIssue::Missing, PlanIssue::NoDeadline] {
            c.add(s);
        }
        assert_eq!((c.expected, c.issued(), c.on_time_share()), (4, 3, Some(0.5)));
    }

    #[test]
    fn counting_by_facts_gives_what_counting_tasks_gives() {
        let due = Some(date!(2025 - 06 - 30));
        let today = date!(2025 - 07 - 10);
        let updates = [
            None,
            Some(TaskUpdate { status: Some(TaskStatus::InProgress), percent: Some(30), ..Default::default() }),
            Some(TaskUpdate { status: Some(TaskStatus::Done), completed_on: Some(date!(2025 - 07 - 02)), ..Default::default() }),
            Some(TaskUpdate { status: Some(TaskStatus::Done), completed_on: Some(date!(2025 - 06 - 02)), ..Default::default() }),
            Some(TaskUpdate { status: Some(TaskStatus::CannotDo), reason: Some("Thiếu kinh phí".into()), ..Default::default() }),
        ];
        let dims = vec!["papi.d1".to_string(), "papi.d2".to_string()];
        let mut by_facts = TaskCounts::default();
        let mut states = Vec::new();
        for (i, u) in updates.iter().enumerate() {
            add_tasks(&mut by_facts, &StatusFacts::of(due, u.as_ref(), today), &dims, 2);
            for k in 0..2 {
                let status = derive_status(due, u.as_ref(), today);
                states.push(TaskState { code: format!("{i}.{k}"), dimensions: dims.clone(), status });
            }
        }
        assert_eq!(by_facts, TaskCounts::from_states(&states));
        assert_eq!(by_facts.by_status.total(), 10);
        assert_eq!(by_facts.by_dimension["papi.d1"].overdue, 4);
        let shares = task_shares(&by_facts.by_dimension["papi.d2"]).expect("tasks");
        assert_eq!(shares, (40.0, 0.0, 40.0));
    }
}
