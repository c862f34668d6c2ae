//! Editing a task (with the other person's version shown on a conflict) and the task library page.

use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::extract::PageQuery;
use crate::form::form_again;
use crate::lists::{ListFilters, ListNav, ListQuery};
use crate::startup::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_app::plans::{self as uc, TaskEdit, TaskEditError, TaskPicks, TaskQuery};
use chiso_core::list::Paged;
use chiso_store::plans::{LibraryHit, Plan, Task, TaskColumn, TaskFilter};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "task_edit.html")]
struct TaskEditPage {
    b: crate::pages::Base,
    task: Task,
    plan: Plan,
    /// The pick lists (agencies of the plan's unit, names carried as written, framework nodes) and what is
    /// chosen now.
    p: TaskPicks,
    error: Option<String>,
    /// The form as posted (kept after a refusal) and its field errors.
    form: crate::form::FormState,
}

impl TaskEditPage {
    fn lead_chosen(&self, value: &str) -> bool {
        self.form.chosen("lead_agency", value, &self.p.lead_value)
    }
    fn coordinating_chosen(&self, value: &str) -> bool {
        self.form.picked("coordinating", value, &self.p.coordinating_values)
    }
    fn node_chosen(&self, value: &str) -> bool {
        self.form.picked("nodes", value, &self.task.nodes)
    }
    /// Values posted for a pick list that it does not offer (a refused agency or code), kept on the page.
    fn posted_unknown(&self, field: &str) -> Vec<String> {
        let known: Vec<&str> = match field {
            "nodes" => self.p.nodes.iter().map(|o| o.value.as_str()).collect(),
            _ => self.p.agencies.iter().chain(self.p.written.iter()).map(|o| o.value.as_str()).collect(),
        };
        self.form.unknown(field, &known)
    }
}

/// The edit page of a task as stored now, with an error message when a save was refused.
async fn render_task_edit(
    state: &AppState,
    me: &CurrentUser,
    id: i64,
    error: Option<String>,
    form: crate::form::FormState,
) -> Result<String, PageError> {
    let p = uc::task_picks(&state.app, &me.scope, id).await?;
    let page = TaskEditPage {
        b: me.base(&format!("Nhiệm vụ {}", p.task.row.code), "plans"),
        task: p.task.clone(),
        plan: p.plan.clone(),
        p,
        error,
        form,
    };
    Ok(page.render()?)
}

pub async fn task_edit_page(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Html<String>, PageError> {
    render_task_edit(&state, &me, id, None, crate::form::FormState::empty()).await.map(Html)
}

/// The form: `csrf`, `version`, the text fields, `lead_agency` (one pick list value), `coordinating` and
/// `nodes` (once per chosen option; a plain text of codes separated by ',' is read too).
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
        coordinating: form.all("coordinating"),
        expected_result: field("expected_result"),
        due_date: field("due_date"),
        due_text: field("due_text"),
        recurrence: field("recurrence"),
        task_group: field("task_group"),
        nodes: form.all("nodes").join(","),
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
        Err(TaskEditError::InvalidFields(fields)) => {
            for (field, message) in fields {
                form.field_error(field, message);
            }
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
    q: LibraryPageQuery,
    /// The plan whose tasks are listed, when one is asked for.
    plan: Option<Plan>,
    hits: Vec<LibraryHit>,
    dimensions: Vec<(String, String)>,
    unit_options: Vec<(String, String)>,
    nav: ListNav,
    errors: Vec<String>,
    fw: std::sync::Arc<chiso_core::framework::FrameworkSet>,
}

impl LibraryPage {
    /// A framework node as a person reads it (its number and name, not its code).
    fn node(&self, code: &str) -> String {
        crate::labels::node(&self.fw, code)
    }
}

/// The library page's query: the API's search plus unit, year, sort and page.
#[derive(Deserialize, Default, Clone)]
pub struct LibraryPageQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub node: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub year: String,
    /// Tasks of one plan (its id).
    #[serde(default)]
    pub plan: String,
    /// Sort and page.
    #[serde(flatten)]
    pub list: ListQuery,
}

impl ListFilters for LibraryPageQuery {
    fn filters(&self) -> Vec<(&'static str, String)> {
        vec![
            ("q", self.q.clone()),
            ("node", self.node.clone()),
            ("unit", self.unit.clone()),
            ("year", self.year.clone()),
            ("plan", self.plan.clone()),
        ]
    }
}

pub async fn library(
    State(state): State<AppState>,
    me: CurrentUser,
    PageQuery(q): PageQuery<LibraryPageQuery>,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let (page, sort) = q.list.parse(TaskColumn::NEWEST, &mut errors);
    let query = TaskQuery::new(&q.q, &q.node);
    let year = match q.year.trim() {
        "" => None,
        y => match y.parse::<i64>() {
            Ok(n) if (1990..=2100).contains(&n) => Some(n),
            _ => {
                errors.push(format!("Năm '{y}' không hợp lệ (vd. 2022)."));
                None
            }
        },
    };
    let unit_code = crate::pages::check_unit_filter(&state, &me, &q.unit, &mut errors).await;
    // A plan outside the scope is refused like a unit outside it.
    let plan = match q.plan.trim() {
        "" => None,
        p => match p.parse::<i64>() {
            Ok(id) => match state.store.plan(&me.scope, id).await {
                Ok(p) => Some(p),
                Err(_) => {
                    errors.push(format!("Không có kế hoạch số {id} trong phạm vi của bạn."));
                    None
                }
            },
            Err(_) => {
                errors.push(format!("Mã kế hoạch '{p}' không hợp lệ."));
                None
            }
        },
    };
    let filter = TaskFilter {
        text: Some(query.text.clone()).filter(|s| !s.trim().is_empty()),
        node: Some(query.node.clone()).filter(|s| !s.is_empty()),
        unit_code,
        year,
        plan_id: plan.as_ref().map(|p| p.id),
    };
    let paged = if errors.is_empty() {
        uc::tasks_page(&state.app, &me.scope, &filter, sort, page).await?
    } else {
        Paged { items: Vec::new(), total: 0, page: 1, size: page.size }
    };
    // Links keep the node as understood (a code typed in any case).
    let q = LibraryPageQuery { node: query.node.clone(), ..q };
    let nav = ListNav::of("/library", &q, sort, TaskColumn::NEWEST, &paged);
    let mut dimensions = Vec::new();
    for fw in state.frameworks.frameworks() {
        for d in &fw.root().children {
            dimensions.push((d.code.clone(), format!("{} – {}", crate::labels::family(&fw.code), d.name_vi)));
            for s in &d.children {
                dimensions.push((s.code.clone(), format!("   {} — {}", chiso_core::plan::node_short(&s.code), s.name_vi)));
            }
        }
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let unit_options = crate::pages::unit_choices(&state, &me, &q.unit).await?;
    let page = LibraryPage {
        b: me.base("Thư viện nhiệm vụ", "library"),
        q,
        plan,
        hits: paged.items,
        dimensions,
        unit_options,
        nav,
        errors,
        fw: state.frameworks.clone(),
    };
    Ok((status, Html(page.render()?)).into_response())
}
