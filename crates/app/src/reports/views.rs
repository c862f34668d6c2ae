//! What the report page and the dashboard show, composed once here; the web crate only formats it.

use super::Reports;
use super::status::{status_node, subtree};
use crate::figures::FigureKey;
use crate::{ServiceError, ServiceResult};
use chiso_core::access::{Permission, Reach, Scope};
use chiso_core::framework::FrameworkSet;
use chiso_core::period::{Activity, Frequency, Period, Schedule, ScheduledPeriod, default_period, picker_periods};
use chiso_core::progress::{
    Deadline, ReportState, ReportStatus, ReporterKind, StatusLine, TaskCounts, TaskStatus, agency_leads_folded, report_status,
};
use chiso_core::text::fold;
use chiso_store::Store;
use chiso_store::progress::{ReportRow, TaskProgress};
use chiso_store::revision::Revision;
use chiso_store::units::{Agency, Unit};
use std::sync::Arc;
use time::Date;

/// Task counts of one framework dimension, as the report page, the dashboard and the exported report show
/// them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DimensionRow {
    pub code: String,
    pub label: String,
    pub done: u32,
    pub in_progress: u32,
    pub overdue: u32,
    pub not_started: u32,
    pub other: u32,
    pub total: u32,
}

pub use chiso_core::plan::dimension_label;

/// One row per dimension, in the framework's order (by the dimension's number).
pub fn dimension_rows(frameworks: &FrameworkSet, counts: &TaskCounts) -> Vec<DimensionRow> {
    let mut rows: Vec<DimensionRow> = counts
        .by_dimension
        .iter()
        .map(|(code, c)| DimensionRow {
            label: if code == chiso_core::progress::UNCLASSIFIED {
                "Chưa gắn nội dung chỉ số".into()
            } else {
                dimension_label(frameworks, code)
            },
            code: code.clone(),
            done: c.get(TaskStatus::Done) + c.get(TaskStatus::DoneLate),
            in_progress: c.get(TaskStatus::InProgress),
            overdue: c.get(TaskStatus::Overdue),
            not_started: c.get(TaskStatus::NotStarted),
            other: c.get(TaskStatus::CannotDo),
            total: c.total(),
        })
        .collect();
    rows.sort_by_key(|r| (r.code.trim_start_matches(|c: char| !c.is_ascii_digit()).parse::<u32>().unwrap_or(999), r.code.clone()));
    rows
}

/// Where the reporter's own report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnReportState {
    /// Submitted, on time or late (judged by core against the due date).
    Submitted {
        at_ms: Option<i64>,
        on_time: bool,
        /// Days after the due date (0 on time; None for a report stored before lateness was recorded).
        days_late: Option<i64>,
        /// Sent again after a return for correction.
        resubmitted: bool,
    },
    /// Returned for correction by the level above: to correct and send again (also after the lock).
    Returned,
    NotSubmitted,
}

/// A child unit or agency of the report page, with its report (submitted, or returned for correction) and the
/// id of the submitted one (to return it).
#[derive(Clone)]
pub struct ChildLine {
    pub line: StatusLine,
    pub kind: ReporterKind,
    pub report_id: Option<i64>,
    /// Its stored report for the period, whatever its state (to open it, to say it was returned and why).
    pub report: Option<ReportRow>,
    /// The page of its report for the period (`/reports?unit=…&period=…&agency=…`).
    pub page_link: String,
}

/// The period a page shows and what its picker offers (see [`Reports::period_choice`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodChoice {
    /// The period shown (the heading's and the picker's selected option).
    pub period: Period,
    /// What the picker offers, newest year first; always holds `period`.
    pub options: Vec<Period>,
    /// Whether the period holds any task update or report of the unit: when not, pages say so instead of
    /// drawing empty charts.
    pub has_data: bool,
    /// The most recent period that has data, to point to from an empty one.
    pub latest_with_data: Option<Period>,
}

