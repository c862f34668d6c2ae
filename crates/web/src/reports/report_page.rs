//! The report page of a unit (or agency) for a period, submitting its report, and returning a child's.

use super::children::{ChildColumn, ChildLineKeys, ChildState, StateFilter, page_of};
use super::view::{ReasonForm, ReportQuery, back_or, latest_with_data, pct, period_options};
use crate::auth::CurrentUser;
use crate::error::{AppError, PageError};
use crate::lists::{ListNav, ListQuery};
use crate::render::script_json;
use crate::startup::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_app::reports::{DimensionRow, OwnReportState, dimension_rows};
use chiso_app::{ErrorKind, Failure};
use chiso_core::list::Paged;
use chiso_core::period::Period;
use chiso_core::progress::{ReporterKind, Submission, TaskStatus};
use chiso_core::text::vn_date_short;
use chiso_store::progress::{ReportRow, TaskProgress};
use chiso_store::units::{Agency, Unit};
use serde::Deserialize;
use time::Date;

/// The report page's query: which report (unit, period, agency), and the list of its children as filtered,
/// sorted and paged (`?q=đồng&state=not_sent&sort=done&dir=desc&page=2`).
#[derive(Deserialize, Default, Clone)]
pub struct ReportPageQuery {
    #[serde(flatten)]
    pub report: ReportQuery,
    /// Part of a child's name, without diacritics if one likes.
    #[serde(default)]
    pub q: String,
    /// `on_time`, `late`, `not_sent` or `returned`.
    #[serde(default)]
    pub state: String,
    #[serde(flatten)]
    pub list: ListQuery,
}

impl ReportPageQuery {
    fn of(report: ReportQuery) -> ReportPageQuery {
        ReportPageQuery { report, ..Default::default() }
    }
}

pub struct ChildView {
    pub name: String,
    /// The child unit's page (none for an agency).
    pub unit_href: Option<String>,
    pub kind: &'static str,
    pub due: String,
    pub submitted: String,
    pub state: String,
    pub css: &'static str,
    pub report_id: Option<i64>,
    /// Where its name leads: its report when one was sent (`/reports/{id}`), else its report page for the period.
    pub link: String,
    /// Why its report was returned for correction, while it stands returned.
    pub returned_reason: Option<String>,
    pub expected: u32,
    pub received: u32,
    pub state_kind: ChildState,
    pub due_date: Option<Date>,
    /// Tasks of the child (and below it) done, on time or late, and all its tasks.
    pub tasks_done: u32,
    pub tasks_total: u32,
}

impl ChildLineKeys for ChildView {
    fn name(&self) -> &str {
        &self.name
    }
    fn state(&self) -> ChildState {
        self.state_kind
    }
    fn due(&self) -> Option<Date> {
        self.due_date
    }
    fn done(&self) -> u32 {
        self.tasks_done
    }
}

/// How many children stand in each state of the filter, over every child (not the page).
pub struct StateCount {
    pub key: &'static str,
    pub label: &'static str,
    pub count: usize,
    /// The list filtered by this state.
    pub href: String,
}

/// "muộn 12 ngày" (or just "muộn" when the days were not recorded).
fn late_by(days: Option<i64>) -> String {
    match days {
        Some(d) if d > 0 => format!("muộn {d} ngày"),
        _ => "muộn".into(),
    }
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
    has_data: bool,
    /// Whether any task counts in the period (the chart is drawn only then).
    has_tasks: bool,
    latest: Option<(String, String)>,
    window: String,
    due: String,
    dims: Vec<DimensionRow>,
    tasks: Vec<TaskProgress>,
    late: Vec<TaskProgress>,
    /// The page of children shown (filtered, sorted).
    children: Vec<ChildView>,
    /// How many children the unit has, whatever the filter.
    children_all: usize,
    /// Children in each state, over all of them.
    state_counts: Vec<StateCount>,
    /// The children's list as asked for (filters shown back as typed).
    cq: ReportPageQuery,
    nav: ListNav,
    /// What is wrong in the list's query (the list is shown with the defaults instead).
    errors: Vec<String>,
    /// The list's current view, where a return for correction comes back to.
    back: String,
    completeness: String,
    timeliness: String,
    report: Option<ReportRow>,
    report_state: String,
    /// Why the unit's own report was returned, while it stands returned.
    returned_reason: Option<String>,
    /// The form corrects a returned report: it holds the text sent before and is taken after the lock too.
    resubmit: bool,
    locked: bool,
    can_submit: bool,
    can_return: bool,
    chart: String,
    /// The submission form as posted, after a refusal (what was typed and why it was refused).
    form: crate::form::FormState,
}

