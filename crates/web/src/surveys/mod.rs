//! Citizen surveys (issue 6), over HTTP: the survey list and creation (questionnaire TOML), the survey page
//! (questionnaire, invitations — links and QR codes shown once, when made —, responses per unit and group, import from CSV/XLSX),
//! the estimates page (intervals, small-sample warnings, radar chart beside the official results), the
//! public form `/s/{token}` (no login, one answer per token), and the JSON API.
//!
//! Handlers extract (user, CSRF, form fields), call one use case of `chiso_app::surveys`, and render.

mod api;
mod builder;
mod detail;
mod estimates;
mod import;
mod invitations;
mod list;
mod public_form;
mod render;

use crate::startup::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

/// Response files uploaded on the survey page: at most 64 MB (larger files: `chiso survey import`).
pub const IMPORT_LIMIT: usize = chiso_core::limits::MAX_RESPONSES_FILE_BYTES;

pub use api::routes as api_routes;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/surveys", get(list::list).post(list::create))
        .route("/surveys/sample-questionnaire.toml", get(list::sample_questionnaire))
        .route("/surveys/{id}", get(detail::detail))
        .route("/surveys/{id}/questionnaire.toml", get(detail::export_questionnaire))
        .route("/surveys/{id}/questionnaire", get(builder::builder_page).post(builder::builder_post))
        .route(
            "/surveys/{id}/questionnaire/import",
            post(builder::import_toml)
                .layer(DefaultBodyLimit::max(chiso_core::limits::upload_body_limit(1, chiso_core::limits::MAX_QUESTIONNAIRE_BYTES))),
        )
        .route("/surveys/{id}/template.csv", get(detail::template_csv))
        .route("/surveys/{id}/sample.csv", get(detail::sample_csv))
        .route("/surveys/{id}/status", post(detail::set_status))
        .route("/surveys/{id}/invitations", post(invitations::invite))
        .route("/surveys/{id}/invitations/revoke", post(invitations::revoke_unused))
        .route(
            "/surveys/{id}/responses",
            post(import::import_upload).layer(DefaultBodyLimit::max(chiso_core::limits::upload_body_limit(1, IMPORT_LIMIT))),
        )
        .route("/surveys/{id}/estimates", get(estimates::estimates_page).post(estimates::compute))
        .route("/surveys/{id}/sheet", post(estimates::fill_sheet))
        .route("/s/{token}", get(public_form::form_page).post(public_form::form_submit))
        .route("/s/{token}/done", get(public_form::form_done))
}
