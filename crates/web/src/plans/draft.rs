//! Drafting next year's plan from a unit's results, from the results page (form); the API twin is
//! `api::draft_plan_api`.

use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::startup::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chiso_app::plans as uc;
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