pub async fn report_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<ReportPageQuery>,
) -> Result<Html<String>, PageError> {
    Ok(Html(render_report(&state, &me, &q, crate::form::FormState::empty()).await?))
}

/// The report page; `form` is the submission form as posted (kept with its error after a refusal).
async fn render_report(
    state: &AppState,
    me: &CurrentUser,
    cq: &ReportPageQuery,
    form: crate::form::FormState,
) -> Result<String, PageError> {
    let q = &cq.report;
    let d = state.app.reports().page(&me.scope, &q.unit, &q.period, &q.agency).await?;
    let report_state = match d.own {
        OwnReportState::Submitted { at_ms, on_time, days_late, resubmitted } => format!(
            "Đã {} {} — {}",
            if resubmitted { "sửa và gửi lại" } else { "gửi" },
            at_ms.map(crate::pages::format_ms).unwrap_or_default(),
            if on_time { "đúng hạn".to_string() } else { late_by(days_late) }
        ),
        OwnReportState::Returned => "Đã trả lại — cần sửa".into(),
        OwnReportState::NotSubmitted => "Chưa gửi".into(),
    };
    let returned_reason = d.report.as_ref().filter(|r| !r.status.is_submitted()).and_then(|r| r.returned_reason.clone());
    let resubmit = d.report.as_ref().is_some_and(|r| !r.status.is_submitted());
    let children: Vec<ChildView> = d
        .children
        .iter()
        .map(|c| {
            let line = &c.line;
            let returned = c.report.as_ref().filter(|r| !r.status.is_submitted());
            let (state, css, state_kind) = match (returned, line.own_report.as_ref().map(|o| o.submission)) {
                (Some(_), _) => ("Đã trả lại — cần sửa".to_string(), "bad", ChildState::Returned),
                (None, Some(Submission::OnTime)) => ("Đúng hạn".to_string(), "ok", ChildState::OnTime),
                (None, Some(Submission::Late)) => {
                    let mut s = late_by(c.report.as_ref().and_then(|r| r.days_late));
                    s[..1].make_ascii_uppercase();
                    (s, "warn", ChildState::Late)
                }
                (None, Some(Submission::Missing)) => ("Chưa gửi".to_string(), "bad", ChildState::Missing),
                (None, Some(Submission::NotYetDue)) => ("Chưa đến hạn".to_string(), "", ChildState::NotYetDue),
                (None, None) => ("—".to_string(), "", ChildState::NoDue),
            };
            let period = d.period.code();
            let (unit_href, report_href) = match c.kind {
                ReporterKind::Unit => {
                    let code = crate::auth::urlencode(&line.code);
                    (Some(format!("/units/{code}")), format!("/reports?unit={code}&period={period}"))
                }
                ReporterKind::Agency => {
                    let (unit, agency) = line.code.rsplit_once('#').unwrap_or((line.code.as_str(), ""));
                    (
                        None,
                        format!("/reports?unit={}&agency={}&period={period}", crate::auth::urlencode(unit), crate::auth::urlencode(agency)),
                    )
                }
            };
            // Its report when one was sent, else its own report page for the same period.
            let link = c.report.as_ref().map(|r| format!("/reports/{}", r.id)).unwrap_or(report_href);
            ChildView {
                unit_href,
                name: line.name.clone(),
                kind: if c.kind == ReporterKind::Agency { "Cơ quan" } else { "Đơn vị" },
                due: line.own_report.as_ref().map(|o| vn_date_short(o.due)).unwrap_or_default(),
                submitted: line
                    .own_report
                    .as_ref()
                    .and_then(|o| o.submitted_at)
                    .map(|t| crate::pages::format_ms((t.unix_timestamp_nanos() / 1_000_000) as i64))
                    .unwrap_or_default(),
                state,
                css,
                report_id: c.report_id,
                link,
                returned_reason: returned.and_then(|r| r.returned_reason.clone()),
                expected: line.reports.expected,
                received: line.reports.submitted,
                state_kind,
                due_date: line.own_report.as_ref().map(|o| o.due),
                tasks_done: line.tasks.by_status.done_all(),
                tasks_total: line.tasks.by_status.total(),
            }
        })
        .collect();
    // The list of children: counted whole, then filtered, sorted and paged. A wrong value in its query is
    // told above the list, which is shown with the default instead (the report itself is still the page).
    let mut errors = Vec::new();
    let (page, sort) = cq.list.parse(ChildColumn::DEFAULT, &mut errors);
    let state_filter = StateFilter::parse(&cq.state).unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    let children_all = children.len();
    let filters = |state: &str, text: &str| {
        vec![
            ("unit", d.unit.code.clone()),
            ("agency", d.agency.as_ref().map(|a| a.id.to_string()).unwrap_or_default()),
            ("period", d.period.code()),
            ("q", text.to_string()),
            ("state", state.to_string()),
        ]
    };
    let none: Paged<()> = Paged { items: Vec::new(), total: 0, page: 1, size: page.size };
    let state_counts = StateFilter::ALL
        .iter()
        .map(|f| StateCount {
            key: f.key(),
            label: f.label_vi(),
            count: children.iter().filter(|c| f.matches(c.state_kind)).count(),
            href: ListNav::new("/reports", filters(f.key(), ""), ChildColumn::DEFAULT, ChildColumn::DEFAULT, &none).page_href(&1),
        })
        .collect();
    let paged = page_of(children, &cq.q, state_filter, sort, page);
    let kept_state = state_filter.map(|f| f.key()).unwrap_or_default();
    let nav = ListNav::new("/reports", filters(kept_state, &cq.q), sort, ChildColumn::DEFAULT, &paged);
    let back = nav.page_href(&nav.page);
    let children = paged.items;
    let dims = dimension_rows(&state.frameworks, &d.counts);
    let chart = script_json(&serde_json::json!({
        "dims": dims.iter().map(|d| d.label.clone()).collect::<Vec<_>>(),
        "done": dims.iter().map(|d| d.done).collect::<Vec<_>>(),
        "in_progress": dims.iter().map(|d| d.in_progress).collect::<Vec<_>>(),
        "overdue": dims.iter().map(|d| d.overdue).collect::<Vec<_>>(),
        "not_started": dims.iter().map(|d| d.not_started).collect::<Vec<_>>(),
    }));
    let late: Vec<TaskProgress> = d.tasks.iter().filter(|t| t.status == TaskStatus::Overdue).cloned().collect();
    // Reports may have come in while no task counts in the period: no chart of nothing then.
    let has_tasks = dims.iter().any(|d| d.done + d.in_progress + d.overdue + d.not_started > 0);
    let page = ReportPage {
        b: me.base("Báo cáo định kỳ", "reports"),
        units: d.units,
        agencies: d.agencies,
        period_label: d.period.label_vi(),
        window: d.scheduled.window.label_vi(),
        due: d.due.map(vn_date_short).unwrap_or_default(),
        dims,
        tasks: d.tasks,
        late,
        completeness: pct(d.status.unit.reports.completeness()),
        timeliness: pct(d.status.unit.reports.timeliness()),
        children,
        children_all,
        state_counts,
        cq: cq.clone(),
        nav,
        errors,
        back,
        report: d.report,
        report_state,
        returned_reason,
        resubmit,
        locked: d.locked,
        can_submit: d.can_submit,
        can_return: d.can_return,
        chart,
        period: d.period.code(),
        periods: period_options(&d.choice),
        has_data: d.choice.has_data,
        has_tasks,
        latest: latest_with_data(&d.choice),
        agency: d.agency,
        unit: d.unit,
        form,
    };
    Ok(page.render()?)
}

