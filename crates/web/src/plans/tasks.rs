//! Editing a task (with the other person's version shown on a conflict) and the task library page.

use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::form::form_again;
use crate::startup::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_app::plans::{self as uc, TaskEdit, TaskEditError, TaskQuery};
use chiso_store::plans::{LibraryHit, Plan, Task};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "task_edit.html")]
struct TaskEditPage {
    b: crate::pages::Base,
    task: Task,
    plan: Plan,
    nodes: String,
    coordinating: String,
    error: Option<String>,
    /// The form as posted (kept after a refusal) and its field errors.
    form: crate::form::FormState,
}

/// The edit page of a task as stored now, with an error message when a save was refused.
async fn render_task_edit(
    state: &AppState,
    me: &CurrentUser,
    id: i64,
    error: Option<String>,
    form: crate::form::FormState,
) -> Result<String, PageError> {
    let task = state.store.task(&me.scope, id).await?;
    let plan = state.store.plan(&me.scope, task.row.plan_id).await?;
    let page = TaskEditPage {
        b: me.base(&format!("Nhiệm vụ {}", task.row.code), "plans"),
        nodes: task.nodes.join(", "),
        coordinating: task.coordinating_agencies.join("; "),
        task,
        plan,
        error,
        form,
    };
    Ok(page.render()?)
}

pub async fn task_edit_page(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Html<String>, PageError> {
    render_task_edit(&state, &me, id, None, crate::form::FormState::empty()).await.map(Html)
}

pub async fn task_edit_submit(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(list): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let mut form = crate::form::FormState::posted(list.iter().cloned());
    let csrf = list.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or("");
    me.check_csrf(csrf)?;
    let field = |k: &str| form.get(k).unwrap_or("").to_string();
    let edit = TaskEdit {
        text: field("text"),
        lead_agency: field("lead_agency"),
        coordinating: field("coordinating"),
        expected_result: field("expected_result"),
        due_date: field("due_date"),
        due_text: field("due_text"),
        recurrence: field("recurrence"),
        task_group: field("task_group"),
        nodes: field("nodes"),
    };
    let Ok(version) = form.text("version").parse::<i64>() else {
        form.error("Thiếu phiên bản của nhiệm vụ; hãy tải lại trang.");
        return Ok(form_again(StatusCode::UNPROCESSABLE_ENTITY, render_task_edit(&state, &me, id, None, form).await?));
    };
    match uc::edit_task(&state.app, &me.scope, id, &edit, version).await {
        Ok(t) => Ok(Redirect::to(&format!("/plans/{}#task-{}", t.row.plan_id, t.row.id)).into_response()),
        Err(TaskEditError::InvalidField { field, message }) => {
            form.field_error(field, message);
            Ok(form_again(StatusCode::UNPROCESSABLE_ENTITY, render_task_edit(&state, &me, id, None, form).await?))
        }
        Err(TaskEditError::Invalid(m)) => {
            form.error(m);
            Ok(form_again(StatusCode::UNPROCESSABLE_ENTITY, render_task_edit(&state, &me, id, None, form).await?))
        }
        Err(TaskEditError::Conflict(m)) => {
            // Someone else saved first: the page shows their version, with what this person typed in the message.
            let typed: String = edit.text.chars().take(300).collect();
            let html =
                render_task_edit(&state, &me, id, Some(format!("{m}. Nội dung bạn vừa nhập: «{typed}»")), crate::form::FormState::empty())
                    .await?;
            Ok(form_again(StatusCode::CONFLICT, html))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LibraryQuery {
    /// Từ khóa, tìm không dấu.
    #[serde(default)]
    pub q: String,
    /// Mã nút bộ chỉ số (vd. `papi.d5`).
    #[serde(default)]
    pub node: String,
}

#[derive(Template)]
#[template(path = "library.html")]
struct LibraryPage {
    b: crate::pages::Base,
    q: String,
    node: String,
    hits: Vec<LibraryHit>,
    dimensions: Vec<(String, String)>,
    fw: std::sync::Arc<chiso_core::framework::FrameworkSet>,
}

impl LibraryPage {
    fn node(&self, code: &str) -> String {
        crate::labels::node(&self.fw, code)
    }
}

pub async fn library(State(state): State<AppState>, me: CurrentUser, Query(q): Query<LibraryQuery>) -> Result<Html<String>, PageError> {
    let query = TaskQuery::new(&q.q, &q.node);
    // The page lists nothing until something is asked.
    let hits = if query.is_empty() { Vec::new() } else { uc::search_tasks(&state.app, &me.scope, &query).await? };
    let mut dimensions = Vec::new();
    for fw in state.frameworks.frameworks() {
        for d in &fw.root().children {
            dimensions.push((d.code.clone(), format!("{} – {}", crate::labels::family(&fw.code), d.name_vi)));
            for s in &d.children {
                dimensions.push((s.code.clone(), format!("   {} — {}", chiso_core::plan::node_short(&s.code), s.name_vi)));
            }
        }
    }
    let page = LibraryPage {
        b: me.base("Thư viện nhiệm vụ", "library"),
        q: query.text,
        node: query.node,
        hits,
        dimensions,
        fw: state.frameworks.clone(),
    };
    Ok(Html(page.render()?))
}
