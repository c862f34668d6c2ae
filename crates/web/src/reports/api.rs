//! `GET /api/v1/reports/status?unit=CODE&period=2022-H1[&as_of=YYYY-MM-DD]`: the report status document.

use crate::auth::CurrentUser;
use crate::error::{ApiError, AppError};
use crate::startup::AppState;
use axum::Json;
use axum::extract::{Query, State};
use chiso_core::progress::ReportStatus;
use chiso_core::unit::parse_date;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct StatusQuery {
    unit: String,
    period: String,
    #[serde(default)]
    as_of: String,
}

pub async fn status(State(state): State<AppState>, me: CurrentUser, Query(q): Query<StatusQuery>) -> Result<Json<ReportStatus>, ApiError> {
    let as_of = if q.as_of.is_empty() {
        None
    } else {
        Some(parse_date(&q.as_of).ok_or_else(|| AppError::BadRequest(format!("ngày '{}' không hợp lệ", q.as_of)))?)
    };
    Ok(Json(state.app.reports().status(&me.scope, &q.unit, &q.period, as_of).await?))
}