/// Everything the report page of a unit (or one of its agencies) for a period shows.
#[derive(Clone)]
pub struct ReportPageData {
    pub unit: Unit,
    pub period: Period,
    pub choice: PeriodChoice,
    pub schedule: Schedule,
    pub scheduled: ScheduledPeriod,
    pub agencies: Vec<Agency>,
    pub agency: Option<Agency>,
    pub tasks: Vec<TaskProgress>,
    pub counts: TaskCounts,
    pub report: Option<ReportRow>,
    pub due: Option<Date>,
    pub locked: bool,
    pub own: OwnReportState,
    pub status: ReportStatus,
    pub children: Vec<ChildLine>,
    /// Units in force, for the selector.
    pub units: Vec<Unit>,
    pub can_submit: bool,
    pub can_return: bool,
}

/// Everything the dashboard of a unit for a period shows.
#[derive(Clone)]
pub struct DashboardData {
    pub unit: Unit,
    pub period: Period,
    pub choice: PeriodChoice,
    pub tasks: Vec<TaskProgress>,
    pub counts: TaskCounts,
    /// Tasks of the caller's own agency not done yet.
    pub mine: Vec<TaskProgress>,
    pub status: ReportStatus,
    pub own: Option<ReportRow>,
    /// Codes of the status lines (children) whose report stands returned for correction.
    pub returned: Vec<String>,
    pub units: Vec<Unit>,
}

