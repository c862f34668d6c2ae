//! "Việc của tôi": what a person has to do now, each with where to do it — updates returned for correction,
//! tasks to update (overdue first, then by due date), reports to compile or submit (and reports returned),
//! reports received from the units below to review, score sheets waiting for this person's step.
//!
//! A handful of grouped reads whatever the number of tasks: the unit's task progress (one call), its report
//! schedule and the reports of the open periods, the reports received since a month ago, the score sheets
//! in reach.

use crate::{App, ServiceResult};
use chiso_core::access::{Permission, Scope};
use chiso_core::period::Period;
use chiso_core::progress::{Deadline, TaskStatus};
use chiso_core::results::{self as core_results, SheetAction};
use chiso_core::text::vn_date_short;
use chiso_core::unit::parse_date;
use chiso_store::accounts::User;
use chiso_store::progress::ReceivedReport;
use chiso_store::units::Unit;
use time::Date;

/// How long a received report stays on the reviewer's list.
const RECEIVED_DAYS: i64 = 30;
/// At most this many tasks are listed (the count says how many there are).
pub const MAX_TASKS: usize = 50;

/// A task to update.
#[derive(Debug, Clone)]
pub struct TaskItem {
    pub task_id: i64,
    pub code: String,
    pub text: String,
    pub plan_title: String,
    pub due: Option<Date>,
    pub status: TaskStatus,
    /// The reason the latest update was returned, if it was.
    pub returned_reason: Option<String>,
}

/// A report this person's unit (or agency) owes or must correct.
#[derive(Debug, Clone)]
pub struct ReportItem {
    pub period: String,
    pub period_label: String,
    pub due: Date,
    pub returned: bool,
    /// Why it was returned for correction (when it was).
    pub returned_reason: Option<String>,
    pub link: String,
}

/// A score sheet waiting for this person's step.
#[derive(Debug, Clone)]
pub struct SheetItem {
    pub id: i64,
    pub unit_name: String,
    pub framework: String,
    pub year: i32,
    pub status_vi: &'static str,
    /// The steps this person may take now (Vietnamese).
    pub steps: Vec<&'static str>,
}

/// Everything on the page.
#[derive(Debug, Clone, Default)]
pub struct MyWork {
    pub unit: Option<Unit>,
    pub today: Option<Date>,
    /// Tasks whose latest update was returned for correction.
    pub returned_updates: Vec<TaskItem>,
    /// Tasks not done yet: overdue first, then by due date, undated last (at most [`MAX_TASKS`]).
    pub tasks: Vec<TaskItem>,
    pub tasks_total: usize,
    pub reports: Vec<ReportItem>,
    pub received: Vec<ReceivedReport>,
    pub sheets: Vec<SheetItem>,
    /// Whether this person updates tasks, submits reports, reviews reports, takes part in score sheets (an
    /// empty list is only shown for what the person does).
    pub updates_tasks: bool,
    pub submits_reports: bool,
    pub reviews: bool,
}

