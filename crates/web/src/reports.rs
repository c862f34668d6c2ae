//! Progress and periodic reports: task updates with evidence, returns for correction, the unit's compiled
//! report for a period (submitted on time or late), the parent's view of its children (completeness and
//! timeliness), the report status document, exports, and the unit dashboard.

use crate::auth::CurrentUser;
use crate::error::{ApiError, AppError, PageError};
use crate::startup::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chiso_core::access::{Permission, Reach, Scope};
use chiso_core::calendar::Calendar;
use chiso_core::period::{DateWindow, Period, Schedule, SchedulePolicy, ScheduledPeriod, schedule_from_deadlines_with};
use chiso_core::progress::{OwnReport, ReportStatus, ReporterKind, StatusNode, TaskCounts, TaskStatus, report_status};
use chiso_core::text::{fold, vn_date_short};
use chiso_core::unit::parse_date;
use chiso_store::plans::PlanFilter;
use chiso_store::progress::{NewEvidence, NewUpdate, ReportRow, TaskProgress, UpdateWithEvidence};
use chiso_store::units::{Agency, Unit};
use chiso_store::{Store, StoreError};
use serde::Deserialize;
use time::Date;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", get(report_page))
        .route("/reports/submit", post(submit))
        .route("/reports/{id}/return", post(return_report))
        .route("/reports/export/{format}", get(export))
        .route("/dashboard", get(dashboard))
        .route("/tasks/{id}", get(task_page))
        .route("/tasks/{id}/updates", post(add_update))
        .route("/updates/{id}/return", post(return_update))
        .route("/evidence/{id}", get(download))
        .route("/api/v1/reports/status", get(api_status))
        .route("/notifications", get(notifications).post(notifications_read))
}

pub fn today_vn() -> Date {
    time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7)).date()
}

// ---------------------------------------------------------------------------------------------
// Schedules and the status document (used by the CLI as well)

/// Every "dd/mm/yyyy" or "dd/mm" date in a text, in order (day/month without a year take `year`).
fn dates_in(text: &str, year: i32) -> Vec<Date> {
    let mut out = Vec::new();
    let b: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_digit()) {
            let mut j = i;
            let mut parts: Vec<String> = vec![String::new()];
            while j < b.len() && (b[j].is_ascii_digit() || b[j] == '/') {
                if b[j] == '/' {
                    parts.push(String::new());
                } else if let Some(last) = parts.last_mut() {
                    last.push(b[j]);
                }
                j += 1;
            }
            let nums: Vec<i32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
            if (parts.len() == 2 || parts.len() == 3) && nums.len() == parts.len() {
                let y = if nums.len() == 3 { nums[2] } else { year };
                if let Ok(m) = time::Month::try_from(nums[1] as u8)
                    && let Ok(d) = Date::from_calendar_date(y, m, nums[0] as u8)
                {
                    out.push(d);
                }
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

fn collect_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

/// The reporting schedule that applies to a unit in a year: read from the deadlines of the nearest issued
/// plan of the unit or an ancestor that sets any ("communes report to Phòng Nội vụ before 05/06"), else the
/// default of Nghị định 09/2019. Schedules are not confidential, so this reads with a system scope.
pub async fn schedule_for(store: &Store, unit: &Unit, year: i32) -> Result<Schedule, AppError> {
    let sys = Scope::system("schedule");
    let cal = Calendar::vietnam();
    let mut chain = vec![unit.clone()];
    chain.extend(store.unit_ancestors(&sys, unit).await?.into_iter().rev());
    for u in &chain {
        let plans = store
            .plans(
                &sys,
                &PlanFilter {
                    unit_code: Some(u.code.clone()),
                    year: Some(year as i64),
                    status: Some(chiso_core::plan::PlanStatus::Issued),
                    ..Default::default()
                },
            )
            .await?;
        for p in plans.iter().filter(|p| p.plan.unit_id == u.id) {
            let doc: serde_json::Value = serde_json::from_str(&p.plan.document).unwrap_or_default();
            let mut pairs: Vec<(Date, String)> = Vec::new();
            if let Some(ds) = doc.get("deadlines").and_then(|d| d.as_array()) {
                for d in ds {
                    if let (Some(date), Some(text)) =
                        (d.get("date").and_then(|x| x.as_str()).and_then(parse_date), d.get("text").and_then(|x| x.as_str()))
                    {
                        pairs.push((date, text.to_string()));
                    }
                }
            }
            let mut strings = Vec::new();
            collect_strings(&doc, &mut strings);
            for s in strings.iter().filter(|s| fold(s).contains("chot so lieu")) {
                if let Some(d) = dates_in(s, year).last() {
                    pairs.push((*d, s.clone()));
                }
            }
            if pairs.is_empty() {
                continue;
            }
            // The plan's children report to it: the chain starts at the level below the plan's unit.
            let levels = ["village", "commune", "district", "province"];
            let below = levels.iter().position(|l| *l == u.level).and_then(|i| i.checked_sub(1)).map(|i| levels[i]).unwrap_or("commune");
            let policy = SchedulePolicy::default().starting_at(below);
            let s = schedule_from_deadlines_with(year, &pairs, &policy, &cal);
            if !s.periods.is_empty() {
                return Ok(s.or_nd09(&SchedulePolicy::default(), &cal));
            }
        }
    }
    Ok(Schedule::nd09(year, &SchedulePolicy::default(), &cal))
}

pub fn scheduled(schedule: &Schedule, period: Period) -> Result<ScheduledPeriod, AppError> {
    schedule
        .get(period)
        .cloned()
        .or_else(|| ScheduledPeriod::nd09(period, &SchedulePolicy::default(), &Calendar::vietnam()))
        .ok_or_else(|| AppError::BadRequest(format!("kỳ {} không có lịch báo cáo", period.code())))
}

fn ms_to_datetime(ms: i64) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).ok()
}