impl Reports<'_> {
    /// The unit and period a page is about: those asked for, else the caller's own unit (the first unit for
    /// a reach over everything) and the unit's default period ([`Reports::period_choice`]).
    pub async fn unit_and_period(&self, scope: &Scope, unit_code: &str, period: &str) -> ServiceResult<(Unit, Period)> {
        let unit = self.unit_of(scope, unit_code).await?;
        let period = self.period_choice(scope, &unit, period).await?.period;
        Ok((unit, period))
    }

    async fn unit_of(&self, scope: &Scope, unit_code: &str) -> ServiceResult<Unit> {
        let store = &self.app.store;
        Ok(if !unit_code.is_empty() {
            store.unit_by_code(scope, unit_code).await?
        } else {
            match &scope.reach {
                Reach::Subtree { unit_id, .. } => store.unit_by_id(scope, *unit_id).await?,
                Reach::All => store.units(scope).await?.into_iter().next().ok_or_else(|| ServiceError::NotFound("đơn vị".into()))?,
            }
        })
    }

    /// The period a page of `unit` shows and the periods its picker offers: `requested` when given, else the
    /// most recent period that has data (task updates or reports), else the current half-year. The picker
    /// lists, newest year first and in the order of their data windows within a year, every period the unit's schedules define for the years of its issued plans
    /// and the current year (every quarter, both half-years and the year at least), and always the one shown.
    pub async fn period_choice(&self, scope: &Scope, unit: &Unit, requested: &str) -> ServiceResult<PeriodChoice> {
        let today = self.app.today();
        let raw = self.app.store.unit_activity(scope, unit).await?;
        let activity = Activity {
            update_days: raw.update_ms.iter().filter_map(|(y, ms)| Some((i32::try_from(*y).ok()?, crate::clock::date_vn(*ms)?))).collect(),
            reported: raw.reported.clone(),
        };
        let asked = if requested.trim().is_empty() {
            None
        } else {
            Some(Period::parse(requested).map_err(|e| ServiceError::Invalid(e.to_string()))?)
        };
        let mut years: Vec<i32> = raw.plan_years.iter().filter_map(|y| i32::try_from(*y).ok()).collect();
        years.push(today.year());
        years.extend(asked.map(|p| p.year()));
        years.sort_unstable_by(|a, b| b.cmp(a));
        years.dedup();
        let mut options: Vec<ScheduledPeriod> = Vec::new();
        for y in years {
            let schedule = self.schedule_for(unit, y).await?;
            options.extend(picker_periods(&schedule, &self.app.calendar));
        }
        let period = match asked {
            Some(p) => p,
            None => default_period(&options, &activity, today)
                .or_else(|| Period::containing_nd09(today, Frequency::HalfYear))
                .ok_or_else(|| ServiceError::Invalid("không xác định được kỳ".into()))?,
        };
        if !options.iter().any(|o| o.period == period) {
            let schedule = self.schedule_for(unit, period.year()).await?;
            if let Some(sp) = self.period_schedule(&schedule, period) {
                options.insert(0, sp);
            }
        }
        let shown = options.iter().find(|o| o.period == period);
        let has_data = shown.is_some_and(|sp| activity.has_data(sp)) || activity.reported.contains(&period);
        let latest_with_data =
            default_period(&options, &activity, today).filter(|p| options.iter().any(|o| o.period == *p && activity.has_data(o)));
        Ok(PeriodChoice { period, options: options.into_iter().map(|o| o.period).collect(), has_data, latest_with_data })
    }

    /// The units in force the scope reaches (the unit selector), kept while the unit tree (`tree`, its
    /// revision) is unchanged.
    async fn units_in_force(&self, scope: &Scope, tree: i64) -> ServiceResult<Vec<Unit>> {
        let store = &self.app.store;
        let root = match &scope.reach {
            Reach::All => 0,
            Reach::Subtree { unit_id, .. } => *unit_id,
        };
        let key = FigureKey { kind: "units-in-force", unit_id: root, detail: scope.path_prefix().to_string() };
        let revision = chiso_store::revision::Revision { tree, ..Default::default() };
        let units = self
            .app
            .figures
            .get_or_compute(key, revision, || async {
                Ok::<_, ServiceError>(store.units(scope).await?.into_iter().filter(|u| u.valid_to.is_none()).collect::<Vec<Unit>>())
            })
            .await?;
        Ok(units.as_ref().clone())
    }

    /// Figures of `unit` computed by `compute`, kept under `kind` and `detail` (with today) while nothing
    /// changes below the unit or in its chain of parents (`revision`, [`crate::figures`]).
    async fn unit_figures<T, F, Fut>(
        &self,
        unit: &Unit,
        revision: Revision,
        kind: &'static str,
        detail: &str,
        compute: F,
    ) -> ServiceResult<Arc<T>>
    where
        T: std::any::Any + Send + Sync,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = ServiceResult<T>>,
    {
        let key = FigureKey { kind, unit_id: unit.id, detail: format!("{detail}|{}", self.app.today()) };
        self.app.figures.get_or_compute(key, revision, compute).await
    }

    /// The report page: the unit's (or agency's) tasks as of today within the data window, its own report
    /// (on time or late, locked or not), and who among its children and agencies reported.
    pub async fn page(&self, scope: &Scope, unit_code: &str, period: &str, agency: &str) -> ServiceResult<ReportPageData> {
        let unit = self.unit_of(scope, unit_code).await?;
        let detail = format!("{}|{}", period.trim(), agency.trim());
        let revision = self.app.store.subtree_revision(scope, Some(&unit)).await?;
        let figures =
            self.unit_figures(&unit, revision, "report-page", &detail, || self.compute_page(scope, &unit, period, agency)).await?;
        let mut data = figures.as_ref().clone();
        data.units = self.units_in_force(scope, revision.tree).await?;
        data.can_submit = (scope.can(Permission::EditPlans) && data.agency.is_none())
            || (scope.can(Permission::UpdateTasks)
                && data.agency.as_ref().is_some_and(|a| scope.agency_id == Some(a.id) || scope.can(Permission::EditPlans)));
        data.can_return = scope.can(Permission::Appraise);
        Ok(data)
    }

    /// The report page's figures: what it shows whoever looks (the selector and the buttons are added per
    /// request by [`Reports::page`]).
    async fn compute_page(&self, scope: &Scope, unit: &Unit, period: &str, agency: &str) -> ServiceResult<ReportPageData> {
        let store = &self.app.store;
        let unit = unit.clone();
        let choice = self.period_choice(scope, &unit, period).await?;
        let period = choice.period;
        let schedule = self.schedule_for(&unit, period.year()).await?;
        let sp = self.scheduled(&schedule, period)?;
        let agencies = store.agencies(scope, unit.id).await?;
        let agency = agency.parse::<i64>().ok().and_then(|id| agencies.iter().find(|a| a.id == id).cloned());
        let today = self.app.today();
        let tasks = store.task_progress(scope, &unit, i64::from(period.year()), agency.as_ref(), today.min(sp.window.to)).await?;
        let counts = Store::counts_of(&tasks);
        let report = store.report_of(scope, &unit, agency.as_ref().map(|a| a.id), &period.code()).await?;
        let due = match &agency {
            Some(_) => sp.due_for_agency_of(&unit.level),
            None => sp.due_for(&unit.level),
        }
        .or(sp.dues.last().map(|d| d.due));
        let deadline = due.map(|d| Deadline::new(d, schedule.lock_grace_working_days, &self.app.calendar));
        let locked = deadline.is_some_and(|d| d.is_locked_on(today));
        let own = match (&report, deadline) {
            (Some(r), Some(d)) if r.status == ReportState::Submitted => OwnReportState::Submitted {
                at_ms: r.submitted_at,
                on_time: r.submitted_at.and_then(super::utc).is_some_and(|t| d.is_on_time(t)),
                days_late: r.days_late,
                resubmitted: r.is_resubmission(),
            },
            (Some(r), _) if r.status == ReportState::Returned => OwnReportState::Returned,
            _ => OwnReportState::NotSubmitted,
        };
        // Children and agencies: who reported.
        let sub = subtree(store, scope, &unit, period, &sp, today).await?;
        let root = status_node(&sub, &unit, &sp, 1);
        let status = report_status(period, Some(sp.window), &root, today);
        let mut children = Vec::new();
        for (line, node) in status.children.iter().zip(root.children.iter()) {
            let (report, page_link) = match node.kind {
                ReporterKind::Unit => (
                    sub.children_of(unit.id).find(|u| u.code == node.code).and_then(|u| sub.report_of(u.id, None)),
                    format!("/reports?unit={}&period={}&agency=", node.code, period.code()),
                ),
                ReporterKind::Agency => {
                    let aid = node.code.rsplit('#').next().and_then(|s| s.parse::<i64>().ok());
                    (
                        sub.report_of(unit.id, aid),
                        format!("/reports?unit={}&period={}&agency={}", unit.code, period.code(), aid.unwrap_or_default()),
                    )
                }
            };
            let report_id = report.filter(|r| r.status == ReportState::Submitted).map(|r| r.id);
            children.push(ChildLine { line: line.clone(), kind: node.kind, report_id, report: report.cloned(), page_link });
        }
        Ok(ReportPageData {
            unit,
            period,
            choice,
            scheduled: sp,
            schedule,
            agencies,
            agency,
            tasks,
            counts,
            report,
            due,
            locked,
            own,
            status,
            children,
            units: Vec::new(),
            can_submit: false,
            can_return: false,
        })
    }

    /// The dashboard: the unit's tasks, those of the caller's agency (`my_agency`) not done yet, and how its
    /// children reported.
    pub async fn dashboard(&self, scope: &Scope, my_agency: Option<i64>, unit_code: &str, period: &str) -> ServiceResult<DashboardData> {
        let store = &self.app.store;
        let unit = self.unit_of(scope, unit_code).await?;
        let revision = store.subtree_revision(scope, Some(&unit)).await?;
        // Kept with the figures: each task's lead folded once (not on every request).
        let figures = self
            .unit_figures(&unit, revision, "dashboard", period.trim(), || async {
                let data = self.compute_dashboard(scope, &unit, period).await?;
                let leads: Vec<Option<String>> = data.tasks.iter().map(|t| t.task.row.lead_agency.as_deref().map(fold)).collect();
                Ok::<_, ServiceError>((data, leads))
            })
            .await?;
        let (data, leads) = figures.as_ref();
        let mut data = data.clone();
        // The caller's agency by its record; when it cannot be read, tasks linked to it by id still count.
        if let Some(id) = my_agency {
            let name = fold(&store.agency_by_id(scope, id).await.map(|a| a.name).unwrap_or_default());
            data.mine = data
                .tasks
                .iter()
                .zip(leads)
                .filter(|(t, lead)| agency_leads_folded(t.task.row.lead_agency_id, lead.as_deref(), id, &name) && !t.status.is_done())
                .map(|(t, _)| t.clone())
                .collect();
        }
        data.units = self.units_in_force(scope, revision.tree).await?;
        Ok(data)
    }

    /// The dashboard's figures: what it shows whoever looks (the caller's agency's tasks and the selector
    /// are added per request by [`Reports::dashboard`]).
    async fn compute_dashboard(&self, scope: &Scope, unit: &Unit, period: &str) -> ServiceResult<DashboardData> {
        let store = &self.app.store;
        let unit = unit.clone();
        let choice = self.period_choice(scope, &unit, period).await?;
        let period = choice.period;
        let schedule = self.schedule_for(&unit, period.year()).await?;
        let sp = self.scheduled(&schedule, period)?;
        let today = self.app.today();
        let tasks = store.task_progress(scope, &unit, i64::from(period.year()), None, today.min(sp.window.to)).await?;
        let counts = Store::counts_of(&tasks);
        let sub = subtree(store, scope, &unit, period, &sp, today).await?;
        let root = status_node(&sub, &unit, &sp, 1);
        let status = report_status(period, Some(sp.window), &root, today);
        let own = sub.report_of(unit.id, None).cloned();
        let is_returned = |r: Option<&ReportRow>| r.is_some_and(|r| r.status == ReportState::Returned);
        let returned = root
            .children
            .iter()
            .filter(|n| match n.kind {
                ReporterKind::Unit => sub.children_of(unit.id).any(|u| u.code == n.code && is_returned(sub.report_of(u.id, None))),
                ReporterKind::Agency => is_returned(sub.report_of(unit.id, n.code.rsplit('#').next().and_then(|s| s.parse::<i64>().ok()))),
            })
            .map(|n| n.code.clone())
            .collect();
        Ok(DashboardData { unit, period, choice, tasks, counts, mine: Vec::new(), status, own, returned, units: Vec::new() })
    }
}

