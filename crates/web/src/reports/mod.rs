//! Progress and periodic reports over HTTP: task updates with evidence, returns for correction, the unit's
//! report for a period (submitted on time or late), the parent's view of its children, the report status
//! API, exports, the dashboard and notifications. Every use case is `chiso_app::reports`; these modules
//! parse requests and render.

mod api;
mod children;
mod dashboard;
mod export;
mod notifications;
mod overview;
mod report_page;
mod tasks;
mod view;

use crate::startup::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use chiso_core::limits::{MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FILES, upload_body_limit};

pub use api::routes as api_routes;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", get(report_page::report_page))
        .route("/reports/submit", post(report_page::submit))
        .route("/reports/{id}", get(report_page::report_view))
        .route("/reports/{id}/return", post(report_page::return_report))
        .route("/reports/export/{format}", get(export::export))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/overview", get(overview::overview))
        .route("/tasks/{id}", get(tasks::task_page))
        .route(
            "/tasks/{id}/updates",
            post(tasks::add_update).layer(DefaultBodyLimit::max(upload_body_limit(MAX_EVIDENCE_FILES, MAX_EVIDENCE_BYTES))),
        )
        .route("/updates/{id}/return", post(tasks::return_update))
        .route("/evidence/{id}", get(tasks::download))
        .route("/notifications", get(notifications::notifications).post(notifications::notifications_read))
}
