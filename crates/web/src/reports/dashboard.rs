//! The unit dashboard: task progress by dimension, overdue tasks, the caller's agency's open tasks, and how
//! the children reported.

use super::view::{ReportQuery, latest_with_data, pct, period_options};
use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::render::script_json;
use crate::startup::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use chiso_app::reports::{DimensionRow, dimension_rows};
use chiso_core::progress::{ReportState, TaskStatus};
use chiso_core::text::vn_date_short;
use chiso_store::progress::TaskProgress;
use chiso_store::units::Unit;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    b: crate::pages::Base,
    unit: Unit,
    units: Vec<Unit>,
    period_label: String,
    period: String,
    periods: Vec<(String, String)>,
    has_data: bool,
    latest: Option<(String, String)>,
    dims: Vec<DimensionRow>,
    overdue: Vec<TaskProgress>,
    mine: Vec<TaskProgress>,
    children: Vec<(String, String, String, u32, u32)>,
    completeness: String,
    timeliness: String,
    chart: String,
    report_due: String,
    report_state: String,
}

pub async fn dashboard(State(state): State<AppState>, me: CurrentUser, Query(q): Query<ReportQuery>) -> Result<Html<String>, PageError> {
    let d = state.app.reports().dashboard(&me.scope, me.user.agency_id, &q.unit, &q.period).await?;
    let dims = dimension_rows(&state.frameworks, &d.counts);
    let overdue: Vec<TaskProgress> = d.tasks.iter().filter(|t| t.status == TaskStatus::Overdue).cloned().collect();
    let status = &d.status;
    let children = status
        .children
        .iter()
        .map(|l| {
            let sub = if d.returned.contains(&l.code) {
                "Đã trả lại — cần sửa".to_string()
            } else {
                l.own_report.as_ref().map(|o| o.submission.label_vi()).unwrap_or("—").to_string()
            };
            (
                l.name.clone(),
                sub,
                l.own_report.as_ref().map(|o| vn_date_short(o.due)).unwrap_or_default(),
                l.tasks.by_status.total(),
                l.tasks.by_status.done_all(),
            )
        })
        .collect();
    let chart = script_json(&serde_json::json!({
        "dims": dims.iter().map(|d| d.label.clone()).collect::<Vec<_>>(),
        "done": dims.iter().map(|d| d.done).collect::<Vec<_>>(),
        "in_progress": dims.iter().map(|d| d.in_progress).collect::<Vec<_>>(),
        "overdue": dims.iter().map(|d| d.overdue).collect::<Vec<_>>(),
        "not_started": dims.iter().map(|d| d.not_started).collect::<Vec<_>>(),
        "completeness": status.unit.reports.completeness().map(|x| (x * 100.0).round()),
        "timeliness": status.unit.reports.timeliness().map(|x| (x * 100.0).round()),
    }));
    let page = DashboardPage {
        b: me.base("Bảng điều khiển", "dashboard"),
        units: d.units,
        period_label: d.period.label_vi_title(),
        period: d.period.code(),
        periods: period_options(&d.choice),
        has_data: d.choice.has_data,
        latest: latest_with_data(&d.choice),
        dims,
        overdue,
        mine: d.mine,
        children,
        completeness: pct(status.unit.reports.completeness()),
        timeliness: pct(status.unit.reports.timeliness()),
        chart,
        report_due: status.unit.own_report.as_ref().map(|o| vn_date_short(o.due)).unwrap_or_default(),
        report_state: match d.own.map(|r| r.status) {
            Some(ReportState::Submitted) => "đã gửi".into(),
            Some(ReportState::Returned) => "đã trả lại — cần sửa".into(),
            None => "chưa gửi".into(),
        },
        unit: d.unit,
    };
    Ok(Html(page.render()?))
}