#[derive(Deserialize)]
pub struct SubmitForm {
    csrf: String,
    unit: String,
    period: String,
    #[serde(default)]
    agency: String,
    narrative: String,
}

/// Submit (or, after a return, send again) the unit's report. A refusal a person can act on (the period is
/// locked, the report was already sent, a text too long) shows the page again with the message and the text typed.
pub async fn submit(State(state): State<AppState>, me: CurrentUser, Form(f): Form<SubmitForm>) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let unit = state.store.unit_by_code(&me.scope, &f.unit).await?;
    let period = Period::parse(&f.period).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let agency_id = f.agency.parse::<i64>().ok();
    match state.app.reports().submit(&me.scope, &unit, agency_id, period, &f.narrative).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/reports?unit={}&period={}&agency={}",
            crate::auth::urlencode(&unit.code),
            period.code(),
            crate::auth::urlencode(&f.agency)
        ))
        .into_response()),
        Err(e) if matches!(e.kind(), ErrorKind::Conflict | ErrorKind::Unprocessable | ErrorKind::Invalid) => {
            let status = if e.kind() == ErrorKind::Conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            let mut form = crate::form::FormState::posted([("narrative".to_string(), f.narrative.clone())]);
            form.field_error("narrative", e.to_string());
            let q = ReportPageQuery::of(ReportQuery { unit: unit.code.clone(), period: period.code(), agency: f.agency.clone() });
            Ok(crate::form::form_again(status, render_report(&state, &me, &q, form).await?))
        }
        Err(e) => Err(e.into()),
    }
}

