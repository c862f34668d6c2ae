//! Editing a task (with the other person's version shown on a conflict) and the task library page.

use crate::auth::CurrentUser;
use crate::error::PageError;
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
}

/// The edit page of a task as stored now, with an error message when a save was refused.
async fn render_task_edit(state: &AppState, me: &CurrentUser, id: i64, error: Option<String>) -> Result<String, PageError> {
    let task = state.store.task(&me.scope, id).await?;
    let plan = state.store.plan(&me.scope, task.row.plan_id).await?;
    let page = TaskEditPage {
        b: me.base(&format!("Nhiệm vụ {}", task.row.code), "plans"),
        nodes: task.nodes.join(", "),
        coordinating: task.coordinating_agencies.join("; "),
        task,
        plan,
        error,
    };
    Ok(page.render()?)
}

pub async fn task_edit_page(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Html<String>, PageError> {
    render_task_edit(&state, &me, id, None).await.map(Html)
}

#[derive(Deserialize)]
pub struct TaskForm {
    csrf: String,
    version: i64,
    text: String,
    lead_agency: String,
    coordinating: String,
    expected_result: String,
    due_date: String,
    due_text: String,
    recurrence: String,
    task_group: String,
    nodes: String,
}

pub async fn task_edit_submit(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<TaskForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let edit = TaskEdit {
        text: f.text,
        lead_agency: f.lead_agency,
        coordinating: f.coordinating,
        expected_result: f.expected_result,
        due_date: f.due_date,
        due_text: f.due_text,
        recurrence: f.recurrence,
        task_group: f.task_group,
        nodes: f.nodes,
    };
    match uc::edit_task(&state.app, &me.scope, id, &edit, f.version).await {
        Ok(t) => Ok(Redirect::to(&format!("/plans/{}#task-{}", t.row.plan_id, t.row.id)).into_response()),
        Err(e @ (TaskEditError::Conflict(_) | TaskEditError::Invalid(_))) => {
            // Show the stored version with the message; the user's text stays in the message.
            let status = if matches!(e, TaskEditError::Invalid(_)) { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::CONFLICT };
            let typed: String = edit.text.chars().take(300).collect();
            let html = render_task_edit(&state, &me, id, Some(format!("{e}. Nội dung bạn vừa nhập: «{typed}»"))).await?;
            Ok((status, Html(html)).into_response())
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
}

pub async fn library(State(state): State<AppState>, me: CurrentUser, Query(q): Query<LibraryQuery>) -> Result<Html<String>, PageError> {
    let query = TaskQuery::new(&q.q, &q.node);
    // The page lists nothing until something is asked.
    let hits = if query.is_empty() { Vec::new() } else { uc::search_tasks(&state.app, &me.scope, &query).await? };
    let mut dimensions = Vec::new();
    for fw in state.frameworks.frameworks() {
        for d in &fw.root().children {
            dimensions.push((d.code.clone(), format!("{} – {}", fw.code.to_uppercase(), d.name_vi)));
            for s in &d.children {
                dimensions.push((s.code.clone(), format!("   {} {}", s.code, s.name_vi)));
            }
        }
    }
    let page = LibraryPage { b: me.base("Thư viện nhiệm vụ", "library"), q: query.text, node: query.node, hits, dimensions };
    Ok(Html(page.render()?))
}