/// One stored report as its page shows it (`/reports/{id}`): what was sent, when against its due date, whether it
/// was returned and why, and whether the reader may return it.
pub struct ReportView {
    pub report: ReportRow,
    pub unit: Unit,
    pub agency: Option<Agency>,
    pub period: Period,
    /// The task counts sent with the report (as of its submission).
    pub summary: TaskCounts,
    /// Whether the reader may return it for correction now (a reviewer of the level above, a submitted report).
    pub can_return: bool,
}

impl Reports<'_> {
    /// A report by its id, within the caller's scope: a unit's own, or one it receives from below.
    pub async fn report(&self, scope: &Scope, id: i64) -> ServiceResult<ReportView> {
        let store = &self.app.store;
        let report = store.report_by_id(scope, id).await?;
        let unit = store.unit_by_id(scope, report.unit_id).await?;
        let agency = match report.agency_id {
            Some(a) => Some(store.agency_by_id(scope, a).await?),
            None => None,
        };
        let period = Period::parse(&report.period).map_err(|e| ServiceError::Invalid(e.to_string()))?;
        // A summary that does not read back is shown as empty rather than hiding the report.
        let summary: TaskCounts = serde_json::from_str(&report.summary).unwrap_or_default();
        let can_return = report.status == ReportState::Submitted
            && chiso_core::progress::may_return_report(scope, &unit.path, report.agency_id.is_some());
        Ok(ReportView { report, unit, agency, period, summary, can_return })
    }
}
