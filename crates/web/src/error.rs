//! One error type for the whole web layer, rendered as an HTML page for browsers and as JSON
//! `{"error": {"code", "message"}}` under `/api`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chiso_app::{ErrorKind, Failure};
use chiso_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    BadRequest(String),
    #[error("cần đăng nhập")]
    Unauthorized,
    #[error("phiên làm việc không hợp lệ hoặc biểu mẫu đã cũ (CSRF); hãy tải lại trang và thử lại")]
    Csrf,
    #[error("không tìm thấy {0}")]
    NotFound(String),
    #[error("lỗi hệ thống: {0}")]
    Internal(String),
    /// A use case's own failure (chiso-app), classified by its kind.
    #[error("{message}")]
    Service { kind: ErrorKind, code: &'static str, message: String },
}

/// Every use-case error type of chiso-app becomes an `AppError` through its `Failure` impl: add new error
/// types to this list (a blanket impl would overlap with the conversions of foreign error types).
macro_rules! service_errors {
    ($($t:ty),* $(,)?) => {
        $(impl From<$t> for AppError {
            fn from(e: $t) -> Self {
                AppError::Service { kind: e.kind(), code: e.code(), message: e.to_string() }
            }
        })*
    };
}

service_errors!(
    chiso_app::ServiceError,
    chiso_app::reports::SubmitError,
    chiso_app::surveys::CreateError,
    chiso_app::surveys::ImportError,
    chiso_app::surveys::EstimateError,
    chiso_app::surveys::SheetError,
    chiso_app::plans::ImportError,
    chiso_app::plans::CascadeError,
    chiso_app::plans::ExportError,
    chiso_app::plans::TaskEditError,
    chiso_app::results::ImportError,
    chiso_app::results::RankError,
    chiso_app::results::WeakError,
);

fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Invalid => StatusCode::BAD_REQUEST,
        ErrorKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::OutOfScope | ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Store(e) => status_of(e.kind()),
            AppError::Service { kind, .. } => status_of(*kind),
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Store(StoreError::NotFound(_)) | AppError::NotFound(_) => "not_found",
            AppError::Store(StoreError::OutOfScope(_)) => "out_of_scope",
            AppError::Store(StoreError::Forbidden(_)) => "forbidden",
            AppError::Store(StoreError::Conflict(_)) => "conflict",
            AppError::Store(StoreError::Invalid(_)) => "invalid",
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized => "unauthorized",
            AppError::Csrf => "csrf",
            AppError::Service { code, .. } => code,
            _ => "internal",
        }
    }

    /// What the user may read. Internal details go to the log, not to the page.
    pub fn public_message(&self) -> String {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "request failed");
            "Đã có lỗi hệ thống; vui lòng thử lại hoặc báo quản trị viên.".to_string()
        } else {
            self.to_string()
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

/// An error on an HTML page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let msg = html_escape(&self.0.public_message());
        let body = format!(
            "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Lỗi {code} – chiso</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head>\
             <body><main class=\"container\"><div class=\"card error-page\"><h1>Lỗi {code}</h1><p class=\"alert alert-error\">{msg}</p>\
             <p><a href=\"javascript:history.back()\">← Quay lại</a> · <a href=\"/\">Trang chủ</a></p></div></main></body></html>",
            code = status.as_u16()
        );
        (status, Html(body)).into_response()
    }
}

/// An error of the JSON API.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"code": self.0.code(), "message": self.0.public_message()}});
        (self.0.status(), Json(body)).into_response()
    }
}

pub use crate::render::html_escape;
