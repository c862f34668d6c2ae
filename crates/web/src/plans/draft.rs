//! Drafting next year's plan from a unit's results: from the results page (form) and the API.

use crate::auth::CurrentUser;
use crate::error::{ApiError, PageError};
use crate::startup::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chiso_app::plans as uc;
use chiso_store::plans::Plan;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct CsrfOnlyForm {
    csrf: String,
}

pub async fn draft_plan_form(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((fw, year, code)): Path<(String, i32, String)>,
    Form(f): Form<CsrfOnlyForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let plan = uc::draft_next_plan(&state.app, &me.scope, &fw, &code, year).await?;
    Ok(Redirect::to(&format!("/plans/{}", plan.id)).into_response())
}

pub async fn draft_plan_api(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    Path((fw, year, code)): Path<(String, i32, String)>,
) -> Result<(StatusCode, Json<Plan>), ApiError> {
    me.check_csrf(headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or(""))?;
    let plan = uc::draft_next_plan(&state.app, &me.scope, &fw, &code, year).await?;
    Ok((StatusCode::CREATED, Json(plan)))
}
