//! Plan pages and API: the list and document import (`list`), the plan page with its checklist and cascade,
//! issuing and child plans (`detail`), task edits and the task library (`tasks`), exports (`export`), the
//! JSON API (`api`), and drafting next year's plan from results (`draft`). Handlers only extract, call one
//! use case of `chiso_app::plans` and render.

mod api;
mod detail;
mod draft;
mod export;
mod list;
mod review;
mod tasks;

use crate::startup::AppState;
use axum::Router;
use axum::routing::{get, post};

pub use api::routes as api_routes;
pub use list::PLAN_UPLOAD_LIMIT;

/// Kept here for the report pages, which label tasks by dimension the same way.
pub use chiso_core::plan::dimension_label;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plans", get(list::list))
        .route(
            "/plans/import",
            post(list::import_upload)
                .layer(axum::extract::DefaultBodyLimit::max(chiso_core::limits::upload_body_limit(1, list::PLAN_UPLOAD_LIMIT))),
        )
        .route("/plans/{id}", get(detail::detail))
        .route("/plans/{id}/issue", post(detail::issue))
        .route("/plans/{id}/children", post(detail::create_child))
        .route("/plans/{id}/parent", post(detail::set_parent))
        .route("/plans/{id}/export/{format}", get(export::export))
        .route("/plans/{id}/review", get(review::review_page).post(review::review_submit))
        .route("/tasks/{id}/edit", get(tasks::task_edit_page).post(tasks::task_edit_submit))
        .route("/library", get(tasks::library))
        .route("/results/{fw}/{year}/units/{code}/draft-plan", post(draft::draft_plan_form))
}
