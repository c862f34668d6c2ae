//! The report page of a unit (or agency) for a period, submitting its report, and returning a child's.

use super::view::{ReasonForm, ReportQuery, back_or, latest_with_data, pct, period_options};
use crate::auth::CurrentUser;
use crate::error::{AppError, PageError};
use crate::render::script_json;
use crate::startup::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_app::reports::{DimensionRow, OwnReportState, dimension_rows};
use chiso_core::period::Period;
use chiso_core::progress::{ReporterKind, Submission, TaskStatus};
use chiso_core::text::vn_date_short;
use chiso_store::progress::{ReportRow, TaskProgress};
use chiso_store::units::{Agency, Unit};
use serde::Deserialize;

pub struct ChildView {
    pub name: String,
    /// The child unit's page (none for an agency).
    pub unit_href: Option<String>,
    /// The child's own report page for the same period.
    pub report_href: String,
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
    has_data: bool,
    latest: Option<(String, String)>,
    window: String,
    due: String,
    dims: Vec<DimensionRow>,
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

pub async fn report_page(State(state): State<AppState>, me: CurrentUser, Query(q): Query<ReportQuery>) -> Result<Html<String>, PageError> {
    let d = state.app.reports().page(&me.scope, &q.unit, &q.period, &q.agency).await?;
    let report_state = match d.own {
        OwnReportState::Submitted { at_ms, on_time } => {
            format!("Đã gửi {} — {}", at_ms.map(crate::pages::format_ms).unwrap_or_default(), if on_time { "đúng hạn" } else { "muộn" })
        }
        OwnReportState::Returned => "Bị trả lại để chỉnh sửa".into(),
        OwnReportState::NotSubmitted => "Chưa gửi".into(),
    };
    let children = d
        .children
        .iter()
        .map(|c| {
            let line = &c.line;
            let (state, css) = match line.own_report.as_ref().map(|o| o.submission) {
                Some(Submission::OnTime) => ("Đúng hạn", "ok"),
                Some(Submission::Late) => ("Muộn", "warn"),
                Some(Submission::Missing) => ("Chưa gửi", "bad"),
                Some(Submission::NotYetDue) => ("Chưa đến hạn", ""),
                None => ("—", ""),
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
            ChildView {
                unit_href,
                report_href,
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
                expected: line.reports.expected,
                received: line.reports.submitted,
            }
        })
        .collect();
    let dims = dimension_rows(&state.frameworks, &d.counts);
    let chart = script_json(&serde_json::json!({
        "dims": dims.iter().map(|d| d.label.clone()).collect::<Vec<_>>(),
        "done": dims.iter().map(|d| d.done).collect::<Vec<_>>(),
        "in_progress": dims.iter().map(|d| d.in_progress).collect::<Vec<_>>(),
        "overdue": dims.iter().map(|d| d.overdue).collect::<Vec<_>>(),
        "not_started": dims.iter().map(|d| d.not_started).collect::<Vec<_>>(),
    }));
    let late: Vec<TaskProgress> = d.tasks.iter().filter(|t| t.status == TaskStatus::Overdue).cloned().collect();
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
        report: d.report,
        report_state,
        locked: d.locked,
        can_submit: d.can_submit,
        can_return: d.can_return,
        chart,
        period: d.period.code(),
        periods: period_options(&d.choice),
        has_data: d.choice.has_data,
        latest: latest_with_data(&d.choice),
        agency: d.agency,
        unit: d.unit,
    };
    Ok(Html(page.render()?))
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

pub async fn submit(State(state): State<AppState>, me: CurrentUser, Form(f): Form<SubmitForm>) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let unit = state.store.unit_by_code(&me.scope, &f.unit).await?;
    let period = Period::parse(&f.period).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let agency_id = f.agency.parse::<i64>().ok();
    state.app.reports().submit(&me.scope, &unit, agency_id, period, &f.narrative).await?;
    Ok(Redirect::to(&format!("/reports?unit={}&period={}&agency={}", crate::auth::urlencode(&unit.code), period.code(), f.agency))
        .into_response())
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
