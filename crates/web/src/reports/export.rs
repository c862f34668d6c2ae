//! The report of a unit for a period as a Word or Excel file.

use super::view::ReportQuery;
use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::startup::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

pub async fn export(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(format): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let file = state.app.reports().export(&me.scope, &q.unit, &q.period, &format).await?;
    let disposition = format!("attachment; filename=\"{}\"", file.file_name);
    Ok(([(header::CONTENT_TYPE, file.mime.to_string()), (header::CONTENT_DISPOSITION, disposition)], file.bytes).into_response())
}
