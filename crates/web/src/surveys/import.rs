//! Uploading a response file (CSV or XLSX) on the survey page: every row or none.

use super::detail::render_detail;
use super::render::{INPUT_MISTAKES, is_one_of};
use crate::auth::CurrentUser;
use crate::error::{AppError, PageError};
use crate::startup::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

pub(super) async fn import_upload(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    mut multipart: crate::extract::Upload,
) -> Result<Response, PageError> {
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field("biểu mẫu tải lên không hợp lệ").await? {
        match field.name() {
            Some("csrf") => csrf = field.text().await?,
            Some("file") => {
                let name = field.file_name().unwrap_or("tệp").to_string();
                let bytes = field.bytes().await.map_err(AppError::multipart)?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    me.check_csrf(&csrf)?;
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let html = render_detail(&state, &me, id, None, Some("Chưa chọn tệp câu trả lời (CSV hoặc XLSX)".into())).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    };
    let result = chiso_app::surveys::import_file(&state.app, &me.scope, id, bytes, &name).await;
    if let Err(chiso_app::surveys::ImportError::File { file, error: chiso_app::surveys::ReadError::Rows(rows), .. }) = &result {
        let error = format!(
            "Không nhập được {file}: tệp có {} lỗi, không dòng nào được lưu. Sửa các ô dưới đây (dòng tính như trong bảng tính, dòng tiêu đề là dòng 1) rồi nhập lại.",
            rows.count()
        );
        let mut problems: Vec<String> = rows.problems.iter().map(|p| p.to_string()).collect();
        if rows.more > 0 {
            problems.push(format!("… và {} lỗi khác.", rows.more));
        }
        let html = super::detail::render_detail_with(&state, &me, id, None, Some(error), problems).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    match result.map_err(AppError::from) {
        Ok(done) => {
            Ok(Redirect::to(&format!("/surveys/{id}?imported={}&warnings={}", done.summary.rows, done.warnings.len())).into_response())
        }
        Err(e) if is_one_of(&e, INPUT_MISTAKES) => {
            let html = render_detail(&state, &me, id, None, Some(format!("Không nhập được (không có dòng nào được lưu): {e}"))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