/// The work of `user` (whose scope is `scope`) today.
pub async fn my_work(app: &App, scope: &Scope, user: &User) -> ServiceResult<MyWork> {
    let store = &app.store;
    let today = app.today();
    let Some(unit_id) = user.unit_id else {
        return Ok(MyWork { today: Some(today), ..Default::default() });
    };
    let unit = store.unit_by_id(scope, unit_id).await?;
    let agency = match user.agency_id {
        Some(id) => Some(store.agency_by_id(scope, id).await?),
        None => None,
    };
    let mut w = MyWork {
        today: Some(today),
        updates_tasks: scope.can(Permission::UpdateTasks),
        submits_reports: store.check_may_submit(scope, &unit, user.agency_id).await.is_ok(),
        reviews: scope.can(Permission::Appraise),
        ..Default::default()
    };

    if w.updates_tasks {
        let progress = store.task_progress(scope, &unit, i64::from(today.year()), agency.as_ref(), today).await?;
        let mut open: Vec<TaskItem> = progress
            .into_iter()
            .filter(|t| {
                (!t.status.is_done() && t.status != TaskStatus::CannotDo) || t.latest.as_ref().is_some_and(|u| u.returned_reason.is_some())
            })
            .map(|t| TaskItem {
                task_id: t.task.row.id,
                code: t.task.row.code.clone(),
                text: t.task.row.text.clone(),
                plan_title: t.plan_title.clone(),
                due: t.task.row.due_date.as_deref().and_then(parse_date),
                status: t.status,
                returned_reason: t.latest.and_then(|u| u.returned_reason),
            })
            .collect();
        open.sort_by_key(|t| (t.status != TaskStatus::Overdue, t.due.is_none(), t.due, t.task_id));
        let (returned, rest): (Vec<TaskItem>, Vec<TaskItem>) = open.into_iter().partition(|t| t.returned_reason.is_some());
        w.returned_updates = returned;
        w.tasks_total = rest.len();
        w.tasks = rest.into_iter().take(MAX_TASKS).collect();
    }

    if w.submits_reports {
        w.reports = reports_due(app, scope, &unit, user.agency_id, today).await?;
    }

    if w.reviews {
        let since = app.now_ms() - RECEIVED_DAYS * 86_400_000;
        w.received = store.received_reports(scope, &unit, since, 100).await?;
    }

    if scope.can(Permission::SelfScore) || scope.can(Permission::Appraise) {
        for item in store.assessments(scope, None, None).await? {
            let a = item.assessment;
            // My step: my own unit's sheet, or a sheet of a unit directly under mine (I appraise it).
            if a.unit_id != unit.id && a.parent_id != Some(unit.id) {
                continue;
            }
            let steps: Vec<&'static str> = core_results::allowed_actions(scope, a.sheet_unit(), a.status(), a.round >= 2)
                .into_iter()
                .filter(|s| *s != SheetAction::Reopen)
                .map(|s| s.name_vi())
                .collect();
            if steps.is_empty() {
                continue;
            }
            w.sheets.push(SheetItem {
                id: a.id,
                unit_name: a.unit_name.clone(),
                framework: crate::notices::framework_label(app, &a.framework),
                year: a.year,
                status_vi: a.status().name_vi(),
                steps,
            });
        }
    }
    w.unit = Some(unit);
    Ok(w)
}

/// Reports of the unit's (or agency's) schedule this year that are open now — the data window has begun
/// and the period is not locked — and not submitted, plus any returned for correction.
async fn reports_due(app: &App, scope: &Scope, unit: &Unit, agency_id: Option<i64>, today: Date) -> ServiceResult<Vec<ReportItem>> {
    let schedule = app.reports().schedule_for(unit, today.year()).await?;
    let mut out = Vec::new();
    for sp in &schedule.periods {
        let due = match agency_id {
            Some(_) => sp.due_for_agency_of(&unit.level),
            None => sp.due_for(&unit.level),
        };
        let Some(due) = due else { continue };
        let deadline = Deadline::new(due, schedule.lock_grace_working_days, &app.calendar);
        if sp.window.from > today {
            continue;
        }
        let code = sp.period.code();
        let existing = app.store.report_of(scope, unit, agency_id, &code).await?;
        // Returned reports are listed below, whatever their year.
        if existing.is_some() || !deadline.accepts(today, None) {
            continue;
        }
        out.push(ReportItem {
            period: code.clone(),
            period_label: sp.period.label_vi(),
            due,
            returned: false,
            returned_reason: None,
            link: report_link(unit, &code, agency_id),
        });
    }
    // Reports returned for correction, of any period: they are taken again even after their period's lock.
    for r in app.store.returned_reports(scope, unit, agency_id).await? {
        let Some(due) = parse_date(&r.due_date) else { continue };
        out.push(ReportItem {
            period_label: Period::parse(&r.period).map(|p| p.label_vi()).unwrap_or_else(|_| r.period.clone()),
            link: report_link(unit, &r.period, agency_id),
            period: r.period,
            due,
            returned: true,
            returned_reason: r.returned_reason,
        });
    }
    out.sort_by_key(|r| (!r.returned, r.due));
    Ok(out)
}

fn report_link(unit: &Unit, period: &str, agency_id: Option<i64>) -> String {
    format!("/reports?unit={}&period={period}&agency={}", unit.code, agency_id.map(|a| a.to_string()).unwrap_or_default())
}

/// "dd/mm/yyyy", or "không có hạn" for an undated task.
pub fn due_text(d: Option<Date>) -> String {
    d.map(vn_date_short).unwrap_or_else(|| "không có hạn".into())
}
