//! "Việc của tôi": the page (`/my-work`) and the section the home page opens with. The work is gathered by
//! `chiso_app::my_work`; here it is only put in words and links.

use crate::auth::CurrentUser;
use crate::error::{AppError, PageError};
use crate::startup::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use chiso_app::my_work::{MyWork, due_text};
use chiso_core::period::Period;
use chiso_core::progress::TaskStatus;
use chiso_core::text::{vn_date_long, vn_date_short};

/// One line of a list: what, with its link, and the details beside it.
pub struct WorkLine {
    pub link: String,
    pub title: String,
    pub detail: String,
    /// A short status ("Quá hạn", "Bị trả lại") and its CSS class.
    pub flag: String,
    pub css: &'static str,
}

/// What the section shows, in words.
pub struct MyWorkView {
    pub today: String,
    pub has_unit: bool,
    pub returned: Vec<WorkLine>,
    pub tasks: Vec<WorkLine>,
    pub tasks_total: usize,
    pub reports: Vec<WorkLine>,
    pub received: Vec<WorkLine>,
    pub sheets: Vec<WorkLine>,
    pub updates_tasks: bool,
    pub submits_reports: bool,
    pub reviews: bool,
    pub nothing: bool,
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n).collect::<String>()) }
}

impl MyWorkView {
    pub fn from(w: MyWork) -> MyWorkView {
        let task_line = |t: &chiso_app::my_work::TaskItem| {
            let (flag, css) = match (&t.returned_reason, t.status) {
                (Some(_), _) => ("Bị trả lại".to_string(), "st-overdue"),
                (None, TaskStatus::Overdue) => (t.status.label_vi().to_string(), "st-overdue"),
                (None, s) => (s.label_vi().to_string(), "st-progress"),
            };
            let mut detail = format!("Hạn: {} · {}", due_text(t.due), short(&t.plan_title, 80));
            if let Some(r) = &t.returned_reason {
                detail = format!("Lý do trả lại: {r} · {detail}");
            }
            WorkLine { link: format!("/tasks/{}", t.task_id), title: format!("{}. {}", t.code, short(&t.text, 160)), detail, flag, css }
        };
        let returned: Vec<WorkLine> = w.returned_updates.iter().map(task_line).collect();
        let tasks: Vec<WorkLine> = w.tasks.iter().map(task_line).collect();
        let reports: Vec<WorkLine> = w
            .reports
            .iter()
            .map(|r| WorkLine {
                link: r.link.clone(),
                title: format!("Báo cáo {}", r.period_label),
                detail: match &r.returned_reason {
                    Some(reason) => {
                        format!("Lý do trả lại: {reason} · Hạn gửi: {} (gửi lại được cả sau khi kỳ đã khóa)", vn_date_short(r.due))
                    }
                    None => format!("Hạn gửi: {}", vn_date_short(r.due)),
                },
                flag: if r.returned { "Đã trả lại — cần sửa".into() } else { "Chưa gửi".into() },
                css: if r.returned { "st-overdue" } else { "st-progress" },
            })
            .collect();
        let received: Vec<WorkLine> = w
            .received
            .iter()
            .map(|r| {
                let who = match &r.agency_name {
                    Some(a) => a.clone(),
                    None => r.unit_name.clone(),
                };
                let label = Period::parse(&r.period).map(|p| p.label_vi()).unwrap_or_else(|_| r.period.clone());
                WorkLine {
                    link: format!("/reports/{}", r.id),
                    title: format!("Báo cáo {label} của {who}"),
                    detail: format!("Gửi lúc {}", r.submitted_at.map(crate::pages::format_ms).unwrap_or_default()),
                    flag: "Đã gửi".into(),
                    css: "st-done",
                }
            })
            .collect();
        let sheets: Vec<WorkLine> = w
            .sheets
            .iter()
            .map(|s| WorkLine {
                link: format!("/assessments/{}", s.id),
                title: format!("Phiếu chấm điểm {} năm {} của {}", s.framework, s.year, s.unit_name),
                detail: format!("Việc cần làm: {}", s.steps.join(", ")),
                flag: s.status_vi.to_string(),
                css: "st-progress",
            })
            .collect();
        let nothing = returned.is_empty() && tasks.is_empty() && reports.is_empty() && received.is_empty() && sheets.is_empty();
        MyWorkView {
            today: w.today.map(vn_date_long).unwrap_or_default(),
            has_unit: w.unit.is_some(),
            returned,
            tasks,
            tasks_total: w.tasks_total,
            reports,
            received,
            sheets,
            updates_tasks: w.updates_tasks,
            submits_reports: w.submits_reports,
            reviews: w.reviews,
            nothing,
        }
    }
}

/// The work of the logged-in person, in words.
pub async fn view_of(state: &AppState, me: &CurrentUser) -> Result<MyWorkView, AppError> {
    Ok(MyWorkView::from(chiso_app::my_work::my_work(&state.app, &me.scope, &me.user).await?))
}

#[derive(Template)]
#[template(path = "my_work.html")]
struct MyWorkPage {
    b: crate::pages::Base,
    w: MyWorkView,
}

pub async fn my_work(State(state): State<AppState>, me: CurrentUser) -> Result<Html<String>, PageError> {
    let w = view_of(&state, &me).await?;
    Ok(Html(MyWorkPage { b: me.base(me.lang.t("my_work"), "my_work"), w }.render()?))
}