fn submitted(r: &Option<ReportRow>) -> Option<time::OffsetDateTime> {
    r.as_ref().filter(|r| r.status == "submitted").and_then(|r| r.submitted_at).and_then(ms_to_datetime)
}

/// The status tree of a unit for a period: its own tasks (those no reporting agency leads), its agencies
/// (with the tasks they lead), and its child units in force (recursively), each with its report.
pub fn status_node<'a>(
    store: &'a Store,
    scope: &'a Scope,
    unit: &'a Unit,
    period: Period,
    sp: &'a ScheduledPeriod,
    as_of: Date,
    depth: usize,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<StatusNode, AppError>> + Send + 'a>> {
    Box::pin(async move {
        let year = period.year() as i64;
        let status_day = as_of.min(sp.window.to);
        let progress = store.task_progress(scope, unit, year, None, status_day).await?;
        let agencies = store.reporting_agencies(scope, unit, year).await?;
        let led_by = |t: &TaskProgress, a: &Agency| {
            t.task.row.lead_agency_id == Some(a.id) || t.task.row.lead_agency.as_deref().is_some_and(|l| fold(l) == fold(&a.name))
        };
        let own: Vec<TaskProgress> = progress.iter().filter(|t| !agencies.iter().any(|a| led_by(t, a))).cloned().collect();
        let own_report = match sp.due_for(&unit.level) {
            Some(due) => Some(OwnReport { due, submitted_at: submitted(&store.report_of(scope, unit, None, &period.code()).await?) }),
            None => None,
        };
        let mut children = Vec::new();
        for a in &agencies {
            let tasks: Vec<TaskProgress> = progress.iter().filter(|t| led_by(t, a)).cloned().collect();
            let due = sp.due_for_agency_of(&unit.level).or(sp.dues.first().map(|d| d.due));
            children.push(StatusNode {
                code: format!("{}#{}", unit.code, a.id),
                name: a.name.clone(),
                kind: ReporterKind::Agency,
                level: unit.level.clone(),
                own_report: match due {
                    Some(due) => {
                        Some(OwnReport { due, submitted_at: submitted(&store.report_of(scope, unit, Some(a.id), &period.code()).await?) })
                    }
                    None => None,
                },
                tasks: Store::counts_of(&tasks),
                children: Vec::new(),
            });
        }
        if depth > 0 {
            for child in store.child_units_in_year(scope, unit, year).await? {
                children.push(status_node(store, scope, &child, period, sp, as_of, depth - 1).await?);
            }
        }
        Ok(StatusNode {
            code: unit.code.clone(),
            name: unit.name.clone(),
            kind: ReporterKind::Unit,
            level: unit.level.clone(),
            own_report,
            tasks: Store::counts_of(&own),
            children,
        })
    })
}

/// The document of `chiso report status --unit CODE --period 2022-H1 --json`.
pub async fn report_status_for(
    store: &Store,
    scope: &Scope,
    unit_code: &str,
    period: &str,
    as_of: Option<Date>,
) -> Result<ReportStatus, AppError> {
    let unit = store.unit_by_code(scope, unit_code).await?;
    let period = Period::parse(period).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let schedule = schedule_for(store, &unit, period.year()).await?;
    let sp = scheduled(&schedule, period)?;
    let as_of = as_of.unwrap_or_else(today_vn);
    let root = status_node(store, scope, &unit, period, &sp, as_of, 2).await?;
    Ok(report_status(period, Some(sp.window), &root, as_of))
}