/// One report (`/reports/{id}`): a unit's own, or one it received from below — what was sent, when against its
/// due date (how many days late), whether it was returned and why; a reviewer of the level above may return it.
pub async fn report_view(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Html<String>, PageError> {
    let v = state.app.reports().report(&me.scope, id).await?;
    let r = &v.report;
    let due = chiso_core::unit::parse_date(&r.due_date);
    let status = if r.status.is_submitted() {
        let when = r.submitted_at.map(crate::pages::format_ms).unwrap_or_default();
        let late = match r.days_late {
            Some(0) => "đúng hạn".to_string(),
            d => late_by(d),
        };
        format!("Đã {} {when} — {late}", if r.is_resubmission() { "sửa và gửi lại" } else { "gửi" })
    } else {
        "Đã trả lại — cần sửa".to_string()
    };
    let returned = r.returned_reason.as_ref().map(|reason| {
        let at = r.returned_at.map(crate::pages::format_ms).unwrap_or_default();
        let by = r.returned_by.clone().unwrap_or_default();
        (reason.clone(), at, by)
    });
    let page = ReportViewPage {
        b: me.base(&format!("Báo cáo {}", v.period.label_vi()), "reports"),
        title: format!(
            "Báo cáo {} — {}{}",
            v.period.label_vi(),
            v.unit.name,
            v.agency.as_ref().map(|a| format!(" — {}", a.name)).unwrap_or_default()
        ),
        window: match (chiso_core::unit::parse_date(&r.window_from), chiso_core::unit::parse_date(&r.window_to)) {
            (Some(a), Some(b)) => format!("từ ngày {} đến ngày {}", vn_date_short(a), vn_date_short(b)),
            _ => String::new(),
        },
        due: due.map(vn_date_short).unwrap_or_default(),
        status,
        submitted: r.status.is_submitted(),
        late: r.status.is_submitted() && r.days_late.is_some_and(|d| d > 0),
        returned,
        narrative: r.narrative.clone(),
        by: r.submitted_by.clone().unwrap_or_default(),
        dims: dimension_rows(&state.frameworks, &v.summary),
        total: v.summary.by_status.total(),
        crumb: format!("{} — {}", v.agency.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| v.unit.name.clone()), v.period.label_vi()),
        page_link: format!(
            "/reports?unit={}&period={}&agency={}",
            crate::auth::urlencode(&v.unit.code),
            v.period.code(),
            r.agency_id.map(|a| a.to_string()).unwrap_or_default()
        ),
        can_return: v.can_return,
        id,
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "report_view.html")]
struct ReportViewPage {
    b: crate::pages::Base,
    title: String,
    window: String,
    due: String,
    status: String,
    submitted: bool,
    late: bool,
    /// The last return for correction: (reason, when, by whom).
    returned: Option<(String, String, String)>,
    narrative: String,
    by: String,
    dims: Vec<DimensionRow>,
    total: u32,
    page_link: String,
    /// The unit's (or agency's) report page of the period, as the breadcrumb names it.
    crumb: String,
    can_return: bool,
    id: i64,
}

pub async fn return_report(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    state.app.reports().return_report(&me.scope, id, &f.reason).await?;
    Ok(Redirect::to(back_or(&f.back, "/reports")).into_response())
}
