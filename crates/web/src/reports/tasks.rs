//! The task page, recording an update with evidence files, returning an update, downloading evidence.

use super::view::{ReasonForm, back_or};
use crate::auth::CurrentUser;
use crate::error::{AppError, PageError};
use crate::startup::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_app::{ErrorKind, Failure};
use chiso_core::access::Permission;
use chiso_core::progress::TaskStatus;
use chiso_core::unit::parse_date;
use chiso_store::progress::{NewEvidence, NewUpdate, UpdateWithEvidence};

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
    /// The update form as posted (kept after a refusal) and its field errors.
    form: crate::form::FormState,
}

impl TaskPage {
    fn status_label(&self, s: &TaskStatus) -> &'static str {
        s.label_vi()
    }
    fn when(&self, ms: &i64) -> String {
        crate::pages::format_ms(*ms)
    }
    /// A stored ISO date as a person reads it (dd/mm/yyyy).
    fn date_vn(&self, iso: &str) -> String {
        parse_date(iso).map(chiso_core::text::vn_date_short).unwrap_or_else(|| iso.to_string())
    }
}

async fn render_task(
    state: &AppState,
    me: &CurrentUser,
    id: i64,
    error: Option<String>,
    form: crate::form::FormState,
) -> Result<String, PageError> {
    let v = state.app.reports().task(&me.scope, id).await?;
    let page = TaskPage {
        b: me.base(&format!("Nhiệm vụ {}", v.task.row.code), "plans"),
        status_vi: TaskStatus::parse(&v.task.row.status).map(|s| s.label_vi()).unwrap_or("—"),
        can_update: me.scope.can(Permission::UpdateTasks),
        can_return: me.scope.can(Permission::Appraise),
        statuses: [TaskStatus::NotStarted, TaskStatus::InProgress, TaskStatus::Done, TaskStatus::CannotDo]
            .iter()
            .map(|s| (s.as_str(), s.label_vi()))
            .collect(),
        task: v.task,
        plan: v.plan,
        updates: v.updates,
        error,
        form,
    };
    Ok(page.render()?)
}

pub async fn task_page(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Html<String>, PageError> {
    Ok(Html(render_task(&state, &me, id, None, crate::form::FormState::empty()).await?))
}

/// A task update with its evidence files (multipart): at most `MAX_EVIDENCE_FILES` files of
/// `MAX_EVIDENCE_BYTES` each (`chiso_core::limits`). A refused field or
/// file, or a stale version, shows the task page again with the message.
pub async fn add_update(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    mut mp: crate::extract::Upload,
) -> Result<Response, PageError> {
    let mut f: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut files = Vec::new();
    while let Some(field) = mp.next_field("biểu mẫu không hợp lệ").await? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "files" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(AppError::multipart)?;
            if file_name.is_empty() && bytes.is_empty() {
                continue;
            }
            if files.len() >= chiso_core::limits::MAX_EVIDENCE_FILES {
                let n = chiso_core::limits::MAX_EVIDENCE_FILES;
                return Err(AppError::BadRequest(format!("tối đa {n} tệp kiểm chứng mỗi lần cập nhật")).into());
            }
            files.push(NewEvidence { file_name, bytes: bytes.to_vec() });
        } else {
            f.insert(name, field.text().await?);
        }
    }
    me.check_csrf(f.get("csrf").map(String::as_str).unwrap_or(""))?;
    let mut form = crate::form::FormState::posted(f);
    let status = TaskStatus::parse(&form.text("status"));
    if status.is_none() {
        form.field_error("status", "Hãy chọn trạng thái.");
    }
    let percent = match form.text("percent").as_str() {
        "" => None,
        p => match p.parse::<u8>() {
            Ok(n) if n <= 100 => Some(n),
            _ => {
                form.field_error("percent", format!("Tiến độ “{p}” không hợp lệ: nhập một số từ 0 đến 100."));
                None
            }
        },
    };
    let completed_on = match form.text("completed_on").as_str() {
        "" => None,
        d => parse_date(d).or_else(|| {
            form.field_error("completed_on", format!("Ngày hoàn thành “{d}” không hợp lệ (năm-tháng-ngày, vd. 2024-01-05)."));
            None
        }),
    };
    let narrative = form.text("narrative");
    if narrative.is_empty() {
        form.field_error("narrative", "Hãy nêu kết quả thực hiện.");
    }
    let version = form.text("version").parse::<i64>().ok();
    if version.is_none() {
        form.error("Thiếu phiên bản của nhiệm vụ; hãy tải lại trang.");
    }
    let (Some(status), Some(version), false) = (status, version, form.has_errors()) else {
        let html = render_task(&state, &me, id, None, form).await?;
        return Ok(crate::form::form_again(StatusCode::UNPROCESSABLE_ENTITY, html));
    };
    let new = NewUpdate { status, percent, completed_on, reason: Some(form.text("reason")).filter(|s| !s.is_empty()), narrative, files };
    match state.app.reports().add_update(&me.scope, id, new, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}")).into_response()),
        Err(e) if matches!(e.kind(), ErrorKind::Conflict | ErrorKind::Unprocessable) => {
            let status = if e.kind() == ErrorKind::Conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            form.error(e.to_string());
            Ok(crate::form::form_again(status, render_task(&state, &me, id, None, form).await?))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn return_update(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    state.app.reports().return_update(&me.scope, id, &f.reason).await?;
    Ok(Redirect::to(back_or(&f.back, "/")).into_response())
}

pub async fn download(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Response, PageError> {
    let (ev, bytes) = state.app.reports().evidence(&me.scope, id).await?;
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
