//! Downloading a plan as DOCX, XLSX or PDF.

use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::startup::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chiso_app::plans::{self as uc, ExportFormat};

pub async fn export(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((id, format)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let format = ExportFormat::parse(&format)?;
    let out = uc::export_plan(&state.app, &me.scope, id, format).await?;
    let disposition = format!("attachment; filename=\"ke-hoach-{id}.{}\"", format.extension());
    Ok(([(header::CONTENT_TYPE, format.mime().to_string()), (header::CONTENT_DISPOSITION, disposition)], out.bytes).into_response())
}