// ---------------------------------------------------------------------------------------------
// Report page

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub agency: String,
}

pub struct DimRow {
    pub code: String,
    pub label: String,
    pub done: u32,
    pub in_progress: u32,
    pub overdue: u32,
    pub not_started: u32,
    pub other: u32,
    pub total: u32,
}

pub struct ChildView {
    pub name: String,
    pub kind: &'static str,
    pub due: String,
    pub submitted: String,
    pub state: &'static str,
    pub css: &'static str,
    pub report_id: Option<i64>,
    pub expected: u32,
    pub received: u32,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    b: crate::pages::Base,
    units: Vec<Unit>,
    unit: Unit,
    agencies: Vec<Agency>,
    agency: Option<Agency>,
    period: String,
    period_label: String,
    periods: Vec<(String, String)>,
    window: String,
    due: String,
    dims: Vec<DimRow>,
    tasks: Vec<TaskProgress>,
    late: Vec<TaskProgress>,
    children: Vec<ChildView>,
    completeness: String,
    timeliness: String,
    report: Option<ReportRow>,
    report_state: String,
    locked: bool,
    can_submit: bool,
    can_return: bool,
    chart: String,
}

fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{}%", chiso_core::text::vn_number(v * 100.0, 0))).unwrap_or_else(|| "—".into())
}

