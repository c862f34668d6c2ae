//! The overview of a unit's children (`/overview?unit=CODE&period=P`; `unit=toan-quoc` or, for a scope
//! reaching everything, no unit: the whole country): one sortable line per province or commune with its plans,
//! tasks by dimension and reports, a totals line and a chart. The use case is `chiso_app::reports::overview`.

use super::view::{ReportQuery, period_options};
use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::render::script_json;
use crate::startup::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use chiso_app::reports::{NATIONAL, dimension_rows};
use chiso_core::progress::{PlanIssueCounts, StatusCounts, SubmissionCounts, TaskCounts, task_shares};
use chiso_core::text::{vn_date_short, vn_number};

/// A share in percent for a cell: its text ("45,5%") and its value for sorting (-1 when there is none).
pub struct Share {
    pub text: String,
    pub value: String,
}

fn share(x: Option<f64>) -> Share {
    match x {
        Some(v) => Share { text: format!("{}%", vn_number(v, 1)), value: format!("{v:.3}") },
        None => Share { text: "—".into(), value: "-1".into() },
    }
}

/// One dimension's cell: % done · in progress · overdue.
pub struct DimCell {
    pub done: Share,
    pub in_progress: Share,
    pub overdue: Share,
}

/// One line of the table (also the totals line).
pub struct Row {
    pub code: String,
    pub name: String,
    pub plan: String,
    pub plans_expected: u32,
    pub plans_on_time: u32,
    pub plans_late: u32,
    pub plans_not_issued: u32,
    pub plans_share: Share,
    pub tasks: u32,
    pub done: Share,
    pub in_progress: Share,
    pub overdue: Share,
    pub dims: Vec<DimCell>,
    pub own_report: String,
    pub on_time: u32,
    pub late: u32,
    pub missing: u32,
    pub completeness: Share,
    pub timeliness: Share,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    b: crate::pages::Base,
    title: String,
    /// The code of the unit looked at (`toan-quoc` for the whole country).
    unit: String,
    national: bool,
    child_label: String,
    period_label: String,
    period: String,
    periods: Vec<(String, String)>,
    as_of: String,
    computed_at: String,
    report_due: String,
    dims: Vec<String>,
    rows: Vec<Row>,
    total: Row,
    chart: String,
}

fn shares(c: &StatusCounts) -> (Share, Share, Share) {
    match task_shares(c) {
        Some((d, i, o)) => (share(Some(d)), share(Some(i)), share(Some(o))),
        None => (share(None), share(None), share(None)),
    }
}

/// What names a line: its unit's code and name, its own plan's and own report's state.
struct Head {
    code: String,
    name: String,
    plan: String,
    own: String,
}

fn row(head: Head, plans: &PlanIssueCounts, tasks: &TaskCounts, dims: &[String], r: &SubmissionCounts) -> Row {
    let Head { code, name, plan, own } = head;
    let (done, in_progress, overdue) = shares(&tasks.by_status);
    Row {
        code,
        name,
        plan,
        plans_expected: plans.expected,
        plans_on_time: plans.on_time + plans.no_deadline,
        plans_late: plans.late,
        plans_not_issued: plans.draft + plans.missing,
        plans_share: share(plans.on_time_share().map(|x| x * 100.0)),
        tasks: tasks.by_status.total(),
        done,
        in_progress,
        overdue,
        dims: dims
            .iter()
            .map(|d| {
                let (done, in_progress, overdue) =
                    tasks.by_dimension.get(d).map(shares).unwrap_or_else(|| shares(&StatusCounts::default()));
                DimCell { done, in_progress, overdue }
            })
            .collect(),
        own_report: own,
        on_time: r.on_time,
        late: r.late,
        missing: r.missing,
        completeness: share(r.completeness().map(|x| x * 100.0)),
        timeliness: share(r.timeliness().map(|x| x * 100.0)),
    }
}

pub async fn overview(State(state): State<AppState>, me: CurrentUser, Query(q): Query<ReportQuery>) -> Result<Html<String>, PageError> {
    let o = state.app.reports().overview(&me.scope, &q.unit, &q.period).await?;
    // Dimensions in the framework's order, as the dashboard lists them.
    let dim_rows = dimension_rows(&state.frameworks, &o.tasks);
    let dims: Vec<String> = dim_rows.iter().map(|d| d.code.clone()).collect();
    let rows: Vec<Row> = o
        .lines
        .iter()
        .map(|(_, l)| {
            let own = l.own_report.map(|s| s.label_vi().to_string()).unwrap_or_else(|| "—".into());
            let head = Head { code: l.code.clone(), name: l.name.clone(), plan: l.plan.label_vi().to_string(), own };
            row(head, &l.plans, &l.tasks, &dims, &l.reports)
        })
        .collect();
    let head = Head { code: String::new(), name: "Tổng cộng".into(), plan: String::new(), own: String::new() };
    let total = row(head, &o.plans, &o.tasks, &dims, &o.reports);
    let chart = script_json(&serde_json::json!({
        "period": o.period.code(),
        "points": o.lines.iter().map(|(_, l)| serde_json::json!({
            "code": l.code,
            "name": l.name,
            "done": task_shares(&l.tasks.by_status).map(|s| (s.0 * 10.0).round() / 10.0),
            "overdue": task_shares(&l.tasks.by_status).map(|s| (s.2 * 10.0).round() / 10.0),
            "timeliness": l.reports.timeliness().map(|x| (x * 1000.0).round() / 10.0),
        })).collect::<Vec<_>>(),
    }));
    let (title, unit, national, child_label) = match &o.root {
        Some(u) => (format!("Tổng quan — {}", u.name), u.code.clone(), false, "xã, phường".to_string()),
        None => ("Tổng quan toàn quốc".to_string(), NATIONAL.to_string(), true, "tỉnh, thành phố".to_string()),
    };
    let page = OverviewPage {
        b: me.base("Tổng quan", "overview"),
        title,
        unit,
        national,
        child_label,
        period_label: o.period.label_vi_title(),
        period: o.period.code(),
        periods: period_options(&o.choice),
        as_of: vn_date_short(o.as_of),
        // "dd/mm/yyyy HH:MM", Vietnam time, as every timestamp of the pages.
        computed_at: crate::pages::format_ms(o.computed_at_ms),
        report_due: o
            .scheduled
            .dues
            .iter()
            .map(|d| {
                let level = chiso_core::unit::DEFAULT_LEVELS.iter().find(|l| l.0 == d.level).map(|l| l.1).unwrap_or("Đơn vị");
                format!("{level} {}", vn_date_short(d.due))
            })
            .collect::<Vec<_>>()
            .join("; "),
        dims: dim_rows.iter().map(|d| d.label.clone()).collect(),
        rows,
        total,
        chart,
    };
    Ok(Html(page.render()?))
}