pub fn dim_rows(state: &AppState, counts: &TaskCounts) -> Vec<DimRow> {
    let mut rows: Vec<DimRow> = counts
        .by_dimension
        .iter()
        .map(|(code, c)| DimRow {
            label: if code == chiso_core::progress::UNCLASSIFIED {
                "Chưa gắn nội dung chỉ số".into()
            } else {
                crate::plans::dimension_label(&state.frameworks, code)
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

async fn default_unit(state: &AppState, me: &CurrentUser, code: &str) -> Result<Unit, AppError> {
    if !code.is_empty() {
        return Ok(state.store.unit_by_code(&me.scope, code).await?);
    }
    match &me.scope.reach {
        Reach::Subtree { unit_id, .. } => Ok(state.store.unit_by_id(&me.scope, *unit_id).await?),
        Reach::All => state.store.units(&me.scope).await?.into_iter().next().ok_or_else(|| AppError::NotFound("đơn vị".into())),
    }
}

fn default_period(q: &str) -> Result<Period, AppError> {
    if q.is_empty() {
        let today = today_vn();
        Period::containing_nd09(today, chiso_core::period::Frequency::HalfYear)
            .ok_or_else(|| AppError::BadRequest("không xác định được kỳ".into()))
    } else {
        Period::parse(q).map_err(|e| AppError::BadRequest(e.to_string()))
    }
}

async fn report_page(State(state): State<AppState>, me: CurrentUser, Query(q): Query<ReportQuery>) -> Result<Html<String>, PageError> {
    let unit = default_unit(&state, &me, &q.unit).await?;
    let period = default_period(&q.period)?;
    let schedule = schedule_for(&state.store, &unit, period.year()).await?;
    let sp = scheduled(&schedule, period)?;
    let agencies = state.store.agencies(&me.scope, unit.id).await?;
    let agency = q.agency.parse::<i64>().ok().and_then(|id| agencies.iter().find(|a| a.id == id).cloned());
    let today = today_vn();
    let status_day = today.min(sp.window.to);
    let tasks = state.store.task_progress(&me.scope, &unit, period.year() as i64, agency.as_ref(), status_day).await?;
    let counts = Store::counts_of(&tasks);
    let late: Vec<TaskProgress> = tasks.iter().filter(|t| t.status == TaskStatus::Overdue).cloned().collect();
    let report = state.store.report_of(&me.scope, &unit, agency.as_ref().map(|a| a.id), &period.code()).await?;
    let due = match &agency {
        Some(_) => sp.due_for_agency_of(&unit.level),
        None => sp.due_for(&unit.level),
    }
    .or(sp.dues.last().map(|d| d.due));
    let cal = Calendar::vietnam();
    let locked = due.is_some_and(|d| cal.add_working_days(d, schedule.lock_grace_working_days as i32) < today);
    let report_state = match (&report, due) {
        (Some(r), Some(d)) if r.status == "submitted" => {
            let at = r.submitted_at.and_then(ms_to_datetime);
            let on_time = at.is_some_and(|t| chiso_core::progress::is_on_time(d, t));
            format!(
                "Đã gửi {} — {}",
                r.submitted_at.map(crate::pages::format_ms).unwrap_or_default(),
                if on_time { "đúng hạn" } else { "muộn" }
            )
        }
        (Some(r), _) if r.status == "returned" => "Bị trả lại để chỉnh sửa".into(),
        _ => "Chưa gửi".into(),
    };
    // Children and agencies: who reported.
    let root = status_node(&state.store, &me.scope, &unit, period, &sp, today, 1).await?;
    let status = report_status(period, Some(sp.window), &root, today);
    let mut children = Vec::new();
    for (line, node) in status.children.iter().zip(root.children.iter()) {
        let (st, css) = match line.own_report.as_ref().map(|o| o.submission) {
            Some(chiso_core::progress::Submission::OnTime) => ("Đúng hạn", "ok"),
            Some(chiso_core::progress::Submission::Late) => ("Muộn", "warn"),
            Some(chiso_core::progress::Submission::Missing) => ("Chưa gửi", "bad"),
            Some(chiso_core::progress::Submission::NotYetDue) => ("Chưa đến hạn", ""),
            None => ("—", ""),
        };
        let report_id = match node.kind {
            ReporterKind::Unit => match state.store.unit_by_code(&me.scope, &node.code).await {
                Ok(u) => {
                    state.store.report_of(&me.scope, &u, None, &period.code()).await?.filter(|r| r.status == "submitted").map(|r| r.id)
                }
                Err(_) => None,
            },
            ReporterKind::Agency => {
                let aid = node.code.rsplit('#').next().and_then(|s| s.parse::<i64>().ok());
                state.store.report_of(&me.scope, &unit, aid, &period.code()).await?.filter(|r| r.status == "submitted").map(|r| r.id)
            }
        };
        children.push(ChildView {
            name: line.name.clone(),
            kind: if node.kind == ReporterKind::Agency { "Cơ quan" } else { "Đơn vị" },
            due: line.own_report.as_ref().map(|o| vn_date_short(o.due)).unwrap_or_default(),
            submitted: line
                .own_report
                .as_ref()
                .and_then(|o| o.submitted_at)
                .map(|t| crate::pages::format_ms((t.unix_timestamp_nanos() / 1_000_000) as i64))
                .unwrap_or_default(),
            state: st,
            css,
            report_id,
            expected: line.reports.expected,
            received: line.reports.submitted,
        });
    }
    let dims = dim_rows(&state, &counts);
    let chart = serde_json::json!({
        "dims": dims.iter().map(|d| d.label.clone()).collect::<Vec<_>>(),
        "done": dims.iter().map(|d| d.done).collect::<Vec<_>>(),
        "in_progress": dims.iter().map(|d| d.in_progress).collect::<Vec<_>>(),
        "overdue": dims.iter().map(|d| d.overdue).collect::<Vec<_>>(),
        "not_started": dims.iter().map(|d| d.not_started).collect::<Vec<_>>(),
    })
    .to_string()
    .replace("</", "<\\/");
    let periods = schedule.periods.iter().map(|p| (p.period.code(), p.period.label_vi())).collect();
    let units = state.store.units(&me.scope).await?.into_iter().filter(|u| u.valid_to.is_none()).collect();
    let can_submit = (me.scope.can(Permission::EditPlans) && agency.is_none())
        || (me.scope.can(Permission::UpdateTasks)
            && agency.as_ref().is_some_and(|a| me.scope.agency_id == Some(a.id) || me.scope.can(Permission::EditPlans)));
    let page = ReportPage {
        b: me.base("Báo cáo định kỳ", "reports"),
        units,
        agencies,
        period_label: period.label_vi(),
        window: sp.window.label_vi(),
        due: due.map(vn_date_short).unwrap_or_default(),
        dims,
        tasks,
        late,
        completeness: pct(status.unit.reports.completeness()),
        timeliness: pct(status.unit.reports.timeliness()),
        children,
        report,
        report_state,
        locked,
        can_submit,
        can_return: me.scope.can(Permission::Appraise),
        chart,
        period: period.code(),
        periods,
        agency,
        unit,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
struct SubmitForm {
    csrf: String,
    unit: String,
    period: String,
    #[serde(default)]
    agency: String,
    narrative: String,
}

async fn submit(State(state): State<AppState>, me: CurrentUser, Form(f): Form<SubmitForm>) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let unit = state.store.unit_by_code(&me.scope, &f.unit).await?;
    let period = Period::parse(&f.period).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let agency_id = f.agency.parse::<i64>().ok();
    submit_report_now(&state.store, &me.scope, &unit, agency_id, period, &f.narrative, crate::now_or(None)).await?;
    Ok(Redirect::to(&format!("/reports?unit={}&period={}&agency={}", crate::auth::urlencode(&unit.code), period.code(), f.agency))
        .into_response())
}

/// Compile and submit a report at `at_ms` (now, or a given time for historical data).
pub async fn submit_report_now(
    store: &Store,
    scope: &Scope,
    unit: &Unit,
    agency_id: Option<i64>,
    period: Period,
    narrative: &str,
    at_ms: i64,
) -> Result<ReportRow, AppError> {
    let schedule = schedule_for(store, unit, period.year()).await?;
    let sp = scheduled(&schedule, period)?;
    let due = match agency_id {
        Some(_) => sp.due_for_agency_of(&unit.level),
        None => sp.due_for(&unit.level),
    }
    .or(sp.dues.last().map(|d| d.due))
    .ok_or_else(|| AppError::BadRequest("kỳ báo cáo không có hạn".into()))?;
    let cal = Calendar::vietnam();
    let lock = cal.add_working_days(due, schedule.lock_grace_working_days as i32);
    let agency = match agency_id {
        Some(id) => Some(store.agency_by_id(scope, id).await?),
        None => None,
    };
    let day = ms_to_datetime(at_ms).map(|t| t.to_offset(time::macros::offset!(+7)).date()).unwrap_or_else(today_vn);
    let tasks = store.task_progress(scope, unit, period.year() as i64, agency.as_ref(), day.min(sp.window.to)).await?;
    let counts = Store::counts_of(&tasks);
    Ok(store
        .submit_report(scope, unit, agency_id, &period.code(), (sp.window.from, sp.window.to), due, Some(lock), narrative, &counts, at_ms)
        .await?)
}

#[derive(Deserialize)]
struct ReasonForm {
    csrf: String,
    reason: String,
    #[serde(default)]
    back: String,
}

async fn return_report(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    state.store.return_report(&me.scope, id, &f.reason).await?;
    Ok(Redirect::to(if f.back.starts_with('/') { &f.back } else { "/reports" }).into_response())
}

async fn export(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(format): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let unit = default_unit(&state, &me, &q.unit).await?;
    let period = default_period(&q.period)?;
    let schedule = schedule_for(&state.store, &unit, period.year()).await?;
    let sp = scheduled(&schedule, period)?;
    let today = today_vn();
    let tasks = state.store.task_progress(&me.scope, &unit, period.year() as i64, None, today.min(sp.window.to)).await?;
    let counts = Store::counts_of(&tasks);
    let root = status_node(&state.store, &me.scope, &unit, period, &sp, today, 1).await?;
    let status = report_status(period, Some(sp.window), &root, today);
    let report = state.store.report_of(&me.scope, &unit, None, &period.code()).await?;
    let plans = state
        .store
        .plans(
            &me.scope,
            &PlanFilter {
                unit_code: Some(unit.code.clone()),
                year: Some(period.year() as i64),
                status: Some(chiso_core::plan::PlanStatus::Issued),
                ..Default::default()
            },
        )
        .await?;
    let plan_ref = plans
        .first()
        .map(|p| format!("Kế hoạch {}{}", p.plan.number.as_deref().map(|n| format!("số {n} ")).unwrap_or_default(), p.plan.title.trim()))
        .unwrap_or_else(|| "Kế hoạch nâng cao chỉ số".into());
    let doc = report_document(
        &state,
        &unit,
        period,
        &sp.window,
        &plan_ref,
        &counts,
        &tasks,
        &status,
        report.as_ref().map(|r| r.narrative.as_str()).unwrap_or(""),
    );
    let (bytes, mime, ext) = tokio::task::spawn_blocking(move || -> Result<(Vec<u8>, &'static str, &'static str), AppError> {
        match format.as_str() {
            "docx" => Ok((
                chiso_docs::write_docx(&doc).map_err(|e| AppError::Internal(e.to_string()))?,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "docx",
            )),
            "xlsx" => Ok((
                chiso_docs::write_xlsx(&doc).map_err(|e| AppError::Internal(e.to_string()))?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            )),
            other => Err(AppError::BadRequest(format!("định dạng '{other}' không hỗ trợ (docx, xlsx)"))),
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    let disposition = format!("attachment; filename=\"bao-cao-{}-{}.{ext}\"", unit.code, period.code());
    Ok(([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

/// The report as an official document: "BÁO CÁO Kết quả thực hiện Kế hoạch … 6 tháng đầu năm 2022".
#[allow(clippy::too_many_arguments)]
pub fn report_document(
    state: &AppState,
    unit: &Unit,
    period: Period,
    window: &DateWindow,
    plan_ref: &str,
    counts: &TaskCounts,
    tasks: &[TaskProgress],
    status: &ReportStatus,
    narrative: &str,
) -> chiso_docs::PlanDocument {
    use chiso_docs::{AppendixRow, PlanDocument, Section};
    let para = |code: String, title: String| Section { code, title, ..Default::default() };
    let mut results = Vec::new();
    for (i, d) in dim_rows(state, counts).iter().enumerate() {
        results.push(para(
            format!("I.{}", i + 1),
            format!(
                "{}: {} nhiệm vụ — {} hoàn thành, {} đang thực hiện, {} quá hạn, {} chưa thực hiện.",
                d.label, d.total, d.done, d.in_progress, d.overdue, d.not_started
            ),
        ));
    }
    let names = |codes: &Vec<String>| -> String {
        let v: Vec<String> = codes.iter().filter_map(|c| status.children.iter().find(|l| &l.code == c).map(|l| l.name.clone())).collect();
        if v.is_empty() { "không có".into() } else { v.join("; ") }
    };
    let mut on_time = Vec::new();
    let mut late = Vec::new();
    let mut missing = Vec::new();
    for l in &status.children {
        match l.own_report.as_ref().map(|o| o.submission) {
            Some(chiso_core::progress::Submission::OnTime) => on_time.push(l.code.clone()),
            Some(chiso_core::progress::Submission::Late) => late.push(l.code.clone()),
            Some(chiso_core::progress::Submission::Missing) => missing.push(l.code.clone()),
            _ => {}
        }
    }
    let reporting = vec![
        para("II.1".into(), format!("Đúng hạn: {}.", names(&on_time))),
        para("II.2".into(), format!("Muộn: {}.", names(&late))),
        para("II.3".into(), format!("Chưa gửi báo cáo: {}.", names(&missing))),
        para(
            "II.4".into(),
            format!(
                "Tỷ lệ báo cáo đã nhận: {}; tỷ lệ đúng hạn: {}.",
                pct(status.unit.reports.completeness()),
                pct(status.unit.reports.timeliness())
            ),
        ),
    ];
    let mut sections = vec![
        Section {
            code: "I".into(),
            title: "KẾT QUẢ THỰC HIỆN".into(),
            paragraphs: vec![format!("Thời gian chốt số liệu: {}.", window.label_vi())],
            children: results,
            ..Default::default()
        },
        Section {
            code: "II".into(), title: "TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ".into(), children: reporting, ..Default::default()
        },
    ];
    if !narrative.trim().is_empty() {
        sections.push(Section {
            code: "III".into(),
            title: "ĐÁNH GIÁ CHUNG, KHÓ KHĂN, VƯỚNG MẮC VÀ KIẾN NGHỊ".into(),
            paragraphs: narrative.lines().map(String::from).filter(|l| !l.trim().is_empty()).collect(),
            ..Default::default()
        });
    }
    PlanDocument {
        issuer: format!("ỦY BAN NHÂN DÂN {}", unit.name.to_uppercase()),
        symbol: Some("BC-UBND".into()),
        place: unit.name.split_whitespace().skip(1).collect::<Vec<_>>().join(" "),
        date: Some(today_vn()),
        year: Some(period.year()),
        doc_type: "BÁO CÁO".into(),
        title: format!("Kết quả thực hiện {plan_ref} {}", period.label_vi().to_lowercase()),
        sections,
        recipients: vec!["Như trên".into(), "Lưu: VT".into()],
        signer: Some(chiso_docs::Signer {
            authority: Some("TM. ỦY BAN NHÂN DÂN".into()),
            delegation: None,
            position: Some("CHỦ TỊCH".into()),
            name: None,
        }),
        appendix_title: Some(format!("TÌNH HÌNH THỰC HIỆN NHIỆM VỤ {}", period.label_vi().to_uppercase())),
        appendix: tasks
            .iter()
            .map(|t| AppendixRow {
                code: t.task.row.code.clone(),
                text: t.task.row.text.lines().next().unwrap_or_default().to_string(),
                dimension: t.dimensions.first().map(|d| crate::plans::dimension_label(&state.frameworks, d)),
                lead_agency: t.task.row.lead_agency.clone(),
                coordinating_agencies: t.task.coordinating_agencies.clone(),
                time: t.task.row.due_date.clone().or(t.task.row.due_text.clone()),
                product: t.latest.as_ref().map(|u| u.narrative.clone()),
                status: Some(t.status.label_vi().to_string()),
                group: None,
                group_title: None,
            })
            .collect(),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Task page, updates, evidence

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    b: crate::pages::Base,
    task: chiso_store::plans::Task,
    plan: chiso_store::plans::Plan,
    updates: Vec<UpdateWithEvidence>,
    status_vi: &'static str,
    can_update: bool,
    can_return: bool,
    error: Option<String>,
    statuses: Vec<(&'static str, &'static str)>,
}

impl TaskPage {
    fn status_label(&self, s: &str) -> &'static str {
        TaskStatus::parse(s).map(|s| s.label_vi()).unwrap_or("—")
    }
    fn when(&self, ms: &i64) -> String {
        crate::pages::format_ms(*ms)
    }
}

async fn render_task(state: &AppState, me: &CurrentUser, id: i64, error: Option<String>) -> Result<String, PageError> {
    let task = state.store.task(&me.scope, id).await?;
    let plan = state.store.plan(&me.scope, task.row.plan_id).await?;
    let updates = state.store.task_updates(&me.scope, id).await?;
    let page = TaskPage {
        b: me.base(&format!("Nhiệm vụ {}", task.row.code), "plans"),
        status_vi: TaskStatus::parse(&task.row.status).map(|s| s.label_vi()).unwrap_or("—"),
        can_update: me.scope.can(Permission::UpdateTasks),
        can_return: me.scope.can(Permission::Appraise),
        statuses: [TaskStatus::NotStarted, TaskStatus::InProgress, TaskStatus::Done, TaskStatus::CannotDo]
            .iter()
            .map(|s| (s.as_str(), s.label_vi()))
            .collect(),
        task,
        plan,
        updates,
        error,
    };
    Ok(page.render()?)
}

async fn task_page(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Html<String>, PageError> {
    Ok(Html(render_task(&state, &me, id, None).await?))
}

/// A task update with its evidence files (multipart): at most 5 files of 20 MB each.
async fn add_update(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>, mut mp: Multipart) -> Result<Response, PageError> {
    let mut f: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut files = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(|e| AppError::BadRequest(format!("biểu mẫu không hợp lệ: {e}")))? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "files" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(|e| AppError::BadRequest(format!("không đọc được tệp '{file_name}': {e}")))?;
            if file_name.is_empty() && bytes.is_empty() {
                continue;
            }
            if files.len() >= 5 {
                return Err(AppError::BadRequest("tối đa 5 tệp kiểm chứng mỗi lần cập nhật".into()).into());
            }
            files.push(NewEvidence { file_name, bytes: bytes.to_vec() });
        } else {
            f.insert(name, field.text().await.unwrap_or_default());
        }
    }
    me.check_csrf(f.get("csrf").map(String::as_str).unwrap_or(""))?;
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let status = TaskStatus::parse(&get("status")).ok_or_else(|| AppError::BadRequest("trạng thái không hợp lệ".into()))?;
    let percent = match get("percent").as_str() {
        "" => None,
        p => Some(p.parse::<u8>().map_err(|_| AppError::BadRequest(format!("tiến độ '{p}' không hợp lệ (0–100)")))?),
    };
    let completed_on = match get("completed_on").as_str() {
        "" => None,
        d => Some(parse_date(d).ok_or_else(|| AppError::BadRequest(format!("ngày hoàn thành '{d}' không hợp lệ")))?),
    };
    let version = get("version").parse::<i64>().map_err(|_| AppError::BadRequest("thiếu phiên bản".into()))?;
    let new = NewUpdate {
        status,
        percent,
        completed_on,
        reason: Some(get("reason")).filter(|s| !s.is_empty()),
        narrative: get("narrative"),
        files,
    };
    match state.store.record_update(&me.scope, id, new, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}")).into_response()),
        Err(e @ (StoreError::Conflict(_) | StoreError::Invalid(_))) => {
            let status = if matches!(e, StoreError::Conflict(_)) {
                axum::http::StatusCode::CONFLICT
            } else {
                axum::http::StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok((status, Html(render_task(&state, &me, id, Some(e.to_string())).await?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn return_update(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    state.store.return_update(&me.scope, id, &f.reason).await?;
    Ok(Redirect::to(if f.back.starts_with('/') { &f.back } else { "/" }).into_response())
}

async fn download(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Response, PageError> {
    let (ev, bytes) = state.store.evidence_file(&me.scope, id).await?;
    let safe: String =
        ev.file_name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    Ok((
        [
            (header::CONTENT_TYPE, ev.mime.clone()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{safe}\"")),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// Dashboard

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    b: crate::pages::Base,
    unit: Unit,
    units: Vec<Unit>,
    period_label: String,
    period: String,
    dims: Vec<DimRow>,
    overdue: Vec<TaskProgress>,
    mine: Vec<TaskProgress>,
    children: Vec<(String, String, String, u32, u32)>,
    completeness: String,
    timeliness: String,
    chart: String,
    report_due: String,
    report_state: String,
}

async fn dashboard(State(state): State<AppState>, me: CurrentUser, Query(q): Query<ReportQuery>) -> Result<Html<String>, PageError> {
    let unit = default_unit(&state, &me, &q.unit).await?;
    let period = default_period(&q.period)?;
    let schedule = schedule_for(&state.store, &unit, period.year()).await?;
    let sp = scheduled(&schedule, period)?;
    let today = today_vn();
    let tasks = state.store.task_progress(&me.scope, &unit, period.year() as i64, None, today.min(sp.window.to)).await?;
    let counts = Store::counts_of(&tasks);
    let dims = dim_rows(&state, &counts);
    let overdue: Vec<TaskProgress> = tasks.iter().filter(|t| t.status == TaskStatus::Overdue).cloned().collect();
    let my_agency = me.user.agency_id;
    let mine: Vec<TaskProgress> =
        tasks.iter().filter(|t| my_agency.is_some() && t.task.row.lead_agency_id == my_agency && !t.status.is_done()).cloned().collect();
    let root = status_node(&state.store, &me.scope, &unit, period, &sp, today, 1).await?;
    let status = report_status(period, Some(sp.window), &root, today);
    let children = status
        .children
        .iter()
        .map(|l| {
            let sub = l.own_report.as_ref().map(|o| o.submission.label_vi()).unwrap_or("—").to_string();
            (
                l.name.clone(),
                sub,
                l.own_report.as_ref().map(|o| vn_date_short(o.due)).unwrap_or_default(),
                l.tasks.by_status.total(),
                l.tasks.by_status.done_all(),
            )
        })
        .collect();
    let chart = serde_json::json!({
        "dims": dims.iter().map(|d| d.label.clone()).collect::<Vec<_>>(),
        "done": dims.iter().map(|d| d.done).collect::<Vec<_>>(),
        "in_progress": dims.iter().map(|d| d.in_progress).collect::<Vec<_>>(),
        "overdue": dims.iter().map(|d| d.overdue).collect::<Vec<_>>(),
        "not_started": dims.iter().map(|d| d.not_started).collect::<Vec<_>>(),
        "completeness": status.unit.reports.completeness().map(|x| (x * 100.0).round()),
        "timeliness": status.unit.reports.timeliness().map(|x| (x * 100.0).round()),
    })
    .to_string()
    .replace("</", "<\\/");
    let own = state.store.report_of(&me.scope, &unit, None, &period.code()).await?;
    let page = DashboardPage {
        b: me.base("Bảng điều khiển", "dashboard"),
        units: state.store.units(&me.scope).await?.into_iter().filter(|u| u.valid_to.is_none()).collect(),
        period_label: period.label_vi(),
        period: period.code(),
        dims,
        overdue,
        mine,
        children,
        completeness: pct(status.unit.reports.completeness()),
        timeliness: pct(status.unit.reports.timeliness()),
        chart,
        report_due: status.unit.own_report.as_ref().map(|o| vn_date_short(o.due)).unwrap_or_default(),
        report_state: match own {
            Some(r) if r.status == "submitted" => "đã gửi".into(),
            Some(r) if r.status == "returned" => "bị trả lại".into(),
            _ => "chưa gửi".into(),
        },
        unit,
    };
    Ok(Html(page.render()?))
}

// ---------------------------------------------------------------------------------------------
// API

#[derive(Deserialize)]
struct StatusQuery {
    unit: String,
    period: String,
    #[serde(default)]
    as_of: String,
}

async fn api_status(State(state): State<AppState>, me: CurrentUser, Query(q): Query<StatusQuery>) -> Result<Json<ReportStatus>, ApiError> {
    let as_of = if q.as_of.is_empty() {
        None
    } else {
        Some(parse_date(&q.as_of).ok_or_else(|| AppError::BadRequest(format!("ngày '{}' không hợp lệ", q.as_of)))?)
    };
    Ok(Json(report_status_for(&state.store, &me.scope, &q.unit, &q.period, as_of).await?))
}

// ---------------------------------------------------------------------------------------------
// Notifications

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    b: crate::pages::Base,
    items: Vec<(String, chiso_store::notifications::Notification)>,
}

async fn notifications(State(state): State<AppState>, me: CurrentUser) -> Result<Html<String>, PageError> {
    let items =
        state.store.my_notifications(&me.scope, 200).await?.into_iter().map(|n| (crate::pages::format_ms(n.created_at), n)).collect();
    Ok(Html(NotificationsPage { b: me.base("Thông báo", "notifications"), items }.render()?))
}

#[derive(Deserialize)]
struct CsrfOnly {
    csrf: String,
}

async fn notifications_read(State(state): State<AppState>, me: CurrentUser, Form(f): Form<CsrfOnly>) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    state.store.mark_notifications_read(&me.scope).await?;
    Ok(Redirect::to("/notifications").into_response())
}
